"""The compiled kernels of fit (glassnet.fast.jit) against the NumPy code they replace."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet.activations import ReLU
from glassnet.fast import jit
from glassnet.losses import CrossEntropy

needs_numba = pytest.mark.skipif(not jit.enabled(), reason="numba is not installed")


@pytest.fixture
def jit_off(monkeypatch):
    """Run the NumPy code even where numba is installed."""
    monkeypatch.setitem(jit._state, "enabled", False)
    monkeypatch.setitem(jit._state, "checked", True)


def _ce_numpy(z: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    loss = CrossEntropy()  # untrusted labels: always the NumPy code
    return loss.forward(z, t), loss.backward().copy()


@needs_numba
@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-6), (np.float64, 1e-12)])
@pytest.mark.parametrize("label_dtype", [np.int64, np.int32])
def test_softmax_cross_entropy_kernel_matches_numpy(dtype, tol, label_dtype) -> None:
    rng = np.random.default_rng(0)
    z = (rng.standard_normal((40, 7)) * 5).astype(dtype)  # (N, K)
    t = rng.integers(0, 7, 40).astype(label_dtype)
    expect_E, expect_g = _ce_numpy(z, t)
    g = np.empty_like(z)
    E = jit.softmax_cross_entropy(z, t, g)
    assert isinstance(E, float) and g.dtype == dtype
    assert E == pytest.approx(expect_E, rel=tol)
    np.testing.assert_allclose(g, expect_g, rtol=tol, atol=tol)


@needs_numba
def test_softmax_cross_entropy_kernel_by_hand_and_at_extremes() -> None:
    g = np.empty((2, 2))
    # row 1: z = (0, 0), t = 1: E = log 2, dE/dz = (0.5, -0.5)/2; row 2: z = (1000, 0), t = 0: E = 0
    E = jit.softmax_cross_entropy(np.array([[0.0, 0.0], [1000.0, 0.0]]), np.array([1, 0]), g)
    assert E == pytest.approx(np.log(2) / 2, rel=1e-12)  # no overflow from exp(1000)
    np.testing.assert_allclose(g, [[0.25, -0.25], [0.0, 0.0]], atol=1e-15)
    E = jit.softmax_cross_entropy(np.array([[np.nan, 0.0]]), np.array([0]), np.empty((1, 2)))
    assert np.isnan(E)  # fit's divergence check sees it


@needs_numba
def test_softmax_cross_entropy_kernel_gives_each_rows_argmax() -> None:
    rng = np.random.default_rng(3)
    z = rng.standard_normal((50, 6)).astype(np.float32)  # (N, K)
    z[0] = [1, 3, 3, 0, 3, 2]  # a tie: the first of the largest, as np.argmax
    z[1] = [5, 1, 1, 1, 1, 1]  # the first class
    z[2] = [0, 0, 0, 0, 0, 9]  # the last class
    predicted = np.full(50, -1, np.int64)
    jit.softmax_cross_entropy(z, np.zeros(50, np.int64), np.empty_like(z), None, predicted)
    np.testing.assert_array_equal(predicted, np.argmax(z, axis=1))
    assert predicted[:3].tolist() == [1, 0, 5]
    loss = CrossEntropy()
    loss.trusted_labels = True  # fit's path: the loss keeps what the kernel found
    loss.forward(z, np.zeros(50, np.int64))
    np.testing.assert_array_equal(loss.predicted, np.argmax(z, axis=1))
    loss.trusted_labels = False  # NumPy's path finds no labels: fit takes its own argmax
    loss.forward(z, np.zeros(50, np.int64))
    assert loss.predicted is None


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_backward_kernel_matches_numpy(dtype) -> None:
    rng = np.random.default_rng(1)
    y = np.maximum(rng.standard_normal((33, 20)), 0).astype(dtype)  # a ReLU output
    y[0, :5] = 0.0
    grad = rng.standard_normal((33, 20)).astype(dtype)
    out = jit.relu_backward(grad, y, np.empty_like(grad))
    np.testing.assert_array_equal(out, grad * (y > 0))  # exact: a copy or a zero
    assert out.dtype == dtype


@needs_numba
def test_fit_uses_the_kernels_only_on_large_enough_arrays() -> None:
    relu = ReLU()
    relu.reuse_buffers = True
    y = relu.forward(np.array([[-1.0, 2.0]], np.float32))
    g = relu.backward(np.array([[3.0, 4.0]], np.float32))
    np.testing.assert_array_equal(g, [[0, 4]])  # 2 elements < MIN_SIZE: the NumPy code
    assert y.size < jit.MIN_SIZE
    assert not jit.worth(jit.MIN_SIZE - 1) and jit.worth(jit.MIN_SIZE)
    loss = CrossEntropy()
    loss.trusted_labels = True
    z = np.zeros((32, 10), np.float32)
    loss.forward(z, np.zeros(32, np.int64))
    assert loss.p is None  # the kernel ran (it keeps no softmax)
    np.testing.assert_allclose(loss.backward()[:, 0], -0.9 / 32, rtol=1e-6)  # (0.1 - 1)/32


def _train(dtype: str, history: dict | None = None) -> tuple[list[float], list[np.ndarray]]:
    rng = np.random.default_rng(0)
    X, T = rng.standard_normal((320, 12)), rng.integers(0, 5, 320)
    net = gn.mlp([12, 32, 16, 5], activation="relu", seed=1, dtype=dtype)
    h = net.fit(X, T, loss="cross_entropy", optimizer="sgd", lr=0.2, epochs=4,
                batch_size=64, seed=0, verbose=0)  # fmt: skip
    if history is not None:  # (64, 5) logits: past MIN_SIZE, so CE's kernel runs with numba
        history.update(h.history, kernel_argmax=net.loss_.predicted is not None)
    return h.history["loss"], [p.value.copy() for p in net.parameters()]


@needs_numba
@pytest.mark.parametrize("dtype, tol", [("float64", 1e-12), ("float32", 1e-5)])
def test_fit_with_and_without_kernels_agree(dtype, tol, monkeypatch) -> None:
    with_kernels: dict = {}
    loss_jit, w_jit = _train(dtype, with_kernels)
    monkeypatch.setitem(jit._state, "enabled", False)
    without: dict = {}
    loss_np, w_np = _train(dtype, without)
    # the accuracy from the kernel's argmax is fit's own argmax of the same outputs
    assert with_kernels["kernel_argmax"] and not without["kernel_argmax"]
    assert with_kernels["accuracy"] == without["accuracy"]
    assert 0.2 < with_kernels["accuracy"][-1] <= 1.0
    np.testing.assert_allclose(loss_jit, loss_np, rtol=tol)
    for a, b in zip(w_jit, w_np, strict=True):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_fit_learns_without_the_kernels(jit_off) -> None:
    losses, _ = _train("float32")
    assert losses[-1] < losses[0]
    assert not jit.worth(10**6)


def test_glassnet_no_jit_turns_the_kernels_off() -> None:
    code = "from glassnet.fast import jit; print(jit.enabled())"
    env = {"GLASSNET_NO_JIT": "1", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_import_glassnet_does_not_import_numba() -> None:
    code = "import sys, glassnet; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows", [1, 3, 5, 200])  # fewer rows than the read-ahead, and many
def test_gather_rows_equals_fancy_indexing(dtype, rows) -> None:
    rng = np.random.default_rng(2)
    X = rng.standard_normal((500, 37)).astype(dtype)
    idx = rng.permutation(500)[:rows]
    out = jit.gather_rows(X, idx, np.empty((rows, 37), dtype))
    np.testing.assert_array_equal(out, X[idx])  # 1-5 rows: np.take; 200 rows: the kernel


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows", [1, 3, 4, 5, 200])  # fewer rows than it asks ahead, and many
def test_prefetching_gathers_equal_fancy_indexing(dtype, rows) -> None:
    from glassnet.fast import prefetch

    rng = np.random.default_rng(4)
    X = rng.standard_normal((700, 37)).astype(dtype)  # 37: rows end mid cache line
    idx = rng.permutation(700)[:rows]
    compiled = 0
    for kernel in (prefetch._gather, prefetch._gather_typed):  # the instruction's two names
        out = np.full((rows, 37), np.nan, dtype)
        try:
            kernel(X, idx, out, prefetch.AHEAD, 64 // X.itemsize)
        except Exception:  # this LLVM takes only the other name
            continue
        compiled += 1
        np.testing.assert_array_equal(out, X[idx])
    assert compiled >= 1  # the LLVM of this numba compiles a prefetch


@needs_numba
def test_fit_gathers_with_the_prefetching_kernel() -> None:
    from glassnet.fast import prefetch

    kernel = jit._compile()["gather"]
    assert kernel is prefetch.build_gather()  # found here, so fit uses it
    assert kernel in (prefetch._gather_opaque, prefetch._gather_typed)
    assert jit._compile()["ahead"] == prefetch.AHEAD


def test_a_new_process_finds_the_compiled_kernels_in_numbas_cache() -> None:
    # numba keys its on-disk cache by a closure's variables; the prefetch intrinsic and the
    # gemm address must not be among them, or every process compiles again (seconds each)
    code = (
        "import numpy as np, glassnet as gn\n"
        "X = np.ones((64, 300), np.float32); y = np.arange(64) % 3\n"
        "gn.mlp([300, 8, 3], 'relu').fit(X, y, loss='cross_entropy', optimizer='sgd',"
        " batch_size=32, epochs=1, verbose=0, jit_compile=True)\n"
    )
    env = {**os.environ, "NUMBA_DEBUG_CACHE": "1"}
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
    second = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, env=env, text=True
    )
    saved = [line for line in second.stdout.splitlines() if "data saved" in line]
    assert saved == []  # the second process compiled nothing
    assert "step_kernel.step_cross_entropy" in second.stdout  # and loaded the step from disk
