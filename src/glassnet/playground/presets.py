"""Known networks for step mode: one sample, its target and the weights a text starts from.

- ``two-node``: the article's network, Y = sigmoid(w x + b) with x = 1, target 0.8, w = 0.5,
  b = 0.1, the squared error and lr 1: Y = 0.6457, E = 0.0238, and one step takes w to 0.5706.
- ``mazur``: the classic 2-2-2 worked example (Matt Mazur, "A Step by Step Backpropagation
  Example"): inputs 0.05 and 0.10, targets 0.01 and 0.99, w1..w4 = 0.15, 0.20, 0.25, 0.30 into
  the hidden layer with b1 = 0.35, w5..w8 = 0.40, 0.45, 0.50, 0.55 into the outputs with
  b2 = 0.60, sigmoid everywhere, lr 0.5. Its error is E = sum of 1/2 (target - out)^2 over the
  two outputs = 0.298371109; one step takes w5 to 0.35891648.

glassnet's ``mse`` is the *mean* of (Y - t)^2 over the outputs. With two outputs that mean is
(1/2) sum (Y - t)^2, the article's E itself, and its slope dE/dY[j] = 2 (Y[j] - t[j]) / 2 =
Y[j] - t[j] is the article's too, so the preset uses ``mse`` and reproduces every published
number. The article's w5 is glassnet's w2[1,1] (layer 2, from hidden node 1 to output 1):
Mazur numbers the weights into each node in turn (w1, w2 into h1; w3, w4 into h2), glassnet
writes W[i, j] from input i to node j. Mazur keeps the biases fixed; glassnet's step updates
them too, which changes none of the weights' numbers of that step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.activations import get_activation
from glassnet.layers.dense import Dense
from glassnet.model.sequential import Sequential
from glassnet.playground.brief import brief


@dataclass(frozen=True)
class Preset:
    """A network with known weights, and the one sample it is taught on."""

    title: str  # what the page calls it
    features: tuple[str, ...]  # the network's inputs (playground features)
    point: tuple[float, float]  # the sample as a point (x1, x2) of the map
    target: tuple[float, ...]  # its target, one value per output
    layers: tuple[tuple[tuple[tuple[float, ...], ...], tuple[float, ...], str], ...]  # W, b, act
    lr: float
    note: str  # the numbers the text publishes, said on the page


PRESETS: dict[str, Preset] = {
    "two-node": Preset(
        title="two-node network (the article)",
        features=("x1",),
        point=(1.0, 0.0),
        target=(0.8,),
        layers=((((0.5,),), (0.1,), "sigmoid"),),
        lr=1.0,
        note=(
            "x = 1, target 0.8, w = 0.5, b = 0.1, sigmoid, squared error, lr 1: the forward "
            "pass gives Y = 0.6457 and E = 0.0238, and one step takes w to 0.5706."
        ),
    ),
    "mazur": Preset(
        title="2-2-2 worked example (Matt Mazur)",
        features=("x1", "x2"),
        point=(0.05, 0.10),
        target=(0.01, 0.99),
        layers=(
            (((0.15, 0.25), (0.20, 0.30)), (0.35, 0.35), "sigmoid"),
            (((0.40, 0.50), (0.45, 0.55)), (0.60, 0.60), "sigmoid"),
        ),
        lr=0.5,
        note=(
            "Mazur's w1..w4 are w1[1,1], w1[2,1], w1[1,2], w1[2,2] here and w5..w8 are "
            "w2[1,1], w2[2,1], w2[1,2], w2[2,2]. E = 0.298371109 (glassnet's mean squared error "
            "over two outputs is his sum of halves); one step at lr 0.5 takes w5 = w2[1,1] to "
            "0.35891648. Pick 9 digits to see them."
        ),
    ),
}


def get_preset(name: object) -> Preset:
    """The preset called ``name``.

    Examples
    --------
    >>> get_preset("mazur").lr
    0.5
    >>> get_preset("xor")
    Traceback (most recent call last):
    ...
    ValueError: name must be one of two-node, mazur; got 'xor'.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, one of {', '.join(PRESETS)}; got {brief(name)}.")
    if name not in PRESETS:
        raise ValueError(f"name must be one of {', '.join(PRESETS)}; got {brief(name)}.")
    return PRESETS[name]


def preset_network(preset: Preset) -> Sequential:
    """The preset's network, in float64 so that every published digit comes out.

    Examples
    --------
    >>> net = preset_network(get_preset("mazur"))
    >>> net.dtype, [type(lay).__name__ for lay in net.layers]
    (dtype('float64'), ['Dense', 'Sigmoid', 'Dense', 'Sigmoid'])
    >>> round(float(net.predict(np.array([[0.05, 0.10]]))[0, 0]), 8)  # Mazur's out_o1
    0.75136507
    """
    layers = []
    for W, b, act in preset.layers:
        weights = np.array(W, dtype=np.float64)  # (in, out)
        layers.append(Dense(*weights.shape, weights=weights, bias=np.array(b), dtype="float64"))
        layers.append(get_activation(act))
    net = Sequential(layers, dtype="float64")
    net.feature_names = list(preset.features)
    return net
