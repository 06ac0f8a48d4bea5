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
    """

    name = "mse"
    formula = "E = (Y - target)^2"
    grad_formula = "dE/dY = 2(Y - target)"

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        """E = mean((y - t)^2)."""
        t = self._check_same_shape(y, t)
        self.diff = y - t  # (N, d)
        self.sq = self.diff * self.diff  # (N, d)
        return float(self.sq.sum() / self.sq.size)  # np.mean, without its 10 us wrapper

    def backward(self) -> np.ndarray:
        """dE/dy = 2 (y - t) / M."""
        return self.diff * self.diff.dtype.type(2.0 / self.diff.size)

    def last_per_sample(self) -> np.ndarray:
        """l_n = mean over the outputs of (y_n - t_n)^2, shape (N,), from forward's squares.

        Examples
        --------
        >>> MSE().per_sample(np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]]))
        array([5.])
        """
        return self.sq.reshape(len(self.sq), -1).mean(axis=1)
