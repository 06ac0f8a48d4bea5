"""AvgPool2D: the mean of each window, and the gradient shared out evenly over it."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from glassnet.layers.base import Layer
from glassnet.layers.spatial import check_images, check_shape, pair, too_small, window_positions


class AvgPool2D(Layer):
    r"""2-D average pooling: each output is the mean of its window, channel by channel.

    .. math:: y_{n,c,i,j} = \frac{1}{k_h k_w} \sum_{p < k_h} \sum_{q < k_w}
              x_{n,\, c,\, i s_h + p,\, j s_w + q}

    Every input of a window counts 1 / (kh kw) in its mean, so backward shares each upstream
    gradient out evenly over the window; a pixel in several overlapping windows adds the shares:

    .. math:: \frac{dE}{dx_{n,c,r,s}} = \frac{1}{k_h k_w}
              \sum_{(i,j):\ (r,s) \in \text{window } (i,j)} \frac{dE}{dy_{n,c,i,j}}

    Shape
    -----
    - Input: (N, C, H, W)
    - Output: (N, C, H_out, W_out), H_out = floor((H - kh) / sh) + 1, likewise W_out

    Parameters
    ----------
    kernel_size : int or (int, int)
        (kh, kw), the window.
    stride : int or (int, int), optional
        (sh, sw); by default the window's size (PyTorch's ``AvgPool2d`` without padding).

    Examples
    --------
    >>> pool = AvgPool2D(2)
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> pool.forward(x)[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> pool.backward(np.array([[[[4.0, 8.0], [0.0, 0.0]]]]))[0, 0]
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [0., 0., 0., 0.],
           [0., 0., 0., 0.]])
    """

    def __init__(self, kernel_size: Any, stride: Any = None) -> None:
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else pair(stride, "stride")

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, int, int]:
        """(C, H_out, W_out) for a sample of shape (C, H, W).

        Examples
        --------
        >>> AvgPool2D(3, stride=1).output_shape((4, 5, 6))
        (4, 3, 4)
        """
        c, h, w = check_shape(shape, self)
        ho = window_positions(h, self.kernel_size[0], self.stride[0])
        wo = window_positions(w, self.kernel_size[1], self.stride[1])
        if ho == 0 or wo == 0:
            raise too_small(self, (c, h, w), self.kernel_size, ((0, 0), (0, 0)))
        return c, ho, wo

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y (N, C, H_out, W_out): the mean of each window."""
        check_images(x, self)
        c, ho, wo = self.output_shape(x.shape[1:])
        self.in_shape = x.shape
        (sh, sw) = self.stride
        windows = sliding_window_view(x, self.kernel_size, axis=(2, 3))
        windows = windows[:, :, : (ho - 1) * sh + 1 : sh, : (wo - 1) * sw + 1 : sw]
        y = self._buffer("y", (x.shape[0], c, ho, wo), x.dtype)
        return np.mean(windows, axis=(4, 5), out=y)

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """dE/dx: each dE/dy / (kh kw) added to every pixel of its window."""
        if not need_input_grad:
            return None
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        ho, wo = grad_out.shape[2:]
        share = grad_out * grad_out.dtype.type(1.0 / (kh * kw))  # (N, C, Ho, Wo)
        dx = self._buffer("dx", self.in_shape, grad_out.dtype)  # (N, C, H, W)
        dx[...] = 0
        for p in range(kh):  # a loop over the window's offsets, not over samples
            for q in range(kw):
                dx[:, :, p : p + (ho - 1) * sh + 1 : sh, q : q + (wo - 1) * sw + 1 : sw] += share
        return dx

    def config(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {"kernel_size": list(self.kernel_size), "stride": list(self.stride)}
