"""Huber loss: squared for small errors, absolute for large ones, next to its derivative.

Inside |y - t| <= delta it is MSE's parabola (halved), outside it grows in a straight line of
slope delta, so an outlier's pull is capped at delta while small errors still get the
shrinking steps of a squared error. The two pieces meet with the same value and slope.
"""

from __future__ import annotations

import numpy as np

from glassnet.losses.base import Loss


class Huber(Loss):
    r"""Huber loss with threshold ``delta``, a mean over all elements (PyTorch's ``HuberLoss``,
    Keras's ``Huber``).

    .. math:: l(d) = \begin{cases} \tfrac12 d^2 & |d| \le \delta \\
                                   \delta (|d| - \tfrac12 \delta) & |d| > \delta \end{cases},
              \qquad dl/dd = \operatorname{clip}(d, -\delta, \delta)

    with d = y - t; E is the mean of l over the M elements and dE/dy = clip(d, -delta, delta) / M.

    Examples
    --------
    >>> loss = Huber(delta=1.0)
    >>> loss.forward(np.array([[0.5], [3.0]]), np.array([[0.0], [0.0]]))  # (0.125 + 2.5) / 2
    1.3125
    >>> loss.backward()  # clip(d, -1, 1) / 2
    array([[0.25],
           [0.5 ]])
    """

    name = "huber"
    formula = "E = (Y - target)^2 / 2 if |Y - target| <= delta else delta(|Y - target| - delta/2)"
    grad_formula = "dE/dY = clip(Y - target, -delta, delta)"

    def __init__(self, delta: float = 1.0) -> None:
        if not delta > 0:
            raise ValueError(f"Huber's delta must be > 0; got {delta}.")
        self.delta = float(delta)

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        """E = mean of l(y - t)."""
        t = self._check_same_shape(y, t)
        self.diff = d = y - t  # (N, d)
        a = np.abs(d)  # (N, d)
        delta = a.dtype.type(self.delta)
        terms = np.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta))  # (N, d)
        return self._mean_of(terms.astype(y.dtype, copy=False))

    def backward(self) -> np.ndarray:
        """dE/dy = clip(y - t, -delta, delta) / M."""
        g = np.clip(self.diff, -self.delta, self.delta)  # (N, d)
        g *= g.dtype.type(1.0 / g.size)
        return g

    def config(self) -> dict[str, float]:
        """Constructor arguments."""
        return {"delta": self.delta}

    def __repr__(self) -> str:
        return f"Huber(delta={self.delta})"
