"""The two-panel picture of a step: its numbers are the trace's, as text in the SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from glassnet.explain.render import fmt
from glassnet.plot import plot_trace, trace_svg


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_two_node_svg_shows_every_forward_and_backward_number(two_node_step):
    texts = _svg_texts(trace_svg(two_node_step))
    joined = "\n".join(texts)
    s = two_node_step.summary
    # Worked by hand: z = 0.5*1 + 0.1 = 0.6; Y = 1/(1+e^-0.6) = 0.645656; E = (Y-0.8)^2 = 0.023822
    # dE/dY = 2(Y-0.8) = -0.308688; dY/dz = Y(1-Y) = 0.228784; dE/dw = dE/db = -0.070623.
    assert "Y = 0.6457" in joined and "z = 0.6000" in joined
    assert "E = 0.0238" in joined
    assert "dE/dw = -0.0706" in joined and "dE/db = -0.0706" in joined
    assert "dY/dz = 0.2288" in joined and "dE/dY = -0.3087" in joined
    for key in (
        "x",
        "w",
        "b",
        "z",
        "y",
        "error",
        "dE_dy",
        "dy_dz",
        "dE_dw",
        "dE_db",
        "w_new",
        "b_new",
    ):
        assert fmt(s[key], 4) in joined, key
    assert "target Y = 0.8000" in joined
    assert "sigmoid" in joined
    assert "w <- w - lr*dE/dw = 0.5000 - 1*(-0.0706) = 0.5706" in joined


def test_svg_numbers_follow_the_trace_not_fixed_values():
    from glassnet.cli.explain_cmd import two_node_network
    from glassnet.explain.explanation import explain

    step = explain(two_node_network(-1.0, 0.3), [2.0], [0.1], lr=0.5)
    joined = "\n".join(_svg_texts(trace_svg(step)))
    y = 1 / (1 + np.exp(-(-1.0 * 2.0 + 0.3)))
    dw = 2 * (y - 0.1) * y * (1 - y) * 2.0
    assert f"Y = {fmt(y)}" in joined and f"dE/dw = {fmt(dw)}" in joined
    assert "0.6457" not in joined


def test_png_two_panels_with_content(two_node_step, tmp_path, image_array, assert_has_content):
    fig = plot_trace(two_node_step)
    assert len(fig.axes) == 2
    fig.savefig(tmp_path / "t.png", dpi=50)
    pixels = image_array(tmp_path / "t.png")
    w, h = fig.get_size_inches() * 50
    assert pixels.shape[:2] == (round(h), round(w))
    assert_has_content(pixels)


def test_larger_network_and_batch_trace_draws():
    from glassnet import mlp
    from glassnet.explain.explanation import explain

    step = explain(
        mlp("2,3,2", activation="tanh", dtype="float64", seed=0), [1.0, -1.0], [0.0, 1.0]
    )
    fig = plot_trace(step)
    arrows = [p for p in fig.axes[1].patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 2 + 6 + 3 + 6 + 2  # dE/dY, then W and b of each Dense layer


def test_errors(two_node_step):
    from glassnet.cli.explain_cmd import two_node_network

    with pytest.raises(TypeError, match="Trace or an Explanation"):
        plot_trace("step")
    net = two_node_network(0.5, 0.1)
    with net.tracing() as trace:
        net.forward(np.array([[1.0]]))
    with pytest.raises(ValueError, match="no backward pass"):
        plot_trace(trace)
    with pytest.raises(ValueError, match="pair of Axes"):
        plot_trace(two_node_step, ax=[object()])


def test_explanation_repr_svg(two_node_step):
    assert "-0.0706" in two_node_step._repr_svg_()


def test_explain_command_plot_option(tmp_path, capsys, image_array, assert_has_content):
    from glassnet.cli import main

    out = tmp_path / "step.png"
    assert main(["explain", "two-node", "--plot", str(out)]) == 0
    assert_has_content(image_array(out))
