"""Where the nodes of a network go: one column per Dense layer's outputs, inputs first.

A column groups a Dense layer with the activation that follows it, as TensorFlow Playground
and the article draw a neuron: ``x -> (w, b, sigmoid) -> Y``. The same layout is built from a
live network or from a trace's records, so a picture of a step needs no network object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

COLUMN_GAP = 3.0  # horizontal distance between columns, in data units
NODE_GAP = 1.4  # vertical distance between nodes of a column
RADIUS = 0.42  # node radius
MAX_NODES = 256  # more nodes than this make an unreadable diagram

_ACTIVATION_NAMES = {
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "ReLU": "relu",
    "LeakyReLU": "leaky relu",
    "ELU": "elu",
    "SiLU": "silu",
    "GELU": "gelu",
    "Softplus": "softplus",
    "Softmax": "softmax",
    "Identity": "linear",
}


@dataclass
class Column:
    """One column of nodes.

    Attributes
    ----------
    width : int
        Number of nodes.
    activation : str
        "" for the inputs, else the activation's name ("linear" when there is none).
    W, b : ndarray or None
        The weights (in, out) and biases (out,) arriving at this column; None for inputs.
    dense_pos : int or None
        Position of the Dense layer in the network (or trace).
    out_pos : int or None
        Position of the layer whose output are this column's values (the activation's).
    names : list of str
        A short name per node: x, Y for the two-node network; x1, a1[2], Y[1] otherwise.
    """

    width: int
    activation: str = ""
    W: np.ndarray | None = None
    b: np.ndarray | None = None
    dense_pos: int | None = None
    out_pos: int | None = None
    names: list[str] = field(default_factory=list)


def columns_from_layers(
    n_inputs: int, kinds: list[str], params: list[dict[str, Any]]
) -> list[Column]:
    """Group layer kinds ("Dense", "Sigmoid", ...) and their parameters into columns.

    Examples
    --------
    >>> W, b = np.ones((1, 1)), np.zeros(1)
    >>> cols = columns_from_layers(1, ["Dense", "Sigmoid"], [{"W": W, "b": b}, {}])
    >>> [(c.width, c.activation, c.names) for c in cols]
    [(1, '', ['x']), (1, 'sigmoid', ['Y'])]
    """
    cols = [Column(n_inputs)]
    for pos, (kind, p) in enumerate(zip(kinds, params, strict=True)):
        if kind == "Dense":
            W = np.asarray(p["W"])  # (in, out)
            cols.append(Column(W.shape[1], "linear", W, np.asarray(p["b"]), pos, pos))
        elif kind in _ACTIVATION_NAMES:
            if len(cols) == 1:
                raise ValueError(
                    f"the network diagram expects a Dense layer before activations; layer {pos} "
                    f"is a {kind}."
                )
            cols[-1].activation = _ACTIVATION_NAMES[kind]
            cols[-1].out_pos = pos
        elif kind != "Dropout":
            raise ValueError(
                f"cannot draw layer {pos} of kind {kind!r}; expected Dense or an activation."
            )
    if len(cols) == 1:
        raise ValueError("the network has no Dense layer to draw.")
    total = sum(c.width for c in cols)
    if total > MAX_NODES:
        raise ValueError(
            f"the network has {total} nodes; the diagram draws at most {MAX_NODES}. Draw one layer "
            "with plot_weight_matrix(net, layer_index) instead."
        )
    _name(cols)
    return cols


def columns_from_net(net: Any) -> list[Column]:
    """Columns of a :class:`glassnet.Sequential`.

    Examples
    --------
    >>> from glassnet import mlp
    >>> [c.width for c in columns_from_net(mlp("2,3,1", seed=0))]
    [2, 3, 1]
    """
    from glassnet.model.sequential import Sequential

    if not isinstance(net, Sequential):
        raise TypeError(f"net must be a glassnet Sequential; got {type(net).__name__}.")
    kinds = [type(layer).__name__ for layer in net.layers]
    return columns_from_layers(int(net.in_features or 0), kinds, [lay.params for lay in net.layers])


def columns_from_trace(trace: Any) -> list[Column]:
    """Columns of a traced step, read from its records.

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid, Sequential
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.1]), Sigmoid()], dtype="float64")
    >>> with net.tracing() as trace:
    ...     _ = net.forward(np.array([[1.0]]))
    >>> [c.activation for c in columns_from_trace(trace)]
    ['', 'sigmoid']
    """
    recs = trace.layers
    if not recs:
        raise ValueError("the trace is empty; trace a forward pass first (net.tracing()).")
    return columns_from_layers(recs[0].x.shape[1], [r.kind for r in recs], [r.params for r in recs])


def is_two_node(cols: list[Column]) -> bool:
    """True for the article's network: one input node feeding one output node.

    Examples
    --------
    >>> is_two_node([Column(1), Column(1)]), is_two_node([Column(2), Column(1)])
    (True, False)
    """
    return len(cols) == 2 and cols[0].width == 1 and cols[1].width == 1


def _name(cols: list[Column]) -> None:
    two_node = is_two_node(cols)
    n_in = cols[0].width
    cols[0].names = ["x"] if n_in == 1 else [f"x{i + 1}" for i in range(n_in)]
    for k, col in enumerate(cols[1:], start=1):
        if k == len(cols) - 1:
            col.names = ["Y"] if col.width == 1 else [f"Y[{j + 1}]" for j in range(col.width)]
        else:
            col.names = [f"a{k}[{j + 1}]" for j in range(col.width)]
    if two_node:
        cols[0].names, cols[1].names = ["x"], ["Y"]


def gaps(cols: list[Column]) -> tuple[float, float]:
    """(column gap, node gap): wider for small networks, whose numbers need room.

    Examples
    --------
    >>> gaps([Column(1), Column(1)]), gaps([Column(8), Column(8)])
    ((4.0, 3.2), (3.0, 1.4))
    """
    return (4.0, 3.2) if is_small(cols) else (COLUMN_GAP, NODE_GAP)


def positions(cols: list[Column]) -> list[np.ndarray]:
    """(x, y) of every node, one (width, 2) array per column, columns centred on y = 0.

    Examples
    --------
    >>> positions([Column(8), Column(2)])[1][:, 1].tolist()
    [0.7, -0.7]
    """
    col_gap, node_gap = gaps(cols)
    out = []
    for c, col in enumerate(cols):
        ys = ((col.width - 1) / 2 - np.arange(col.width)) * node_gap  # (width,)
        out.append(np.column_stack([np.full(col.width, c * col_gap), ys]))  # (width, 2)
    return out


def is_small(cols: list[Column]) -> bool:
    """True when every weight can carry a readable number (at most 16 edges, 6 nodes a column).

    Examples
    --------
    >>> is_small([Column(2), Column(2)])
    True
    """
    edges = sum(cols[k - 1].width * cols[k].width for k in range(1, len(cols)))
    return edges <= 16 and max(c.width for c in cols) <= 6
