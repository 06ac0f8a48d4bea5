"""Softmax cross-entropy on logits, fused with its gradient dE/dz = (p - onehot(t)) / N.

Targets are integer labels or rows of class probabilities; while ``fit`` runs, the loss and
its gradient may come from one compiled loop (:mod:`glassnet.fast.jit`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.fast import jit
from glassnet.losses.base import Loss


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
    gradient in one compiled loop (:mod:`glassnet.fast.jit`); the numbers agree to rounding.

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

    def _kept(self, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """An uninitialised array kept under ``name`` between calls of one shape and dtype
        (the batch's per-sample errors, predictions and gradient are written into it)."""
        buf = self.__dict__.get(name)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = self.__dict__[name] = np.empty(shape, dtype)
        return buf

    def _rows(self, n: int) -> np.ndarray:
        """0..n-1, kept between calls (the row index of every label)."""
        rows = self.__dict__.get("_row_cache")
        if rows is None or len(rows) != n:
            rows = self._row_cache = np.arange(n)
        return rows

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        """E = mean over the batch of logsumexp(z) - z[target]."""
        z = y  # (N, K) logits
        if z.ndim != 2:
            raise ValueError(f"CrossEntropy expected logits of shape (N, K); got {z.shape}.")
        n, k = z.shape
        t = np.asarray(t)
        if self.trusted_labels and t.ndim == 1 and t.dtype.kind in "iu" and jit.worth(z.size):
            # fit's path: loss and dE/dz in one compiled loop (backward returns the gradient)
            self.labels, self.t, self.n, self.p = t, t, n, None
            self._grad = self._kept("_grad_cache", z.shape, z.dtype)  # (N, K)
            self.losses = self._kept("_loss_cache", (n,), np.float64)  # (N,)
            self.predicted = self._kept("_predicted_cache", (n,), np.int64)  # argmax z_n
            return jit.softmax_cross_entropy(z, t, self._grad, self.losses, self.predicted)
        zmax = z.max(axis=1, keepdims=True)  # (N, 1)
        p = np.subtract(z, zmax)  # (N, K), shifted logits, max 0
        np.exp(p, out=p)
        sums = p.sum(axis=1, keepdims=True)  # (N, 1)
        p /= sums  # softmax
        self.p, self.t, self.n, self._grad, self.predicted = p, t, n, None, None
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
            self.losses = np.log(sums[:, 0]) - shifted_t  # (N,)
            return float(self.losses.sum() / n)  # np.mean's result, without its 10 us wrapper
        if t.shape != z.shape:
            raise ValueError(
                f"CrossEntropy expected integer labels of shape ({n},) or one-hot targets of "
                f"shape {z.shape}; got {t.shape} of dtype {t.dtype}."
            )
        self.labels = None
        self.t_log_p = t * (z - zmax - np.log(sums))  # (N, K), t log p, stable log-softmax
        self.losses = None  # summed over classes when asked (last_per_sample)
        return float(-np.sum(self.t_log_p) / n)

    def last_per_sample(self) -> np.ndarray:
        """l_n = logsumexp(z_n) - z_n[t_n] (or -sum_k t_nk log p_nk), shape (N,), as the last
        forward computed them.

        Examples
        --------
        >>> CrossEntropy().per_sample(np.array([[0.0, 0.0], [0.0, 50.0]]), np.array([1, 1]))
        array([0.69314718, 0.        ])
        """
        if self.losses is None:
            self.losses = -self.t_log_p.sum(axis=1)
        return self.losses

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
