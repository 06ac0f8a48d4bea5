"""Mean absolute error, E = mean(|y - t|), next to its derivative dE/dy = sign(y - t) / M.

Each error counts in proportion to its size, not its square, so a few outliers pull the fit
less than under MSE; the slope is the same (1/M) however small the error, which is why the
steps do not shrink near the minimum as MSE's do.
"""

from __future__ import annotations

import numpy as np

from glassnet.losses.base import Loss


class MAE(Loss):
    r"""Mean absolute error over all elements (PyTorch's ``L1Loss``).

    .. math:: E = \frac{1}{M} \sum |y - t|, \qquad dE/dy = \frac{1}{M} \operatorname{sign}(y - t)

    with M the number of elements and sign(0) = 0 (as PyTorch's gradient). For one output
    and one sample, E = |Y - t| and dE/dY = sign(Y - t).

    Examples
    --------
    >>> loss = MAE()
    >>> round(loss.forward(np.array([[0.6], [2.0]]), np.array([[0.8], [1.0]])), 12)  # (0.2 + 1) / 2
    0.6
    >>> loss.backward()  # sign(y - t) / 2
    array([[-0.5],
           [ 0.5]])
    """

    name = "mae"
    formula = "E = |Y - target|"
    grad_formula = "dE/dY = sign(Y - target)"

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        """E = mean(|y - t|)."""
        t = self._check_same_shape(y, t)
        self.diff = y - t  # (N, d)
        return self._mean_of(np.abs(self.diff))  # (N, d)

    def backward(self) -> np.ndarray:
        """dE/dy = sign(y - t) / M."""
        g = np.sign(self.diff)  # (N, d)
        g *= g.dtype.type(1.0 / g.size)
        return g
