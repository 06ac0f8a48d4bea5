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
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from glassnet.model.sequential import Sequential
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
        self.s = float(len(X) if w is None else np.sum(w))  # the weight of the batch

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
        net = self.net
        # forward, E and backward: the training step's (glassnet.train.step), without its update
        value, _ = training.error_and_gradients(net, self.loss, self.X, self.T, self.w)
        if self.alpha and self.s > 0:  # scikit-learn's L2 term, on the weight matrices only
            squares = sum(float(np.dot(W.ravel(), W.ravel())) for W in self.coefs)
            value += 0.5 * self.alpha * squares / self.s
            for layer in net.layers:
                if layer.params:
                    layer.grads["W"] += layer.params["W"] * (self.alpha / self.s)
        flat = np.concatenate([p.grad.ravel() for p in self.params])
        return float(value), flat.astype(np.float64)


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
    net.train()
    result = minimize(
        f,
        f.vector(),
        method="L-BFGS-B",
        jac=True,
        options={"maxfun": int(max_fun), "maxiter": int(max_iter), "gtol": float(tol)},
    )
    net.eval()
    f.set(result.x)
    if result.status != 0:  # 1: a bound on iterations or evaluations; 2: the line search
        warnings.warn(
            f"lbfgs stopped before converging ({_reason(result)}); raise max_iter or max_fun, "
            "or scale the inputs.",
            ConvergenceWarning,
            stacklevel=3,
        )
    if verbose:
        print(f"lbfgs: {result.nit} iterations, {result.nfev} evaluations, loss {result.fun:.8f}")
    return float(result.fun), int(min(result.nit, max_iter))


def _reason(result: Any) -> str:
    message = result.message
    return message.decode() if isinstance(message, bytes) else str(message)
