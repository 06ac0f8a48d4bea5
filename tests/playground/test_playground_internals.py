"""Session scores kept between updates, lazy network views, probabilities, layer layout."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from glassnet import Dense, LeakyReLU, Sequential, Sigmoid, Tanh
from glassnet.losses import get_loss
from glassnet.model.build import mlp
from glassnet.playground import features, views
from glassnet.playground.dense_blocks import dense_with_activation
from glassnet.playground.modelio import spec_of
from glassnet.playground.session import Session
from glassnet.playground.stepmode import node_values, run_step
from glassnet.playground.validate import DataSpec, NetSpec

DATA = DataSpec("xor", 0.1, 80, 0.25, 1)
NET = NetSpec([4], ["tanh"], lr=0.3)


def fresh(s: Session) -> tuple[float | None, ...]:
    """The four scores computed from scratch, for comparison with the kept ones."""
    return (*s.scores(s.X_train, s.T_train), *s.scores(s.X_test, s.T_test))


def counting(s: Session) -> list[int]:
    """Count the calls of s.net.predict from now on."""
    calls = [0]
    predict = s.net.predict

    def wrapped(*args: object, **kw: object) -> np.ndarray:
        calls[0] += 1
        return predict(*args, **kw)

    s.net.predict = wrapped  # type: ignore[method-assign]
    return calls


def test_summary_after_training_reuses_the_recorded_scores() -> None:
    s = Session(DATA, NET)
    s.train(batches=5)
    calls = counting(s)
    summ = s.summary()
    assert calls[0] == 0  # the points were scored once, by record()
    got = (summ["train_loss"], summ["train_accuracy"], summ["test_loss"], summ["test_accuracy"])
    assert got == fresh(s)
    assert summ["history"][-1][1:] == [got[0], got[2]]
    s.summary()
    assert calls[0] == 2  # fresh() above: train and test, nothing more


def test_scores_are_forgotten_when_points_or_weights_change() -> None:
    s = Session(DATA, NET)
    s.train(batches=5)
    before = s.summary()["train_loss"]
    s.add_point(0.0, 0.0, 0)  # same classes: _prepare, no rebuild
    assert s.summary()["train_loss"] == fresh(s)[0] != before
    s.remove_near(0.0, 0.0, 0.01)
    assert s.summary()["train_loss"] == fresh(s)[0]
    kept = s.summary()["train_loss"]
    dense = s.net.layers[0]
    dense.params["W"][...] += 1.0  # as step mode's update does, followed by record()
    s.record()
    assert s.summary()["train_loss"] == fresh(s)[0] != kept
    s.build()
    assert s.summary()["train_loss"] == fresh(s)[0]


def test_scores_by_hand() -> None:
    # one sigmoid output of x1 alone: p = sigmoid(100 * x1), so class 1 exactly when x1 > 0
    s = Session(DATA, NetSpec([2], ["tanh"], loss="mse"))
    net = Sequential(
        [Dense(2, 1, weights=[[100.0], [0.0]], bias=[0.0], dtype="float32"), Sigmoid()]
    )
    s.net = net
    X = np.array([[1.0, 0.0], [-1.0, 5.0], [2.0, -1.0], [-3.0, 0.0]], dtype=np.float32)
    T = np.array([[1.0], [0.0], [0.0], [0.0]], dtype=np.float32)  # the third is wrong
    loss, acc = s.scores(X, T)
    assert acc == 0.75
    assert loss == pytest.approx(1.0 / 4, rel=1e-5)  # mse: mean of (y - t)^2 = (1 - 0)^2 / 4
    assert s.scores(X[:0], T[:0]) == (None, None)


class Unlisted(np.ndarray):
    """A weight array that fails if it is written out as lists (slow for large networks)."""

    def tolist(self) -> list:
        raise AssertionError("the weights were listed")


def test_network_view_sends_large_networks_weights_compactly_never_blank() -> None:
    # before: a network of more than 256 hidden neurons or 32 a layer came without weights
    # and the page drew "too large to draw neuron by neuron"; now every layer comes
    big = mlp([2, 150, 150, 1], "tanh", "sigmoid", seed=0)  # 23,251 > LISTED_WEIGHTS
    dense = [lay for lay in big.layers if isinstance(lay, Dense)]
    for lay in dense:
        lay.params["W"] = lay.params["W"].view(Unlisted)
    v = views.network_view(big)
    assert "weights" not in v and len(v["weights_q"]) == len(v["biases_q"]) == 3
    assert v["widths"] == [2, 150, 150, 1] and v["activations"] == ["tanh", "tanh", "sigmoid"]
    for lay, q in zip(dense, v["weights_q"], strict=True):
        W = np.frombuffer(base64.b64decode(q["data"]), np.int8).reshape(lay.params["W"].shape)
        scale = float(np.abs(lay.params["W"]).max())
        assert q["scale"] == pytest.approx(scale)
        np.testing.assert_allclose(W / 127 * scale, lay.params["W"], atol=scale / 254 + 1e-7)
    small = views.network_view(mlp([2, 40, 40, 1], "relu", "sigmoid", seed=0))  # 1,801
    assert np.array(small["weights"][1]).shape == (40, 40) and len(small["biases"][2]) == 1


def test_probabilities_are_predict_proba_for_cross_entropy() -> None:
    net = mlp([2, 5, 3], "tanh", None, seed=2)
    X = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)  # (20, 2)
    net.loss_ = get_loss("cross_entropy")
    p = views.probabilities(net, X, "cross_entropy")
    z = net.predict(X).astype(np.float64)  # (20, 3) logits
    e = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(p, e / e.sum(axis=1, keepdims=True), rtol=1e-5)
    net.loss_ = get_loss("mse")
    with pytest.raises(ValueError, match="net.loss_ must be the cross_entropy loss.*'mse'"):
        views.probabilities(net, X, "cross_entropy")
    q = views.probabilities(net, X, "mse")  # several outputs: clipped, divided by their sum
    np.testing.assert_allclose(q.sum(axis=1), 1.0, rtol=1e-6)


def test_one_layer_layout_for_views_models_and_step_mode() -> None:
    layers = [Dense(2, 3), LeakyReLU(), Dense(3, 2), Dense(2, 2), Tanh(), Dense(2, 1), Sigmoid()]
    net = Sequential(layers, dtype="float64")
    want = [(0, 1, "leaky_relu"), (2, 2, "identity"), (3, 4, "tanh"), (5, 6, "sigmoid")]
    assert dense_with_activation(net.layers) == want
    spec = spec_of(net, NetSpec())
    assert (spec.hidden, spec.activations) == ([3, 2, 2], ["leaky_relu", "identity", "tanh"])
    assert views.network_view(net)["activations"] == ["leaky_relu", "identity", "tanh", "sigmoid"]
    step = run_step(net, np.array([0.5, -1.0]), [1.0], "mse", 0.1)
    assert [(p, o) for p, o, _ in dense_with_activation(step.trace.layers)] == [
        (p, o) for p, o, _ in want
    ]
    vals = node_values(step)["layers"]
    outs, a = [], np.array([[0.5, -1.0]])  # (1, 2)
    for lay in net.layers:
        a = lay.forward(a)
        outs.append(a[0].copy())
    for (pos, out, _), lay in zip(want, vals, strict=True):
        np.testing.assert_allclose(lay["z"], outs[pos])
        np.testing.assert_allclose(lay["a"], outs[out])
    maps = views.neuron_maps(net, 1.0)  # the Dense -> Dense layer used to fail here
    assert [len(m["maps"]) for m in maps] == [2, 3, 2, 2]  # the 2 inputs, then the hidden layers


@pytest.mark.parametrize("activation", ["elu", "silu", "gelu", "softplus"])
def test_the_smooth_activations_learn_xor_in_the_playground(activation: str) -> None:
    s = Session(DataSpec("xor", 0.0, 200, 0.25, 0), NetSpec([8, 8], [activation] * 2, lr=0.1))
    before = s.summary()["train_loss"]
    s.train(epochs=60)
    after = s.summary()
    assert after["train_loss"] < 0.5 * before
    assert after["train_accuracy"] >= 0.9
    assert views.network_view(s.net)["activations"] == [activation, activation, "sigmoid"]


@pytest.mark.parametrize(("l1", "l2"), [(0.2, 0.0), (0.0, 0.3), (0.2, 0.3)])
def test_l1_and_l2_steps_by_hand_on_the_weights_only(l1: float, l2: float) -> None:
    data = DataSpec("xor", 0.1, 40, 0.25, 1)
    spec = dict(hidden=[3], activations=["tanh"], optimizer="sgd", lr=0.5, batch_size=30)
    plain, reg = Session(data, NetSpec(**spec)), Session(data, NetSpec(**spec, l1=l1, l2=l2))
    before = [p.value.copy() for p in reg.net.parameters()]
    plain.train(batches=1)
    reg.train(batches=1)
    for p, q, w in zip(plain.net.parameters(), reg.net.parameters(), before, strict=True):
        if p.name.endswith("W"):  # W <- W - lr (g + l1 sign(W) + l2 W)
            want = p.value - 0.5 * (l1 * np.sign(w) + l2 * w)
            np.testing.assert_allclose(q.value, want, rtol=1e-5, atol=1e-6)
        else:  # the biases take the plain step
            np.testing.assert_array_equal(q.value, p.value)


def test_l1_pulls_many_weights_to_zero_where_l2_shrinks_them_all() -> None:
    data = DataSpec("circles", 0.05, 300, 0.3, 0)
    feats = list(features.FEATURES)  # all seven inputs, of which x1^2 and x2^2 suffice
    small = {}
    for name, reg in (("none", {}), ("l1", {"l1": 0.003}), ("l2", {"l2": 0.003})):
        s = Session(data, NetSpec([6], ["tanh"], lr=0.03, features=feats, **reg))
        s.train(epochs=150)
        W = np.concatenate([p.value.ravel() for p in s.net.parameters() if p.name.endswith("W")])
        small[name] = float(np.mean(np.abs(W) < 0.02))
        assert s.summary()["test_accuracy"] >= 0.9, name
    assert small["l1"] > small["none"] + 0.2 and small["l1"] > small["l2"] + 0.2, small
