"""What the page draws, computed by the network: weights, neuron maps, the decision map.

Grids are sent compactly as base64 bytes: neuron maps as int8 (activation / its largest
magnitude * 127), class probabilities as uint8 (probability * 255), row 0 at the top
(largest x2), column 0 at the left (smallest x1). The decision map is computed at
``OUTPUT_GRID`` x ``OUTPUT_GRID`` points in one forward pass (coarser, down to
``MIN_OUTPUT_GRID``, only for networks so large that the finer map would pass the work limit
of :mod:`glassnet.playground.limits`); the page draws it with bilinear smoothing.

Every layer is drawn whatever its width (the page shows wide layers as heat maps of their
weight matrices), so the weights always come: as nested lists (rounded to 4 decimals) for
networks of up to ``LISTED_WEIGHTS`` parameters, else per layer as int8 (weight / the layer's
largest magnitude * 127) with that scale, a few bytes per weight.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import numpy as np

from glassnet.model.sequential import Sequential
from glassnet.playground.dense_blocks import dense_with_activation
from glassnet.playground.features import DEFAULT, expand

OUTPUT_GRID = 100  # cells per side of the decision map (TensorFlow Playground's density)
MIN_OUTPUT_GRID = 48  # the coarsest it gets, for the largest networks the limits allow
NEURON_GRID = 16  # cells per side of each neuron's map
LISTED_WEIGHTS = 20_000  # networks up to this many parameters send their weights as numbers
MAP_BATCH = 2048  # grid points a forward pass takes at a time: each layer's values stay in cache


def grid(domain: float, size: int) -> np.ndarray:
    """Cell centres of a size x size grid over [-domain, domain]^2, top row first.

    Examples
    --------
    >>> grid(1.0, 2).tolist()
    [[-0.5, 0.5], [0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]]
    """
    c = (np.arange(size) + 0.5) / size * 2 * domain - domain  # (size,)
    x1, x2 = np.meshgrid(c, c[::-1])  # (size, size) each
    return np.stack([x1.ravel(), x2.ravel()], axis=1).astype(np.float32)  # (size*size, 2)


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def probabilities(net: Sequential, X: np.ndarray, loss: str) -> np.ndarray:
    """Class probabilities (N, k): ``net.predict_proba`` (softmax for cross-entropy), as k columns.

    A single output p means two classes: (1 - p, p). Sigmoid outputs for several classes are
    divided by their sum. The softmax comes from ``net.predict_proba``, so ``net.loss_`` must
    be the cross-entropy when ``loss`` is (:meth:`Session.build` always sets it).

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid
    >>> net = Sequential([Dense(2, 1, weights=[[0.0], [0.0]], bias=[0.0]), Sigmoid()])
    >>> probabilities(net, np.zeros((1, 2)), "mse").tolist()
    [[0.5, 0.5]]
    >>> from glassnet.losses import get_loss
    >>> net = Sequential([Dense(2, 2, weights=[[0.0, 0.0], [0.0, 0.0]], bias=[0.0, np.log(3)])])
    >>> net.loss_ = get_loss("cross_entropy")
    >>> np.round(probabilities(net, np.zeros((1, 2)), "cross_entropy"), 6).tolist()
    [[0.25, 0.75]]
    """
    loss_name = getattr(net.loss_, "name", None)
    if loss == "cross_entropy" and loss_name != "cross_entropy":
        raise ValueError(
            f"net.loss_ must be the cross_entropy loss for loss='cross_entropy'; got {loss_name!r}."
        )
    out = net.predict_proba(X, batch_size=MAP_BATCH).astype(np.float64)  # (N, out)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if loss == "cross_entropy":
            p = out  # already a softmax
        elif out.shape[1] == 1:
            q = np.clip(out[:, 0], 0.0, 1.0)  # (N,)
            p = np.stack([1 - q, q], axis=1)  # (N, 2)
        else:
            q = np.clip(out, 1e-9, None)  # (N, k)
            p = q / q.sum(axis=1, keepdims=True)
    return np.nan_to_num(p, nan=0.0)


def _quantised(a: np.ndarray) -> dict[str, Any]:
    """An array as int8 (a / its largest magnitude * 127, row-major) and that magnitude.

    Examples
    --------
    >>> q = _quantised(np.array([[0.5, -1.0]]))
    >>> q["scale"], np.frombuffer(base64.b64decode(q["data"]), np.int8).tolist()
    (1.0, [64, -127])
    """
    a = np.nan_to_num(np.asarray(a, dtype=np.float64))
    scale = float(np.abs(a).max()) if a.size else 0.0
    q = np.round(a / (scale or 1.0) * 127).astype(np.int8)
    return {"scale": scale, "data": _b64(q)}


def _int8_maps(a: np.ndarray, layer: int) -> dict[str, Any]:
    """Columns of a (G*G, width) as int8 maps, each divided by its largest magnitude."""
    a = np.asarray(a, dtype=np.float64)
    scale = np.abs(a).max(axis=0)  # (width,)
    scale[scale == 0] = 1.0
    q = np.round(np.nan_to_num(a / scale) * 127).astype(np.int8)  # (G*G, width)
    return {"layer": layer, "maps": [_b64(q[:, j]) for j in range(q.shape[1])]}


def neuron_maps(
    net: Sequential, domain: float, features: Sequence[str] = DEFAULT
) -> list[dict[str, Any]]:
    """The inputs (layer 0: each chosen feature) and each hidden layer's outputs over a small
    grid: one int8 map per node.

    Runs the layers one by one and keeps every output, since a Dense layer followed by another
    (an identity activation) does not keep its own output.

    Examples
    --------
    >>> from glassnet import Dense, Tanh
    >>> net = Sequential([Dense(2, 3), Dense(3, 2), Tanh(), Dense(2, 1)])
    >>> [(m["layer"], len(m["maps"])) for m in neuron_maps(net, 1.0)]
    [(0, 2), (1, 3), (2, 2)]
    """
    net.eval()
    a = expand(grid(domain, NEURON_GRID), features).astype(net.dtype)  # (G*G, k)
    maps = [_int8_maps(a, 0)]
    outs = []
    for lay in net.layers:
        a = lay.forward(a)  # (G*G, width)
        outs.append(a)
    for k, (_, out_pos, _) in enumerate(dense_with_activation(net.layers)[:-1]):
        maps.append(_int8_maps(outs[out_pos], k + 1))
    return maps


def network_view(net: Sequential) -> dict[str, Any]:
    """Widths, activation names, weights and biases: nested lists (4 decimals) for networks of
    up to ``LISTED_WEIGHTS`` parameters, else ``weights_q`` and ``biases_q``: per layer an int8
    array and its scale (:func:`_quantised`), W row-major of shape (in, out).

    Examples
    --------
    >>> from glassnet.model.build import mlp
    >>> v = network_view(mlp("2,3,1", "tanh", "sigmoid", seed=0))
    >>> v["widths"], v["activations"], len(v["weights"][0])
    ([2, 3, 1], ['tanh', 'sigmoid'], 2)
    >>> sorted(network_view(mlp("2,150,150,1", seed=0)))  # 23,251 parameters
    ['activations', 'biases_q', 'inputs', 'n_params', 'weights_q', 'widths']
    """
    found = dense_with_activation(net.layers)
    dense = [net.layers[pos] for pos, _, _ in found]
    widths = [dense[0].in_features] + [d.out_features for d in dense] if dense else []
    inputs = net.feature_names or [f"x{i + 1}" for i in range(widths[0] if widths else 0)]
    view: dict[str, Any] = {
        "widths": widths,
        "inputs": list(inputs),
        "activations": [name for _, _, name in found],
        "n_params": net.n_params,
    }
    if net.n_params <= LISTED_WEIGHTS:
        view["weights"] = [np.round(d.params["W"].astype(np.float64), 4).tolist() for d in dense]
        view["biases"] = [np.round(d.params["b"].astype(np.float64), 4).tolist() for d in dense]
    else:  # 64 x 256 as lists would take half a second and megabytes
        view["weights_q"] = [_quantised(d.params["W"]) for d in dense]
        view["biases_q"] = [_quantised(d.params["b"]) for d in dense]
    return view


def neuron_map(
    net: Sequential,
    domain: float,
    layer: int,
    node: int,
    features: Sequence[str] = DEFAULT,
    size: int = OUTPUT_GRID,
) -> dict[str, Any]:
    """One node's output over a size x size grid, as int8 (value / its largest magnitude * 127):
    the enlarged map the page shows while a neuron is hovered.

    ``layer`` 0 is the inputs (the chosen features), 1.. the Dense layers' activated outputs,
    the last one the network's outputs.

    Examples
    --------
    >>> from glassnet.model.build import mlp
    >>> m = neuron_map(mlp("2,3,1", "tanh", "sigmoid", seed=0), 1.0, 0, 0, size=4)
    >>> np.frombuffer(base64.b64decode(m["map"]), np.int8).reshape(4, 4)[0].tolist()  # x1
    [-127, -42, 42, 127]
    """
    found = dense_with_activation(net.layers)
    if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer <= len(found):
        raise ValueError(f"layer must be between 0 and {len(found)} for this network; got {layer}.")
    width = net.in_features if layer == 0 else net.layers[found[layer - 1][0]].out_features
    if isinstance(node, bool) or not isinstance(node, int) or not 0 <= node < width:
        raise ValueError(f"node must be between 0 and {width - 1} in layer {layer}; got {node}.")
    net.eval()
    a = expand(grid(domain, size), features).astype(net.dtype)  # (G*G, k)
    if layer > 0:
        for lay in net.layers[: found[layer - 1][1] + 1]:
            a = lay.forward(a)  # (G*G, width of the layer)
    values = np.asarray(a[:, node], dtype=np.float64)  # (G*G,)
    scale = float(np.nan_to_num(np.abs(values)).max()) or 1.0
    q = np.round(np.nan_to_num(values / scale) * 127).astype(np.int8)
    return {"layer": layer, "node": node, "size": size, "scale": scale, "map": _b64(q)}


def output_map(
    net: Sequential,
    domain: float,
    loss: str,
    features: Sequence[str] = DEFAULT,
    regression: bool = False,
    size: int = OUTPUT_GRID,
) -> dict[str, Any]:
    """Class probabilities over the size x size decision grid (one forward pass), as uint8
    planes, one per class; for a regression the output values instead, clipped to [-1, 1], as
    int8 (value * 127), one plane per output.

    Examples
    --------
    >>> from glassnet import Dense
    >>> net = Sequential([Dense(2, 1, weights=[[0.5], [0.0]], bias=[0.0])])  # 0.5 x1
    >>> m = output_map(net, 1.0, "mse", regression=True)
    >>> v = np.frombuffer(base64.b64decode(m["values"]), np.int8).reshape(100, 100)
    >>> m["regression"], m["outputs"], int(v[0, 0]), int(v[0, -1])  # about -0.5, 0.5 at the edges
    (True, 1, -63, 63)
    """
    X = expand(grid(domain, size), features).astype(net.dtype)  # (G*G, k)
    if regression:
        out = net.predict(X, batch_size=MAP_BATCH).astype(np.float64)  # (G*G, out)
        values = np.clip(np.nan_to_num(out), -1.0, 1.0)
        q = np.round(values * 127).astype(np.int8).T  # (out, G*G)
        return {"size": size, "regression": True, "outputs": int(q.shape[0]), "values": _b64(q)}
    p = probabilities(net, X, loss)  # (G*G, k)
    q = np.round(p * 255).astype(np.uint8).T  # (k, G*G)
    return {"size": size, "classes": int(q.shape[0]), "probs": _b64(q)}
