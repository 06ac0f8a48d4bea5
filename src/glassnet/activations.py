"""Activations as layers. Each forward sits beside the derivative that backward uses.

Every derivative is computed from what forward kept (for the sigmoid, y(1 - y)), never by
running forward again. ``local_grad()`` returns dy/dz elementwise for the ones that act
elementwise, which is the factor ``explain`` prints in the chain rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import _jit
from glassnet._checks import unknown_name
from glassnet.layers import Layer


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


class Sigmoid(Activation):
    r"""Logistic sigmoid, computed without overflow for any z.

    .. math:: y = \sigma(z) = 1 / (1 + e^{-z}), \qquad dy/dz = y (1 - y)

    For stability it is computed as y = exp(-softplus(-z)), softplus(u) = log(1 + e^u) taken
    by ``np.logaddexp(0, u)``, which never overflows: four calls writing into the output, and
    within a few units in the last place of 1/(1 + e^-z) for |z| up to 40 (relative 4e-15 in
    float64).

    Examples
    --------
    >>> s = Sigmoid()
    >>> s.forward(np.array([[0.0, 1e4, -1e4]]))
    array([[0.5, 1. , 0. ]])
    >>> s.local_grad()
    array([[0.25, 0.  , 0.  ]])
    """

    symbol = "sigmoid"

    def _f(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        np.negative(z, out=out)  # (N, d), -z
        np.logaddexp(0, out, out=out)  # softplus(-z) = log(1 + e^-z), no overflow
        np.negative(out, out=out)
        return np.exp(out, out=out)  # 1 / (1 + e^-z)

    def _df(self) -> np.ndarray:
        return self.y * (1 - self.y)

    def _backward_into(self, grad_out: np.ndarray, out: np.ndarray) -> np.ndarray:
        # dE/dz = dE/dy * y(1 - y), written into out without temporaries
        np.subtract(1, self.y, out=out)
        out *= self.y
        out *= grad_out
        return out


class Tanh(Activation):
    r"""Hyperbolic tangent.

    .. math:: y = \tanh(z), \qquad dy/dz = 1 - y^2

    Examples
    --------
    >>> t = Tanh(); t.forward(np.array([[0.0]])); t.local_grad()
    array([[0.]])
    array([[1.]])
    """

    symbol = "tanh"

    def _f(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.tanh(z, out=out)

    def _df(self) -> np.ndarray:
        return 1 - self.y * self.y

    def _backward_into(self, grad_out: np.ndarray, out: np.ndarray) -> np.ndarray:
        # dE/dz = dE/dy * (1 - y^2) = dE/dy - dE/dy * y * y, without temporaries
        np.multiply(self.y, self.y, out=out)
        np.subtract(1, out, out=out)
        out *= grad_out
        return out


class ReLU(Activation):
    r"""Rectified linear unit.

    .. math:: y = \max(0, z), \qquad dy/dz = 1 \text{ if } z > 0 \text{ else } 0

    Examples
    --------
    >>> r = ReLU(); r.forward(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    >>> r.local_grad()
    array([[0., 1.]])
    """

    symbol = "relu"

    def _f(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.maximum(z, self._zeros(z.shape, z.dtype), out=out)

    def _df(self) -> np.ndarray:
        return (self.y > 0).astype(self.y.dtype)

    def _backward_into(self, grad_out: np.ndarray, out: np.ndarray) -> np.ndarray:
        if self.reuse_buffers and _jit.worth(out.size):  # while fitting: one compiled pass
            return _jit.relu_backward(grad_out, self.y, out)
        # dE/dz = dE/dy * [y > 0]: a boolean mask, then one multiply (both SIMD loops;
        # copyto(where=) is 7-30x slower).
        keep = self._buffer("keep", grad_out.shape, np.dtype(np.bool_))  # (N, d)
        np.greater(self.y, self.y.dtype.type(0), out=keep)  # a scalar: faster than zeros here
        return np.multiply(grad_out, keep, out=out)

    def _zeros(self, shape: tuple[int, ...], dtype: np.dtype) -> Any:
        # NumPy's maximum of an array and a scalar is about 3x slower than of two arrays
        # (greater is not): while fitting, take the maximum against cached zeros.
        if not self.reuse_buffers:
            return dtype.type(0)
        zeros = self._buffers.get(("zeros", shape))
        if zeros is None or zeros.dtype != dtype:
            zeros = self._buffers[("zeros", shape)] = np.zeros(shape, dtype)  # (N, d)
        return zeros


class LeakyReLU(Activation):
    r"""Leaky ReLU with slope ``alpha`` for negative inputs.

    .. math:: y = z \text{ if } z > 0 \text{ else } \alpha z, \qquad
              dy/dz = 1 \text{ if } z > 0 \text{ else } \alpha

    Examples
    --------
    >>> LeakyReLU(0.1).forward(np.array([[-2.0, 3.0]]))
    array([[-0.2,  3. ]])
    """

    symbol = "leaky_relu"

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def _f(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        np.multiply(z, np.where(z > 0, 1, self.alpha).astype(z.dtype), out=out)
        return out

    def _df(self) -> np.ndarray:
        return np.where(self.z > 0, 1, self.alpha).astype(self.z.dtype)

    def config(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {"alpha": self.alpha}


class ELU(Activation):
    r"""Exponential linear unit: the identity for z > 0, a smooth curve towards -alpha below.

    .. math:: y = z \text{ if } z > 0 \text{ else } \alpha (e^{z} - 1), \qquad
              dy/dz = 1 \text{ if } z > 0 \text{ else } \alpha e^{z} = y + \alpha

    Unlike ReLU its outputs can be negative, which keeps their mean nearer 0, and its slope
    never reaches 0 (Clevert et al., 2015; PyTorch's ``nn.ELU``).

    Examples
    --------
    >>> e = ELU(); e.forward(np.array([[-1.0, 2.0]]))
    array([[-0.63212056,  2.        ]])
    >>> e.local_grad()  # exp(-1), 1
    array([[0.36787944, 1.        ]])
    """

    symbol = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        if not alpha > 0:
            raise ValueError(f"ELU's alpha must be > 0; got {alpha}.")
        self.alpha = float(alpha)

    def _f(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        np.minimum(z, 0, out=out)  # (N, d), exp of min(z, 0) never overflows
        np.expm1(out, out=out)
        out *= out.dtype.type(self.alpha)
        np.copyto(out, z, where=z > 0)  # z itself where it is positive
        return out

    def _df(self) -> np.ndarray:
        return np.where(self.z > 0, 1, self.y + self.alpha).astype(self.z.dtype)

    def config(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {"alpha": self.alpha}


class SiLU(Activation):
    r"""Sigmoid-weighted linear unit (also called swish): z times its own sigmoid.

    .. math:: y = z \, \sigma(z), \qquad
              dy/dz = \sigma(z) + z \, \sigma(z)(1 - \sigma(z)) = \sigma(z)(1 + z(1 - \sigma(z)))

    Smooth, not monotonic (a small dip below 0 near z = -1.28), used in many recent networks
    (PyTorch's ``nn.SiLU``).

    Examples
    --------
    >>> s = SiLU(); s.forward(np.array([[0.0, 2.0]]))
    array([[0.        , 1.76159416]])
    >>> s.local_grad()  # 1/2, and sigma(2)(1 + 2(1 - sigma(2)))
    array([[0.5       , 1.09078425]])
    """

    symbol = "silu"

    def _f(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        self.s = Sigmoid()._f(z, np.empty_like(z))  # (N, d), sigma(z), kept for dy/dz
        return np.multiply(z, self.s, out=out)

    def _df(self) -> np.ndarray:
        s = self.s
        return s * (1 + self.z * (1 - s))


class Softplus(Activation):
    r"""A smooth ReLU: the log of 1 + e^z, whose derivative is the sigmoid.

    .. math:: y = \log(1 + e^{z}), \qquad dy/dz = \sigma(z) = 1 - e^{-y}

    Computed as ``np.logaddexp(0, z)``, which never overflows (PyTorch's ``nn.Softplus``
    switches to y = z above z = 20, where the two differ by less than 2.1e-9).

    Examples
    --------
    >>> s = Softplus(); s.forward(np.array([[0.0, 1e4]]))
    array([[6.93147181e-01, 1.00000000e+04]])
    >>> s.local_grad()
    array([[0.5, 1. ]])
    """

    symbol = "softplus"

    def _f(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.logaddexp(0, z, out=out)

    def _df(self) -> np.ndarray:
        return -np.expm1(-self.y)  # 1 - e^{-y} = sigma(z), from the output alone


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


class Softmax(Activation):
    r"""Softmax over each row, shifted by the row maximum so exp never overflows.

    .. math:: y_i = e^{z_i - m} / \sum_j e^{z_j - m}, \quad m = \max_j z_j

    Its Jacobian is dy_i/dz_j = y_i (delta_ij - y_j), so for an upstream gradient g:

    .. math:: dE/dz = y \odot (g - \textstyle\sum_j g_j y_j)

    For classification prefer a linear output with ``CrossEntropy``, which fuses the softmax.

    Examples
    --------
    >>> Softmax().forward(np.array([[0.0, 0.0], [1e4, 0.0]]))
    array([[0.5, 0.5],
           [1. , 0. ]])
    """

    symbol = "softmax"

    def _f(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        np.subtract(z, z.max(axis=1, keepdims=True), out=out)  # (N, d)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def _backward_into(self, grad_out: np.ndarray, out: np.ndarray) -> np.ndarray:
        dot = np.sum(grad_out * self.y, axis=1, keepdims=True)  # (N, 1)
        np.subtract(grad_out, dot, out=out)
        out *= self.y
        return out

    def local_grad(self) -> np.ndarray:
        """The Jacobian dy/dz of each row, shape (N, d, d)."""
        y = self.y
        return y[:, :, None] * (np.eye(y.shape[1], dtype=y.dtype)[None] - y[:, None, :])


ACTIVATIONS: dict[str, type[Activation]] = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "silu": SiLU,
    "softplus": Softplus,
    "softmax": Softmax,
    "identity": Identity,
}
_ALIASES = {
    "linear": "identity",
    "none": "identity",
    "leakyrelu": "leaky_relu",
    "logistic": "sigmoid",
    "swish": "silu",
}


def get_activation(name: str | Activation, **kwargs: Any) -> Activation:
    """Build an activation layer from its name ("sigmoid", "tanh", "relu", ...).

    Examples
    --------
    >>> get_activation("tanh")
    Tanh()
    >>> get_activation("leaky-relu", alpha=0.2)
    LeakyReLU(alpha=0.2)
    """
    if isinstance(name, Activation):
        return name
    key = str(name).lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in ACTIVATIONS:
        raise unknown_name("activation", name, sorted(ACTIVATIONS))
    return ACTIVATIONS[key](**kwargs)
