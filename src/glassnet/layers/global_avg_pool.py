"""GlobalAvgPool2D: each channel's mean over the whole image, (N, C, H, W) -> (N, C)."""

from __future__ import annotations

import numpy as np

from glassnet.layers.base import Layer
from glassnet.layers.spatial import check_images, check_shape


class GlobalAvgPool2D(Layer):
    r"""Global average pooling: one number per channel, the mean of its H x W map.

    .. math:: y_{n,c} = \frac{1}{H W} \sum_{r < H} \sum_{s < W} x_{n,c,r,s}, \qquad
              \frac{dE}{dx_{n,c,r,s}} = \frac{1}{H W} \frac{dE}{dy_{n,c}}

    (PyTorch: ``nn.AdaptiveAvgPool2d(1)`` followed by ``nn.Flatten()``.)

    Shape
    -----
    - Input: (N, C, H, W)
    - Output: (N, C)

    Examples
    --------
    >>> gap = GlobalAvgPool2D()
    >>> gap.forward(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[1.5, 5.5]])
    >>> gap.backward(np.array([[4.0, 8.0]]))[0]
    array([[[1., 1.],
            [1., 1.]],
    <BLANKLINE>
           [[2., 2.],
            [2., 2.]]])
    """

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int]:
        """(C,) for a sample of shape (C, H, W).

        Examples
        --------
        >>> GlobalAvgPool2D().output_shape((16, 5, 5))
        (16,)
        """
        return (check_shape(shape, self)[0],)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y (N, C): the mean of each channel's map."""
        check_images(x, self)
        self.in_shape = x.shape
        y = self._buffer("y", x.shape[:2], x.dtype)
        return np.mean(x, axis=(2, 3), out=y)

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """dE/dx: each dE/dy / (H W), spread over its channel's map."""
        if not need_input_grad:
            return None
        h, w = self.in_shape[2:]
        dx = self._buffer("dx", self.in_shape, grad_out.dtype)  # (N, C, H, W)
        np.multiply(grad_out[:, :, None, None], grad_out.dtype.type(1.0 / (h * w)), out=dx)
        return dx
