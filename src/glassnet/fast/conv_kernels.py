"""Compiled loops around the matrix products of a 2-D convolution (numba, optional).

A convolution is a matrix product once the input is unrolled (im2col): each column of
``cols`` (K, M) holds one window of the input, K = C kh kw values, one column for each of the
M = N Ho Wo output positions, so the forward pass is Z (O, M) = W (O, K) cols (K, M), a single
BLAS gemm. The loops here do the memory work around the products, each in one pass:

- :func:`im2col`: cols[(c, p, q), (n, i, j)] = x[n, c, i sh + p - pt, j sw + q - pl], or 0 in
  the zero padding. Rows of cols are contiguous runs of the input's rows, so the copy streams.
- :func:`col2im`: the adjoint, dx[n, c, i sh + p - pt, j sw + q - pl] += dcols[(c, p, q),
  (n, i, j)]: each input pixel collects the gradient of every window it was in.
- :func:`to_images`: out[n, o, k] = Z[o, n HW + k] + b[o], the product's channel-major
  result back in (N, O, Ho, Wo), with the bias added in the same pass.
- :func:`to_channels`: the reverse move for the upstream gradient, G (N, O, HW) -> (O, N HW),
  with each channel's sum (dE/db) taken in the same pass.

Nothing here imports a glassnet class; numba is imported and the loops compiled (and cached
on disk) on the first call. :mod:`glassnet.fast.pool_kernels` holds the pooling loops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

_compiled: dict[str, Any] = {}


def compiled(name: str, fn: Callable[..., Any], registry: dict[str, Any], **options: Any) -> Any:
    """``fn`` compiled by numba's njit (nogil, cached on disk, and ``options``), once per process.

    Examples
    --------
    >>> reg = {}
    >>> compiled("to_images", _to_images, reg) is compiled("to_images", _to_images, reg)
    True
    """
    kernel = registry.get(name)
    if kernel is None:
        from numba import njit

        kernel = registry[name] = njit(nogil=True, cache=True, **options)(fn)
    return kernel


def _im2col(x, kh, kw, sh, sw, pt, pl, Ho, Wo, cols):  # pragma: no cover - compiled
    N, C, H, W = x.shape
    HW = Ho * Wo
    for n in range(N):
        for c in range(C):
            for p in range(kh):
                for q in range(kw):
                    row = cols[(c * kh + p) * kw + q, n * HW : (n + 1) * HW]  # (Ho Wo,)
                    # the output columns j whose input column j sw + q - pl is inside [0, W)
                    j0 = min(Wo, max(0, -((q - pl) // sw)))
                    j1 = max(j0, min(Wo, (W - 1 + pl - q) // sw + 1))
                    for i in range(Ho):
                        dst = row[i * Wo : (i + 1) * Wo]
                        r = i * sh + p - pt
                        if r < 0 or r >= H:
                            for j in range(Wo):
                                dst[j] = 0
                            continue
                        for j in range(j0):
                            dst[j] = 0
                        for j in range(j1, Wo):
                            dst[j] = 0
                        if j1 == j0:
                            continue
                        start = j0 * sw + q - pl
                        src = x[n, c, r, start : start + (j1 - j0 - 1) * sw + 1 : sw]
                        seg = dst[j0:j1]
                        for j in range(j1 - j0):
                            seg[j] = src[j]


def _col2im(dcols, kh, kw, sh, sw, pt, pl, Ho, Wo, dx):  # pragma: no cover - compiled
    N, C, H, W = dx.shape
    HW = Ho * Wo
    for n in range(N):
        for c in range(C):
            plane = dx[n, c]
            for r in range(H):
                for s in range(W):
                    plane[r, s] = 0
            for p in range(kh):
                for q in range(kw):
                    row = dcols[(c * kh + p) * kw + q, n * HW : (n + 1) * HW]
                    j0 = min(Wo, max(0, -((q - pl) // sw)))
                    j1 = max(j0, min(Wo, (W - 1 + pl - q) // sw + 1))
                    for i in range(Ho):
                        r = i * sh + p - pt
                        if r < 0 or r >= H or j1 == j0:
                            continue
                        start = j0 * sw + q - pl
                        dst = plane[r, start : start + (j1 - j0 - 1) * sw + 1 : sw]
                        seg = row[i * Wo + j0 : i * Wo + j1]
                        for j in range(j1 - j0):
                            dst[j] += seg[j]


def _im2col_valid(x, kh, kw, Ho, Wo, cols):  # pragma: no cover - compiled
    # stride 1 and no padding, the common case: every run is a whole contiguous row
    # (2-4x faster than the general loop above, whose bounds and strides cost on short rows)
    N, C, H, W = x.shape
    HW = Ho * Wo
    for n in range(N):
        for c in range(C):
            for p in range(kh):
                for q in range(kw):
                    row = cols[(c * kh + p) * kw + q, n * HW : (n + 1) * HW]
                    for i in range(Ho):
                        dst = row[i * Wo : (i + 1) * Wo]
                        src = x[n, c, i + p, q : q + Wo]
                        for j in range(Wo):
                            dst[j] = src[j]


def _col2im_valid(dcols, kh, kw, Ho, Wo, dx):  # pragma: no cover - compiled
    N, C, H, W = dx.shape
    HW = Ho * Wo
    for n in range(N):
        for c in range(C):
            plane = dx[n, c]
            for r in range(H):
                for s in range(W):
                    plane[r, s] = 0
            for p in range(kh):
                for q in range(kw):
                    row = dcols[(c * kh + p) * kw + q, n * HW : (n + 1) * HW]
                    for i in range(Ho):
                        dst = plane[i + p, q : q + Wo]
                        src = row[i * Wo : (i + 1) * Wo]
                        for j in range(Wo):
                            dst[j] += src[j]


def _to_images(z, b, out):  # pragma: no cover - compiled
    N, O, HW = out.shape
    for n in range(N):
        for o in range(O):
            src = z[o, n * HW : (n + 1) * HW]
            dst = out[n, o]
            bo = b[o]
            for k in range(HW):
                dst[k] = src[k] + bo


def _to_channels(g, gT, sums):  # pragma: no cover - compiled
    N, O, HW = g.shape
    for o in range(O):
        total = 0.0  # float64 accumulator
        for n in range(N):
            src = g[n, o]
            dst = gT[o, n * HW : (n + 1) * HW]
            for k in range(HW):
                v = src[k]
                dst[k] = v
                total += v
        sums[o] = total


def im2col(
    x: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    pad: tuple[int, int],
    out_hw: tuple[int, int],
    cols: np.ndarray,
) -> np.ndarray:
    """Unroll the windows of x (N, C, H, W) into cols (C kh kw, N Ho Wo); returns cols.

    ``pad`` is (top, left): the zeros before the first row and column (those after follow
    from ``out_hw``).

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> im2col(x, (2, 2), (1, 1), (0, 0), (2, 2), np.empty((4, 4)))
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    if stride == (1, 1) and pad == (0, 0) and _valid(x.shape[2:], kernel, out_hw):
        compiled("im2col_valid", _im2col_valid, _compiled)(x, *kernel, *out_hw, cols)
        return cols
    compiled("im2col", _im2col, _compiled)(x, *kernel, *stride, *pad, *out_hw, cols)
    return cols


def col2im(
    dcols: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    pad: tuple[int, int],
    out_hw: tuple[int, int],
    dx: np.ndarray,
) -> np.ndarray:
    """The adjoint of :func:`im2col`: dx (N, C, H, W) = the sum over windows of dcols; returns dx
    (overwritten).

    Examples
    --------
    >>> col2im(np.ones((4, 4)), (2, 2), (1, 1), (0, 0), (2, 2), np.empty((1, 1, 3, 3)))[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    if stride == (1, 1) and pad == (0, 0) and _valid(dx.shape[2:], kernel, out_hw):
        compiled("col2im_valid", _col2im_valid, _compiled)(dcols, *kernel, *out_hw, dx)
        return dx
    compiled("col2im", _col2im, _compiled)(dcols, *kernel, *stride, *pad, *out_hw, dx)
    return dx


def _valid(hw: tuple[int, ...], kernel: tuple[int, int], out_hw: tuple[int, int]) -> bool:
    """Whether out_hw is the unpadded stride-1 output of an image of size hw (no zeros after)."""
    return out_hw == (hw[0] - kernel[0] + 1, hw[1] - kernel[1] + 1)


def to_images(z: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out[n, o, k] = z[o, n HW + k] + b[o] for z (O, N HW) and out (N, O, HW); returns out.

    Examples
    --------
    >>> to_images(np.arange(4.0).reshape(2, 2), np.array([10.0, 20.0]), np.empty((2, 2, 1)))[:, :, 0]
    array([[10., 22.],
           [11., 23.]])
    """
    compiled("to_images", _to_images, _compiled)(z, b, out)
    return out


def to_channels(g: np.ndarray, gT: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """gT[o, n HW + k] = g[n, o, k] for g (N, O, HW), and sums[o] = the sum of channel o;
    returns gT.

    Examples
    --------
    >>> s = np.empty(2)
    >>> to_channels(np.arange(4.0).reshape(2, 2, 1), np.empty((2, 2)), s), s
    (array([[0., 2.],
           [1., 3.]]), array([2., 4.]))
    """
    # reassoc: the sum may run on SIMD lanes in any order (a sequential float sum is 4x slower)
    compiled("to_channels", _to_channels, _compiled, fastmath={"reassoc"})(g, gT, sums)
    return gT
