"""Mean squared error, E = mean((y - t)^2), next to its derivative dE/dy = 2 (y - t) / M.

The article's loss: for one output and one sample it is E = (Y - t)^2.
"""

from __future__ import annotations

import numpy as np

from glassnet.losses.base import Loss


class MSE(Loss):
    r"""Mean squared error over all elements.

    .. math:: E = \frac{1}{M} \sum (y - t)^2, \qquad dE/dy = \frac{2}{M} (y - t)

    with M the number of elements (N samples times outputs). For the article's single
    output and single sample, E = (Y - t)^2 and dE/dY = 2(Y - t).

    Examples
    --------
    >>> loss = MSE()
    >>> round(loss.forward(np.array([[0.6]]), np.array([[0.8]])), 12)  # (0.6 - 0.8)^2
    0.04
    >>> loss.backward()  # 2 (0.6 - 0.8)
    array([[-0.4]])
    >>> MSE().per_sample(np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]]))  # each sample's error
    array([5.])
    """

    name = "mse"
    formula = "E = (Y - target)^2"
    grad_formula = "dE/dY = 2(Y - target)"

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        """E = mean((y - t)^2)."""
        t = self._check_same_shape(y, t)
        self.diff = y - t  # (N, d)
        return self._mean_of(self.diff * self.diff)  # the squares (N, d)

    def backward(self) -> np.ndarray:
        """dE/dy = 2 (y - t) / M."""
        return self.diff * self.diff.dtype.type(2.0 / self.diff.size)
