"""explain: the two-node step in text, JSON and Markdown; narrowing big networks; repeated steps."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import glassnet as gn

TWO_NODE_TEXT = """\
forward   z = w*x + b = 0.5000*1.0000 + 0.1000 = 0.6000
          Y = sigmoid(z) = sigmoid(0.6000) = 0.6457
error     E = (Y - target)^2 = (0.6457 - 0.8000)^2 = 0.0238
backward  dE/dY = 2(Y - target) = 2(0.6457 - 0.8000) = -0.3087
          dY/dz = Y(1 - Y) = 0.6457(1 - 0.6457) = 0.2288
          dz/dw = x = 1.0000
          dE/dw = dE/dY*dY/dz*dz/dw = (-0.3087)*0.2288*1.0000 = -0.0706
          dE/db = dE/dY*dY/dz*dz/db = (-0.3087)*0.2288*1 = -0.0706
update    w <- w - lr*dE/dw = 0.5000 - 1*(-0.0706) = 0.5706
          b <- b - lr*dE/db = 0.1000 - 1*(-0.0706) = 0.1706"""

KEYS = "x target w b z y error dE_dy dy_dz dz_dw dE_dw dE_db lr w_new b_new".split()


def two_node(w: float = 0.5, b: float = 0.1) -> gn.Sequential:
    return gn.Sequential([gn.Dense(1, 1, weights=[[w]], bias=[b]), gn.Sigmoid()], dtype="float64")


def test_two_node_text_is_the_article():
    step = gn.explain(two_node(), [1.0], [0.8], lr=1.0)
    assert step.to_text() == TWO_NODE_TEXT
    assert str(step) == TWO_NODE_TEXT


def test_two_node_text_precision():
    lines = gn.explain(two_node(), [1.0], [0.8]).to_text(precision=6).splitlines()
    assert lines[1] == "          Y = sigmoid(z) = sigmoid(0.600000) = 0.645656"


def test_two_node_json_has_every_key_as_a_number():
    step = gn.explain(two_node(), [1.0], [0.8], lr=1.0)
    data = json.loads(step.to_json())
    for key in KEYS:
        assert isinstance(data[key], float), key
    assert data["x"] == 1.0 and data["target"] == 0.8 and data["lr"] == 1.0
    assert data["y"] == pytest.approx(1 / (1 + math.exp(-0.6)), rel=1e-15)
    eqs = data["equations"]
    assert [e["section"] for e in eqs][:3] == ["forward", "forward", "error"]
    assert all(isinstance(e["value"], float) for e in eqs)
    assert eqs[0]["text"] == "z = w*x + b = 0.5000*1.0000 + 0.1000 = 0.6000"


def test_chain_rule_factors_multiply_to_the_gradient():
    s = gn.explain(two_node(), [1.0], [0.8], lr=1.0).summary
    assert s["dE_dy"] * s["dy_dz"] * s["dz_dw"] == pytest.approx(s["dE_dw"], rel=1e-14)
    assert s["dE_dy"] * s["dy_dz"] == pytest.approx(s["dE_db"], rel=1e-14)
    assert s["w"] - s["lr"] * s["dE_dw"] == pytest.approx(s["w_new"], rel=1e-14)
    eq = next(e for e in gn.explain(two_node(), [1.0], [0.8]).equations if e.kind == "dE/dw")
    assert math.prod(eq.args) == pytest.approx(eq.value, rel=1e-14)


def test_every_dense_chain_equation_multiplies_out():
    net = gn.mlp("3,4,2", activation="tanh", output_activation="sigmoid", dtype="float64", seed=0)
    eqs = gn.explain(net, [0.1, -0.4, 0.7], [0.2, 0.9], lr=0.3).equations
    chains = [e for e in eqs if e.kind in ("dE/dw", "dE/dz")]
    assert len(chains) == 3 * 4 + 4 * 2 + 4 + 2
    for e in chains:
        assert math.prod(e.args) == pytest.approx(e.value, rel=1e-12, abs=1e-300)
    for e in (e for e in eqs if e.kind == "z"):  # z = sum w*x + b
        products = sum(a * b for a, b in zip(e.args[:-1:2], e.args[1::2], strict=True))
        assert products + e.args[-1] == pytest.approx(e.value, rel=1e-12)


def test_markdown_has_latex():
    md = gn.explain(two_node(), [1.0], [0.8]).to_markdown()
    assert r"\frac{\partial E}{\partial w}" in md
    assert r"\sigma" in md and "$$" in md
    assert [line for line in md.splitlines() if line.startswith("### ")] == [
        "### Forward",
        "### Error",
        "### Backward",
        "### Update",
    ]


def _gelu_tanh_slope(z: float) -> float:
    """d/dz of z (1 + tanh u) / 2, u = sqrt(2/pi) (z + 0.044715 z^3), by hand."""
    c = math.sqrt(2 / math.pi)
    th = math.tanh(c * (z + 0.044715 * z**3))
    return 0.5 * (1 + th) + 0.5 * z * (1 - th * th) * c * (1 + 3 * 0.044715 * z * z)


LOCALS = [  # activation, z = 0.5*(-1) + 0.1, its line dY/dz written out, its value
    (gn.Sigmoid(), "dY/dz = Y(1 - Y) = 0.4013(1 - 0.4013)", 0.4013 * 0.5987),
    (gn.Tanh(), "dY/dz = 1 - Y^2 = 1 - (-0.3799)^2", 1 - math.tanh(-0.4) ** 2),
    (gn.ReLU(), "dY/dz = 1 if z > 0 else 0 = 1 if (-0.4000) > 0 else 0", 0.0),
    (gn.LeakyReLU(0.1), "dY/dz = 1 if z > 0 else alpha = 1 if (-0.4000) > 0 else 0.1000", 0.1),
    (gn.ELU(), "dY/dz = 1 if z > 0 else alpha*exp(z) = 1 if (-0.4000) > 0 else 1.0000*exp((-0.4000))", math.exp(-0.4)),
    (gn.ELU(0.5), "dY/dz = 1 if z > 0 else alpha*exp(z) = 1 if (-0.4000) > 0 else 0.5000*exp((-0.4000))", 0.5 * math.exp(-0.4)),
    (gn.SiLU(), "dY/dz = sigmoid(z)(1 + z(1 - sigmoid(z))) = sigmoid((-0.4000))(1 + (-0.4000)(1 - sigmoid((-0.4000))))", 0.4013123 * (1 - 0.4 * (1 - 0.4013123))),
    (gn.Softplus(), "dY/dz = sigmoid(z) = sigmoid((-0.4000))", 1 / (1 + math.exp(0.4))),
    (gn.GELU(), "dY/dz = Phi(z) + z*phi(z) = Phi((-0.4000)) + (-0.4000)*phi((-0.4000))",
     0.5 * (1 + math.erf(-0.4 / math.sqrt(2))) - 0.4 * math.exp(-0.08) / math.sqrt(2 * math.pi)),
    (gn.GELU("tanh"), "dY/dz = 0.5*(1 + tanh(0.79788*(z + 0.044715*z^3)))...", _gelu_tanh_slope(-0.4)),
]  # fmt: skip


@pytest.mark.parametrize(("act", "line", "value"), LOCALS, ids=lambda v: type(v).__name__)
def test_every_activation_writes_its_derivative_with_numbers(act, line, value):
    net = gn.Sequential([gn.Dense(1, 1, weights=[[0.5]], bias=[0.1]), act], dtype="float64")
    step = gn.explain(net, [-1.0], [0.8])
    text = step.to_text()
    if line.endswith("..."):  # GELU's tanh form: the line too long to write here in full
        line = line[:-3]
        assert line in text
        line = text.splitlines()[next(i for i, s in enumerate(text.splitlines()) if line in s)]
        line = line.strip().rsplit(" = ", 1)[0]
    assert f"{line} = {value:.4f}" in text
    md = step.to_markdown()  # every slot of the LaTeX filled (LeakyReLU's had one too many)
    local = [m for m in md.splitlines() if m.startswith(r"$$ \frac{\partial Y}{\partial z}")]
    assert len(local) == 1 and local[0].endswith(f"= {value:.4f} $$")
    assert "(-0.4000)" in local[0] or "0.4013" in local[0] or "0.3799" in local[0]


def test_explain_updates_the_network_and_steps_reduce_the_error():
    net = two_node()
    errors = [gn.explain(net, [1.0], [0.8], lr=1.0).summary["error"] for _ in range(6)]
    assert all(b < a for a, b in zip(errors, errors[1:], strict=False))
    assert net.layers[0].params["W"][0, 0] > 0.5


def test_explain_with_another_optimizer_shows_before_and_after():
    net = two_node()
    step = gn.explain(net, [1.0], [0.8], optimizer=gn.Adam(net.parameters(), lr=0.1))
    update = [e for e in step.equations if e.section == "update"]
    assert update[0].args[0] == 0.5 and update[0].value == pytest.approx(0.6)  # Adam: lr*sign
    assert "adam(w, dE/dw) = 0.5000 -> 0.6000" in step.to_text()


def test_big_network_must_be_narrowed():
    net = gn.mlp("20,16,3", dtype="float64", seed=0)  # 20*16 + 16 + 16*3 + 3 = 387 parameters
    x, t = np.linspace(-1, 1, 20), [0.0, 1.0, 0.0]
    with pytest.raises(
        ValueError,
        match=r"387 parameters; explain writes out at most 300.*layer=0.*weight=\(0, 0, 0\)",
    ):
        gn.explain(net, x, t)
    with pytest.raises(ValueError, match=r"layer 0 has 336 parameters.*weight=\(0, 0, 0\)"):
        gn.explain(net, x, t, layer=0)
    with pytest.raises(
        ValueError, match=r"layer 1 is not a Dense layer; Dense layers are at \[0, 2\]"
    ):
        gn.explain(net, x, t, layer=1)
    with pytest.raises(
        ValueError, match=r"weight=\(2, 16, 0\) is outside layer 2's W of shape \(16, 3\)"
    ):
        gn.explain(net, x, t, weight=(2, 16, 0))
    step = gn.explain(net, x, t, layer=2)
    assert {e.dense for e in step.equations if e.dense is not None} <= {2, 1}
    updates = [e for e in step.equations if e.section == "update"]
    assert len(updates) == 16 * 3 + 3 and all(e.dense == 2 for e in updates)
    one = gn.explain(net, x, t, weight=(0, 4, 7))
    grads = [e for e in one.equations if e.kind == "dE/dw"]
    assert [(e.dense, e.param) for e in grads] == [(1, "W[4,7]")]
    assert grads[0].value == one.trace.layers[0].grads["W"][4, 7]
    ups = [e for e in one.equations if e.kind == "update" and e.param.startswith("W")]
    assert [e.param for e in ups] == ["W[4,7]"]


def test_explain_with_cross_entropy_and_a_label():
    net = gn.mlp("2,3,3", activation="tanh", dtype="float64", seed=1)
    step = gn.explain(net, [0.5, -0.5], 2, loss="cross_entropy", lr=0.1)
    p = np.exp(step.trace.loss.y[0] - step.trace.loss.y[0].max())
    p /= p.sum()
    assert step.trace.loss.value == pytest.approx(-math.log(p[2]), rel=1e-12)
    np.testing.assert_allclose(step.trace.loss.grad[0], p - np.eye(3)[2], rtol=1e-12)


def test_explain_refuses_layers_it_cannot_write():
    net = gn.Sequential([gn.Dense(2, 2), gn.Softmax(), gn.Dense(2, 1)], dtype="float64")
    with pytest.raises(ValueError, match=r"explain handles Dense layers, activations and Dropout"
                       r" \(Softmax only last\); got Softmax"):  # fmt: skip
        gn.explain(net, [1.0, 2.0], [0.0])


def test_a_batch_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="explain writes out the step of one sample; x has 2 rows"):
        gn.explain(two_node(), [[1.0], [2.0]], [[0.8], [0.3]])


def test_cross_entropy_is_written_out_with_its_softmax_by_hand():
    net = gn.Sequential([gn.Dense(1, 3, weights=[[1.0, 0.0, -1.0]], bias=[0.0, 0.0, 0.0])],
                        dtype="float64")  # fmt: skip
    step = gn.explain(net, [0.5], 0, loss="cross_entropy")  # logits 0.5, 0, -0.5; class 0
    y = np.array([0.5, 0.0, -0.5])
    S = np.exp(y).sum()
    p = np.exp(y) / S
    eqs = {(e.kind, e.node): e for e in step.equations if e.section in ("error", "backward")}
    assert eqs[("S", None)].value == pytest.approx(S)
    for k in range(3):
        assert eqs[("p", k)].value == pytest.approx(p[k])
        want = p[k] - (1.0 if k == 0 else 0.0)
        assert eqs[("dE/dY", k)].value == pytest.approx(want)  # the loss's own gradient
    assert eqs[("E", None)].value == pytest.approx(-math.log(p[0]))
    text = step.to_text()
    assert f"E = -log p[1] = -log({p[0]:.4f}) = {-math.log(p[0]):.4f}" in text
    md = step.to_markdown()
    assert r"-\log p_{1}" in md and "{}" not in md


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "poisson", "mse"])
def test_two_outputs_error_is_the_mean_of_each_outputs_term_with_numbers(loss):
    net = gn.mlp("2,2,2", activation="tanh", output_activation="sigmoid", dtype="float64", seed=0)
    step = gn.explain(net, [1.0, 0.5], [1.0, 0.0], loss=loss)
    error = next(e for e in step.equations if e.section == "error")
    y, t = step.trace.loss.y[0], np.array([1.0, 0.0])
    terms = {
        "binary_cross_entropy": -(t * np.log(y) + (1 - t) * np.log(1 - y)),
        "poisson": np.exp(y) - t * y,
        "mse": (y - t) ** 2,
    }[loss]
    assert error.value == pytest.approx(terms.mean())
    line = step.to_text().splitlines()[next(i for i, s in enumerate(step.to_text().splitlines())
                                            if s.startswith("error"))]  # fmt: skip
    assert line.count(" / 2 = ") == 2 and f"{y[0]:.4f}" in line and f"{y[1]:.4f}" in line
    assert "{}" not in step.to_markdown()


def test_named_inputs_appear_in_the_chain_rule():
    net = gn.mlp("2,2,1", "tanh", "sigmoid", dtype="float64", seed=0)
    net.feature_names = ["age", "body_mass"]
    step = gn.explain(net, [0.3, 0.7], [1.0], weight=(0, 1, 0))
    text = step.to_text()
    assert "z1[1] = w1[1,1]*age + w1[2,1]*body_mass + b1[1]" in text
    assert "dz1[1]/dw1[2,1] = body_mass = 0.7000" in text
    assert r"\text{body\_mass}" in step.to_markdown()


def test_dropout_passes_through_an_explained_step():
    with_dropout = gn.Sequential(
        [gn.Dense(2, 2), gn.Tanh(), gn.Dropout(0.5), gn.Dense(2, 1), gn.Sigmoid()],
        dtype="float64", seed=0,
    )  # fmt: skip
    without = gn.Sequential([gn.Dense(2, 2), gn.Tanh(), gn.Dense(2, 1), gn.Sigmoid()],
                            dtype="float64")  # fmt: skip
    for p, q in zip(without.parameters(), with_dropout.parameters(), strict=True):
        p.value[...] = q.value
    a = gn.explain(with_dropout, [1.0, 0.5], [0.8]).to_text()
    b = gn.explain(without, [1.0, 0.5], [0.8]).to_text()
    assert a == b  # the same step, dropout off, written the same way
    assert with_dropout.layers[2].training is False  # left in inference mode, as explain runs it


def test_binary_cross_entropy_on_logits_is_written_with_its_own_formulas():
    from glassnet.losses import BinaryCrossEntropy

    net = gn.Sequential([gn.Dense(1, 1, weights=[[2.0]], bias=[0.0])], dtype="float64")
    text = gn.explain(net, [1.0], [1.0], loss=BinaryCrossEntropy(from_logits=True)).to_text()
    softplus, sigmoid = math.log1p(math.exp(2.0)), 1 / (1 + math.exp(-2.0))
    assert (
        f"E = softplus(Y) - target*Y = softplus(2.0000) - 1.0000*2.0000 = {softplus - 2:.4f}"
        in text
    )
    # the probabilities' formula (Y - t) / (Y(1 - Y)) was written here before, with Y = 2
    assert f"dE/dY = sigmoid(Y) - target = sigmoid(2.0000) - 1.0000 = {sigmoid - 1:.4f}" in text
