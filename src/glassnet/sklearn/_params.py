"""The checks of the estimators' parameters, and the glassnet optimiser they describe.

Every check names the parameter, what it accepts (and scikit-learn's default where it helps)
and the value it got, and raises ValueError, as scikit-learn's parameter validation does.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from glassnet.optimizers import OPTIMIZERS, Optimizer, get_optimizer

__all__ = ["LEARNING_RATES", "SOLVERS", "check_params", "solver_optimizer"]

#: the solvers: scikit-learn's three, then glassnet's other optimisers
SOLVERS = ("lbfgs", "sgd", "adam", *sorted(set(OPTIMIZERS) - {"sgd", "adam"}))

#: scikit-learn's ``learning_rate`` schedules (used with solver="sgd" only)
LEARNING_RATES = ("constant", "invscaling", "adaptive")


def check_params(est: Any, n: int) -> tuple[list[int], int]:
    """Check the parameters of the estimator ``est``; return (hidden widths, batch size).

    ``n`` is the number of training samples, which caps the batch size.

    Raises
    ------
    ValueError
        Naming the first bad parameter, what it accepts and what it got.

    Examples
    --------
    >>> from glassnet.sklearn import MLPClassifier
    >>> check_params(MLPClassifier(hidden_layer_sizes=(8, 4)), n=50)
    ([8, 4], 50)
    >>> check_params(MLPClassifier(momentum=1.5), n=50)
    Traceback (most recent call last):
    ...
    ValueError: momentum must be a number in [0, 1] (scikit-learn's default 0.9); got 1.5.
    """
    hidden = est.hidden_layer_sizes
    hidden = [hidden] if isinstance(hidden, int | np.integer) else list(hidden)
    if any(isinstance(h, bool) or not isinstance(h, int | np.integer) or h <= 0 for h in hidden):
        raise ValueError(
            f"hidden_layer_sizes must be positive integers, e.g. (100,); got "
            f"{est.hidden_layer_sizes!r}."
        )
    if getattr(est, "loss", "squared_error") not in ("squared_error", "poisson"):
        raise ValueError(
            f"loss must be 'squared_error' or 'poisson' (scikit-learn's); got {est.loss!r}."
        )
    if str(est.solver).lower() not in SOLVERS:
        raise ValueError(f"solver must be one of {list(SOLVERS)}; got {est.solver!r}.")
    for name in ("max_iter", "n_iter_no_change", "max_fun"):
        value = getattr(est, name)
        if name == "n_iter_no_change" and _is_inf(value):
            continue  # scikit-learn's Options(Real, {np.inf}): never stop for want of progress
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            also = " or np.inf (never stop on no improvement)" * (name == "n_iter_no_change")
            raise ValueError(f"{name} must be an integer >= 1{also}; got {value!r}.")
    if est.alpha < 0 or est.tol < 0:
        raise ValueError(f"alpha and tol must be >= 0; got {est.alpha!r} and {est.tol!r}.")
    if not 0 <= est.validation_fraction < 1:  # scikit-learn's Interval(Real, 0, 1, "left")
        raise ValueError(f"validation_fraction must be in [0, 1); got {est.validation_fraction!r}.")
    _check_solver_params(est)
    if est.batch_size == "auto":
        return [int(h) for h in hidden], min(200, n)
    if isinstance(est.batch_size, int | np.integer) and est.batch_size >= 1:
        return [int(h) for h in hidden], min(int(est.batch_size), n)
    raise ValueError(f"batch_size must be 'auto' or an integer >= 1; got {est.batch_size!r}.")


def _is_inf(value: Any) -> bool:
    """Whether ``value`` is +inf as a real number (not a bool, not NaN)."""
    real = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    return real and value == np.inf


def _check_solver_params(est: Any) -> None:
    """The parameters scikit-learn's solvers read: checked whatever the solver, as it does."""
    if est.learning_rate not in LEARNING_RATES:
        raise ValueError(
            f"learning_rate must be one of {', '.join(map(repr, LEARNING_RATES))}; got "
            f"{est.learning_rate!r}."
        )
    _check_number(est, "power_t", 0.5, "a number >= 0", lambda v: v >= 0)
    _check_number(est, "momentum", 0.9, "a number in [0, 1]", lambda v: 0 <= v <= 1)
    _check_number(est, "beta_1", 0.9, "a number in [0, 1)", lambda v: 0 <= v < 1)
    _check_number(est, "beta_2", 0.999, "a number in [0, 1)", lambda v: 0 <= v < 1)
    _check_number(est, "epsilon", 1e-8, "a number > 0", lambda v: v > 0)
    for name in ("nesterovs_momentum", "warm_start"):
        value = getattr(est, name)
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{name} must be True or False; got {value!r}.")


def _check_number(est: Any, name: str, default: float, kind: str, ok: Any) -> None:
    """Refuse ``est.<name>`` unless it is a real number (not a bool, not NaN) passing ``ok``."""
    value = getattr(est, name)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not ok(value):
        raise ValueError(
            f"{name} must be {kind} (scikit-learn's default {default}); got {value!r}."
        )


def solver_optimizer(est: Any, batch: float) -> Optimizer:
    """The glassnet optimiser of the estimator's ``solver``, with the parameters that apply to it.

    "sgd" gets ``momentum`` and ``nesterovs_momentum`` (Nesterov only with a momentum > 0, as in
    scikit-learn); "adam" and "adamw" get ``betas=(beta_1, beta_2)`` and ``eps=epsilon``; every
    solver gets ``lr=learning_rate_init``. The other glassnet solvers ("momentum", "nesterov",
    "rmsprop") keep their own settings.

    The L2 penalty: scikit-learn adds (alpha / 2n) ||W||^2 to the loss of a batch of n samples
    (n the sum of their weights), so its gradient gains alpha W / n; glassnet's
    ``weight_decay`` adds wd W, hence ``weight_decay = alpha / batch``, with ``batch`` the batch
    size times the mean sample weight (while fitting, the estimators' objective sets it to
    alpha / s for each batch's own s: :mod:`glassnet.sklearn._objective`). "adamw" decouples the decay from the gradient
    (W <- W (1 - lr wd)), which scikit-learn has no counterpart for: it gets ``alpha`` itself.
    As in scikit-learn, the intercepts are not penalised (``decay_biases=False``).

    Examples
    --------
    >>> from glassnet.sklearn import MLPRegressor
    >>> solver_optimizer(MLPRegressor(solver="sgd", learning_rate_init=0.1, momentum=0.5), 200)
    SGD(lr=0.1, momentum=0.5, nesterov=True, weight_decay=5e-07, decay_biases=False)
    >>> solver_optimizer(MLPRegressor(beta_1=0.8, epsilon=1e-6, alpha=0.01), 100)
    Adam(lr=0.001, betas=[0.8, 0.999], eps=1e-06, weight_decay=0.0001, decay_biases=False)
    """
    solver = str(est.solver).lower()
    kwargs: dict[str, Any] = {}
    if solver == "sgd":
        momentum = float(est.momentum)
        kwargs = {"momentum": momentum, "nesterov": bool(est.nesterovs_momentum) and momentum > 0}
    elif solver in ("adam", "adamw"):
        kwargs = {"betas": (float(est.beta_1), float(est.beta_2)), "eps": float(est.epsilon)}
    decay = float(est.alpha) if solver == "adamw" else float(est.alpha) / batch
    return get_optimizer(
        solver, lr=est.learning_rate_init, weight_decay=decay, decay_biases=False, **kwargs
    )
