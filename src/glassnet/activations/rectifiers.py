"""ReLU and its relatives: LeakyReLU and ELU (a slope below 0), SiLU, GELU and Softplus (smooth).

All are about z for large z; they differ in what they do below 0 and at the kink.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.activations.base import Activation
from glassnet.activations.squashing import Sigmoid
from glassnet.fast import jit


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
        if self.reuse_buffers and jit.worth(out.size):  # while fitting: one compiled pass
            return jit.relu_backward(grad_out, self.y, out)
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


class GELU(Activation):
    r"""Gaussian error linear unit: z weighted by the probability that a standard normal
    variable is below it (Hendrycks and Gimpel, 2016; PyTorch's ``nn.GELU``).

    .. math:: y = z \, \Phi(z), \qquad dy/dz = \Phi(z) + z \, \varphi(z)

    with Phi the normal distribution function, (1 + erf(z / sqrt 2)) / 2, and phi its density.
    ``approximate="tanh"`` uses PyTorch's approximation
    Phi(z) ~ (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))) / 2 and its exact derivative.

    erf comes from SciPy when it is installed (the ``sklearn`` extra), else from Python's
    ``math.erf`` element by element, which is exact but about nine times slower (3.5 ms
    against 0.4 ms for a 128 x 256 batch, measured here).

    Examples
    --------
    >>> g = GELU(); g.forward(np.array([[0.0, 1.0, -1.0]]))
    array([[ 0.        ,  0.84134475, -0.15865525]])
    >>> g.local_grad()  # Phi(z) + z phi(z)
    array([[ 0.5       ,  1.08331547, -0.08331547]])
    >>> GELU(approximate="tanh").forward(np.array([[1.0]]))
    array([[0.84119199]])
    """

    symbol = "gelu"

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU's approximate must be 'none' or 'tanh'; got {approximate!r}.")
        self.approximate = approximate

    def _f(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        if self.approximate == "tanh":
            self.th = np.tanh(_SQRT_2_PI * (z + 0.044715 * z**3))  # (N, d), kept for dy/dz
            self.cdf = 0.5 * (1 + self.th)
        else:
            self.cdf = 0.5 * (1 + _erf(z / math.sqrt(2)))  # (N, d), Phi(z)
        return np.multiply(z, self.cdf, out=out)

    def _df(self) -> np.ndarray:
        z = self.z
        if self.approximate == "tanh":
            du = _SQRT_2_PI * (1 + 3 * 0.044715 * z * z)  # du/dz
            return self.cdf + 0.5 * z * (1 - self.th * self.th) * du
        density = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # phi(z)
        return self.cdf + z * density

    def config(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {"approximate": self.approximate}


_SQRT_2_PI = math.sqrt(2 / math.pi)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf elementwise, in x's dtype: SciPy's when installed, else ``math.erf`` per element."""
    try:
        from scipy.special import erf
    except ImportError:  # pragma: no cover - SciPy comes with the sklearn and dev extras
        return np.frompyfunc(math.erf, 1, 1)(x).astype(x.dtype)
    return erf(x).astype(x.dtype, copy=False)
