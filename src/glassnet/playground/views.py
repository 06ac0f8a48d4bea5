"""What the page draws, computed by the network: weights, neuron maps, the decision map.

Grids are sent compactly as base64 bytes: neuron maps as int8 (activation / its largest
magnitude * 127), class probabilities as uint8 (probability * 255), row 0 at the top
(largest x2), column 0 at the left (smallest x1).
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from glassnet.layers import Dense
from glassnet.network import Sequential

OUTPUT_GRID = 48  # cells per side of the decision map
NEURON_GRID = 16  # cells per side of each neuron's map
MAX_DRAWN_NEURONS = 8 * 32  # larger networks are summarised, not drawn
MAX_DRAWN_WIDTH = 32


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
    """Class probabilities (N, k) from the outputs: softmax for cross-entropy, else the outputs.

    A single output p means two classes: (1 - p, p). Sigmoid outputs for several classes are
    divided by their sum.

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid
    >>> net = Sequential([Dense(2, 1, weights=[[0.0], [0.0]], bias=[0.0]), Sigmoid()])
    >>> probabilities(net, np.zeros((1, 2)), "mse").tolist()
    [[0.5, 0.5]]
    """
    out = net.predict(X).astype(np.float64)  # (N, out)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if loss == "cross_entropy":
            e = np.exp(out - out.max(axis=1, keepdims=True))  # (N, k)
            p = e / e.sum(axis=1, keepdims=True)
        elif out.shape[1] == 1:
            q = np.clip(out[:, 0], 0.0, 1.0)  # (N,)
            p = np.stack([1 - q, q], axis=1)  # (N, 2)
        else:
            q = np.clip(out, 1e-9, None)
            p = q / q.sum(axis=1, keepdims=True)
    return np.nan_to_num(p, nan=0.0)


def drawable(net: Sequential) -> bool:
    """Whether the network is small enough to draw neuron by neuron."""
    dense = [lay for lay in net.layers if isinstance(lay, Dense)]
    hidden = [d.out_features for d in dense[:-1]]
    return sum(hidden) <= MAX_DRAWN_NEURONS and max(hidden, default=0) <= MAX_DRAWN_WIDTH


def neuron_maps(net: Sequential, domain: float) -> list[dict[str, Any]]:
    """Each hidden layer's outputs over a small grid: one int8 map per neuron.

    Reads each Dense layer's output after its activation (the layers keep ``y``).
    """
    X = grid(domain, NEURON_GRID)  # (G*G, 2)
    net.eval()
    net.forward(X)
    layers = net.layers
    maps = []
    dense_pos = [i for i, lay in enumerate(layers) if isinstance(lay, Dense)]
    for k, pos in enumerate(dense_pos[:-1]):
        nxt = pos + 1
        src = layers[nxt] if nxt < len(layers) and not isinstance(layers[nxt], Dense) else None
        a = np.asarray(src.y if src is not None else layers[pos].y, dtype=np.float64)
        scale = np.abs(a).max(axis=0)  # (width,)
        scale[scale == 0] = 1.0
        q = np.round(np.nan_to_num(a / scale) * 127).astype(np.int8)  # (G*G, width)
        maps.append({"layer": k + 1, "maps": [_b64(q[:, j]) for j in range(q.shape[1])]})
    return maps


def network_view(net: Sequential) -> dict[str, Any]:
    """Widths, activation names, and (for drawable networks) weights and biases.

    Examples
    --------
    >>> from glassnet.build import mlp
    >>> v = network_view(mlp("2,3,1", "tanh", "sigmoid", seed=0))
    >>> v["widths"], v["activations"], len(v["weights"][0])
    ([2, 3, 1], ['tanh', 'sigmoid'], 2)
    """
    widths, acts, weights, biases = [], [], [], []
    layers = net.layers
    for pos, lay in enumerate(layers):
        if not isinstance(lay, Dense):
            continue
        if not widths:
            widths.append(lay.in_features)
        widths.append(lay.out_features)
        nxt = layers[pos + 1] if pos + 1 < len(layers) else None
        name = "identity" if nxt is None or isinstance(nxt, Dense) else type(nxt).__name__
        acts.append({"LeakyReLU": "leaky_relu"}.get(name, name.lower()))
        weights.append(np.round(lay.params["W"].astype(np.float64), 4).tolist())
        biases.append(np.round(lay.params["b"].astype(np.float64), 4).tolist())
    view: dict[str, Any] = {"widths": widths, "activations": acts, "n_params": net.n_params}
    view["drawable"] = drawable(net)
    if view["drawable"]:
        view["weights"], view["biases"] = weights, biases
    return view


def output_map(net: Sequential, domain: float, loss: str) -> dict[str, Any]:
    """Class probabilities over the decision grid, as uint8 planes (one per class)."""
    p = probabilities(net, grid(domain, OUTPUT_GRID), loss)  # (G*G, k)
    q = np.round(p * 255).astype(np.uint8).T  # (k, G*G)
    return {"size": OUTPUT_GRID, "classes": int(q.shape[0]), "probs": _b64(q)}
