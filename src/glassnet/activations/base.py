"""The Activation base class, an elementwise y = f(z) with no parameters, and the identity.

Every derivative is computed from what forward kept (for the sigmoid, y(1 - y)), never by
running forward again. ``local_grad()`` returns dy/dz elementwise for the ones that act
elementwise, which is the factor ``explain`` prints in the chain rule.
"""

from __future__ import annotations

import numpy as np

from glassnet.layers.base import Layer


class Activation(Layer):
    """An elementwise function y = f(z) with no parameters.

    Subclasses implement ``_f(z, out)`` and ``_df()``, the derivative dy/dz from the cache.
    """

    symbol = "f"  # how explain writes it, e.g. "sigmoid"

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = f(z), elementwise; x and y of shape (N, d)."""
        self.z = x  # (N, d)
        self.y = self._f(x, self._buffer("y", x.shape, x.dtype))  # (N, d)
        return self.y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """dE/dz = dE/dy * dy/dz, elementwise."""
        if not need_input_grad:
            return None
        out = self._buffer("dz", grad_out.shape, grad_out.dtype)  # (N, d)
        return self._backward_into(grad_out, out)

    def _backward_into(self, grad_out: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.multiply(grad_out, self.local_grad(), out=out)

    def local_grad(self) -> np.ndarray:
        """dy/dz for the last forward, elementwise, shape (N, d)."""
        return self._df()

    def _f(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _df(self) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class Identity(Activation):
    r"""The identity, y = z, dy/dz = 1 (a linear output for regression).

    Examples
    --------
    >>> Identity().forward(np.array([[3.0]]))
    array([[3.]])
    """

    symbol = "identity"

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = z."""
        self.z = self.y = x
        return x

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """dE/dz = dE/dy."""
        return grad_out if need_input_grad else None

    def _df(self) -> np.ndarray:
        return np.ones_like(self.y)
