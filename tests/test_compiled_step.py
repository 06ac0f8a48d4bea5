"""fit's compiled step (glassnet.train.compiled_step): the same training as the layer-by-layer step,
a step worked out by hand, when it applies and why not, divergence and resuming."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import glassnet as gn
from glassnet.fast import blas, jit
from glassnet.losses import MSE, CrossEntropy
from glassnet.optimizers import SGD
from glassnet.train import compiled_step
from glassnet.train.setup import training_mode, with_clipping
from glassnet.train.step import LayerStep, Step

pytestmark = pytest.mark.skipif(
    not jit.enabled() or blas.gemm_function(np.float32) is None,
    reason="the compiled step needs numba and NumPy's OpenBLAS",
)


def data(n: int = 100, classes: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5))
    labels = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1)
    targets = np.stack([X[:, 0] * 2 - X[:, 3], np.tanh(X[:, 1])], axis=1)
    return X, labels % classes, targets


def train(jit_compile, activation, loss, dtype, **kwargs):
    X, labels, targets = data()
    out = 3 if loss == "cross_entropy" else 2
    net = gn.mlp([5, 16, 8, out], activation, seed=3, dtype=dtype)
    if loss == "mse" and activation in ("tanh", "sigmoid"):  # an activation on the output too
        net = gn.Sequential([*net.layers, gn.Tanh()], dtype=dtype)
    T = labels if loss == "cross_entropy" else targets
    args = dict(loss=loss, optimizer="sgd", lr=0.05, epochs=3, batch_size=32, seed=1, verbose=0)
    h = net.fit(X, T, jit_compile=jit_compile, **{**args, **kwargs})  # 100 rows: a last batch of 4
    return net, h


def weights(net):
    return [p.value.copy() for p in net.parameters()]


def both_ways(build, X, T, optimizer="sgd", **fit_kwargs):
    """Train a fresh ``build()`` layer by layer, then compiled, with the same ``fit``
    arguments (``optimizer``: a name, or a callable making a fresh optimiser for each run);
    check which step trained each; return [(weights, history)] for the two runs."""
    runs = []
    for jit_compile in (False, True):
        net = build()
        opt = optimizer() if callable(optimizer) else optimizer
        h = net.fit(X, T, optimizer=opt, verbose=0, jit_compile=jit_compile, **fit_kwargs)
        assert h.params["compiled_step"] is jit_compile
        runs.append((weights(net), h))
    return runs


def assert_alike(runs, atol, loss_rtol, accuracy=False):
    """The two runs of :func:`both_ways` end with weights within ``atol`` and epoch losses
    within ``loss_rtol`` (and, with ``accuracy``, the same epoch accuracies)."""
    (slow, h_slow), (fast, h_fast) = runs
    for a, b in zip(slow, fast, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=atol)
    np.testing.assert_allclose(h_slow.history["loss"], h_fast.history["loss"], rtol=loss_rtol)
    if accuracy:
        assert h_slow.history["accuracy"] == h_fast.history["accuracy"]


ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "elu", "softplus", "silu", "gelu",
               "identity"]  # fmt: skip


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_same_training_as_the_layer_by_layer_step_in_float64(activation, loss):
    slow, h_slow = train(False, activation, loss, "float64")
    fast, h_fast = train(True, activation, loss, "float64")
    for a, b in zip(weights(slow), weights(fast), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h_fast.history["loss"], h_slow.history["loss"], rtol=1e-12)
    if loss == "cross_entropy":  # the kernel's argmax gives the same epoch accuracy
        assert h_fast.history["accuracy"] == h_slow.history["accuracy"]
    assert weights(fast)[0].dtype == np.float64


@pytest.mark.parametrize("activation", ["relu", "elu", "softplus", "silu", "gelu"])
def test_same_training_in_float32_and_everything_stays_float32(activation):
    slow, _ = train(False, activation, "cross_entropy", "float32")
    fast, _ = train(True, activation, "cross_entropy", "float32")
    for a, b in zip(weights(slow), weights(fast), strict=True):
        assert b.dtype == np.float32
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("decay_biases", [True, False])
def test_weight_decay_is_folded_in_as_sgd_applies_it(decay_biases):
    kwargs = {"optimizer": SGD(lr=0.05, weight_decay=0.01, decay_biases=decay_biases)}
    slow, _ = train(False, "relu", "cross_entropy", "float64", **kwargs)
    kwargs = {"optimizer": SGD(lr=0.05, weight_decay=0.01, decay_biases=decay_biases)}
    fast, _ = train(True, "relu", "cross_entropy", "float64", **kwargs)
    for a, b in zip(weights(slow), weights(fast), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "settings",
    [
        {"momentum": 0.9},
        {"momentum": 0.9, "nesterov": True},
        {"momentum": 0.5, "weight_decay": 0.01},
        {"momentum": 0.9, "weight_decay": 0.01, "decay_biases": False},
    ],
)
def test_momentum_and_nesterov_as_sgd_applies_them(settings):
    runs = [train(jc, "tanh", "mse", "float64", optimizer=SGD(lr=0.05, **settings))
            for jc in (False, True)]  # fmt: skip
    for a, b in zip(weights(runs[0][0]), weights(runs[1][0]), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


def test_momentum_carries_over_between_the_two_steps():
    # the compiled step keeps its velocity in the optimiser's own buffers: a run that starts
    # layer by layer and goes on compiled (and back) is the run that never switched
    X, labels, _ = data()
    args = {"loss": "cross_entropy", "batch_size": 16, "verbose": 0}
    nets = [gn.mlp([5, 16, 3], "relu", seed=0, dtype="float64") for _ in range(2)]
    opts = [SGD(lr=0.05, momentum=0.9) for _ in range(2)]
    for epoch, switched in enumerate([False, True, False]):
        for net, opt, jit_compile in zip(nets, opts, (False, switched), strict=True):
            net.fit(X, labels, optimizer=opt, epochs=epoch + 1, initial_epoch=epoch, seed=7,
                    jit_compile=jit_compile, **args)  # fmt: skip
    assert opts[0].t == opts[1].t == 21
    for a, b in zip(weights(nets[0]), weights(nets[1]), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(opts[1].flat_state["momentum"], opts[0].flat_state["momentum"],
                               rtol=1e-12, atol=1e-14)  # fmt: skip


def test_a_learning_rate_schedule_changes_the_compiled_steps_lr():
    runs = [
        train(jc, "relu", "mse", "float64", callbacks=[gn.StepLR(1, 0.5)]) for jc in (False, True)
    ]
    (slow, h_slow), (fast, h_fast) = runs
    assert h_fast.history["lr"] == h_slow.history["lr"] == [0.05, 0.025, 0.0125]
    np.testing.assert_allclose(weights(fast)[0], weights(slow)[0], rtol=1e-12)


def test_one_step_of_the_articles_network_worked_by_hand():
    # one input node, one output node with a sigmoid: Y = sigmoid(W x + b), E = (Y - t)^2
    net = gn.Sequential([gn.Dense(1, 1, weights=[[0.5]], bias=[0.1]), gn.Sigmoid()],
                        dtype="float64")  # fmt: skip
    x, t, lr = 2.0, 1.0, 0.5
    X, T = np.array([[x]]), np.array([[t]])
    step = compiled_step.CompiledStep(net, MSE(), T, batch_size=1)
    E = step.run(X, np.array([0]), None, SGD(net, lr=lr))
    Y = 1 / (1 + math.exp(-(0.5 * x + 0.1)))  # sigmoid(1.1) = 0.750260...
    dE_dY, dY_dz = 2 * (Y - t), Y * (1 - Y)  # the chain rule's factors
    assert E == pytest.approx((Y - t) ** 2, rel=1e-14)  # 0.062370...
    assert net.layers[0].params["W"][0, 0] == pytest.approx(0.5 - lr * dE_dY * dY_dz * x, rel=1e-14)
    assert net.layers[0].params["b"][0] == pytest.approx(0.1 - lr * dE_dY * dY_dz, rel=1e-14)
    assert 0.5 < net.layers[0].params["W"][0, 0] < 0.6  # the error pushed Y up towards t


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_resuming_gives_the_uninterrupted_run_bit_for_bit(momentum):
    X, labels, _ = data(200)
    args = dict(loss="cross_entropy", batch_size=16, seed=4, verbose=0, jit_compile=True)
    whole = gn.mlp([5, 16, 3], "relu", seed=0)
    whole.fit(X, labels, epochs=4, optimizer=SGD(lr=0.1, momentum=momentum), **args)
    parts = gn.mlp([5, 16, 3], "relu", seed=0)
    opt = SGD(lr=0.1, momentum=momentum)
    parts.fit(X, labels, epochs=2, **{**args, "optimizer": opt})
    parts.fit(X, labels, epochs=4, initial_epoch=2, **{**args, "optimizer": opt})
    for a, b in zip(weights(whole), weights(parts), strict=True):
        assert np.array_equal(a, b)


def test_every_batch_reaches_the_callbacks():
    class Count(gn.Callback):
        def __init__(self):
            self.sizes = []

        def on_batch_end(self, batch, size, loss):
            self.sizes.append(size)

    count = Count()
    train(True, "relu", "cross_entropy", "float32", callbacks=[count], epochs=1)
    assert count.sizes == [32, 32, 32, 4]


def test_a_diverging_run_stops_with_the_last_finite_weights():
    X, _, targets = data()
    net = gn.mlp([5, 16, 2], "relu", seed=0, dtype="float64")
    with pytest.raises(gn.DivergedError, match="Lower the learning rate"):
        net.fit(X, targets * 1e3, loss="mse", optimizer="sgd", lr=50.0, epochs=50, batch_size=10,
                seed=0, verbose=0, jit_compile=True)  # fmt: skip
    assert all(np.isfinite(p.value).all() for p in net.parameters())


@pytest.mark.parametrize(
    "settings",
    [
        {"optimizer": "adam", "lr": 0.01},
        {"optimizer": "adamw", "lr": 0.01},
        {"optimizer": "rmsprop", "lr": 0.01},
        {"optimizer": "sgd", "clip_norm": 0.5},
        {"optimizer": "momentum", "clip_value": 0.01},
    ],
)
def test_other_optimisers_and_clipping_step_from_the_gradients_it_writes(settings):
    (slow, h_slow), (fast, h_fast) = (
        train(jc, "tanh", "cross_entropy", "float64", **settings) for jc in (False, True)
    )
    assert h_fast.params["compiled_step"] and not h_slow.params["compiled_step"]
    for a, b in zip(weights(slow), weights(fast), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-11, atol=1e-13)
    for a, b in zip(slow.parameters(), fast.parameters(), strict=True):  # the last batch's
        np.testing.assert_allclose(b.grad, a.grad, rtol=1e-10, atol=1e-13)


def test_a_grad_hook_sees_the_gradients_before_every_step():
    seen = []

    def hook(params):
        seen.append(float(sum(np.abs(p.grad).sum() for p in params)))

    train(True, "relu", "mse", "float64", grad_hook=hook, epochs=1)
    assert len(seen) == 4 and all(s > 0 for s in seen)


def test_plain_sgd_folds_its_update_and_leaves_the_gradients_alone():
    fast, _ = train(True, "relu", "cross_entropy", "float64")
    assert all(not p.grad.any() for p in fast.parameters())  # still the zeros they started as
    slow, _ = train(False, "relu", "cross_entropy", "float64")
    assert any(p.grad.any() for p in slow.parameters())


def test_the_history_says_which_step_trained_the_run():
    assert train(True, "relu", "mse", "float64")[1].params["compiled_step"] is True
    assert train(False, "relu", "mse", "float64")[1].params["compiled_step"] is False
    assert train(None, "relu", "mse", "float64")[1].params["compiled_step"] is False  # small
    X = np.zeros((256, 784), np.float32)
    h = gn.mlp([784, 64, 10], "relu").fit(X, np.arange(256) % 10, loss="cross_entropy",
                                          batch_size=64, epochs=1, verbose=0)  # fmt: skip
    assert h.params["compiled_step"] is True  # 64 x 50890 weights: worth it


def test_auto_takes_it_for_large_networks_only():
    big = gn.mlp([784, 256, 128, 10], "relu", seed=0)
    small = gn.mlp([2, 8, 8, 1], "tanh", seed=0)
    labels = np.zeros(4, np.int64)
    step = compiled_step.plan(big, CrossEntropy(), SGD(big), labels, None, None, 128, None)
    assert isinstance(step, compiled_step.CompiledStep)
    from glassnet.train.step_kernel import CROSS_ENTROPY  # numba is there: the step was built

    assert step.loss_code == CROSS_ENTROPY and len(step.Ws) == 3  # its kernel writes the argmax
    assert (
        compiled_step.plan(small, MSE(), SGD(small), np.zeros((4, 1)), None, None, 10, None) is None
    )
    assert compiled_step.plan(big, CrossEntropy(), SGD(big), labels, None, None, 128, False) is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"loss": "binary_cross_entropy"}, "binary_cross_entropy needs one output"),
        (
            {
                "loss": gn.BinaryCrossEntropy(from_logits=True),
                "layers": [gn.Dense(5, 1)],
                "T": "binary",
            },
            "binary_cross_entropy needs a Sigmoid after the last Dense",
        ),
        ({"loss": "huber", "layers": [gn.Dense(5, 1)], "T": "binary"}, "the loss is huber"),
        ({"T": "soft"}, "targets are soft"),
        ({"layers": [gn.Dense(5, 4), gn.Softmax(), gn.Dense(4, 3)]}, "it has a Softmax layer"),
        ({"layers": [gn.Dense(5, 3), gn.Dropout(0.5)]}, "a Dropout after its last Dense"),
        ({"layers": [gn.Dropout(0.2), gn.Dropout(0.2), gn.Dense(5, 3)]}, "two Dropout layers"),
        (
            {"layers": [gn.Dense(5, 4), gn.Dropout(0.5), gn.ReLU(), gn.Dense(4, 3)]},
            "its ReLU does not follow a Dense",
        ),
        ({"layers": [gn.ReLU(), gn.Dense(5, 3)]}, "its ReLU does not follow a Dense"),
        ({"layers": [gn.Dense(5, 3), gn.Tanh(), gn.Tanh()]}, "its Tanh does not follow a Dense"),
        ({"layers": [gn.Dense(5, 3), gn.LeakyReLU(-0.5)]}, "negative alpha"),
        ({"layers": [gn.Dense(5, 3), gn.Tanh()]}, "logits of the last Dense layer"),
        ({"layers": [gn.Dense(5, 1)], "T": "zeros"}, "at least two outputs"),
    ],
)
def test_jit_compile_true_says_why_it_cannot(change, reason):
    X, labels, _ = data()
    targets = change.pop("T", None)
    T = {
        "binary": (labels > 0).astype(float).reshape(-1, 1),
        "soft": np.eye(3)[labels] * 0.9 + 0.1 / 3,  # label smoothing
        "zeros": np.zeros(len(labels), int),
    }.get(targets, labels)
    loss = change.pop("loss", "cross_entropy")
    layers = change.pop("layers", [gn.Dense(5, 3)])
    if loss == "binary_cross_entropy":
        T, layers = np.eye(3)[labels], [gn.Dense(5, 3), gn.Sigmoid()]
    net = gn.Sequential(layers, seed=0)
    args = {"loss": loss, "optimizer": "sgd", "epochs": 1, "batch_size": 32, "verbose": 0, **change}
    with pytest.raises(ValueError, match=f"jit_compile=True, but .*{reason}"):
        net.fit(X, T, jit_compile=True, **args)
    net.fit(X, T, **args)  # None: the layer-by-layer step trains it instead


def test_without_numba_it_names_the_extra_and_auto_falls_back(monkeypatch):
    monkeypatch.setitem(jit._state, "checked", True)
    monkeypatch.setitem(jit._state, "enabled", False)
    net = gn.mlp([784, 256, 10], "relu", seed=0)
    reason = compiled_step.why_not(net, CrossEntropy(), np.zeros(2, int))
    assert "glassnet[fast]" in reason
    X, labels = np.zeros((8, 784), np.float32), np.arange(8) % 10
    with pytest.raises(ValueError, match="numba is not installed"):
        net.fit(X, labels, loss="cross_entropy", optimizer="sgd", verbose=0, jit_compile=True)
    net.fit(X, labels, loss="cross_entropy", optimizer="sgd", verbose=0)


def test_jit_compile_must_be_a_bool_or_none():
    X, labels, _ = data()
    with pytest.raises(TypeError, match="jit_compile must be None, True or False; got 'yes'"):
        gn.mlp([5, 3]).fit(X, labels, loss="cross_entropy", verbose=0, jit_compile="yes")


def test_gemm_function_computes_alpha_a_b_plus_beta_c():
    for dtype in (np.float32, np.float64):
        gemm = blas.gemm_function(dtype)
        A = np.arange(6, dtype=dtype).reshape(2, 3)
        B = np.arange(12, dtype=dtype).reshape(3, 4)
        C = np.ones((2, 4), dtype)
        gemm(101, 111, 111, 2, 4, 3, 2.0, A.ctypes.data, 3, B.ctypes.data, 4, 0.5,
             C.ctypes.data, 4)  # fmt: skip
        np.testing.assert_allclose(C, 2 * A @ B + 0.5)


def test_unshuffled_and_fortran_ordered_inputs_train_alike():
    X, labels, _ = data()
    runs = []
    for jit_compile, inputs in ((False, X), (True, np.asfortranarray(X))):
        net = gn.mlp([5, 16, 3], "tanh", seed=2, dtype="float64")
        net.fit(inputs, labels, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=2,
                batch_size=16, shuffle=False, verbose=0, jit_compile=jit_compile)  # fmt: skip
        runs.append(weights(net))
    for a, b in zip(*runs, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


def test_one_hot_targets_train_from_their_labels():
    X, labels, _ = data()
    T = np.eye(3)[labels]  # (N, 3) one-hot rows
    runs = {}
    for name, targets, jit_compile in [("one-hot", T, True), ("labels", labels, True),
                                       ("one-hot, layer by layer", T, False)]:  # fmt: skip
        net = gn.mlp([5, 16, 3], "relu", seed=3, dtype="float64")
        h = net.fit(X, targets, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=2,
                    batch_size=16, verbose=0, seed=1, jit_compile=jit_compile)  # fmt: skip
        assert h.params["compiled_step"] is jit_compile
        runs[name] = (weights(net), h.history["loss"], h.history["accuracy"])
    for a, b in zip(runs["one-hot"][0], runs["labels"][0], strict=True):
        np.testing.assert_array_equal(a, b)  # the very same step
    assert runs["one-hot"][1:] == runs["labels"][1:]
    for a, b in zip(runs["one-hot"][0], runs["one-hot, layer by layer"][0], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(runs["one-hot"][1], runs["one-hot, layer by layer"][1], rtol=1e-12)
    assert runs["one-hot"][2] == runs["one-hot, layer by layer"][2]


def test_one_hot_labels_accepts_exact_one_hot_rows_only():
    T = np.eye(4)[[3, 0, 2]]
    np.testing.assert_array_equal(compiled_step.one_hot_labels(T), [3, 0, 2])
    assert compiled_step.one_hot_labels(T.astype(np.float32)).dtype == np.int64
    for bad in (T * 0.9 + 0.025, np.array([[0.5, 0.5, 0, 0]]), np.array([[2.0, -1, 0, 0]])):
        assert compiled_step.one_hot_labels(bad) is None  # soft, or not 0/1 rows
    assert compiled_step.one_hot_labels(np.array([0, 1])) is None  # labels are not rows
    net = gn.mlp([5, 3], seed=0)
    assert compiled_step.why_not(net, CrossEntropy(), np.eye(3)[[2, 0]]) is None
    reason = compiled_step.why_not(net, CrossEntropy(), np.array([0.0, 2.0]))
    assert reason == "cross_entropy's targets are not integer labels"  # fit makes them int64


def dropout_net(spec, dtype, seed=3):
    """A 5-16-8-3 network with Dropout(p) where ``spec`` puts them: "input", "hidden" (after
    each hidden activation), "bare" (after a Dense with no activation) or "zero" (p = 0)."""
    act = {"tanh": gn.Tanh, "sigmoid": gn.Sigmoid}.get(spec, gn.ReLU)
    layers = {
        "input": [gn.Dropout(0.2), gn.Dense(5, 16), act(), gn.Dense(16, 8), act()],
        "bare": [gn.Dense(5, 16), gn.Dropout(0.3), gn.Dense(16, 8), act()],
        "zero": [gn.Dense(5, 16), act(), gn.Dropout(0.0), gn.Dense(16, 8), act()],
    }.get(spec, [gn.Dense(5, 16), act(), gn.Dropout(0.3), gn.Dense(16, 8), act(),
                 gn.Dropout(0.5)])  # fmt: skip
    return gn.Sequential([*layers, gn.Dense(8, 3)], dtype=dtype, seed=seed)


@pytest.mark.parametrize("spec", ["hidden", "input", "bare", "zero", "tanh", "sigmoid"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_dropout_drops_the_same_units_as_the_layer_by_layer_step(spec, optimizer):
    X, labels, _ = data()
    opt = (lambda: gn.SGD(lr=0.05, momentum=0.9)) if optimizer == "momentum" else optimizer
    runs = both_ways(lambda: dropout_net(spec, "float64"), X, labels, opt,
                     loss="cross_entropy", lr=0.05, epochs=3, batch_size=32, seed=1)  # fmt: skip
    assert_alike(runs, atol=1e-12, loss_rtol=1e-12, accuracy=True)
    fast = runs[1][0]
    assert not np.allclose(fast[0], dropout_net(spec, "float64").parameters()[0].value)


def test_dropout_in_float32_and_with_mse():
    X, _, targets = data()
    for dtype, rtol in (("float32", 1e-4), ("float64", 1e-12)):
        runs = []
        for jit_compile in (False, True):
            net = dropout_net("hidden", dtype)
            net = gn.Sequential([*net.layers[:-1], gn.Dense(8, 2)], dtype=dtype, seed=3)
            h = net.fit(X, targets, loss="mse", optimizer="sgd", lr=0.05, epochs=2,
                        batch_size=32, seed=4, verbose=0, jit_compile=jit_compile)  # fmt: skip
            runs.append((weights(net), h.history["loss"]))
        for a, b in zip(runs[0][0], runs[1][0], strict=True):
            assert a.dtype == b.dtype == np.dtype(dtype)
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)
        np.testing.assert_allclose(runs[0][1], runs[1][1], rtol=rtol)


def test_a_dropout_step_worked_by_hand():
    # x = [1, 2] -> Dropout(0.5) -> Dense(2, 1), MSE against t = 0: with mask m (0 or 2),
    # y = (m * x) W + b; dE/dW = 2 y (m * x), dE/db = 2 y
    net = gn.Sequential([gn.Dropout(0.5, rng=np.random.default_rng(0)),
                         gn.Dense(2, 1, weights=[[0.5], [0.25]], bias=[0.0])], dtype="float64")  # fmt: skip
    u = np.random.default_rng(0).random((1, 2))  # the draw the step will make: 0.64, 0.27
    mask = np.where(u >= 0.5, 2.0, 0.0)
    assert mask.tolist() == [[2.0, 0.0]]  # the first input kept (doubled), the second dropped
    x, lr = np.array([[1.0, 2.0]]), 0.1
    step = compiled_step.CompiledStep(net, MSE(), np.zeros((1, 1)), batch_size=1)
    E = step.run(x, np.array([0]), None, SGD(net, lr=lr))
    d = mask * x
    y = float((d @ np.array([0.5, 0.25]))[0])  # 2 * 1 * 0.5 = 1
    assert E == pytest.approx(y**2, rel=1e-15)
    np.testing.assert_allclose(net.layers[1].params["W"].ravel(),
                               np.array([0.5, 0.25]) - lr * 2 * y * d.ravel(), rtol=1e-15)  # fmt: skip
    np.testing.assert_allclose(net.layers[1].params["b"], [-lr * 2 * y], rtol=1e-15)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_binary_cross_entropy_after_a_sigmoid(activation, optimizer, dropout):
    X, labels, _ = data()
    T = (labels > 0).astype(np.float64).reshape(-1, 1)  # (N, 1) binary targets
    opt = (lambda: gn.SGD(lr=0.1, momentum=0.9)) if optimizer == "momentum" else optimizer
    act = {"relu": gn.ReLU, "tanh": gn.Tanh}[activation]

    def build():
        return gn.Sequential([gn.Dense(5, 16), act(), gn.Dropout(dropout), gn.Dense(16, 1),
                              gn.Sigmoid()], dtype="float64", seed=3)  # fmt: skip

    runs = both_ways(build, X, T, opt, loss="binary_cross_entropy", lr=0.1, epochs=3,
                     batch_size=32, seed=1)  # fmt: skip
    assert_alike(runs, atol=1e-12, loss_rtol=1e-12, accuracy=True)
    assert 0.5 < runs[1][1].history["accuracy"][-1] <= 1.0


def test_binary_cross_entropy_in_float32():
    X, labels, _ = data()
    T = (labels > 0).astype(np.float32).reshape(-1, 1)
    runs = []
    for jit_compile in (False, True):
        net = gn.mlp([5, 16, 1], "relu", output_activation="sigmoid", seed=2)
        h = net.fit(X, T, loss="binary_cross_entropy", optimizer="sgd", lr=0.1, epochs=3,
                    batch_size=32, seed=1, verbose=0, jit_compile=jit_compile)  # fmt: skip
        runs.append((weights(net), h.history["loss"]))
    for a, b in zip(runs[0][0], runs[1][0], strict=True):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(runs[0][1], runs[1][1], rtol=1e-4)


def test_one_binary_step_of_the_articles_network_worked_by_hand():
    # the article's two nodes with cross-entropy: y = sigmoid(w x + b), E = -log y for t = 1,
    # dE/dz = y - t, so w <- w - lr (y - t) x and b <- b - lr (y - t)
    net = gn.Sequential([gn.Dense(1, 1, weights=[[0.5]], bias=[0.1]), gn.Sigmoid()],
                        dtype="float64")  # fmt: skip
    x, t, lr = 2.0, 1.0, 0.5
    step = compiled_step.CompiledStep(net, gn.BinaryCrossEntropy(), np.array([[t]]), 1)
    predicted = np.zeros(1, bool)
    E = step.run(np.array([[x]]), np.array([0]), predicted, SGD(net, lr=lr))
    y = 1 / (1 + math.exp(-1.1))  # sigmoid(0.5 * 2 + 0.1) = 0.750260...
    assert E == pytest.approx(-math.log(y), rel=1e-14)
    assert predicted.tolist() == [True]  # y > 0.5
    assert net.layers[0].params["W"][0, 0] == pytest.approx(0.5 - lr * (y - t) * x, rel=1e-14)
    assert net.layers[0].params["b"][0] == pytest.approx(0.1 - lr * (y - t), rel=1e-14)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse", "binary_cross_entropy"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_sample_weights_give_the_layer_by_layer_weighted_mean(loss, optimizer):
    X, labels, targets = data()
    w = np.random.default_rng(5).uniform(0, 3, len(X))
    w[:32] = 0  # a first batch (unshuffled below) whose weights sum to 0 teaches nothing
    T = {"cross_entropy": labels, "mse": targets,
         "binary_cross_entropy": (labels > 0).astype(float).reshape(-1, 1)}[loss]  # fmt: skip
    output = "sigmoid" if loss == "binary_cross_entropy" else None
    widths = [5, 16, T.shape[1] if T.ndim == 2 else 3]
    runs = both_ways(lambda: gn.mlp(widths, "tanh", seed=3, dtype="float64",
                                    output_activation=output),
                     X, T, optimizer, sample_weight=w, loss=loss, lr=0.05, epochs=3,
                     batch_size=32, seed=1, shuffle=False)  # fmt: skip
    assert_alike(runs, atol=1e-12, loss_rtol=1e-12)


def test_class_weights_train_alike():
    X, labels, _ = data()
    runs = both_ways(lambda: gn.mlp([5, 16, 3], "relu", seed=3, dtype="float64"), X, labels,
                     class_weight="balanced", loss="cross_entropy", lr=0.05, epochs=3,
                     batch_size=32, seed=1)  # fmt: skip
    assert_alike(runs, atol=1e-12, loss_rtol=1e-12, accuracy=True)


def test_a_weighted_step_worked_by_hand():
    # two samples of the article's network y = w x + b (no activation), MSE against 0 with
    # weights 3 and 1: E_w = (3 y1^2 + y2^2) / 4 and dE_w/dy_n = 2 w_n y_n / 4
    net = gn.Sequential([gn.Dense(1, 1, weights=[[0.5]], bias=[0.0])], dtype="float64")
    X, lr = np.array([[1.0], [3.0]]), 0.1
    step = compiled_step.CompiledStep(net, MSE(), np.zeros((2, 1)), 2, weights=np.array([3.0, 1.0]))
    E = step.run(X, np.array([0, 1]), None, SGD(net, lr=lr))
    y = np.array([0.5, 1.5])
    assert E == pytest.approx((3 * 0.25 + 2.25) / 4, rel=1e-15)  # 0.75
    grad_y = 2 * np.array([3.0, 1.0]) * y / 4  # [0.75, 0.75]
    assert net.layers[0].params["W"][0, 0] == pytest.approx(0.5 - lr * (grad_y @ X[:, 0]))
    assert net.layers[0].params["b"][0] == pytest.approx(-lr * grad_y.sum())


def test_elu_with_its_own_alpha():
    X, labels, _ = data()

    def build():
        return gn.Sequential([gn.Dense(5, 16), gn.ELU(0.5), gn.Dense(16, 3)], dtype="float64",
                             seed=4)  # fmt: skip

    runs = both_ways(build, X, labels, loss="cross_entropy", lr=0.1, epochs=3, batch_size=32,
                     seed=1)  # fmt: skip
    assert_alike(runs, atol=1e-12, loss_rtol=1e-12)
    assert compiled_step._structure(build())[2] == [0.5, 0.0]  # the slope reaches the kernel


def test_gelu_with_the_tanh_approximation():
    X, labels, _ = data()

    def build():
        return gn.Sequential([gn.Dense(5, 16), gn.GELU(approximate="tanh"), gn.Dense(16, 3)],
                             dtype="float64", seed=4)  # fmt: skip

    runs = both_ways(build, X, labels, loss="cross_entropy", lr=0.1, epochs=3, batch_size=32,
                     seed=1)  # fmt: skip
    assert_alike(runs, atol=1e-12, loss_rtol=1e-12)
    assert compiled_step._structure(build())[1] == [9, 0]  # the tanh form's own code


@pytest.mark.parametrize("trial", range(24))
def test_random_networks_train_alike_both_ways(trial):
    """Random plain MLPs (activations, dropouts, losses, optimisers, weights, clipping, batch
    sizes drawn by ``trial``): the compiled step and the layer-by-layer step agree."""
    r = random.Random(trial)
    rng = np.random.default_rng(trial)
    X, labels = rng.standard_normal((90, 6)), rng.integers(0, 3, 90)
    activations = [gn.ReLU, gn.Tanh, gn.Sigmoid, gn.ELU, gn.Softplus, gn.SiLU, gn.GELU,
                   lambda: gn.GELU(approximate="tanh"), lambda: gn.LeakyReLU(0.1), None]  # fmt: skip
    loss = r.choice(["cross_entropy", "one-hot", "mse", "binary_cross_entropy"])
    widths = [6] + [r.choice([4, 7, 9]) for _ in range(r.randint(1, 3))]

    def build():
        rb = random.Random(trial + 1000)  # the same layers for both runs
        layers = [gn.Dropout(rb.choice([0.1, 0.5]))] if rb.random() < 0.3 else []
        for a, b in zip(widths[:-1], widths[1:], strict=True):
            layers.append(gn.Dense(a, b))
            activation = rb.choice(activations)
            if activation is not None:
                layers.append(activation())
            if rb.random() < 0.4:
                layers.append(gn.Dropout(rb.choice([0.0, 0.2, 0.5])))
        layers.append(gn.Dense(widths[-1], {"mse": 2, "binary_cross_entropy": 1}.get(loss, 3)))
        if loss == "binary_cross_entropy":
            layers.append(gn.Sigmoid())
        return gn.Sequential(layers, dtype="float64", seed=trial)

    T = {"cross_entropy": labels, "one-hot": np.eye(3)[labels], "mse": X[:, :2] ** 2,
         "binary_cross_entropy": (labels > 0).astype(float).reshape(-1, 1)}[loss]  # fmt: skip
    optimizer = r.choice(["sgd", "adam", "rmsprop", "momentum"])
    nesterov, batch = r.random() < 0.5, r.choice([8, 32])
    weights_ = rng.uniform(0, 2, 90) if r.random() < 0.3 else None
    clip = 1.0 if r.random() < 0.2 else None
    if optimizer == "momentum":
        optimizer = lambda: SGD(lr=0.05, momentum=0.9, nesterov=nesterov)  # noqa: E731
    runs = both_ways(build, X, T, optimizer, loss="cross_entropy" if loss == "one-hot" else loss,
                     lr=0.05, epochs=2, batch_size=batch, seed=1, sample_weight=weights_,
                     clip_norm=clip)  # fmt: skip
    assert_alike(runs, atol=1e-10, loss_rtol=1e-10)


def _through_the_step_interface(step, net, loss, opt, X, batches):
    """What fit's batch loop does with either step: ``run(X, idx, predicted, optimizer)`` per
    batch; return the errors and the predicted labels."""
    errors, predicted = [], []
    with training_mode(net, loss):
        for idx in batches:
            into = np.empty(len(idx), np.int64 if net.out_features > 1 else bool)
            errors.append(step.run(X, idx, into, opt))
            predicted.append(into)
    return errors, predicted


@pytest.mark.parametrize(
    "case",
    ["sgd", "momentum", "adam", "clipped binary weighted", "dropout mse"],
)
def test_fits_two_steps_are_interchangeable_through_the_step_interface(case):
    rng = np.random.default_rng(5)
    X, labels, targets = data(60)
    binary = case.startswith("clipped")
    loss = {"clipped binary weighted": gn.BinaryCrossEntropy(), "dropout mse": MSE()}.get(
        case, CrossEntropy()
    )
    T = {"clipped binary weighted": (labels > 0).astype(np.float64).reshape(-1, 1),
         "dropout mse": targets}.get(case, labels)  # fmt: skip
    w = rng.random(60) + 0.1 if binary else None
    hook = with_clipping(None, 0.05, None, {}) if binary else None
    out = {"clipped binary weighted": 1, "dropout mse": 2}.get(case, 3)

    def build():
        net = gn.mlp([5, 8, out], "tanh", "sigmoid" if binary else None, seed=2, dtype="float64",
                     dropout=0.3 if case == "dropout mse" else 0.0)  # fmt: skip
        make = {"momentum": lambda: SGD(net, lr=0.1, momentum=0.9, nesterov=True),
                "adam": lambda: gn.Adam(net, lr=0.01)}.get(case, lambda: SGD(net, lr=0.1))  # fmt: skip
        return net, make()

    batches = [rng.permutation(60)[:16] for _ in range(6)] + [np.arange(7)]
    runs = []
    for compiled in (False, True):
        net, opt = build()
        if compiled:
            step = compiled_step.plan(net, loss, opt, T, w, hook, 16, True)
            assert isinstance(step, compiled_step.CompiledStep)
            assert step.updates is (case in ("sgd", "momentum", "dropout mse"))
        else:
            step = LayerStep(net, loss, X, T, 16, w, hook)
        assert isinstance(step, Step)
        runs.append((*_through_the_step_interface(step, net, loss, opt, X, batches), weights(net)))
    (e_slow, p_slow, w_slow), (e_fast, p_fast, w_fast) = runs
    np.testing.assert_allclose(e_fast, e_slow, rtol=1e-12)
    if case != "dropout mse":  # (a regression has no classes: its labels are not compared)
        for a, b in zip(p_slow, p_fast, strict=True):
            np.testing.assert_array_equal(a, b)
    for a, b in zip(w_slow, w_fast, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-11, atol=1e-13)
    assert not np.allclose(w_slow[0], build()[0].parameters()[0].value)  # it trained
