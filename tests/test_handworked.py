"""Hand-worked examples: every number computed here with plain Python floats and math.exp.

1. The article's two-node network: x=1, w=0.5, b=0.1, target 0.8, sigmoid, E=(Y-t)^2, lr=1.
2. The classic 2-2-2 sigmoid network (x=(0.05, 0.10), targets (0.01, 0.99), lr=0.5), one SGD
   step. glassnet's MSE is the mean over outputs, E = ((Y1-t1)^2 + (Y2-t2)^2)/2, so
   dE/dY_j = (Y_j - t_j), the same gradient as the classic 1/2 sum of squares.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# --------------------------------------------------------------------------------------
# the two-node network
# --------------------------------------------------------------------------------------
def two_node_by_hand(x=1.0, w=0.5, b=0.1, t=0.8, lr=1.0) -> dict[str, float]:
    z = w * x + b
    y = sigmoid(z)
    error = (y - t) ** 2
    dE_dy = 2 * (y - t)
    dy_dz = y * (1 - y)
    dz_dw = x
    dE_dw = dE_dy * dy_dz * dz_dw
    dE_db = dE_dy * dy_dz * 1.0
    return {
        "x": x,
        "target": t,
        "w": w,
        "b": b,
        "z": z,
        "y": y,
        "error": error,
        "dE_dy": dE_dy,
        "dy_dz": dy_dz,
        "dz_dw": dz_dw,
        "dE_dw": dE_dw,
        "dE_db": dE_db,
        "lr": lr,
        "w_new": w - lr * dE_dw,
        "b_new": b - lr * dE_db,
    }


def two_node_net(w=0.5, b=0.1) -> gn.Sequential:
    return gn.Sequential([gn.Dense(1, 1, weights=[[w]], bias=[b]), gn.Sigmoid()], dtype="float64")


def test_two_node_hand_values_match_the_article():
    hand = two_node_by_hand()
    assert hand["z"] == pytest.approx(0.6, abs=1e-15)
    assert round(hand["y"], 4) == 0.6457
    assert round(hand["error"], 4) == 0.0238
    assert round(hand["dE_dw"], 4) == -0.0706
    assert round(hand["w_new"], 4) == 0.5706


def test_two_node_explain_summary_equals_hand_worked():
    hand = two_node_by_hand()
    summary = gn.explain(two_node_net(), [1.0], [0.8], lr=1.0).summary
    assert set(summary) == set(hand)
    for key, value in hand.items():
        assert summary[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


@pytest.mark.parametrize(
    ("x", "w", "b", "t", "lr"), [(2.0, -0.3, 0.4, 0.1, 0.5), (-1.5, 1.2, 0.0, 1.0, 3.0)]
)
def test_two_node_other_numbers(x, w, b, t, lr):
    hand = two_node_by_hand(x, w, b, t, lr)
    summary = gn.explain(two_node_net(w, b), [x], [t], lr=lr).summary
    for key, value in hand.items():
        assert summary[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


def test_two_node_fit_one_step_equals_hand_worked():
    hand = two_node_by_hand()
    net = two_node_net()
    history = net.fit(
        [[1.0]], [[0.8]], loss="mse", optimizer="sgd", lr=1.0, epochs=1, batch_size=1, verbose=0
    )
    assert history.history["loss"][0] == pytest.approx(hand["error"], rel=1e-12)
    assert net.layers[0].params["W"][0, 0] == pytest.approx(hand["w_new"], rel=1e-12)
    assert net.layers[0].params["b"][0] == pytest.approx(hand["b_new"], rel=1e-12)


def test_two_node_second_step_has_smaller_error():
    first = two_node_by_hand()
    second = two_node_by_hand(w=first["w_new"], b=first["b_new"])
    net = two_node_net()
    gn.explain(net, [1.0], [0.8], lr=1.0)
    step2 = gn.explain(net, [1.0], [0.8], lr=1.0).summary
    assert step2["error"] == pytest.approx(second["error"], rel=1e-12)
    assert step2["error"] < first["error"]


# --------------------------------------------------------------------------------------
# the 2-2-2 network
# --------------------------------------------------------------------------------------
X = (0.05, 0.10)
T = (0.01, 0.99)
W1 = ((0.15, 0.25), (0.20, 0.30))  # W1[i][j]: from input i to hidden node j
B1 = (0.35, 0.35)
W2 = ((0.40, 0.50), (0.45, 0.55))  # W2[i][j]: from hidden node i to output j
B2 = (0.60, 0.60)
LR = 0.5


def net_222_by_hand() -> dict[str, object]:
    """One forward/backward/SGD step, scalar by scalar."""
    z1 = [W1[0][j] * X[0] + W1[1][j] * X[1] + B1[j] for j in range(2)]
    a1 = [sigmoid(z) for z in z1]
    z2 = [W2[0][j] * a1[0] + W2[1][j] * a1[1] + B2[j] for j in range(2)]
    y = [sigmoid(z) for z in z2]
    error = ((y[0] - T[0]) ** 2 + (y[1] - T[1]) ** 2) / 2
    dE_dy = [2 * (y[j] - T[j]) / 2 for j in range(2)]
    dy_dz2 = [y[j] * (1 - y[j]) for j in range(2)]
    delta2 = [dE_dy[j] * dy_dz2[j] for j in range(2)]  # dE/dz2
    gW2 = [[delta2[j] * a1[i] for j in range(2)] for i in range(2)]
    gB2 = list(delta2)
    dE_da1 = [delta2[0] * W2[i][0] + delta2[1] * W2[i][1] for i in range(2)]  # old W2
    da1_dz1 = [a1[i] * (1 - a1[i]) for i in range(2)]
    delta1 = [dE_da1[i] * da1_dz1[i] for i in range(2)]
    gW1 = [[delta1[j] * X[i] for j in range(2)] for i in range(2)]
    gB1 = list(delta1)
    W1_new = [[W1[i][j] - LR * gW1[i][j] for j in range(2)] for i in range(2)]
    W2_new = [[W2[i][j] - LR * gW2[i][j] for j in range(2)] for i in range(2)]
    B1_new = [B1[j] - LR * gB1[j] for j in range(2)]
    B2_new = [B2[j] - LR * gB2[j] for j in range(2)]
    return dict(
        z1=z1, a1=a1, z2=z2, y=y, error=error, dE_dy=dE_dy, dy_dz2=dy_dz2, delta2=delta2,
        gW2=gW2, gB2=gB2, dE_da1=dE_da1, delta1=delta1, gW1=gW1, gB1=gB1,
        W1_new=W1_new, W2_new=W2_new, B1_new=B1_new, B2_new=B2_new,
    )  # fmt: skip


def net_222() -> gn.Sequential:
    return gn.Sequential(
        [
            gn.Dense(2, 2, weights=W1, bias=B1),
            gn.Sigmoid(),
            gn.Dense(2, 2, weights=W2, bias=B2),
            gn.Sigmoid(),
        ],
        dtype="float64",
    )


def test_222_hand_values_match_the_published_example():
    """The classic walk-through's numbers (which leave the biases alone) to 8 decimals."""
    h = net_222_by_hand()
    assert h["error"] == pytest.approx(0.298371109, abs=1e-9)
    assert h["W2_new"][0][0] == pytest.approx(0.35891648, abs=1e-8)  # w5
    assert h["W2_new"][1][0] == pytest.approx(0.408666186, abs=1e-9)  # w6
    assert h["W2_new"][0][1] == pytest.approx(0.511301270, abs=1e-9)  # w7
    assert h["W2_new"][1][1] == pytest.approx(0.561370121, abs=1e-9)  # w8
    assert h["W1_new"][0][0] == pytest.approx(0.149780716, abs=1e-9)  # w1
    assert h["W1_new"][1][0] == pytest.approx(0.19956143, abs=1e-8)  # w2
    assert h["W1_new"][0][1] == pytest.approx(0.24975114, abs=1e-8)  # w3
    assert h["W1_new"][1][1] == pytest.approx(0.29950229, abs=1e-8)  # w4


def _assert_new_weights(net: gn.Sequential, h: dict) -> None:
    np.testing.assert_allclose(net.layers[0].params["W"], h["W1_new"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.layers[0].params["b"], h["B1_new"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.layers[2].params["W"], h["W2_new"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.layers[2].params["b"], h["B2_new"], rtol=0, atol=1e-12)


def test_222_forward_backward_step_equal_hand_worked():
    h = net_222_by_hand()
    net = net_222()
    y = net.forward(np.array([X]))  # (1, 2)
    np.testing.assert_allclose(y[0], h["y"], rtol=0, atol=1e-15)
    loss = gn.MSE()
    assert loss.forward(y, np.array([T])) == pytest.approx(h["error"], rel=1e-14)
    net.zero_grad()
    net.backward(loss.backward())
    np.testing.assert_allclose(net.layers[2].grads["W"], h["gW2"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(net.layers[2].grads["b"], h["gB2"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(net.layers[0].grads["W"], h["gW1"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(net.layers[0].grads["b"], h["gB1"], rtol=0, atol=1e-15)
    gn.SGD(net.parameters(), lr=LR).step()
    _assert_new_weights(net, h)


def test_222_fit_one_step_equals_hand_worked():
    h = net_222_by_hand()
    net = net_222()
    history = net.fit([X], [T], loss="mse", optimizer="sgd", lr=LR, epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(h["error"], rel=1e-14)
    _assert_new_weights(net, h)


def test_222_explain_step_equals_hand_worked():
    h = net_222_by_hand()
    net = net_222()
    step = gn.explain(net, X, T, lr=LR)
    _assert_new_weights(net, h)
    assert step.summary is None  # the flat summary is for the two-node network only
    assert step.trace.loss.value == pytest.approx(h["error"], rel=1e-14)


def _eq(eqs, kind, dense=None, node=None, param=None, section=None):
    found = [
        e
        for e in eqs
        if e.kind == kind
        and (dense is None or e.dense == dense)
        and (node is None or e.node == node)
        and (param is None or e.param == param)
        and (section is None or e.section == section)
    ]
    assert len(found) == 1, (kind, dense, node, param, found)
    return found[0]


def test_222_explain_equations_agree_with_hand_worked():
    h = net_222_by_hand()
    eqs = gn.explain(net_222(), X, T, lr=LR).equations
    close = dict(rel=1e-12, abs=1e-15)
    for j in range(2):
        assert _eq(eqs, "z", 1, j).value == pytest.approx(h["z1"][j], **close)
        assert _eq(eqs, "a", 1, j).value == pytest.approx(h["a1"][j], **close)
        assert _eq(eqs, "z", 2, j).value == pytest.approx(h["z2"][j], **close)
        assert _eq(eqs, "a", 2, j).value == pytest.approx(h["y"][j], **close)
        assert _eq(eqs, "dE/dY", node=j).value == pytest.approx(h["dE_dy"][j], **close)
        assert _eq(eqs, "local", 2, j).value == pytest.approx(h["dy_dz2"][j], **close)
        assert _eq(eqs, "dE/dz", 2, j).value == pytest.approx(h["delta2"][j], **close)
        assert _eq(eqs, "dE/dz", 1, j).value == pytest.approx(h["delta1"][j], **close)
        assert _eq(eqs, "dE/da", 1, j).value == pytest.approx(h["dE_da1"][j], **close)
        assert _eq(eqs, "dE/db", 1, j).value == pytest.approx(h["gB1"][j], **close)
        assert _eq(eqs, "dE/db", 2, j).value == pytest.approx(h["gB2"][j], **close)
        b1 = _eq(eqs, "update", 1, param=f"b[{j}]")
        assert b1.value == pytest.approx(h["B1_new"][j], **close)
        for i in range(2):
            p = f"W[{i},{j}]"
            assert _eq(eqs, "dE/dw", 1, param=p).value == pytest.approx(h["gW1"][i][j], **close)
            assert _eq(eqs, "dE/dw", 2, param=p).value == pytest.approx(h["gW2"][i][j], **close)
            up1, up2 = _eq(eqs, "update", 1, param=p), _eq(eqs, "update", 2, param=p)
            assert up1.value == pytest.approx(h["W1_new"][i][j], **close)
            assert up2.value == pytest.approx(h["W2_new"][i][j], **close)
            # the update's numbers are w, lr, dE/dw, and w - lr*dE/dw gives the printed value
            w_old, lr, grad = up2.args
            assert (w_old, lr) == (W2[i][j], LR)
            assert w_old - lr * grad == pytest.approx(up2.value, abs=1e-15)
    assert _eq(eqs, "E").value == pytest.approx(h["error"], **close)
