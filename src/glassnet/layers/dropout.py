"""Dropout: a layer that, while training, silences a random share of its inputs."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.layers.base import Layer


class Dropout(Layer):
    r"""Inverted dropout: while training, zero each value with probability p and scale the rest.

    .. math:: y = x \odot m / (1 - p), \quad m_{ij} \sim \text{Bernoulli}(1 - p)

    .. math:: dE/dx = dE/dy \odot m / (1 - p)

    At inference (``training`` False) it is the identity.

    Examples
    --------
    >>> drop = Dropout(0.5, rng=np.random.default_rng(0))
    >>> drop.forward(np.ones((1, 4)))  # inference: unchanged
    array([[1., 1., 1., 1.]])
    >>> drop.training = True
    >>> sorted(set(drop.forward(np.ones((2, 4))).ravel().tolist()))
    [0.0, 2.0]
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= float(p) < 1.0:
            raise ValueError(f"Dropout p must be in [0, 1); got {p}.")
        self.p = float(p)
        self.rng = rng or np.random.default_rng()

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = x * mask / (1 - p) while training; y = x otherwise."""
        if not self.training or self.p == 0.0:
            self.mask = None
            return x
        mask = self._buffer("mask", x.shape, x.dtype)  # (N, d)
        self.rng.random(out=mask, dtype=x.dtype)  # uniform draws, then kept-or-not
        np.greater_equal(mask, self.p, out=mask)
        mask /= x.dtype.type(1.0 - self.p)
        self.mask = mask
        return np.multiply(x, mask, out=self._buffer("y", x.shape, x.dtype))

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """dE/dx = dE/dy * mask / (1 - p)."""
        if not need_input_grad:
            return None
        if self.mask is None:
            return grad_out
        return np.multiply(
            grad_out, self.mask, out=self._buffer("dx", grad_out.shape, grad_out.dtype)
        )

    def config(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {"p": self.p}
