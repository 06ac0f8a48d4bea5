"""Losses: the error E between the network's output y and the target t.

``forward(y, t)`` returns E as a float and keeps what ``backward()`` needs; ``backward()``
returns dE/dy with the shape of y. Every loss is a mean over the batch, so dE/dy carries a
1/N (for MSE, 1/(number of elements)).

Sample weights: ``per_sample(y, t)`` gives each sample's error l_n (their mean is E), and
``weighted_forward(y, t, w)`` the weighted mean E_w = sum_n w_n l_n / sum_n w_n, the
convention of scikit-learn and of PyTorch's class weights. Its gradient is the plain mean's
with row n scaled by w_n N / sum(w) (``weigh``), because dE/dy_n = (1/N) dl_n/dy_n.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import _jit
from glassnet._checks import unknown_name


class Loss:
    """Base class: ``forward(y, t) -> float`` then ``backward() -> dE/dy``."""

    name = "loss"
    #: the error in the article's notation, for explain
    formula = "E"
    #: dE/dy in words, for explain
    grad_formula = "dE/dY"

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:  # pragma: no cover - abstract
        """Return the error E for output y and target t."""
        raise NotImplementedError

    def backward(self) -> np.ndarray:  # pragma: no cover - abstract
        """Return dE/dy for the last forward."""
        raise NotImplementedError

    def per_sample(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:  # pragma: no cover
        """Each sample's error l_n, shape (N,); their mean is ``forward(y, t)``."""
        raise NotImplementedError

    def weighted_forward(self, y: np.ndarray, t: np.ndarray, sample_weight: Any) -> float:
        r"""The weighted mean error; the next :meth:`weighted_backward` is its gradient.

        .. math:: E_w = \frac{\sum_n w_n l_n}{\sum_n w_n}, \qquad
                  \frac{dE_w}{dy_n} = \frac{w_n N}{\sum_m w_m} \frac{dE}{dy_n}

        with l_n from :meth:`per_sample` and E the plain mean. Weights of 1 give E itself;
        weights that sum to 0 give E_w = 0 and a zero gradient (the batch teaches nothing).

        Parameters
        ----------
        y, t : ndarray
            Outputs (N, out) and targets, as for ``forward``.
        sample_weight : array-like, shape (N,)
            Non-negative weight of each sample (not checked here: ``fit`` checks them once).

        Examples
        --------
        >>> loss = MSE()
        >>> loss.weighted_forward(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]]), [3, 1])
        3.0
        >>> loss.weighted_backward()  # 2 w_n (y_n - t_n) / sum(w) = [6/4, 6/4]
        array([[1.5],
               [1.5]])
        """
        self.forward(y, t)  # keeps what backward needs
        w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)  # (N,)
        total = float(w.sum())
        if total <= 0:
            self.row_scale = np.zeros(len(w), dtype=y.dtype)  # (N,)
            return 0.0
        self.row_scale = (w * (len(w) / total)).astype(y.dtype)  # (N,), w_n N / sum(w)
        return float(self.per_sample(y, t) @ w / total)

    def weigh(self, grad: np.ndarray) -> np.ndarray:
        """dE/dy of the plain mean, row n scaled by w_n N / sum(w): the weighted mean's.

        Works for any gradient of the last ``weighted_forward``, e.g. ``backward()`` or
        BinaryCrossEntropy's ``backward_through_sigmoid()``; returns a new array.
        """
        return grad * self.row_scale.reshape(-1, *([1] * (grad.ndim - 1)))

    def weighted_backward(self) -> np.ndarray:
        """dE_w/dy for the last :meth:`weighted_forward`."""
        return self.weigh(self.backward())

    def __call__(self, y: np.ndarray, t: np.ndarray, sample_weight: Any = None) -> float:
        if sample_weight is None:
            return self.forward(y, t)
        return self.weighted_forward(y, t, sample_weight)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def _check_same_shape(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t)
        if t.shape != y.shape:
            if t.ndim == 1 and y.ndim == 2 and y.shape[1] == 1 and t.shape[0] == y.shape[0]:
                return t.reshape(-1, 1)
            raise ValueError(
                f"{type(self).__name__} expected target of shape {y.shape} (the output's); "
                f"got {t.shape}. Check the last layer's width or the targets."
            )
        return t


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
        sq = self.diff * self.diff  # (N, d)
        return float(sq.sum() / sq.size)  # np.mean, without its 10 us wrapper

    def backward(self) -> np.ndarray:
        """dE/dy = 2 (y - t) / M."""
        return self.diff * self.diff.dtype.type(2.0 / self.diff.size)

    def per_sample(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        """l_n = mean over the outputs of (y_n - t_n)^2, shape (N,).

        Examples
        --------
        >>> MSE().per_sample(np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]]))
        array([5.])
        """
        d = y - self._check_same_shape(y, t)  # (N, d)
        return (d * d).reshape(len(d), -1).mean(axis=1)


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
        losses = self._elementwise(y, t)  # (N, d)
        return float(losses.sum() / losses.size)  # np.mean, cheaper

    def per_sample(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        """l_n = the binary cross-entropy averaged over sample n's outputs, shape (N,).

        Examples
        --------
        >>> BinaryCrossEntropy().per_sample(np.array([[0.5], [1.0]]), np.array([[1.0], [1.0]]))
        array([0.69314718, 0.        ])
        """
        t = self._check_same_shape(y, t).astype(y.dtype, copy=False)
        return self._elementwise(y, t).reshape(len(y), -1).mean(axis=1)

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

    def __repr__(self) -> str:
        return f"BinaryCrossEntropy(from_logits={self.from_logits})"


class CrossEntropy(Loss):
    r"""Softmax cross-entropy on logits z, fused for stability and speed.

    Targets are integer labels of shape (N,) or rows of class probabilities of shape (N, K):
    one-hot, or soft, but each row >= 0 and summing to 1 (the gradient below assumes it;
    ``fit`` checks it).

    .. math:: p = \text{softmax}(z), \qquad E = -\frac{1}{N} \sum_n \log p_{n, t_n}
              = \frac{1}{N} \sum_n \big(\text{logsumexp}(z_n) - z_{n, t_n}\big)

    The gradient with respect to the logits is where the fusion pays: the softmax Jacobian
    and the log cancel, leaving

    .. math:: dE/dz = (p - \text{onehot}(t)) / N

    While ``fit`` runs with integer labels and numba installed, forward computes E and this
    gradient in one compiled loop (:mod:`glassnet._jit`); the numbers agree to rounding.

    Examples
    --------
    >>> loss = CrossEntropy()
    >>> round(loss.forward(np.array([[0.0, 0.0]]), np.array([1])), 6)  # log 2
    0.693147
    >>> loss.backward()
    array([[ 0.5, -0.5]])
    """

    name = "cross_entropy"
    formula = "E = -log softmax(z)[target]"
    grad_formula = "dE/dz = softmax(z) - onehot(target)"
    #: set by ``fit`` while it runs: the labels were range-checked once, up front
    trusted_labels = False

    def _rows(self, n: int) -> np.ndarray:
        """0..n-1, kept between calls (the row index of every label)."""
        rows = getattr(self, "_row_cache", None)
        if rows is None or len(rows) != n:
            rows = self._row_cache = np.arange(n)
        return rows

    def _grad_buffer(self, z: np.ndarray) -> np.ndarray:
        """An (N, K) array for dE/dz, kept between calls of one shape and dtype."""
        buf = getattr(self, "_grad_cache", None)
        if buf is None or buf.shape != z.shape or buf.dtype != z.dtype:
            buf = self._grad_cache = np.empty_like(z)
        return buf

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        """E = mean over the batch of logsumexp(z) - z[target]."""
        z = y  # (N, K) logits
        if z.ndim != 2:
            raise ValueError(f"CrossEntropy expected logits of shape (N, K); got {z.shape}.")
        n, k = z.shape
        t = np.asarray(t)
        if self.trusted_labels and t.ndim == 1 and t.dtype.kind in "iu" and _jit.worth(z.size):
            # fit's path: loss and dE/dz in one compiled loop (backward returns the gradient)
            self.labels, self.t, self.n, self.p = t, t, n, None
            self._grad = self._grad_buffer(z)
            return _jit.softmax_cross_entropy(z, t, self._grad)
        zmax = z.max(axis=1, keepdims=True)  # (N, 1)
        p = np.subtract(z, zmax)  # (N, K), shifted logits, max 0
        np.exp(p, out=p)
        sums = p.sum(axis=1, keepdims=True)  # (N, 1)
        p /= sums  # softmax
        self.p, self.t, self.n, self._grad = p, t, n, None
        if t.ndim == 1 and t.dtype.kind in "iu":
            if t.shape[0] != n:
                raise ValueError(f"CrossEntropy expected {n} labels; got {t.shape[0]}.")
            if not self.trusted_labels:
                lo, hi = int(t.min()), int(t.max())
                if lo < 0 or hi >= k:
                    raise ValueError(
                        f"labels must be integers in [0, {k - 1}] for {k} outputs; got labels "
                        f"in [{lo}, {hi}]. Widen the last layer or fix the labels."
                    )
            self.labels = t
            # -log p_t = log(sum) - (z_t - max): exact and finite, never log(0)
            shifted_t = z[self._rows(n), t] - zmax[:, 0]  # (N,)
            per_sample = np.log(sums[:, 0]) - shifted_t  # (N,)
            return float(per_sample.sum() / n)  # np.mean's result, without its 10 us wrapper
        if t.shape != z.shape:
            raise ValueError(
                f"CrossEntropy expected integer labels of shape ({n},) or one-hot targets of "
                f"shape {z.shape}; got {t.shape} of dtype {t.dtype}."
            )
        self.labels = None
        log_p = z - zmax - np.log(sums)  # (N, K), stable log-softmax
        return float(-np.sum(t * log_p) / n)

    def per_sample(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        """l_n = logsumexp(z_n) - z_n[t_n] (or -sum_k t_nk log p_nk), shape (N,).

        Examples
        --------
        >>> CrossEntropy().per_sample(np.array([[0.0, 0.0], [0.0, 50.0]]), np.array([1, 1]))
        array([0.69314718, 0.        ])
        """
        z = np.asarray(y)  # (N, K) logits
        zmax = z.max(axis=1, keepdims=True)  # (N, 1)
        lse = np.log(np.exp(z - zmax).sum(axis=1)) + zmax[:, 0]  # (N,) logsumexp
        t = np.asarray(t)
        if t.ndim == 1:
            return lse - z[np.arange(len(z)), t]
        return -(t * (z - lse[:, None])).sum(axis=1)

    def backward(self) -> np.ndarray:
        """dE/dz = (p - onehot(t)) / N, reusing the softmax from forward."""
        if self._grad is not None:  # a second call returns the same array
            return self._grad
        g = self.p  # (N, K); forward's softmax, turned into the gradient in place
        if self.labels is not None:
            g[self._rows(self.n), self.labels] -= 1
        else:
            g -= self.t
        g *= g.dtype.type(1.0 / self.n)
        self._grad = g
        return g


LOSSES: dict[str, type[Loss]] = {
    "mse": MSE,
    "binary_cross_entropy": BinaryCrossEntropy,
    "cross_entropy": CrossEntropy,
}
_ALIASES = {"bce": "binary_cross_entropy", "ce": "cross_entropy", "mean_squared_error": "mse"}


def get_loss(name: str | Loss, **kwargs: Any) -> Loss:
    """Build a loss from its name: "mse", "binary_cross_entropy" or "cross_entropy".

    Examples
    --------
    >>> get_loss("cross_entropy")
    CrossEntropy()
    """
    if isinstance(name, Loss):
        return name
    if isinstance(name, type) and issubclass(name, Loss):
        return name(**kwargs)
    key = str(name).lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in LOSSES:
        raise unknown_name("loss", name, sorted(LOSSES))
    return LOSSES[key](**kwargs)
