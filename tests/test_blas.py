"""The BLAS fast paths: axpy against NumPy's arithmetic, the small products through np.dot
bit for bit equal to np.matmul, and sum |x| (with the check that keeps it only where NaN and
inf reach the sum)."""

import ctypes

import numpy as np
import pytest

from glassnet.fast import blas
from glassnet.fast.blas import MIN_SIZE, SMALL_PRODUCT, abs_sum, axpy, has_blas_axpy, product


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [5, MIN_SIZE + 3])  # NumPy's two calls, then BLAS (where found)
def test_axpy_is_y_plus_a_x(dtype, n):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)
    expected = (y + dtype(-0.3) * x).astype(dtype)
    axpy(-0.3, x, y, scratch=np.empty_like(x))
    eps = np.finfo(dtype).eps  # BLAS may fuse the multiply-add: rounding apart, near 0 too
    np.testing.assert_allclose(y, expected, rtol=4 * eps, atol=4 * eps * np.abs(x).max())
    assert y.dtype == dtype
    assert isinstance(has_blas_axpy(), bool)


@pytest.mark.parametrize(
    "shape_a,shape_b,transpose_a",
    [((10, 2), (2, 8), False), ((10, 8), (10, 8), True), ((10,), (10, 8), False),
     ((128, 784), (784, 256), False), ((128, 784), (128, 256), True)],
)  # fmt: skip
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_product_is_matmul_bit_for_bit(shape_a, shape_b, transpose_a, dtype, monkeypatch):
    rng = np.random.default_rng(1)
    a = rng.standard_normal(shape_a).astype(dtype)
    a = a.T if transpose_a else a  # X^T G, as dE/dW takes it
    b = rng.standard_normal(shape_b).astype(dtype)
    expected = np.matmul(a, b)
    small = expected.size <= SMALL_PRODUCT
    dot, calls = np.dot, []
    monkeypatch.setattr(np, "dot", lambda *args, **kw: calls.append(1) or dot(*args, **kw))
    for fitting in (True, False):
        out = np.empty_like(expected)
        assert product(a, b, out, fitting) is out
        np.testing.assert_array_equal(out, expected)
    assert small == (expected.size <= 4096)
    assert len(calls) == (1 if small else 0)  # np.dot only while fitting, only when small


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 67, MIN_SIZE + 5])
def test_abs_sum_is_the_sum_of_absolute_values(dtype, n):
    x = np.random.default_rng(2).standard_normal(n).astype(dtype)
    total = abs_sum(x)
    if np.dtype(dtype) in blas._ASUM:  # NumPy's OpenBLAS is found on the machines this runs on
        assert total == pytest.approx(np.abs(x.astype(np.float64)).sum(), rel=1e-5)
    else:
        assert total is None


def test_abs_sum_takes_only_contiguous_float_arrays():
    assert abs_sum(np.arange(5)) is None  # integers
    assert abs_sum(np.ones((4, 3))[:, :2]) is None  # not contiguous
    assert abs_sum(np.ones(0)) is None  # empty


def test_an_asum_that_drops_nan_or_inf_is_not_used():
    assert blas._propagates(lambda n, ptr, inc: 1.0, np.float32) is False  # ignores its input

    def skips_last(n, ptr, inc):  # a kernel whose tail loop misses the last value
        x = np.ctypeslib.as_array(ctypes.cast(ptr, ctypes.POINTER(ctypes.c_double)), (n,))
        return float(np.abs(x[: n - 1]).sum())

    assert blas._propagates(skips_last, np.float64) is False
    for dtype, fn in blas._ASUM.items():  # the ones in use pass the check
        assert blas._propagates(fn, dtype)
