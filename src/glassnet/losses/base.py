"""The Loss base class: the forward/backward contract, and the sample weights every loss shares.

A loss only supplies ``forward``, ``backward`` and ``last_per_sample`` (the per-sample errors
forward computed on its way to their mean, read back without a second pass); ``per_sample``,
the weighted mean E_w = sum_n w_n l_n / sum_n w_n and its gradient (``weighted_forward``,
``weigh``, ``weighted_backward``) are written once, here, in terms of those three.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Loss:
    """Base class: ``forward(y, t) -> float`` then ``backward() -> dE/dy``."""

    name = "loss"
    #: the error in the article's notation, for explain
    formula = "E"
    #: dE/dy in words, for explain
    grad_formula = "dE/dY"
    #: each row's predicted class, when the last forward found it on its way (CrossEntropy's
    #: compiled loop does); None otherwise, and ``fit`` takes the argmax itself
    predicted: np.ndarray | None = None

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:  # pragma: no cover - abstract
        """Return the error E for output y and target t."""
        raise NotImplementedError

    def backward(self) -> np.ndarray:  # pragma: no cover - abstract
        """Return dE/dy for the last forward."""
        raise NotImplementedError

    def predictions(self, y: np.ndarray) -> np.ndarray:
        """What the outputs y predict, to compare with the targets: y itself, except for a loss
        on a transformed scale (PoissonNLL's log-rates give exp(y)).

        Examples
        --------
        >>> from glassnet.losses import MSE
        >>> MSE().predictions(np.array([[2.0]]))
        array([[2.]])
        """
        return y

    def per_sample(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Each sample's error l_n, shape (N,); their mean is ``forward(y, t)``.

        It runs ``forward`` (so ``backward`` then belongs to this call) and reads the terms
        forward computed: see :meth:`last_per_sample`.
        """
        self.forward(y, t)
        return self.last_per_sample()

    def last_per_sample(self) -> np.ndarray:
        """l_n of the last ``forward``, shape (N,), from what it kept (no second pass).

        For a loss that is a mean over elements (MSE, binary cross-entropy, Poisson), forward
        keeps its elementwise terms through :meth:`_mean_of`, and l_n is the mean of row n;
        CrossEntropy, whose terms are per row already, overrides this.

        Examples
        --------
        >>> from glassnet.losses import MSE
        >>> MSE().per_sample(np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]]))  # (1 + 9) / 2
        array([5.])
        """
        return self.terms.reshape(len(self.terms), -1).mean(axis=1)

    def _mean_of(self, terms: np.ndarray) -> float:
        """Keep the elementwise terms (N, d) for :meth:`last_per_sample`; return their mean
        (the sum over the size: ``np.mean`` without its 10 us wrapper)."""
        self.terms = terms
        return float(terms.sum() / terms.size)

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
        >>> from glassnet.losses import MSE
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
        return float(self.last_per_sample() @ w / total)

    def weigh(self, grad: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """dE/dy of the plain mean, row n scaled by w_n N / sum(w): the weighted mean's.

        Works for any gradient of the last ``weighted_forward``, e.g. ``backward()`` or
        BinaryCrossEntropy's ``backward_through_sigmoid()``; into ``out`` (``fit`` passes
        ``grad`` itself: no copy per batch), else into a new array.
        """
        scale = self.row_scale.reshape(-1, *([1] * (grad.ndim - 1)))  # (N, 1)
        return np.multiply(grad, scale, out=out)

    def error_and_gradient(
        self, y: np.ndarray, t: np.ndarray, sample_weight: Any = None, logits: Any = None
    ) -> tuple[float, np.ndarray]:
        """E and its gradient in one call, as a training step takes them: the plain mean and
        dE/dy, or with ``sample_weight`` (N,) the weighted mean and its gradient; with
        ``logits``, the z of the Sigmoid that made y (binary cross-entropy only), the gradient
        is dE/dz, taken from the logits (:meth:`BinaryCrossEntropy.forward_through_sigmoid`).

        Examples
        --------
        >>> from glassnet.losses import MSE
        >>> MSE().error_and_gradient(np.array([[1.0], [3.0]]), np.zeros((2, 1)), [3, 1])
        (3.0, array([[1.5],
               [1.5]]))
        """
        if sample_weight is not None:
            value = self.weighted_forward(y, t, sample_weight)
        elif logits is not None:
            value = self.forward_through_sigmoid(logits, y, t)
        else:
            value = self.forward(y, t)
        grad = self.backward() if logits is None else self.backward_through_sigmoid()
        if sample_weight is not None:  # row n scaled by w_n N / sum(w)
            grad = self.weigh(grad, out=grad)
        return value, grad

    def weighted_backward(self) -> np.ndarray:
        """dE_w/dy for the last :meth:`weighted_forward`."""
        return self.weigh(self.backward())

    def __call__(self, y: np.ndarray, t: np.ndarray, sample_weight: Any = None) -> float:
        if sample_weight is None:
            return self.forward(y, t)
        return self.weighted_forward(y, t, sample_weight)

    def config(self) -> dict[str, Any]:
        """Constructor arguments, saved with a model (none here).

        Examples
        --------
        >>> from glassnet.losses import Huber
        >>> Huber(delta=2.0).config()
        {'delta': 2.0}
        """
        return {}

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
