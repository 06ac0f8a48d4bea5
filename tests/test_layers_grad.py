"""Gradients against central differences, over shapes and seeds drawn by hypothesis; and
numerical stability of the sigmoid, the softmax and the losses for |z| up to 1e4.

For a layer f and a fixed upstream gradient G, E(x) = sum(f(x) * G), so backward(G) must
equal dE/dx = (E(x + h e_i) - E(x - h e_i)) / 2h entry by entry.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glassnet as gn

FAST = settings(max_examples=25, deadline=None)
sizes = st.integers(1, 4)
seeds = st.integers(0, 2**32 - 1)


def numeric_grad(fn, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar fn(x) with respect to every entry of x."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = fn(x)
        x[idx] = old - h
        minus = fn(x)
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def assert_grad_close(analytic: np.ndarray, numeric: np.ndarray) -> None:
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def away_from_kinks(x: np.ndarray) -> np.ndarray:
    """Push entries off the ReLU kink at 0, where the derivative is undefined."""
    return np.where(np.abs(x) < 1e-3, 0.5, x)


ACTIVATIONS = [
    gn.Sigmoid,
    gn.Tanh,
    gn.ReLU,
    lambda: gn.LeakyReLU(0.2),
    lambda: gn.ELU(0.7),
    gn.SiLU,
    gn.GELU,
    lambda: gn.GELU("tanh"),
    gn.Softplus,
    gn.Softmax,
    gn.Identity,
]


@pytest.mark.parametrize("make", ACTIVATIONS)
@FAST
@given(n=sizes, d=sizes, seed=seeds)
def test_activation_backward_equals_central_differences(make, n, d, seed):
    rng = np.random.default_rng(seed)
    x = away_from_kinks(rng.normal(scale=2.0, size=(n, d)))  # (n, d)
    G = rng.normal(size=(n, d))  # (n, d)
    act = make()
    act.forward(x)
    analytic = act.backward(G).copy()
    assert_grad_close(analytic, numeric_grad(lambda v: float(np.sum(make().forward(v) * G)), x))


@FAST
@given(n=sizes, d_in=sizes, d_out=sizes, seed=seeds)
def test_dense_backward_equals_central_differences(n, d_in, d_out, seed):
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(d_in, d_out)), rng.normal(size=d_out)
    x, G = rng.normal(size=(n, d_in)), rng.normal(size=(n, d_out))
    layer = gn.Dense(d_in, d_out, weights=W, bias=b, dtype=np.float64)
    layer.forward(x)
    dx = layer.backward(G).copy()

    def energy(x_, W_=W, b_=b):
        return float(np.sum((x_ @ W_ + b_) * G))

    assert_grad_close(dx, numeric_grad(energy, x.copy()))
    assert_grad_close(layer.grads["W"], numeric_grad(lambda w: energy(x, w, b), W.copy()))
    assert_grad_close(layer.grads["b"], numeric_grad(lambda v: energy(x, W, v), b.copy()))


@FAST
@given(n=sizes, d=sizes, p=st.sampled_from([0.1, 0.5, 0.8]), seed=seeds)
def test_dropout_backward_equals_central_differences_with_a_fixed_mask(n, d, p, seed):
    rng = np.random.default_rng(seed)
    x, G = rng.normal(size=(n, d)), rng.normal(size=(n, d))

    def dropout() -> gn.Dropout:  # the same seed draws the same mask every time
        drop = gn.Dropout(p, rng=np.random.default_rng(seed))
        drop.training = True
        return drop

    drop = dropout()
    drop.forward(x)
    analytic = drop.backward(G)
    assert_grad_close(analytic, numeric_grad(lambda v: float(np.sum(dropout().forward(v) * G)), x))


def _targets(loss: str, rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    if loss == "cross_entropy":
        return rng.integers(0, k, size=n)
    if loss == "binary_cross_entropy":
        return rng.uniform(0, 1, size=(n, k))
    return rng.normal(size=(n, k))


LOSS_NETS = [  # (loss, output activation)
    ("mse", None),
    ("mse", "tanh"),
    ("mse", "softmax"),
    ("binary_cross_entropy", "sigmoid"),
    ("cross_entropy", None),
]


@pytest.mark.parametrize(("loss", "out_act"), LOSS_NETS)
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
@FAST
@given(n=sizes, d_in=sizes, d_hidden=sizes, k=st.integers(2, 4), seed=seeds)
def test_every_loss_and_activation_pass_gradcheck(
    loss, out_act, hidden, n, d_in, d_hidden, k, seed
):
    rng = np.random.default_rng(seed)
    net = gn.mlp([d_in, d_hidden, k], hidden, output_activation=out_act, dtype="float64", seed=seed)
    X = rng.normal(size=(n, d_in))
    report = gn.gradcheck(net, X, _targets(loss, rng, n, k), loss=loss, tolerance=1e-5)
    if hidden in ("relu", "leaky_relu") and not report.passed:
        # a pre-activation within eps of the kink makes the difference quotient meaningless
        z = net.copy("float64").layers[0].forward(X)
        assert np.abs(z).min() < 1e-4, str(report)
        return
    assert report.passed, str(report)


@FAST
@given(n=sizes, k=sizes, seed=seeds)
def test_bce_from_logits_gradient_equals_central_differences(n, k, seed):
    rng = np.random.default_rng(seed)
    z, t = rng.normal(scale=3.0, size=(n, k)), rng.uniform(0, 1, size=(n, k))
    loss = gn.BinaryCrossEntropy(from_logits=True)
    loss.forward(z, t)
    analytic = loss.backward().copy()
    fresh = gn.BinaryCrossEntropy(from_logits=True)
    assert_grad_close(analytic, numeric_grad(lambda v: fresh.forward(v, t), z))


@FAST
@given(n=sizes, k=st.integers(2, 5), seed=seeds)
def test_cross_entropy_soft_targets_gradient_equals_central_differences(n, k, seed):
    rng = np.random.default_rng(seed)
    z, t = rng.normal(scale=3.0, size=(n, k)), rng.dirichlet(np.ones(k), size=n)
    loss = gn.CrossEntropy()
    loss.forward(z, t)
    analytic = loss.backward().copy()
    fresh = gn.CrossEntropy()
    assert_grad_close(analytic, numeric_grad(lambda v: fresh.forward(v, t), z.copy()))


# -- numerical stability ------------------------------------------------------------------
EXTREMES = np.array([[-1e4, -1e3, -100.0, -30.0, 0.0, 30.0, 100.0, 1e3, 1e4]])


@pytest.fixture
def strict():
    """Any NumPy RuntimeWarning (overflow, divide, invalid) inside the test is an error."""
    with np.errstate(over="warn", divide="warn", invalid="warn"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable(strict, dtype):
    z = EXTREMES.astype(dtype)
    s = gn.Sigmoid()
    y = s.forward(z)
    assert y.dtype == dtype and np.isfinite(y).all()
    assert y[0, 0] == 0.0 and y[0, -1] == 1.0 and y[0, 4] == 0.5
    g = s.backward(np.ones_like(z))
    assert g.dtype == dtype and np.isfinite(g).all() and g[0, 4] == 0.25


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable(strict, dtype):
    z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [1e4, 1e4, 0.0]], dtype=dtype)
    s = gn.Softmax()
    y = s.forward(z)
    assert y.dtype == dtype and np.isfinite(y).all()
    np.testing.assert_allclose(y, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]], rtol=1e-6)
    g = s.backward(np.ones_like(z))
    assert np.isfinite(g).all()
    assert np.isfinite(s.local_grad()).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_are_stable_for_huge_logits(strict, dtype):
    z = EXTREMES.astype(dtype)  # (1, 9)
    t0, t1 = np.zeros_like(z), np.ones_like(z)
    for loss, y, t in [
        (gn.BinaryCrossEntropy(from_logits=True), z, t0),
        (gn.BinaryCrossEntropy(from_logits=True), z, t1),
        (gn.BinaryCrossEntropy(), gn.Sigmoid().forward(z), t0),
        (gn.BinaryCrossEntropy(), gn.Sigmoid().forward(z), t1),
        (gn.MSE(), z, t1),
        (gn.CrossEntropy(), z, np.array([0])),
        (gn.CrossEntropy(), z, np.array([8])),
        (gn.CrossEntropy(), np.vstack([z, -z]), np.eye(9, dtype=dtype)[[0, 8]]),
    ]:
        value = loss.forward(y, t)
        grad = loss.backward()
        assert np.isfinite(value), (loss, value)
        assert grad.dtype == dtype and np.isfinite(grad).all(), loss
    # exact values where the answer is known: BCE(z=1e4, t=0) = 1e4, CE = 1e4 - (-1e4)
    bce = gn.BinaryCrossEntropy(from_logits=True)
    assert bce.forward(np.array([[1e4]], dtype), np.array([[0.0]], dtype)) == pytest.approx(1e4)
    ce = gn.CrossEntropy()
    assert ce.forward(z, np.array([0])) == pytest.approx(2e4, rel=1e-6)
    assert ce.forward(z, np.array([8])) == pytest.approx(0.0, abs=1e-6)
    # probabilities of exactly 0 or 1 give the clamped, finite error -log(e^-100) = 100
    assert gn.BinaryCrossEntropy().forward(np.array([[0.0]], dtype), np.array([[1.0]], dtype)) == (
        pytest.approx(100.0)
    )
