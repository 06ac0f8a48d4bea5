"""scikit-learn's MLP objective on glassnet's losses: the same batch loss, output error and L2
term, so that ``loss_curve_``, the stopping rule and every step match scikit-learn's.

For a batch of n samples with K outputs, s = n (or the sum of the batch's sample weights) and
coefficient matrices W_i (the intercepts are left out), scikit-learn's MLP reports

.. math:: L = D + \\frac{\\alpha}{2 s} \\sum_i \\lVert W_i \\rVert^2

and steps along the output error (y - t) / s at the last layer's pre-activation, with
alpha W_i / s added to each dL/dW_i. Its data term D, beside glassnet's loss E of the same
outputs (a mean over all n K elements, except cross-entropy, a mean over rows):

==================  =======================================  ========  ===========
loss                D                                        D / E     gradient / E's
==================  =======================================  ========  ===========
squared error       mean over n K of (y - t)^2 / 2           1/2       K/2
log loss (softmax)  mean over n of -log p[target]            1         1
logistic (K >= 1)   sum over K of the mean binary CE         K         K
Poisson (exp out)   sum over K of the mean half deviance     K (+ c)   K
==================  =======================================  ========  ===========

The squared error's two columns differ for K > 1: scikit-learn reports the mean over the
outputs but steps along the error of their sum, (y - t) / s, as for every other loss. The
Poisson half deviance adds c = sum over K of the mean of t log t - t, a term free of the model
(it moves the reported loss, never a step). Each class below is the glassnet loss it extends
with those two scales, and adds the L2 term to the loss of each batch; it also sets the
optimiser's ``weight_decay`` to alpha / s before the batch's step, so that a last, smaller
batch is penalised by its own size as in scikit-learn. With the ``"adamw"`` solver, whose
decay is decoupled (no counterpart in scikit-learn), the loss carries no L2 term and the
decay stays ``alpha``.

Adam's epsilon sits elsewhere in scikit-learn: it divides by sqrt(v) + epsilon, glassnet
(PyTorch) by sqrt(v / (1 - beta_2^t)) + eps, so scikit-learn's step t is glassnet's with
eps = epsilon / sqrt(1 - beta_2^t) (the "epsilon hat" of Kingma and Ba, also Keras's). Given
``epsilon``, the objective sets that eps before each step: the estimators' Adam steps are
scikit-learn's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import xlogy

from glassnet.losses import MSE, BinaryCrossEntropy, CrossEntropy, Loss, PoissonNLL

__all__ = ["objective"]


class _Objective:
    """Mixin before a glassnet loss in the bases: scales its value and gradient to
    scikit-learn's and adds the L2 term of the batch (see the module)."""

    #: D / E, and scikit-learn's gradient over E's (set by :func:`objective`)
    value_scale = 1.0
    grad_scale = 1.0
    alpha = 0.0
    #: the coefficient matrices W_i the L2 term reads (the network's own arrays)
    coefs: list[np.ndarray] = []
    #: the optimiser whose weight_decay follows alpha / s; None: leave it (adamw)
    optimizer: Any = None
    #: scikit-learn's Adam epsilon, turned into the optimiser's eps of each step; None: leave it
    epsilon: float | None = None
    _weighing = False

    def _before_step(self, s: float) -> float:
        """Set what the coming step reads (weight_decay, Adam's eps); return the L2 term."""
        if self.epsilon is not None:  # scikit-learn's epsilon at the coming step t + 1
            beta_2 = self.optimizer.betas[1]
            self.optimizer.eps = self.epsilon / float(np.sqrt(1 - beta_2 ** (self.optimizer.t + 1)))
        return self._penalty(s)

    def _penalty(self, s: float) -> float:
        """(alpha / 2s) sum ||W_i||^2 for a batch of weight s; sets weight_decay = alpha / s."""
        if self.optimizer is None or self.alpha == 0:
            return 0.0
        if s <= 0:  # a batch of weight 0 teaches nothing, its L2 term included
            self.optimizer.weight_decay = 0.0
            return 0.0
        self.optimizer.weight_decay = self.alpha / s
        squares = sum(float(np.dot(W.ravel(), W.ravel())) for W in self.coefs)
        return 0.5 * self.alpha * squares / s

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        value = self.value_scale * super().forward(y, t) + self._model_free()
        return value if self._weighing else value + self._before_step(len(y))

    def forward_through_sigmoid(self, z: np.ndarray, y: np.ndarray, t: np.ndarray) -> float:
        value = self.value_scale * super().forward_through_sigmoid(z, y, t)
        return value + self._before_step(len(y))

    def weighted_forward(self, y: np.ndarray, t: np.ndarray, sample_weight: Any) -> float:
        self._weighing = True  # forward's own L2 term would use n, not the weights' sum
        try:
            value = super().weighted_forward(y, t, sample_weight)
        finally:
            self._weighing = False
        return value + self._before_step(float(np.sum(sample_weight)))

    def last_per_sample(self) -> np.ndarray:
        return self.value_scale * super().last_per_sample() + self._model_free_rows()

    def backward(self) -> np.ndarray:
        return self._scaled(super().backward())

    def backward_through_sigmoid(self) -> np.ndarray:
        return self._scaled(super().backward_through_sigmoid())

    def _scaled(self, grad: np.ndarray) -> np.ndarray:
        if self.grad_scale != 1.0:
            grad *= grad.dtype.type(self.grad_scale)
        return grad

    def _model_free(self) -> float:
        """A term of D that no weight changes (the Poisson deviance's); 0 here."""
        return 0.0

    def _model_free_rows(self) -> np.ndarray | float:
        """That term for each sample, (N,); 0 here."""
        return 0.0


class SquaredError(_Objective, MSE):
    """scikit-learn's squared error: MSE / 2, stepping along (y - t) / s."""


class LogLoss(_Objective, CrossEntropy):
    """scikit-learn's log loss of softmax outputs: glassnet's cross-entropy, and the L2 term."""


class BinaryLogLoss(_Objective, BinaryCrossEntropy):
    """scikit-learn's logistic log loss: the sum over the outputs of the mean binary CE."""


class HalfPoissonDeviance(_Objective, PoissonNLL):
    """scikit-learn's half Poisson deviance: K PoissonNLL + the mean of sum_k t log t - t."""

    def _model_free_rows(self) -> np.ndarray:
        t = np.asarray(self.t, dtype=np.float64).reshape(len(self.t), -1)  # (N, K)
        return (xlogy(t, t) - t).sum(axis=1)  # (N,)

    def _model_free(self) -> float:
        return float(self._model_free_rows().mean())


_CLASSES: dict[str, type[Loss]] = {
    "mse": SquaredError,
    "cross_entropy": LogLoss,
    "binary_cross_entropy": BinaryLogLoss,
    "poisson": HalfPoissonDeviance,
}


def _scales(loss: str, k: int) -> tuple[float, float]:
    """(D / E, scikit-learn's gradient over E's) for K = k outputs: the module's table."""
    if loss == "mse":
        return 0.5, 0.5 * k
    if loss == "cross_entropy":
        return 1.0, 1.0
    return float(k), float(k)  # the logistic log loss and the Poisson deviance sum over K


def objective(
    loss: str,
    n_outputs: int,
    alpha: float,
    coefs: list[np.ndarray],
    optimizer: Any,
    epsilon: float | None = None,
) -> Loss:
    """scikit-learn's objective for glassnet's ``loss`` with ``n_outputs`` outputs.

    Parameters
    ----------
    loss : str
        "mse", "cross_entropy", "binary_cross_entropy" or "poisson".
    n_outputs : int
        K, the network's outputs.
    alpha : float
        The L2 strength.
    coefs : list of ndarray
        The weight matrices the L2 term reads (the network's own, updated in place).
    optimizer : Optimizer or None
        Its ``weight_decay`` is set to alpha / s for each batch; None (``"adamw"``): no L2
        term in the loss and the decay left as it is.
    epsilon : float, optional
        scikit-learn's Adam epsilon: before each step the (Adam) optimiser's ``eps`` is set to
        epsilon / sqrt(1 - beta_2^t), which makes its step scikit-learn's.

    Examples
    --------
    >>> loss = objective("mse", 2, alpha=0.0, coefs=[], optimizer=None)
    >>> loss.forward(np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]]))  # (1 + 9) / 2 / 2
    2.5
    >>> loss.backward()  # (y - t) / n
    array([[1., 3.]])
    """
    obj = _CLASSES[loss]()
    obj.value_scale, obj.grad_scale = _scales(loss, n_outputs)
    obj.alpha, obj.coefs, obj.optimizer = float(alpha), list(coefs), optimizer
    obj.epsilon = None if epsilon is None else float(epsilon)
    return obj
