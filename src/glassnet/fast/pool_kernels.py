"""Compiled loops of max pooling (numba, optional): the forward pass that records where each
maximum came from, and the backward pass that routes each gradient back to that place.

- :func:`max_pool`: out[n, c, i, j] = max over the window at (i sh, j sw) of x[n, c], and
  arg[n, c, i, j] = the window offset p kw + q of the first such maximum (PyTorch's choice on
  ties; a NaN wins, as in PyTorch);
- :func:`max_pool_backward`: dx = 0, then dx[n, c, i sh + p, j sw + q] += g[n, c, i, j] at the
  recorded offset (windows that overlap add).

Nothing here imports a glassnet class; the loops are compiled (and cached) on the first call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.fast.conv_kernels import compiled

_compiled: dict[str, Any] = {}


def _max_pool(x, kh, kw, sh, sw, out, arg):  # pragma: no cover - compiled
    N, C, Ho, Wo = out.shape
    for n in range(N):
        for c in range(C):
            plane = x[n, c]
            for i in range(Ho):
                for j in range(Wo):
                    r, s = i * sh, j * sw
                    best = plane[r, s]
                    at = 0
                    for p in range(kh):
                        for q in range(kw):
                            v = plane[r + p, s + q]
                            # selects, not branches (random data would mispredict them)
                            take = (v > best) | (v != v)  # strictly greater: the first max stays
                            best = v if take else best
                            at = p * kw + q if take else at
                    out[n, c, i, j] = best
                    arg[n, c, i, j] = at


def _max_pool_backward(g, arg, kh, kw, sh, sw, dx):  # pragma: no cover - compiled
    N, C, Ho, Wo = g.shape
    H, W = dx.shape[2], dx.shape[3]
    for n in range(N):
        for c in range(C):
            plane = dx[n, c]
            for r in range(H):
                for s in range(W):
                    plane[r, s] = 0
            for i in range(Ho):
                for j in range(Wo):
                    at = arg[n, c, i, j]
                    plane[i * sh + at // kw, j * sw + at % kw] += g[n, c, i, j]


def offset_dtype(kh: int, kw: int) -> np.dtype:
    """The smallest integer type that holds a window offset p kw + q < kh kw.

    Examples
    --------
    >>> offset_dtype(2, 2), offset_dtype(20, 20)
    (dtype('uint8'), dtype('int32'))
    """
    return np.dtype(np.uint8) if kh * kw <= 256 else np.dtype(np.int32)


def max_pool(
    x: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    out: np.ndarray,
    arg: np.ndarray,
) -> np.ndarray:
    """Max over each window of x (N, C, H, W) into out (N, C, Ho, Wo), the offset of each
    window's first maximum into arg (same shape, :func:`offset_dtype`); returns out.

    Examples
    --------
    >>> x = np.array([[[[1.0, 3.0], [3.0, 2.0]]]])
    >>> arg = np.empty((1, 1, 1, 1), np.uint8)
    >>> max_pool(x, (2, 2), (2, 2), np.empty((1, 1, 1, 1)), arg).item(), arg.item()
    (3.0, 1)
    """
    compiled("max_pool", _max_pool, _compiled)(x, *kernel, *stride, out, arg)
    return out


def max_pool_backward(
    g: np.ndarray,
    arg: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dx: np.ndarray,
) -> np.ndarray:
    """dx (N, C, H, W) = each g[n, c, i, j] at its window's recorded maximum, 0 elsewhere;
    returns dx (overwritten).

    Examples
    --------
    >>> arg = np.array([[[[1]]]], np.uint8)
    >>> max_pool_backward(np.array([[[[5.0]]]]), arg, (2, 2), (2, 2), np.empty((1, 1, 2, 2)))
    array([[[[0., 5.],
             [0., 0.]]]])
    """
    compiled("max_pool_backward", _max_pool_backward, _compiled)(g, arg, *kernel, *stride, dx)
    return dx
