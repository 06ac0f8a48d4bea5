"""The network diagram: edge colours follow weight signs, widths follow |w|, biases shown."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex

from glassnet import Dense, Sequential, Sigmoid, Tanh, mlp
from glassnet.plot import plot_network
from glassnet.plot._base import NEGATIVE, POSITIVE


def _net():
    W1 = [[1.0, -2.0], [0.5, -0.1]]  # (2, 2)
    W2 = [[-3.0], [0.25]]  # (2, 1)
    return Sequential(
        [
            Dense(2, 2, weights=W1, bias=[0.2, -0.4]),
            Tanh(),
            Dense(2, 1, weights=W2, bias=[-1.0]),
            Sigmoid(),
        ],
        dtype="float64",
    )


def test_edge_colours_follow_weight_signs_and_widths_follow_magnitude():
    fig = plot_network(_net())
    ax = fig.axes[0]
    layers = {c.get_label(): c for c in ax.collections if c.get_label().startswith("weights")}
    assert sorted(layers) == ["weights 1", "weights 2"]
    colours = [to_hex(c) for c in layers["weights 1"].get_colors()]
    # edges in W order (from input i to node j, row-major): 1.0, -2.0, 0.5, -0.1
    assert colours == [POSITIVE, NEGATIVE, POSITIVE, NEGATIVE]
    assert [to_hex(c) for c in layers["weights 2"].get_colors()] == [NEGATIVE, POSITIVE]
    lw1, lw2 = layers["weights 1"].get_linewidths(), layers["weights 2"].get_linewidths()
    assert lw2[0] == pytest.approx(6.0)  # |-3.0| is the largest weight: the thickest edge
    assert lw1[1] > lw1[0] > lw1[2] > lw1[3]  # |-2| > |1| > |0.5| > |-0.1|


def test_biases_nodes_numbers_and_activation_names():
    ax = plot_network(_net()).axes[0]
    squares = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
    assert [to_hex(p.get_facecolor()) for p in squares] == [POSITIVE, NEGATIVE, NEGATIVE]
    circles = [p for p in ax.patches if type(p).__name__ == "Circle"]
    assert len(circles) == 2 + 2 + 1
    texts = {t.get_text() for t in ax.texts}
    assert {"tanh", "sigmoid", "-2.0000", "0.2500", "b = -0.4000", "x1", "Y"} <= texts


def test_forward_values_from_a_trace_in_a_given_axes():
    from glassnet.plot._base import new_figure

    net = _net()
    with net.tracing() as trace:
        out = net.forward(np.array([[1.0, 2.0]]))
    ax = new_figure().add_subplot(1, 1, 1)
    assert plot_network(net, ax=ax, trace=trace) is ax
    texts = "\n".join(t.get_text() for t in ax.texts)
    h = np.tanh(np.array([1.0 * 1 + 0.5 * 2 + 0.2, -2.0 * 1 - 0.1 * 2 - 0.4]))  # by hand
    assert f"a1[1] = {h[0]:.4f}" in texts and f"a1[2] = {h[1]:.4f}" in texts
    assert f"Y = {out[0, 0]:.4f}" in texts


def test_errors():
    with pytest.raises(TypeError, match="Sequential"):
        plot_network([1, 2])
    with pytest.raises(ValueError, match="at most 256"):
        plot_network(mlp("200,100,10", seed=0))
    other = mlp("2,3,1", seed=0)
    with other.tracing() as trace:
        other.forward(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="does not match"):
        plot_network(_net(), trace=trace)


def test_sequential_repr_svg_is_the_diagram():
    svg = _net()._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "sigmoid" in svg
    assert mlp("300,10", seed=0)._repr_svg_() is None  # too big to draw
