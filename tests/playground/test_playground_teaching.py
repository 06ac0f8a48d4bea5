"""Step mode for teaching: presets that reproduce published numbers (the article's two-node
network, Matt Mazur's 2-2-2 example) through glassnet.explain and through the playground's
step mode; every number of a weight's chain on a line that derives it; equations one term a
line; a weight set by hand; a hovered neuron's map; a CSV's classes changing every panel."""

from __future__ import annotations

import base64
import re
import warnings
from typing import Any

import numpy as np
import pytest

with warnings.catch_warnings():  # starlette 1.x suggests httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from glassnet import Dense, Sequential, Sigmoid, explain
from glassnet.explain.equations import build_equations
from glassnet.model.build import mlp
from glassnet.playground import limits, steptext, views
from glassnet.playground.presets import get_preset, preset_network
from glassnet.playground.server import create_app
from glassnet.playground.stepmode import param_equations

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WS = "ws://127.0.0.1:8765/ws"
# Matt Mazur, "A Step by Step Backpropagation Example": his numbers, to his digits
MAZUR = {"out_o1": 0.75136507, "out_o2": 0.772928465, "E": 0.298371109, "w5": 0.35891648,
         "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121, "w1": 0.149780716,
         "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229}  # fmt: skip


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), base_url="http://127.0.0.1:8765")


def until(ws: Any, kind: str, limit: int = 50) -> dict[str, Any]:
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == kind:
            return msg
        assert msg["type"] != "error", msg["message"]
    raise AssertionError(f"no {kind!r} message")


def digits(value: float, published: float) -> bool:
    """Whether ``value`` rounds to ``published`` at the digits it was published with."""
    places = len(repr(published).split(".")[1])
    return round(value, places) == published


def test_mazur_by_hand_through_explain() -> None:
    # his layout: w1, w2 into h1 and w3, w4 into h2 (W1 columns), w5, w6 into o1, w7, w8 into o2
    net = Sequential([Dense(2, 2, weights=[[0.15, 0.25], [0.20, 0.30]], bias=[0.35, 0.35]),
                      Sigmoid(),
                      Dense(2, 2, weights=[[0.40, 0.50], [0.45, 0.55]], bias=[0.60, 0.60]),
                      Sigmoid()], dtype="float64")  # fmt: skip
    step = explain(net, [0.05, 0.10], [0.01, 0.99], loss="mse", lr=0.5)
    y = step.trace.loss.y[0]
    assert digits(y[0], MAZUR["out_o1"]) and digits(y[1], MAZUR["out_o2"])
    # glassnet's mse, the mean of (Y - t)^2 over 2 outputs, is his sum of 1/2 (t - Y)^2 ...
    half_sum = 0.5 * ((0.01 - y[0]) ** 2 + (0.99 - y[1]) ** 2)
    assert step.trace.loss.value == pytest.approx(half_sum, rel=1e-15)
    assert digits(step.trace.loss.value, MAZUR["E"])
    # ... and its slope 2 (Y - t) / 2 = Y - t is his dE/dout, so every update is his
    np.testing.assert_allclose(step.trace.loss.grad[0], y - [0.01, 0.99], rtol=1e-14)
    W1, W2 = net.layers[0].params["W"], net.layers[2].params["W"]  # after the step
    ours = {"w5": W2[0, 0], "w6": W2[1, 0], "w7": W2[0, 1], "w8": W2[1, 1],
            "w1": W1[0, 0], "w2": W1[1, 0], "w3": W1[0, 1], "w4": W1[1, 1]}  # fmt: skip
    for name, value in ours.items():
        assert digits(value, MAZUR[name]), (name, value, MAZUR[name])


def test_the_presets_are_the_published_networks() -> None:
    net = preset_network(get_preset("mazur"))
    assert net.dtype == np.float64 and net.feature_names == ["x1", "x2"]
    step = explain(net, [0.05, 0.10], [0.01, 0.99], loss="mse", lr=get_preset("mazur").lr)
    assert digits(step.trace.loss.value, MAZUR["E"])
    assert digits(net.layers[2].params["W"][0, 0], MAZUR["w5"])
    two = get_preset("two-node")
    step = explain(preset_network(two), [two.point[0]], list(two.target), lr=two.lr)
    s = step.summary  # the article's numbers
    assert (round(s["y"], 4), round(s["error"], 4), round(s["w_new"], 4)) == (
        0.6457,
        0.0238,
        0.5706,
    )


def test_mazur_through_the_playground_s_step_mode(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        ws.send_json({"type": "load_preset", "name": "mazur"})
        data = until(ws, "data")
        state = until(ws, "state")
        assert data["source"] == "preset:mazur" and data["targets"] == [[0.01, 0.99]]
        assert "0.298371109" in data["preset"]["note"] and state["loaded"] is True
        assert state["net"]["widths"] == [2, 2, 2] and state["spec"]["lr"] == 0.5
        assert state["spec"]["optimizer"] == "sgd" and state["loss_name"] == "mse"
        assert digits(state["train_loss"], MAZUR["E"])  # the session's own scoring
        ws.send_json({"type": "sample_forward", "index": 0})
        fwd = until(ws, "sample")
        assert fwd["x"] == [0.05, 0.1] and fwd["target"] == [0.01, 0.99]  # exact: float64
        assert digits(fwd["output"][0], MAZUR["out_o1"])
        ws.send_json({"type": "sample_backward"})
        bwd = until(ws, "sample")
        assert digits(bwd["loss"], MAZUR["E"])
        # w5 is w2[1,1]: Dense layer 2, from hidden node 1 to output 1
        ws.send_json({"type": "explain_param", "layer": 2, "param": "W[0,0]", "digits": 9})
        eq = until(ws, "equation")
        texts = [b["text"] for b in eq["blocks"]]
        assert any(t.startswith("E = ") and t.endswith("= 0.298371109") for t in texts)
        update = next(b for b in eq["blocks"] if b["kind"] == "update")
        assert update["text"].startswith("w2[1,1] <- w2[1,1] - lr*dE/dw2[1,1] = 0.400000000")
        assert update["text"].endswith("= 0.358916480") and digits(update["value"], MAZUR["w5"])
        ws.send_json({"type": "sample_update"})
        after = until(ws, "state")
        assert after["net"]["weights"][1][0][0] == round(MAZUR["w5"], 4)  # shown at 4 decimals
        # and training the preset (plain SGD, one sample a batch) takes the same step
        ws.send_json({"type": "load_preset", "name": "mazur"})
        until(ws, "state")
        ws.send_json({"type": "step", "unit": "batch"})
        assert until(ws, "state")["net"]["weights"][1] == [[0.3589, 0.5113], [0.4087, 0.5614]]


def test_the_two_node_preset_through_the_playground(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        ws.send_json({"type": "load_preset", "name": "two-node"})
        until(ws, "data")
        state = until(ws, "state")
        assert state["net"]["widths"] == [1, 1] and state["spec"]["features"] == ["x1"]
        ws.send_json({"type": "sample_forward", "index": 0})
        fwd = until(ws, "sample")
        assert round(fwd["output"][0], 4) == 0.6457 and fwd["target"] == [0.8]
        ws.send_json({"type": "sample_backward"})
        assert round(until(ws, "sample")["loss"], 4) == 0.0238
        ws.send_json({"type": "explain_param", "layer": 1, "param": "W[0,0]"})
        eq = until(ws, "equation")
        assert eq["blocks"][-1]["text"] == "w <- w - lr*dE/dw = 0.5000 - 1*(-0.0706) = 0.5706"
        ws.send_json({"type": "load_preset", "name": "xor"})
        assert "name must be one of two-node, mazur; got 'xor'" in until(ws, "error")["message"]


def symbols_used(text: str) -> set[str]:
    """The dE/dz... and dE/da... values a line's right-hand side uses."""
    rhs = text.split(" = ", 1)[1] if " = " in text else text.split(" <- ", 1)[1]
    return set(re.findall(r"dE/d[za]\d+\[\d+\]", rhs))


@pytest.mark.parametrize(("layer", "param"), [(1, "W[0,0]"), (1, "b[1]"), (2, "W[1,1]")])
def test_every_number_of_a_chain_is_derived_on_a_line_shown(layer: int, param: str) -> None:
    """Before: dE/da1[1] = dE/dz2[1]*w2[1,1] + ... came without the line deriving dE/dz2[1]."""
    net = mlp([2, 3, 2, 2], ["tanh", "sigmoid"], "sigmoid", seed=3)
    eq = param_equations(net, np.array([0.5, -1.0]), [0.0, 1.0], "mse", 0.1, layer, param)
    shown = {b["lhs"] for b in eq["blocks"]}
    for b in eq["blocks"]:
        for symbol in symbols_used(b["text"]):
            assert symbol in shown, f"{b['lhs']} uses {symbol}, which no line derives"
    assert eq["note"] is None  # a small network: every line
    if layer == 1:  # upstream of a first-layer weight: both layers' dE/dz
        assert {
            "dE/dz2[1]",
            "dE/dz2[2]",
            "dE/da1[1]" if param == "W[0,0]" else "dE/da1[2]",
        } <= shown


def test_a_large_network_s_chain_says_what_it_leaves_out() -> None:
    net = mlp([2] + [32] * 6 + [1], "tanh", "sigmoid", seed=0)
    eq = param_equations(net, np.array([0.5, -1.0]), [1.0], "mse", 0.1, 1, "W[0,0]")
    assert "left out" in eq["note"] and len(eq["blocks"]) <= steptext.MAX_LINES
    lhs = [b["lhs"] for b in eq["blocks"]]
    assert "dE/dz2[1]" in lhs and "dE/dz2[32]" in lhs  # the next layer's, which dE/da1[1] uses


def test_wrap_cuts_only_between_terms() -> None:
    net = mlp([2, 2, 2], "sigmoid", "sigmoid", seed=0).copy("float64")
    step = explain(net, [0.05, 0.1], [0.01, 0.99], loss="mse", lr=0.5)
    for b in steptext.blocks(build_equations(step.trace)):
        assert " ".join([f"{b['lhs']} {b['lines'][0]}", *b["lines"][1:]]) == b["text"]
        assert all(len(line) <= 2 * steptext.LONG_TERM for line in b["lines"])
    sums = steptext.wrap("dE/da1[1] = dE/dz2[1]*w2[1,1] + dE/dz2[2]*w2[1,2] = 1*2 + 3*4 = 14")
    assert sums["lines"] == ["= dE/dz2[1]*w2[1,1]", "+ dE/dz2[2]*w2[1,2]", "= 1*2", "+ 3*4", "= 14"]


def test_a_weight_set_by_hand_changes_the_network_and_every_panel(client: TestClient) -> None:
    xor = {"type": "set_data", "dataset": "xor", "noise": 0.0, "n_points": 40, "test_ratio": 0.25}
    with client.websocket_connect(WS) as ws:
        ws.send_json(xor)
        until(ws, "state")
        ws.send_json({"type": "set_network", "hidden": [3], "activations": ["tanh"], "seed": 1})
        before = until(ws, "state")
        ws.send_json({"type": "set_weight", "layer": 2, "param": "W[1,0]", "value": -2.5})
        after = until(ws, "state")
        assert after["cause"] == "set_weight" and after["net"]["weights"][1][1] == [-2.5]
        ws.send_json({"type": "set_weight", "layer": 1, "param": "b[2]", "value": 0.75})
        after = until(ws, "state")
        assert after["net"]["biases"][0][2] == 0.75
        assert after["train_loss"] != before["train_loss"]  # scored again
        assert after["out"]["probs"] != before["out"]["probs"]  # the map redrawn
        assert after["neurons"][1]["maps"][2] != before["neurons"][1]["maps"][2]
        for msg, match in [
            (
                {"layer": 3, "param": "W[0,0]", "value": 1.0},
                "layer must be a Dense layer number 1..2",
            ),
            (
                {"layer": 1, "param": "W[2,0]", "value": 1.0},
                "outside this layer's W of shape (2, 3)",
            ),
            ({"layer": 1, "param": "W[0,0]", "value": 1e9}, "value must be between -1000 and 1000"),
            ({"layer": 1, "param": "w", "value": 1.0}, "param must look like 'W[0,1]' or 'b[1]'"),
        ]:
            ws.send_json({"type": "set_weight", **msg})
            assert match in until(ws, "error")["message"]


def test_a_hovered_neuron_s_map_is_its_output_at_the_decision_map_s_resolution(
    client: TestClient,
) -> None:
    xor = {"type": "set_data", "dataset": "xor", "noise": 0.0, "n_points": 40, "test_ratio": 0.25}
    with client.websocket_connect(WS) as ws:
        ws.send_json(xor)
        domain = until(ws, "data")["domain"]
        until(ws, "state")
        ws.send_json({"type": "set_network", "hidden": [3], "activations": ["tanh"], "seed": 1})
        until(ws, "state")
        ws.send_json({"type": "focus", "layer": 1, "node": 2})
        focus = until(ws, "focus")["focus"]
        ws.send_json({"type": "step", "unit": "batch"})  # frames carry it while it is hovered
        assert until(ws, "state")["focus"]["node"] == 2
        ws.send_json({"type": "focus", "layer": 1, "node": 7})
        assert "node must be between 0 and 2 in layer 1; got 7" in until(ws, "error")["message"]
        ws.send_json({"type": "focus", "layer": -1})
        assert until(ws, "focus")["focus"] is None
    net = mlp([2, 3, 1], "tanh", "sigmoid", seed=1)
    G = views.OUTPUT_GRID
    a = np.tanh(views.grid(domain, G) @ net.layers[0].params["W"] + net.layers[0].params["b"])
    shown = np.frombuffer(base64.b64decode(focus["map"]), np.int8) / 127 * focus["scale"]
    assert focus["size"] == G and shown.shape == (G * G,)
    np.testing.assert_allclose(shown, a[:, 2], atol=focus["scale"] / 254 + 1e-6)


def test_a_csv_with_three_classes_changes_the_output_layer_and_the_loss(client: TestClient) -> None:
    rows = "".join(f"{0.1 * (i % 7) - 0.3},{0.05 * i - 0.5},{i % 3}\n" for i in range(30))
    with client.websocket_connect(WS) as ws:
        ws.send_json({"type": "hello"})
        until(ws, "state")
        ws.send_json({"type": "upload_csv", "data": base64.b64encode(rows.encode()).decode()})
        data = until(ws, "data")
        state = until(ws, "state")
    assert data["n_classes"] == 3 and data["description"].startswith("csv: 30 points (")
    assert data["description"].endswith("3 classes (0: 10, 1: 10, 2: 10)")
    assert state["spec"]["loss"] == "cross_entropy" and state["loss_name"] == "cross_entropy"
    assert state["net"]["widths"] == [2, 8, 8, 3] and state["out"]["classes"] == 3
    assert state["notice"].startswith("3 classes: the loss is now cross-entropy (softmax)")


def test_the_decision_map_is_100_by_100_but_for_the_largest_networks() -> None:
    assert limits.output_size(300, 105) == views.OUTPUT_GRID == 100
    big = 461_569  # 8 hidden layers of 256
    side = limits.output_size(5000, big)
    assert views.MIN_OUTPUT_GRID <= side < 100
    assert (5000 + side**2 + views.NEURON_GRID**2) * big <= limits.MAX_WORK
    assert (5000 + (side + 1) ** 2 + views.NEURON_GRID**2) * big > limits.MAX_WORK
