"""Flatten: each sample's values in one row, (N, C, H, W) -> (N, C H W), PyTorch's order."""

from __future__ import annotations

import math

import numpy as np

from glassnet.layers.base import Layer


class Flatten(Layer):
    r"""Lay each sample out as one row, in C order (channel, then row, then column), as
    PyTorch's ``nn.Flatten()``; backward gives the gradient its input's shape back.

    .. math:: y_{n,\ c H W + r W + s} = x_{n,c,r,s}, \qquad
              \frac{dE}{dx_{n,c,r,s}} = \frac{dE}{dy_{n,\ c H W + r W + s}}

    Nothing is computed and nothing is copied when x is C-contiguous: both directions are
    reshapes (views). Any input with at least two axes works; the first is the batch.

    Shape
    -----
    - Input: (N, *) such as (N, C, H, W)
    - Output: (N, prod(*)) such as (N, C H W)

    Examples
    --------
    >>> flat = Flatten()
    >>> flat.forward(np.arange(8).reshape(1, 2, 2, 2))
    array([[0, 1, 2, 3, 4, 5, 6, 7]])
    >>> flat.backward(np.ones((1, 8))).shape
    (1, 2, 2, 2)
    """

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int]:
        """(prod(shape),) for a sample of any shape.

        Examples
        --------
        >>> Flatten().output_shape((16, 5, 5))
        (400,)
        """
        return (math.prod(int(s) for s in shape),)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y (N, prod of the other axes): x's values row by row."""
        if x.ndim < 2:
            raise ValueError(
                f"Flatten expected input of shape (N, ...) with at least two axes; got {x.shape}."
            )
        self.in_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """dE/dx: dE/dy in x's shape."""
        if not need_input_grad:
            return None
        return grad_out.reshape(self.in_shape)
