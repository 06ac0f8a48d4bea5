"""The training step (glassnet.train.step): its numbers worked by hand and against finite
differences, its three rules (the sigmoid's fusion, E not finite, fresh gradients), the hook's
place, and that every part of glassnet that trains goes through it (and no other copy)."""

from __future__ import annotations

import ast
import inspect
import math
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.explain.batch import explain_batch
from glassnet.losses import MSE, BinaryCrossEntropy, CrossEntropy
from glassnet.optimizers import SGD, Adam
from glassnet.train import step as training
from glassnet.train.fit import fit
from glassnet.train.step import (
    LayerStep,
    Step,
    error_and_gradients,
    fuses_sigmoid,
    train_step,
)

SRC = Path(__file__).resolve().parents[1] / "src" / "glassnet"


def two_node(w: float = 0.5, b: float = 0.1) -> gn.Sequential:
    """The article's network: one input, one output node, Y = sigmoid(w x + b)."""
    return gn.Sequential([gn.Dense(1, 1, weights=[[w]], bias=[b]), gn.Sigmoid()], dtype="float64")


def weights(net: gn.Sequential) -> list[np.ndarray]:
    return [p.value.copy() for p in net.parameters()]


def grads(net: gn.Sequential) -> list[np.ndarray]:
    return [p.grad.copy() for p in net.parameters()]


# -- the numbers ------------------------------------------------------------------------


def test_the_articles_step_worked_by_hand():
    # x = 1, t = 0.8, w = 0.5, b = 0.1: z = 0.6, Y = sigmoid(0.6), E = (Y - t)^2
    net, lr = two_node(), 1.0
    Y = 1 / (1 + math.exp(-0.6))  # 0.645656...
    dE_dz = 2 * (Y - 0.8) * Y * (1 - Y)  # dE/dY dY/dz, the chain rule
    E, y = train_step(net, MSE(), np.array([[1.0]]), np.array([[0.8]]), SGD(net, lr=lr))
    assert E == pytest.approx((Y - 0.8) ** 2, rel=1e-14)  # 0.023822...
    assert y[0, 0] == pytest.approx(Y, rel=1e-15)
    assert net.layers[0].grads["W"][0, 0] == pytest.approx(dE_dz * 1.0, rel=1e-14)  # -0.0706
    assert net.layers[0].params["W"][0, 0] == pytest.approx(0.5 - lr * dE_dz, rel=1e-14)
    assert net.layers[0].params["b"][0] == pytest.approx(0.1 - lr * dE_dz, rel=1e-14)
    assert round(net.layers[0].params["W"][0, 0], 4) == 0.5706  # explain's hand-worked number


def test_gradients_match_finite_differences_with_sample_weights():
    rng = np.random.default_rng(0)
    net = gn.mlp([3, 5, 1], "tanh", output_activation="sigmoid", seed=1, dtype="float64")
    X = rng.normal(size=(6, 3))
    T = (rng.random((6, 1)) > 0.5).astype(float)
    w = rng.random(6) + 0.2  # (6,)
    loss = BinaryCrossEntropy()
    E, _ = error_and_gradients(net, loss, X, T, w)  # fused: dE/dz from the sigmoid's logits
    assert fuses_sigmoid(net, loss)

    def error() -> float:  # the weighted mean sum_n w_n l_n / sum_n w_n, from scratch
        y = net.forward(X)
        per_sample = -(T * np.log(y) + (1 - T) * np.log(1 - y)).mean(axis=1)  # (6,)
        return float(per_sample @ w / w.sum())

    assert E == pytest.approx(error(), rel=1e-12)
    analytic, h = grads(net), 1e-6
    for p, g in zip(net.parameters(), analytic, strict=True):
        numeric = np.zeros_like(g)
        for i in np.ndindex(p.value.shape):
            old = p.value[i]
            p.value[i] = old + h
            plus = error()
            p.value[i] = old - h
            minus = error()
            p.value[i] = old
            numeric[i] = (plus - minus) / (2 * h)
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)


def test_the_gradients_are_the_batchs_own_not_added_to_the_last():
    net = gn.mlp([2, 4, 3], "relu", seed=0, dtype="float64")
    X, labels = np.random.default_rng(1).normal(size=(5, 2)), np.array([0, 1, 2, 1, 0])
    error_and_gradients(net, CrossEntropy(), X, labels)
    first = grads(net)
    error_and_gradients(net, CrossEntropy(), X, labels)  # no zero_grad between
    for a, b in zip(first, grads(net), strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.abs(first[0]).sum() > 0


# -- the sigmoid's fusion, decided here ----------------------------------------------------


def test_fuses_sigmoid_only_for_bce_on_a_sigmoids_probabilities_untraced():
    net, bce = two_node(), BinaryCrossEntropy()
    assert fuses_sigmoid(net, bce)
    assert not fuses_sigmoid(net, MSE())
    assert not fuses_sigmoid(net, BinaryCrossEntropy(from_logits=True))
    assert not fuses_sigmoid(gn.Sequential([gn.Dense(1, 1)]), bce)  # no sigmoid to fuse
    with net.tracing():
        assert not fuses_sigmoid(net, bce)  # explain writes dE/dY and dY/dz apart


def test_the_fused_gradient_is_the_chain_rules_and_exact_where_it_underflows():
    x, t = np.array([[1.0], [2.0]]), np.array([[1.0], [0.0]])
    fused_net, chain_net = two_node(), two_node()
    E1, _ = error_and_gradients(fused_net, BinaryCrossEntropy(), x, t)
    E2, _ = error_and_gradients(chain_net, BinaryCrossEntropy(), x, t, fused=False)
    assert E1 == pytest.approx(E2, rel=1e-14)
    for a, b in zip(grads(fused_net), grads(chain_net), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13)
    # z = 40: Y = 1 - 4e-18 rounds to 1, so the chain rule's Y(1 - Y) is 0 and a wrong
    # answer (t = 0) teaches nothing; from the logits dE/dz = (Y - t)/M = 1 exactly
    saturated = two_node(w=0.0, b=40.0)
    error_and_gradients(saturated, BinaryCrossEntropy(), np.array([[1.0]]), np.array([[0.0]]))
    assert saturated.layers[0].grads["b"][0] == 1.0
    unfused = two_node(w=0.0, b=40.0)
    error_and_gradients(unfused, BinaryCrossEntropy(), np.array([[1.0]]), np.array([[0.0]]), None,
                        fused=False)  # fmt: skip
    assert unfused.layers[0].grads["b"][0] == 0.0


# -- E not finite, and the hook --------------------------------------------------------------


def test_a_step_whose_error_is_not_finite_leaves_the_weights_alone():
    net = two_node()
    opt, calls = SGD(net, lr=1.0), []
    before = weights(net)
    E, _ = train_step(net, MSE(), np.array([[1.0]]), np.array([[np.nan]]), opt, None, calls.append)
    assert math.isnan(E)
    assert calls == [] and opt.t == 0  # no hook, no step
    for a, b in zip(before, weights(net), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_hook_sees_the_gradients_between_backward_and_the_step():
    net, seen = two_node(), []

    def hook(params):  # e.g. data-parallel averaging: here, halve every gradient
        seen.append(([p.grad.copy() for p in params], [p.value.copy() for p in params]))
        for p in params:
            p.grad *= 0.5

    reference = two_node()
    error_and_gradients(reference, MSE(), np.array([[1.0]]), np.array([[0.8]]))
    train_step(net, MSE(), np.array([[1.0]]), np.array([[0.8]]), SGD(net, lr=1.0), None, hook)
    (g_seen, w_seen), = seen  # fmt: skip
    for g, r in zip(g_seen, grads(reference), strict=True):
        np.testing.assert_array_equal(g, r)  # backward had run
    assert w_seen[0][0, 0] == 0.5  # the step had not
    assert net.layers[0].params["W"][0, 0] == pytest.approx(0.5 - 0.5 * g_seen[0][0, 0])


def test_a_traced_step_records_the_error_its_gradient_and_the_update():
    net = two_node()
    with net.tracing() as trace:
        E, _ = train_step(net, BinaryCrossEntropy(), np.array([[1.0]]), np.array([[1.0]]),
                          SGD(net, lr=0.5))  # fmt: skip
    assert trace.loss.value == E and trace.loss.grad is not None
    assert trace.layers[-1].grad_out is not None  # the sigmoid's backward ran: not fused
    assert trace.layers[0].params_after["W"][0, 0] == net.layers[0].params["W"][0, 0]
    assert trace.lr == 0.5


# -- every caller goes through the step ----------------------------------------------------


@pytest.fixture
def counted(monkeypatch):
    """Count the calls of the step's core, error_and_gradients (train_step calls it)."""
    calls = []
    original = training.error_and_gradients

    def counting(*args, **kwargs):
        calls.append(args[2].shape)  # x: (m, in)
        return original(*args, **kwargs)

    monkeypatch.setattr(training, "error_and_gradients", counting)
    return calls


def test_fit_layer_by_layer_goes_through_the_step(counted):
    X, y = gn.datasets.moons(50, seed=0)
    net = gn.mlp([2, 4, 1], "tanh", output_activation="sigmoid", seed=0)
    net.fit(X, y.reshape(-1, 1), loss="binary_cross_entropy", epochs=3, batch_size=16,
            verbose=0, jit_compile=False)  # fmt: skip
    assert [m for m, _ in counted] == [16, 16, 16, 2] * 3


def test_lr_find_goes_through_the_step(counted):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    found = gn.lr_find(gn.mlp([2, 4, 1], "tanh", seed=0), X, X[:, :1], steps=20, batch_size=16)
    assert len(counted) == len(found.lrs) > 0


def test_explain_and_step_mode_go_through_the_step(counted):
    from glassnet.playground.stepmode import run_step

    gn.explain(two_node(), [1.0], [0.8])
    assert counted == [(1, 1)]
    run_step(gn.mlp([2, 3, 1], "tanh", "sigmoid", seed=0), np.array([0.5, -1.0]), [1.0],
             "binary_cross_entropy", 0.1)  # fmt: skip
    assert counted == [(1, 1), (1, 2)]


def test_explain_batch_goes_through_the_step(counted):
    explain_batch(two_node(), [[1.0], [2.0], [3.0]], [[0.8], [0.3], [0.5]])
    assert counted == [(1, 1)] * 3 + [(3, 1)]  # each sample's step, then the batch's


def test_the_lbfgs_objective_goes_through_the_step(counted):
    from glassnet.sklearn._lbfgs import fit_lbfgs

    X = np.linspace(-1, 1, 20).reshape(-1, 1)
    net = gn.mlp("1,4,1", activation="tanh", dtype="float64", seed=0)
    _, n_iter = fit_lbfgs(net, X, X**2, None, MSE(), 0.0, 200, 15000, 1e-8)
    assert len(counted) >= n_iter > 1 and set(counted) == {(20, 1)}  # the whole set, each time


def test_the_playground_goes_through_the_step(counted):
    from glassnet.playground.session import Session
    from glassnet.playground.validate import DataSpec, NetSpec

    s = Session(DataSpec("xor", 0.1, 60, 0.25, 0), NetSpec([4], ["tanh"], lr=0.1, l1=0.001))
    s.train(batches=5)
    assert len(counted) == 5


def test_the_playgrounds_l1_is_the_steps_grad_hook():
    from glassnet.playground.session import Session
    from glassnet.playground.validate import DataSpec, NetSpec

    spec = NetSpec([4], ["tanh"], lr=0.1, l1=0.01, optimizer="sgd")
    s = Session(DataSpec("xor", 0.1, 60, 0.25, 0), spec)
    net, reference = s.net, s.net.copy()
    idx = s.order[: spec.batch_size]
    x, t = s.X_train[idx], s.T_train[idx]
    error_and_gradients(reference, s.loss, x, t)
    s.train(batches=1)
    for layer, ref in zip(net.layers, reference.layers, strict=True):
        if layer.params:  # SGD: W - lr (dE/dW + l1 sign(W)); b - lr dE/db (biases spared)
            W = ref.params["W"] - 0.1 * (ref.grads["W"] + 0.01 * np.sign(ref.params["W"]))
            np.testing.assert_allclose(layer.params["W"], W, rtol=1e-6, atol=1e-7)
            b = ref.params["b"] - 0.1 * ref.grads["b"]
            np.testing.assert_allclose(layer.params["b"], b, rtol=1e-6, atol=1e-7)


def test_no_other_copy_of_the_step():
    """forward -> error -> backward is written in train/step.py; elsewhere only the pieces'
    own definitions call backward (a layer's, the network's through its layers, a loss built
    on another) and gradcheck, which checks backward itself against differences."""
    allowed = {
        "train/step.py",
        "explain/gradcheck.py",
        "model/sequential.py",  # Sequential.backward: each layer's backward in turn
        "sklearn/_objective.py",  # scikit-learn's losses extend glassnet's: super().backward()
    }
    own = ("layers/", "activations/", "losses/")  # where backward is defined
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in allowed or rel.startswith(own):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("backward", "error_and_gradient", "backward_through_sigmoid")
            ):
                found.append(f"{rel}:{node.lineno} .{node.func.attr}(")
    assert found == [], "a second copy of the training step: call glassnet.train.step instead"


# -- fit's two steps, one interface ---------------------------------------------------------


def test_layer_step_has_the_step_call_shape_and_trains_as_train_step():
    rng = np.random.default_rng(0)
    X, labels = rng.normal(size=(10, 3)), rng.integers(0, 3, 10)
    a, b = (gn.mlp([3, 4, 3], "relu", seed=0, dtype="float64") for _ in range(2))
    step = LayerStep(a, CrossEntropy(), X, labels, 4)
    assert isinstance(step, Step)
    opt_a, opt_b = Adam(a, lr=0.01), Adam(b, lr=0.01)
    predicted = np.empty(4, np.int64)
    for idx in (np.array([3, 1, 4, 1]), np.array([5, 9, 2])):
        E = step.run(X, idx, predicted[: len(idx)], opt_a)
        E_b, y = train_step(b, CrossEntropy(), X[idx], labels[idx], opt_b)
        assert E == E_b
        np.testing.assert_array_equal(predicted[: len(idx)], y.argmax(axis=1))
    for wa, wb in zip(weights(a), weights(b), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_sequential_fit_shows_fits_keywords_and_passes_each_on(monkeypatch):
    own = list(inspect.signature(gn.Sequential.fit).parameters.values())[1:]  # after self
    assert own == list(inspect.signature(fit).parameters.values())[1:]  # after net
    received = {}

    def recording(net, X, T, **kwargs):
        received.update(kwargs)

    monkeypatch.setattr("glassnet.train.fit.fit", recording)
    given = {p.name: object() for p in own if p.kind is inspect.Parameter.KEYWORD_ONLY}
    gn.Sequential([gn.Dense(1, 1)]).fit([[1.0]], [[1.0]], **given)
    assert received == given


def test_fit_reads_like_the_recipe_in_about_sixty_lines():
    source = inspect.getsource(fit)
    body = source.split('    """', 2)[2]  # after the docstring
    lines = [line for line in body.splitlines()[1:] if line.strip()]
    assert len(lines) <= 65, len(lines)
