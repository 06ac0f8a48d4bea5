"""``solver="lbfgs"``: the whole training set as one batch, minimised by SciPy's L-BFGS-B.

L-BFGS is a quasi-Newton method: from the gradients of the last few steps it builds an
estimate of the curvature and steps along it, with a line search; there is no learning rate
and no batch. On small data sets it often converges in fewer passes than SGD or Adam, which
is why scikit-learn's first MLP example uses it.

The function it minimises is scikit-learn's objective over all n samples
(:mod:`glassnet.sklearn._objective`): the data term plus (alpha / 2s) sum ||W||^2, s = n or
the sum of the sample weights, whose gradient glassnet's backward pass gives (plus
(alpha / s) W for each weight matrix). The parameters travel as one float64 vector; as in
scikit-learn, ``max_iter`` bounds the iterations, ``max_fun`` the evaluations of the function,
``tol`` is the gradient tolerance ``gtol``, and a run that stops at either bound warns with a
ConvergenceWarning.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from glassnet.model.sequential import Sequential
from glassnet.sklearn._rows import chunks, dense
from glassnet.train import step as training

__all__ = ["fit_lbfgs"]


class _FullBatch:
    """f(theta) and its gradient for L-BFGS: the network's parameters as one vector."""

    def __init__(
        self, net: Sequential, X: np.ndarray, T: np.ndarray, w: Any, loss: Any, alpha: float
    ) -> None:
        self.net, self.X, self.T, self.w, self.loss, self.alpha = net, X, T, w, loss, alpha
        self.params = net.parameters()
        self.coefs = [layer.params["W"] for layer in net.layers if layer.params]
        self.s = float(X.shape[0] if w is None else np.sum(w))  # the weight of the batch
        self.is_coef = [any(p.value is W for W in self.coefs) for p in self.params]

    def vector(self) -> np.ndarray:
        """The parameters as one float64 vector (each array raveled, in the network's order)."""
        return np.concatenate([p.value.ravel() for p in self.params]).astype(np.float64)

    def set(self, theta: np.ndarray) -> None:
        """Write ``theta`` into the parameters, in place."""
        start = 0
        for p in self.params:
            p.value[...] = theta[start : start + p.value.size].reshape(p.value.shape)
            start += p.value.size

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        self.set(theta)
        net, w = self.net, self.w
        value = 0.0
        flat = np.zeros(sum(p.value.size for p in self.params))  # dE/dtheta, float64
        for start, stop in chunks(self.X):  # all of a dense X; a sparse one block by block
            wb = None if w is None else w[start:stop]
            share = (stop - start) / len(self.T) if w is None else float(np.sum(wb)) / self.s
            if share == 0:  # rows of weight 0: nothing to add
                continue
            # forward, E and backward of the block: the training step's (glassnet.train.step),
            # without its update; the whole set's E and gradient are the blocks' weighted by
            # each block's share of the rows (or of the weights)
            x = dense(self.X, start, stop, net.dtype)  # (m, in)
            part, _ = training.error_and_gradients(net, self.loss, x, self.T[start:stop], wb)
            value += share * part
            flat += share * np.concatenate([p.grad.ravel() for p in self.params])
        if self.alpha and self.s > 0:  # scikit-learn's L2 term, on the weight matrices only
            squares = sum(float(np.dot(W.ravel(), W.ravel())) for W in self.coefs)
            value += 0.5 * self.alpha * squares / self.s
            start = 0
            for p, coef in zip(self.params, self.is_coef, strict=True):
                if coef:  # d/dW of alpha |W|^2 / (2 s) = alpha W / s
                    flat[start : start + p.value.size] += p.value.ravel() * (self.alpha / self.s)
                start += p.value.size
        return float(value), flat


def fit_lbfgs(
    net: Sequential,
    X: np.ndarray,
    T: np.ndarray,
    sample_weight: Any,
    loss: Any,
    alpha: float,
    max_iter: int,
    max_fun: int,
    tol: float,
    verbose: bool = False,
) -> tuple[float, int]:
    """Minimise scikit-learn's objective of ``net`` on (X, T) with L-BFGS-B; return
    (the final loss, the iterations run). The network keeps the weights found.

    Examples
    --------
    >>> from glassnet import mlp
    >>> from glassnet.losses import MSE
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1); T = X ** 2  # (20, 1) each
    >>> net = mlp("1,8,1", activation="tanh", dtype="float64", seed=0)
    >>> loss, n_iter = fit_lbfgs(net, X, T, None, MSE(), 0.0, 200, 15000, 1e-8)
    >>> loss < 1e-3, n_iter > 1
    (True, True)
    """
    f = _FullBatch(net, X, T, sample_weight, loss, float(alpha))
    options = {"maxfun": int(max_fun), "maxiter": int(max_iter), "gtol": float(tol)}
    options.update(_iprint(verbose))
    net.train()
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = minimize(f, f.vector(), method="L-BFGS-B", jac=True, options=options)
    finally:
        net.eval()
    f.set(result.x)
    n_iter = int(min(result.nit, max_iter))
    if result.status != 0:  # 1: a bound on iterations or evaluations; 2: the line search
        warnings.warn(
            _not_converged(result, n_iter, int(max_iter)), ConvergenceWarning, stacklevel=3
        )
    return float(result.fun), n_iter


def _iprint(verbose: bool) -> dict[str, int]:
    """scikit-learn's ``verbose`` for L-BFGS: SciPy's ``iprint`` (1 verbose, else -1), which
    SciPy prints from; SciPy 1.15 rewrote L-BFGS-B and no longer prints, so from there on,
    as scikit-learn, nothing is passed (and nothing printed).

    Examples
    --------
    >>> _iprint(True) in ({}, {"iprint": 1})
    True
    """
    major, minor = (int(part) for part in scipy.__version__.split(".")[:2])
    if (major, minor) >= (1, 15):
        return {}
    return {"iprint": 1 if verbose else -1}


def _not_converged(result: Any, n_iter: int, max_iter: int) -> str:
    """scikit-learn's ConvergenceWarning for an L-BFGS run that did not converge."""
    message = (
        f"lbfgs failed to converge after {n_iter} iteration(s) (status={result.status}):\n"
        f"{result.message}\n"
    )
    if n_iter == max_iter:
        message += (
            f"\nIncrease the number of iterations to improve the convergence (max_iter={max_iter})."
        )
    return message + (
        "\nYou might also want to scale the data as shown in:\n"
        "    https://scikit-learn.org/stable/modules/preprocessing.html"
    )
