"""Fast ways into the BLAS that NumPy ships: y <- y + a x in a single pass (:func:`axpy`),
small matrix products with less overhead a call (:func:`product`), the CBLAS gemm itself
(:func:`gemm_function`; its address, :func:`gemm_address`, is what the compiled training step
of :mod:`glassnet.train.compiled_step` calls from numba), and sum |x| on two threads
(:func:`abs_sum`, which checks a large X for NaN and inf).

NumPy has no axpy, so ``w -= lr * g`` reads and writes memory twice (a temporary for
``lr * g``, then the subtraction). For the weights of a real network that update is
memory-bound and costs as much as a matrix product. NumPy's wheels carry OpenBLAS; its
``saxpy``/``daxpy`` do the update in one pass (and on two threads for large arrays). When that
library cannot be found (another BLAS, another platform) or ``GLASSNET_NO_BLAS=1`` is set,
:func:`axpy` falls back to NumPy with identical semantics.
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Callable
from typing import Any

import numpy as np

#: below this many elements NumPy's two calls beat the ctypes call overhead
MIN_SIZE = 32768

_Fn = Callable[..., None]


def _find() -> tuple[ctypes.CDLL, str, str, type] | None:
    """NumPy's OpenBLAS and how its CBLAS symbols are named: (library, prefix, suffix, the
    integer type of sizes), or None."""
    if os.environ.get("GLASSNET_NO_BLAS"):
        return None
    libs_dir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libs_dir, "*openblas*.so*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix, index in (
            ("scipy_cblas_", "64_", ctypes.c_int64),
            ("cblas_", "64_", ctypes.c_int64),
            ("cblas_", "", ctypes.c_int),
        ):
            names = [f"{prefix}{x}{suffix}" for x in ("saxpy", "daxpy", "sgemm", "dgemm")]
            if all(hasattr(lib, name) for name in names):
                return lib, prefix, suffix, index
    return None


def _functions(
    found: tuple[ctypes.CDLL, str, str, type] | None,
) -> tuple[dict[np.dtype, _Fn], dict[np.dtype, _Fn], dict[np.dtype, _Fn]]:
    """The axpy, gemm and asum functions of each float dtype, with their C signatures set
    (asum only where the library has it)."""
    if found is None:
        return {}, {}, {}
    lib, prefix, suffix, index = found
    axpys, gemms, asums = {}, {}, {}
    enum, ptr = ctypes.c_int, ctypes.c_void_p
    for letter, real, dtype in (
        ("s", ctypes.c_float, np.float32),
        ("d", ctypes.c_double, np.float64),
    ):
        fn = getattr(lib, f"{prefix}{letter}axpy{suffix}")
        fn.restype = None
        fn.argtypes = [index, real, ptr, index, ptr, index]  # n, a, x, incx, y, incy
        axpys[np.dtype(dtype)] = fn
        fn = getattr(lib, f"{prefix}{letter}gemm{suffix}")
        fn.restype = None
        # order, trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc
        fn.argtypes = [enum, enum, enum, index, index, index, real, ptr, index, ptr, index]
        fn.argtypes += [real, ptr, index]
        gemms[np.dtype(dtype)] = fn
        fn = getattr(lib, f"{prefix}{letter}asum{suffix}", None)
        if fn is not None:
            fn.restype = real
            fn.argtypes = [index, ptr, index]  # n, x, incx
            asums[np.dtype(dtype)] = fn
    return axpys, gemms, asums


def _propagates(fn: _Fn, dtype: Any) -> bool:
    """Whether the asum ``fn`` returns NaN or inf whenever a value is one: checked with a
    single NaN, inf or -inf at each place of an array longer than a vector register's lanes
    (a kernel that dropped them would make :func:`abs_sum` unfit to check for them)."""
    x = np.ones(67, dtype)
    for bad in (np.nan, np.inf, -np.inf):
        for i in range(len(x)):
            x[i] = bad
            total = fn(len(x), x.ctypes.data, 1)
            x[i] = 1
            if np.isfinite(total):
                return False
    return True


_AXPY, _GEMM, _ASUM = _functions(_find())
_ASUM = {dtype: fn for dtype, fn in _ASUM.items() if _propagates(fn, dtype)}


def gemm_function(dtype: Any) -> _Fn | None:
    """The CBLAS gemm (C <- alpha op(A) op(B) + beta C) of NumPy's OpenBLAS for float32 or
    float64, as a ctypes function; None where that library is not found.

    Examples
    --------
    >>> gemm_function(np.int64) is None
    True
    """
    return _GEMM.get(np.dtype(dtype))


def gemm_address(dtype: Any) -> int | None:
    """The address of :func:`gemm_function`'s C function, for compiled code to call
    (:mod:`glassnet.train.step_kernel`); None where it is missing or takes 32-bit sizes.

    Examples
    --------
    >>> gemm_address(np.int64) is None
    True
    """
    fn = gemm_function(dtype)
    if fn is None or fn.argtypes[3] is not ctypes.c_int64:
        return None
    return ctypes.cast(fn, ctypes.c_void_p).value


def abs_sum(x: np.ndarray) -> float | None:
    """sum_i |x_i| over a C-contiguous float32 or float64 array, by the BLAS asum (on two
    threads for a large array: 3.5 ms over MNIST's 47 million float32 values here, against
    7.6 ms for ``x.sum()``); None where that function is missing or ``x`` is not such an array.

    The sum is NaN or inf when any value is (a check at import keeps the function only if it
    is), so a finite result proves every value finite.

    Examples
    --------
    >>> total = abs_sum(np.array([1.0, -2.0, 3.0]))
    >>> total is None or total == 6.0
    True
    >>> abs_sum(np.arange(3))  # integers: not for the BLAS
    """
    fn = _ASUM.get(x.dtype)
    if fn is None or not x.flags.c_contiguous or x.size == 0:
        return None
    return float(fn(x.size, x.ctypes.data, 1))


def has_blas_axpy() -> bool:
    """True when the single-pass BLAS axpy is in use.

    Examples
    --------
    >>> isinstance(has_blas_axpy(), bool)
    True
    """
    return bool(_AXPY)


def axpy(a: float, x: np.ndarray, y: np.ndarray, scratch: np.ndarray | None = None) -> None:
    """y <- y + a x, in place, for contiguous arrays of the same shape and float dtype.

    Parameters
    ----------
    a : float
        The scale.
    x, y : ndarray
        Same shape and dtype, C-contiguous; ``y`` is updated.
    scratch : ndarray, optional
        A buffer like ``x`` that the NumPy fallback uses instead of allocating a temporary.

    Examples
    --------
    >>> y = np.ones(3, dtype=np.float32); axpy(-0.5, np.full(3, 2, dtype=np.float32), y); y
    array([0., 0., 0.], dtype=float32)
    """
    fn = _AXPY.get(y.dtype) if y.size >= MIN_SIZE else None
    if fn is not None and x.dtype == y.dtype and x.flags.c_contiguous and y.flags.c_contiguous:
        fn(y.size, a, x.ctypes.data, 1, y.ctypes.data, 1)
        return
    if scratch is None:
        y += a * x
    else:
        np.multiply(x, a, out=scratch)
        y += scratch


#: while fitting, products with at most this many output elements go through ``np.dot``: the
#: same BLAS call as ``np.matmul`` (bit for bit) with about 0.4 us less overhead a call, which
#: is a tenth of a tiny network's step; larger ones keep ``np.matmul``, which takes a
#: transposed input (X^T G) about 7% faster
SMALL_PRODUCT = 4096


def product(a: np.ndarray, b: np.ndarray, out: np.ndarray, fitting: bool) -> np.ndarray:
    """out = a @ b for 2-D a and 1-D or 2-D b of one dtype, written into ``out``.

    ``fitting`` (buffer reuse on: one dtype, C-contiguous outputs) lets a small product take
    ``np.dot``; see :data:`SMALL_PRODUCT`.

    Examples
    --------
    >>> a, b = np.ones((2, 3)), np.arange(6.0).reshape(3, 2)
    >>> product(a, b, np.empty((2, 2)), fitting=True)
    array([[6., 9.],
           [6., 9.]])
    """
    if fitting and out.size <= SMALL_PRODUCT:
        return np.dot(a, b, out=out)
    return np.matmul(a, b, out=out)
