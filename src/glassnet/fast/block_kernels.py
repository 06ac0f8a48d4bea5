"""Compiled loops that run a convolution's bias, a ReLU and a max pool as one pass each way
(numba, optional), for :class:`glassnet.layers.conv_block.ConvReLUPool`.

Layer by layer, the convolution's output Z (N, O, Ho, Wo) is written, the ReLU reads it and
writes A, the pool reads A and writes Y and its argmax; backward writes dE/dA, then dE/dZ, then
moves it channel-major for the products. Here Z and A never exist:

- :func:`bias_relu_max_pool`: from the product P = W cols (O, N Ho Wo), channel-major and
  without the bias, Y[n, o, i, j] = max over the window of relu(P[o, n, r, s] + b[o]), with
  the window offset of its first maximum in ``arg``: the numbers of the three layers exactly
  (the same sum, the same max, the same tie rule);
- :func:`max_pool_relu_channels`: dE/dZ channel-major, gT (O, N Ho Wo): zero except, at each
  window's recorded maximum, the upstream gradient where the ReLU let it through (Y > 0), and
  dE/db[o], the sum of what was routed, in the same loop.

Nothing here imports a glassnet class; the loops are compiled (and cached) on the first call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.fast.conv_kernels import compiled

_compiled: dict[str, Any] = {}


def _bias_relu_max_pool(z, b, Ho, Wo, kh, kw, sh, sw, out, arg):  # pragma: no cover - compiled
    N, O, Hp, Wp = out.shape
    HW = Ho * Wo
    zero = z.dtype.type(0)
    for n in range(N):
        for o in range(O):
            plane = z[o, n * HW : (n + 1) * HW]  # (Ho Wo,) this sample's map, without b
            bo = b[o]
            for i in range(Hp):
                for j in range(Wp):
                    top = i * sh * Wo + j * sw
                    best = plane[top] + bo
                    best = zero if best < zero else best  # relu: max(z, 0), NaN kept
                    at = 0
                    for p in range(kh):
                        for q in range(kw):
                            v = plane[top + p * Wo + q] + bo
                            v = zero if v < zero else v
                            # selects, not branches: the signs are random and would mispredict
                            take = (v > best) | (v != v)  # strictly greater: the first max stays
                            best = v if take else best
                            at = p * kw + q if take else at
                    out[n, o, i, j] = best
                    arg[n, o, i, j] = at


def _bias_relu_max_pool_2x2(z, b, Ho, Wo, out, arg):  # pragma: no cover - compiled
    # the same for 2x2 windows at stride 2, the four reads written out: no inner loops
    N, O, Hp, Wp = out.shape
    HW = Ho * Wo
    zero = z.dtype.type(0)
    for n in range(N):
        for o in range(O):
            plane = z[o, n * HW : (n + 1) * HW]
            bo = b[o]
            for i in range(Hp):
                up = plane[2 * i * Wo : 2 * i * Wo + 2 * Wp]
                down = plane[(2 * i + 1) * Wo : (2 * i + 1) * Wo + 2 * Wp]
                for j in range(Wp):
                    v0 = up[2 * j] + bo
                    v1 = up[2 * j + 1] + bo
                    v2 = down[2 * j] + bo
                    v3 = down[2 * j + 1] + bo
                    v0 = zero if v0 < zero else v0  # relu, NaN kept
                    v1 = zero if v1 < zero else v1
                    v2 = zero if v2 < zero else v2
                    v3 = zero if v3 < zero else v3
                    take = (v1 > v0) | (v1 != v1)  # the first maximum stays; a NaN wins
                    best = v1 if take else v0
                    at = 1 if take else 0
                    take = (v2 > best) | (v2 != v2)
                    best = v2 if take else best
                    at = 2 if take else at
                    take = (v3 > best) | (v3 != v3)
                    best = v3 if take else best
                    at = 3 if take else at
                    out[n, o, i, j] = best
                    arg[n, o, i, j] = at


def _max_pool_relu_channels(g, arg, y, Ho, Wo, kh, kw, sh, sw, gT, sums):  # pragma: no cover
    N, O, Hp, Wp = g.shape
    HW = Ho * Wo
    # where each window offset p kw + q lands in the map, p Wo + q (a table: an integer
    # division and a remainder per pixel cost more than the rest of the loop)
    offset = np.empty(kh * kw, np.int64)
    for p in range(kh):
        for q in range(kw):
            offset[p * kw + q] = p * Wo + q
    for o in range(O):
        sums[o] = 0.0
    for n in range(N):  # sample by sample: each map is zeroed and filled while in cache
        for o in range(O):
            plane = gT[o, n * HW : (n + 1) * HW]  # (Ho Wo,) dE/dZ of this sample's map
            for k in range(HW):
                plane[k] = 0
            total = 0.0  # float64 accumulator
            for i in range(Hp):
                for j in range(Wp):
                    if y[n, o, i, j] > 0:  # the ReLU passed the max on: its slope is 1
                        v = g[n, o, i, j]
                        plane[i * sh * Wo + j * sw + offset[arg[n, o, i, j]]] += v
                        total += v
            sums[o] += total


def bias_relu_max_pool(
    z: np.ndarray,
    b: np.ndarray,
    conv_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    out: np.ndarray,
    arg: np.ndarray,
) -> np.ndarray:
    """out (N, O, Hp, Wp) = max pool of relu(z + b), z (O, N Ho Wo) channel-major with
    ``conv_hw`` = (Ho, Wo); each window's offset of its first maximum into ``arg``; returns out.

    Examples
    --------
    >>> z = np.array([[-3.0, 1.0, 2.0, 2.0]])  # one channel of a 2x2 map
    >>> arg = np.empty((1, 1, 1, 1), np.uint8)
    >>> bias_relu_max_pool(z, np.array([-1.5]), (2, 2), (2, 2), (2, 2),
    ...                    np.empty((1, 1, 1, 1)), arg).item(), arg.item()
    (0.5, 2)
    """
    if kernel == stride == (2, 2):
        compiled("bias_relu_max_pool_2x2", _bias_relu_max_pool_2x2, _compiled)(
            z, b, *conv_hw, out, arg
        )
        return out
    compiled("bias_relu_max_pool", _bias_relu_max_pool, _compiled)(
        z, b, *conv_hw, *kernel, *stride, out, arg
    )
    return out


def max_pool_relu_channels(
    g: np.ndarray,
    arg: np.ndarray,
    y: np.ndarray,
    conv_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    gT: np.ndarray,
    sums: np.ndarray,
) -> np.ndarray:
    """dE/dZ channel-major into gT (O, N Ho Wo) from dE/dY (N, O, Hp, Wp): each gradient at
    its window's recorded maximum where the pooled output y > 0, 0 elsewhere; each channel's
    total into ``sums`` (dE/db); returns gT (overwritten).

    Examples
    --------
    >>> s = np.empty(1)
    >>> gT = max_pool_relu_channels(np.array([[[[5.0]]]]), np.array([[[[2]]]], np.uint8),
    ...                             np.array([[[[0.5]]]]), (2, 2), (2, 2), (2, 2),
    ...                             np.empty((1, 4)), s)
    >>> gT, s
    (array([[0., 0., 5., 0.]]), array([5.]))
    """
    compiled("max_pool_relu_channels", _max_pool_relu_channels, _compiled)(
        g, arg, y, *conv_hw, *kernel, *stride, gT, sums
    )
    return gT
