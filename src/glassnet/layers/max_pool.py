"""MaxPool2D: the largest value of each window, and the gradient routed back to it."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from glassnet.fast import jit, pool_kernels, threads
from glassnet.layers.base import Layer
from glassnet.layers.spatial import check_images, check_shape, pair, too_small, window_positions


class MaxPool2D(Layer):
    r"""2-D max pooling: each output is the largest value of its window, channel by channel.

    .. math:: y_{n,c,i,j} = \max_{p < k_h,\ q < k_w} x_{n,\, c,\, i s_h + p,\, j s_w + q}

    The max passes on one of its inputs unchanged, so its derivative is 1 for that input and
    0 for the others: backward routes each upstream gradient to the place the maximum came
    from (on a tie, the first in row-major order within the window, as PyTorch does), and a
    pixel in several overlapping windows adds what each sends it:

    .. math:: \frac{dE}{dx_{n,c,r,s}} = \sum_{(i,j):\ (r,s) = \text{argmax of window } (i,j)}
              \frac{dE}{dy_{n,c,i,j}}

    Pixels that are no window's maximum (and rows or columns past the last window) get 0.

    Shape
    -----
    - Input: (N, C, H, W)
    - Output: (N, C, H_out, W_out), H_out = floor((H - kh) / sh) + 1, likewise W_out

    Parameters
    ----------
    kernel_size : int or (int, int)
        (kh, kw), the window.
    stride : int or (int, int), optional
        (sh, sw); by default the window's size, so windows tile without overlap.

    Examples
    --------
    >>> pool = MaxPool2D(2)
    >>> x = np.array([[[[1.0, 2.0, 0.0, 0.0],
    ...                 [3.0, 4.0, 0.0, 9.0],
    ...                 [0.0, 0.0, 5.0, 5.0],
    ...                 [0.0, 1.0, 5.0, 5.0]]]])
    >>> pool.forward(x)[0, 0]
    array([[4., 9.],
           [1., 5.]])
    >>> pool.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))[0, 0]  # ties: the first 5
    array([[ 0.,  0.,  0.,  0.],
           [ 0., 10.,  0., 20.],
           [ 0.,  0., 40.,  0.],
           [ 0., 30.,  0.,  0.]])
    """

    def __init__(self, kernel_size: Any, stride: Any = None) -> None:
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else pair(stride, "stride")

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, int, int]:
        """(C, H_out, W_out) for a sample of shape (C, H, W).

        Examples
        --------
        >>> MaxPool2D(2).output_shape((8, 26, 26)), MaxPool2D(2).output_shape((16, 11, 11))
        ((8, 13, 13), (16, 5, 5))
        """
        c, h, w = check_shape(shape, self)
        ho = window_positions(h, self.kernel_size[0], self.stride[0])
        wo = window_positions(w, self.kernel_size[1], self.stride[1])
        if ho == 0 or wo == 0:
            raise too_small(self, (c, h, w), self.kernel_size, ((0, 0), (0, 0)))
        return c, ho, wo

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y (N, C, H_out, W_out): the max of each window; the argmax is kept for backward."""
        check_images(x, self)
        c, ho, wo = self.output_shape(x.shape[1:])
        self.in_shape = x.shape
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        y = self._buffer("y", (x.shape[0], c, ho, wo), x.dtype)
        self.arg = self._buffer("arg", y.shape, pool_kernels.offset_dtype(kh, kw))  # p kw + q
        if jit.worth(x.size):  # compiled, each half of the batch on its own thread
            arg = self.arg
            threads.split(
                x.shape[0],
                lambda lo, hi, part: pool_kernels.max_pool(
                    x[lo:hi], self.kernel_size, self.stride, y[lo:hi], arg[lo:hi]
                ),
            )
            return y
        windows = sliding_window_view(x, self.kernel_size, axis=(2, 3))
        windows = windows[:, :, : (ho - 1) * sh + 1 : sh, : (wo - 1) * sw + 1 : sw]
        flat = windows.reshape(*y.shape, kh * kw)  # (N, C, Ho, Wo, kh kw), a copy
        self.arg[...] = flat.argmax(axis=-1)  # the first maximum, as PyTorch
        y[...] = np.take_along_axis(flat, self.arg[..., None].astype(np.intp), -1)[..., 0]
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """dE/dx: each dE/dy at its window's argmax, 0 elsewhere (overlaps add)."""
        if not need_input_grad:
            return None
        G = grad_out  # (N, C, Ho, Wo)
        dx = self._buffer("dx", self.in_shape, G.dtype)  # (N, C, H, W)
        if jit.worth(dx.size):
            G, arg = np.ascontiguousarray(G), self.arg
            threads.split(
                G.shape[0],
                lambda lo, hi, part: pool_kernels.max_pool_backward(
                    G[lo:hi], arg[lo:hi], self.kernel_size, self.stride, dx[lo:hi]
                ),
            )
            return dx
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        ho, wo = G.shape[2:]
        dx[...] = 0
        for p in range(kh):  # a loop over the window's offsets, not over samples
            for q in range(kw):
                rows = slice(p, p + (ho - 1) * sh + 1, sh)
                cols = slice(q, q + (wo - 1) * sw + 1, sw)
                dx[:, :, rows, cols] += np.where(self.arg == p * kw + q, G, 0)
        return dx

    def config(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {"kernel_size": list(self.kernel_size), "stride": list(self.stride)}
