"""Poisson negative log-likelihood on log-rates, for counts, next to its derivative.

The network's output z is the logarithm of the expected count, mu = exp(z), so every rate it
can output is positive and no activation is needed at the end; the prediction is exp(z).
"""

from __future__ import annotations

import numpy as np

from glassnet.losses.base import Loss


class PoissonNLL(Loss):
    r"""Poisson negative log-likelihood of counts t under rates exp(z), z the network's output.

    A count t drawn with mean mu has probability mu^t e^{-mu} / t!; with mu = exp(z), minus its
    logarithm is exp(z) - t z + log t!, and the last term does not depend on the network:

    .. math:: E = \frac{1}{M} \sum \big(e^{z} - t\, z\big), \qquad
              dE/dz = \frac{1}{M} \big(e^{z} - t\big)

    with M the number of elements (N samples times outputs): PyTorch's
    ``PoissonNLLLoss(log_input=True)`` and Keras's Poisson loss on log-rates. The gradient is
    the predicted rate minus the count, zero where they agree. Targets must be >= 0 (counts,
    or any non-negative mean); the predictions are :meth:`predictions`, exp(z).

    Examples
    --------
    >>> loss = PoissonNLL()
    >>> z, t = np.array([[0.0], [np.log(2.0)]]), np.array([[1.0], [3.0]])
    >>> round(loss.forward(z, t), 6)  # ((1 - 0) + (2 - 3 log 2)) / 2
    0.460279
    >>> loss.backward()  # (exp(z) - t) / 2
    array([[ 0. ],
           [-0.5]])
    >>> loss.predictions(z)  # the rates
    array([[1.],
           [2.]])
    >>> PoissonNLL().per_sample(np.array([[0.0, 0.0]]), np.array([[1.0, 3.0]]))  # each sample's
    array([1.])
    """

    name = "poisson"
    # in explain's notation the output is Y, here the log-rate
    formula = "E = exp(Y) - target*Y"
    grad_formula = "dE/dY = exp(Y) - target"

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        """E = mean(exp(z) - t z) over every element; z = y, the log-rates."""
        t = self._check_same_shape(y, t)
        self.rate = np.exp(y)  # (N, d), mu = exp(z)
        self.t = t
        return self._mean_of(self.rate - t * y)  # (N, d), exp(z) - t z

    def backward(self) -> np.ndarray:
        """dE/dz = (exp(z) - t) / M."""
        grad = self.rate - self.t  # (N, d)
        grad *= grad.dtype.type(1.0 / grad.size)
        return grad

    def predictions(self, y: np.ndarray) -> np.ndarray:
        """The expected counts exp(z) for outputs z (what to compare with the targets).

        Examples
        --------
        >>> PoissonNLL().predictions(np.array([[0.0]]))
        array([[1.]])
        """
        return np.exp(y)
