"""Binary cross-entropy, for sigmoid outputs in (0, 1) or for logits, next to its derivative.

Clamped as PyTorch's ``BCELoss`` (each log at -100) so that outputs of exactly 0 or 1 stay
finite; ``backward_through_sigmoid`` is the fused gradient ``fit`` uses after a Sigmoid.
"""

from __future__ import annotations

import numpy as np

from glassnet.losses.base import Loss

_FLOOR = 1e-45  # below e^-100 (so the clamp decides) and above 0 (so log never warns)


class BinaryCrossEntropy(Loss):
    r"""Binary cross-entropy for outputs y in (0, 1) (after a Sigmoid), or for logits.

    .. math:: E = -\frac{1}{M} \sum t \log y + (1 - t) \log(1 - y)

    .. math:: dE/dy = \frac{1}{M} \frac{y - t}{y (1 - y)}

    Like PyTorch's ``BCELoss``, each log is clamped at -100 and y(1 - y) at 1e-12, so an
    output of exactly 0 or 1 gives a large but finite error.

    With ``from_logits=True`` the input is z and the sigmoid is fused (``BCEWithLogitsLoss``):
    E = mean(max(z, 0) - z t + log(1 + e^{-|z|})), dE/dz = (sigmoid(z) - t)/M.

    Examples
    --------
    >>> loss = BinaryCrossEntropy()
    >>> round(loss.forward(np.array([[0.5]]), np.array([[1.0]])), 6)  # -log(0.5)
    0.693147
    >>> loss.backward()  # (0.5 - 1) / (0.5 * 0.5)
    array([[-2.]])
    >>> BinaryCrossEntropy().per_sample(np.array([[0.5], [1.0]]), np.array([[1.0], [1.0]]))
    array([0.69314718, 0.        ])
    """

    name = "binary_cross_entropy"
    formula = "E = -(target log Y + (1 - target) log(1 - Y))"
    grad_formula = "dE/dY = (Y - target) / (Y(1 - Y))"

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = bool(from_logits)

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        """E = mean binary cross-entropy."""
        t = self._check_same_shape(y, t).astype(y.dtype, copy=False)
        self.y, self.t = y, t
        return self._mean_of(self._elementwise(y, t))  # (N, d) terms

    def forward_through_sigmoid(self, z: np.ndarray, y: np.ndarray, t: np.ndarray) -> float:
        r"""E for outputs y = sigmoid(z), computed from the logits z in four operations.

        .. math:: E = \frac{1}{M} \sum \text{softplus}(z) - z t,
                  \qquad \text{softplus}(z) = \log(1 + e^{z})

        since -log(sigmoid(z)) = softplus(-z) = softplus(z) - z and -log(1 - sigmoid(z)) =
        softplus(z). It is :meth:`forward`'s error up to rounding, but exact where forward's
        clamp at -100 bites (z beyond -100 or 100), like PyTorch's ``BCEWithLogitsLoss``; the
        gradient :meth:`backward_through_sigmoid` gives is that exact error's. ``fit`` uses
        this for a network that ends in a Sigmoid (a third of a tiny network's step was the
        dozen calls of forward).

        Examples
        --------
        >>> loss = BinaryCrossEntropy()
        >>> z, t = np.array([[0.0], [-200.0]]), np.array([[1.0], [1.0]])
        >>> y = 1 / (1 + np.exp(-z))
        >>> E = loss.forward_through_sigmoid(z, y, t)  # (log 2 + 200) / 2
        >>> round(E, 6), round(loss.forward(y, t), 6)  # forward clamps -log y at 100
        (100.346574, 50.346574)
        >>> loss.backward_through_sigmoid()  # (y - t) / M
        array([[-0.25],
               [-0.5 ]])
        """
        t = self._check_same_shape(y, t).astype(y.dtype, copy=False)
        self.y, self.t = y, t
        terms = np.logaddexp(0, z)  # (N, d) softplus(z), without overflow
        terms -= z * t
        return self._mean_of(terms)

    def _elementwise(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        """-(t log y + (1 - t) log(1 - y)) for every element (or its logits form)."""
        if self.from_logits:
            z = y
            return np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
        # each log clamped at -100 as PyTorch does; the floor keeps log away from log(0)
        log_y = np.log(np.maximum(y, _FLOOR))  # (N, d)
        np.maximum(log_y, -100, out=log_y)
        log_1my = np.subtract(1, y)  # (N, d)
        np.maximum(log_1my, _FLOOR, out=log_1my)
        np.log(log_1my, out=log_1my)
        np.maximum(log_1my, -100, out=log_1my)
        # t log y + (1 - t) log(1 - y) = log(1 - y) + t (log y - log(1 - y))
        log_y -= log_1my
        log_y *= t
        log_y += log_1my
        np.negative(log_y, out=log_y)
        return log_y

    def backward(self) -> np.ndarray:
        """dE/dy (or dE/dz with ``from_logits``)."""
        y, t, m = self.y, self.t, self.y.size
        if self.from_logits:
            from glassnet.activations import Sigmoid  # the stable sigmoid, not a copy of it

            g = Sigmoid().forward(y) - t  # (N, d)
            g *= g.dtype.type(1.0 / m)
            return g
        den = np.subtract(1, y)  # (N, d): m y (1 - y), at least m 1e-12
        den *= y
        np.maximum(den, 1e-12, out=den)
        den *= m
        g = np.subtract(y, t)  # (N, d)
        g /= den
        return g

    def backward_through_sigmoid(self) -> np.ndarray:
        """dE/dz for y = sigmoid(z): the y(1 - y) of the sigmoid cancels, leaving (y - t)/M.

        ``fit`` uses this when a Sigmoid layer feeds this loss: the same gradient as
        backward() followed by the sigmoid's backward, in two operations, and exact even
        where y(1 - y) underflows.

        Examples
        --------
        >>> loss = BinaryCrossEntropy(); _ = loss.forward(np.array([[0.75]]), np.array([[1.0]]))
        >>> loss.backward_through_sigmoid()
        array([[-0.25]])
        """
        g = np.subtract(self.y, self.t)  # (N, d)
        g *= g.dtype.type(1.0 / g.size)
        return g

    def config(self) -> dict[str, bool]:
        """Constructor arguments."""
        return {"from_logits": self.from_logits}

    def __repr__(self) -> str:
        return f"BinaryCrossEntropy(from_logits={self.from_logits})"
