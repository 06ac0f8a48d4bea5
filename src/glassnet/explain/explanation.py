"""Explain one training step node by node, with its numbers, the way the article writes it.

``explain`` runs a real step on a network (forward, error, backward, update: the training step
of :mod:`glassnet.train.step`, the one ``fit`` takes) under a trace, then reads the trace's
records and writes each node's equation with the values substituted::

    forward   z = w*x + b = 0.5000*1.0000 + 0.1000 = 0.6000
              Y = sigmoid(z) = sigmoid(0.6000) = 0.6457
    error     E = (Y - target)^2 = (0.6457 - 0.8000)^2 = 0.0238
    backward  dE/dY = 2(Y - target) = 2(0.6457 - 0.8000) = -0.3086
              ...

Every number comes from the records (what the layers, the loss and the optimiser computed);
this module only writes them down. Renderers are in :mod:`glassnet.explain.render`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.activations import Activation, Softmax
from glassnet.explain.equations import Equation, build_equations, two_node_summary
from glassnet.explain.render import render_markdown, render_text, to_dict
from glassnet.layers.dense import Dense
from glassnet.layers.dropout import Dropout
from glassnet.losses import get_loss
from glassnet.model.sequential import Sequential
from glassnet.model.trace import Trace
from glassnet.optimizers import SGD, Optimizer
from glassnet.train import step as training

MAX_WEIGHTS = 300


class Explanation:
    """A traced step and its equations; print it, or render it as Markdown or JSON.

    Attributes
    ----------
    trace : Trace
        The records of the step.
    equations : list of Equation
        One per node and per chain-rule factor, in the order forward, error, backward, update.
    summary : dict or None
        For the two-node network, the flat values x, target, w, b, z, y, error, dE_dy, dy_dz,
        dz_dw, dE_dw, dE_db, lr, w_new, b_new.
    """

    def __init__(self, trace: Trace, equations: list[Equation], summary: dict[str, float] | None):
        self.trace, self.equations, self.summary = trace, equations, summary

    def to_text(self, precision: int = 4) -> str:
        """Plain text, one equation per line, grouped by section."""
        return render_text(self.equations, precision)

    def to_markdown(self, precision: int = 4) -> str:
        """Markdown with LaTeX ($$ ... $$) equations."""
        return render_markdown(self.equations, precision)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict: the two-node summary keys (when they apply) plus every equation."""
        return to_dict(self.equations, self.summary)

    def to_json(self, indent: int | None = 2) -> str:
        """The trace as JSON text (numbers as numbers)."""
        import json

        return json.dumps(self.to_dict(), indent=indent)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_svg_(self) -> str | None:
        try:
            from glassnet.plot.notebook import trace_svg
        except ImportError:
            return None
        return trace_svg(self)


def _select(net: Sequential, layer: int | None, weight: tuple[int, int, int] | None) -> int | None:
    """Which Dense (1-based among Dense layers) to write out, or None for all; check sizes."""
    dense_ids = [i for i, lay in enumerate(net.layers) if isinstance(lay, Dense)]
    target = weight[0] if weight is not None else layer
    if target is None:
        if net.n_params > MAX_WEIGHTS:
            first = dense_ids[0] if dense_ids else 0
            raise ValueError(
                f"this network has {net.n_params} parameters; explain writes out at most "
                f"{MAX_WEIGHTS} at a time. Narrow the request to one layer (layer={first}) or "
                f"one weight (weight=({first}, 0, 0): layer, input, output)."
            )
        return None
    if target not in dense_ids:
        raise ValueError(f"layer {target} is not a Dense layer; Dense layers are at {dense_ids}.")
    dense = net.layers[target]
    if weight is not None:
        _, i, j = weight
        if not (0 <= i < dense.in_features and 0 <= j < dense.out_features):
            raise ValueError(
                f"weight=({target}, {i}, {j}) is outside layer {target}'s W of shape "
                f"({dense.in_features}, {dense.out_features})."
            )
    elif dense.n_params > MAX_WEIGHTS:
        raise ValueError(
            f"layer {target} has {dense.n_params} parameters; explain writes out at most "
            f"{MAX_WEIGHTS}. Narrow it to one weight: weight=({target}, 0, 0)."
        )
    return dense_ids.index(target) + 1


def explain(
    net: Sequential,
    x: Any,
    target: Any,
    loss: Any = "mse",
    lr: float = 1.0,
    optimizer: Optimizer | None = None,
    layer: int | None = None,
    weight: tuple[int, int, int] | None = None,
) -> Explanation:
    """Run one training step on one sample and explain it node by node.

    The step is real: ``net``'s parameters are updated, so calling ``explain`` again shows
    the next step, with a smaller error. Use a float64 network for exact numbers.

    Parameters
    ----------
    net : Sequential
        Dense layers and activations; Dropout layers pass their inputs through (the step is
        explained as inference runs the network: without dropping units, so it is the same
        every time).
    x : array-like, shape (in,) or (1, in)
        One sample.
    target : array-like
        Its target: (out,) values, or a class label for cross-entropy.
    loss : str or Loss
        "mse" (default, as in the article), "binary_cross_entropy" or "cross_entropy".
    lr : float
        Learning rate of the SGD step, W <- W - lr dE/dW (ignored if ``optimizer`` is given).
    optimizer : Optimizer, optional
        Another optimiser (bound to ``net``) for the update.
    layer : int, optional
        Index in ``net.layers`` of the one Dense layer to write out (for larger networks).
    weight : (layer, i, j), optional
        Write out only the chain of weight W[i, j] of that layer.

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.1]), Sigmoid()], dtype="float64")
    >>> step = explain(net, [1.0], [0.8], lr=1.0)
    >>> round(step.summary["dE_dw"], 4), round(step.summary["w_new"], 4)
    (-0.0706, 0.5706)
    >>> print(step.to_text().splitlines()[0])
    forward   z = w*x + b = 0.5000*1.0000 + 0.1000 = 0.6000
    """
    for lay in net.layers:
        if not isinstance(lay, (Dense, Activation, Dropout)) or (
            isinstance(lay, Softmax) and lay is not net.layers[-1]
        ):
            raise ValueError(
                f"explain handles Dense layers, activations and Dropout (Softmax only last); "
                f"got {lay!r}."
            )
    selected = _select(net, layer, weight)
    loss_obj = get_loss(loss)
    X = np.asarray(x, dtype=net.dtype)
    if X.ndim == 2 and X.shape[0] != 1:
        raise ValueError(
            f"explain writes out the step of one sample; x has {X.shape[0]} rows. Pass one "
            "row, e.g. x[0] (fit trains on batches: each sample's step is this one, averaged)."
        )
    X = X.reshape(1, -1)  # (1, in)
    t = np.asarray(target)
    if loss_obj.name == "cross_entropy" and t.size == 1 and t.dtype.kind in "iu":
        t = t.reshape(1)  # (1,) label
    else:
        t = t.astype(net.dtype).reshape(1, -1)  # (1, out)
    opt = optimizer if optimizer is not None else SGD(net.parameters(), lr=lr)
    if opt.params is None:
        opt.bind(net)
    net.eval()
    with net.tracing() as trace:  # the training step (glassnet.train.step), recorded
        training.train_step(net, loss_obj, X, t, opt)
    plain_sgd = isinstance(opt, SGD) and not opt.momentum and not opt.weight_decay
    equations = build_equations(trace, selected=selected, weight=weight, plain_sgd=plain_sgd)
    return Explanation(trace, equations, two_node_summary(trace))
