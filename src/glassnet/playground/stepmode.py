"""Step mode: one sample, one forward pass, one backward pass, one SGD update, shown node by node.

Every number comes from :func:`glassnet.explain.explanation.explain`, run on a float64 copy of the tab's
network, so the page shows exactly what ``glassnet explain`` prints for the same network and
sample. The update uses plain SGD with the tab's learning rate, W <- W - lr * dE/dW.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.explain.equations import Equation, build_equations
from glassnet.explain.explanation import Explanation, explain
from glassnet.explain.render import equation_text, render_text
from glassnet.layers.dense import Dense
from glassnet.model.sequential import Sequential
from glassnet.playground import steptext
from glassnet.playground.brief import brief
from glassnet.playground.dense_blocks import dense_with_activation
from glassnet.playground.validate import param_index


def _dense_positions(net: Sequential) -> list[int]:
    return [i for i, lay in enumerate(net.layers) if isinstance(lay, Dense)]


def sample_target(y: int, loss: str, width: int) -> Any:
    """The target of one sample as ``explain`` takes it.

    Examples
    --------
    >>> sample_target(1, "cross_entropy", 2), sample_target(1, "mse", 1), sample_target(2, "mse", 3)
    (1, [1.0], [0.0, 0.0, 1.0])
    """
    if loss == "cross_entropy":
        return int(y)
    if width == 1:
        return [float(y)]
    return [1.0 if j == y else 0.0 for j in range(width)]


def run_step(net: Sequential, x: np.ndarray, target: Any, loss: str, lr: float) -> Explanation:
    """Explain one SGD step of a float64 copy of ``net`` on sample ``x``; ``net`` is untouched."""
    copy = net.copy("float64")
    first = _dense_positions(copy)[0]
    return explain(copy, x, target, loss=loss, lr=lr, weight=(first, 0, 0))


def node_values(step: Explanation) -> dict[str, Any]:
    """Per Dense layer k: z (before the activation), a (after), dE/dz, dE/da, dE/dW, dE/db.

    The lists are indexed by Dense layer, 0 for the first; the input x and the loss come too.
    """
    recs = step.trace.layers
    layers: list[dict[str, Any]] = []
    for pos, out_pos, _ in dense_with_activation(recs):
        rec, act = recs[pos], recs[out_pos]
        layers.append(
            {
                "z": rec.y[0].tolist(),
                "a": act.y[0].tolist(),
                "dz": rec.grad_out[0].tolist(),
                "da": act.grad_out[0].tolist(),
                "dW": rec.grads["W"].tolist(),
                "db": rec.grads["b"].tolist(),
            }
        )
    loss = step.trace.loss
    return {
        "x": recs[0].x[0].tolist(),
        "output": loss.y[0].tolist(),
        "target": np.asarray(loss.target).reshape(-1).tolist(),
        "loss": float(loss.value),
        "layers": layers,
    }


def param_equations(
    net: Sequential,
    x: np.ndarray,
    target: Any,
    loss: str,
    lr: float,
    layer: int,
    param: str,
    digits: int = 4,
) -> dict[str, Any]:
    """The chain-rule equations of one weight or bias, written as ``glassnet explain`` writes them.

    ``text`` and ``lines`` are what ``glassnet explain --weight`` prints for that weight (its
    own layer's lines). ``blocks`` are what the page shows: every line the update rests on
    (:func:`glassnet.playground.steptext.chain`: the forward pass, the error, the dE/dz of
    every node downstream, the weight's own lines), each wrapped one term a line, with
    ``digits`` decimals; ``note`` says what a large network's list leaves out.

    Parameters
    ----------
    layer : int
        Dense layer, 1-based (as in explain's names w2[1,3]).
    param : str
        "W[i,j]" or "b[j]", 0-based indices.
    digits : int
        Decimals of the numbers in ``blocks`` (``text`` keeps explain's 4).

    Examples
    --------
    >>> from glassnet.model.build import mlp
    >>> net = mlp("2,2,1", "tanh", "sigmoid", seed=0)
    >>> eq = param_equations(net, np.array([0.5, -1.0]), [1.0], "mse", 0.1, 1, "W[1,0]")
    >>> [line for line in eq["lines"] if line.startswith("dE/dw")]  # doctest: +ELLIPSIS
    ['dE/dw1[2,1] = dE/dz1[1]*dz1[1]/dw1[2,1] = ...']
    >>> [b["lhs"] for b in eq["blocks"] if b["section"] == "backward"]  # every dE/dz upstream
    ['dE/dY', 'dY/dz2[1]', 'dE/dz2[1]', 'dE/da1[1]', 'da1[1]/dz1[1]', 'dE/dz1[1]', 'dz1[1]/dw1[2,1]', 'dE/dw1[2,1]']
    """
    dense = _dense_positions(net)
    if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= len(dense):
        raise ValueError(f"layer must be a Dense layer number 1..{len(dense)}; got {brief(layer)}.")
    d = net.layers[dense[layer - 1]]
    i, j = _parse_param(param, d.in_features, d.out_features)
    copy = net.copy("float64")
    step = explain(copy, x, target, loss=loss, lr=lr, weight=(dense[layer - 1], i or 0, j))
    last = layer == len(dense)
    node_kinds = ("z", "a", "dE/da", "local", "dE/dz")
    chosen: list[Equation] = []
    for e in step.equations:
        if e.param is not None:
            if e.dense == layer and e.param == param:
                chosen.append(e)
        elif e.kind == "E" or (e.kind == "dE/dY" and last and e.node == j):
            chosen.append(e)
        elif e.dense == layer and e.node == j and e.kind in node_kinds:
            chosen.append(e)
    every = build_equations(step.trace, plain_sgd=True)  # every node's lines, all layers
    shown, note = steptext.chain(every, layer, param, net.n_params)
    return {
        "layer": layer,
        "param": param,
        "text": render_text(chosen),
        "lines": [equation_text(e) for e in chosen],
        "blocks": steptext.blocks(shown, digits),
        "digits": digits,
        "note": note,
    }


def _parse_param(param: Any, n_in: int, n_out: int) -> tuple[int | None, int]:
    """(i, j) from "W[i,j]" (or (None, j) from "b[j]"), checked against the layer's shape."""
    return param_index(param, n_in, n_out)
