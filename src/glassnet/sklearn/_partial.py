"""``partial_fit``: one more epoch over the data given, continuing the model and its optimiser.

scikit-learn's rule, which this follows: the first call builds the network (and, for the
classifier, fixes ``classes_`` from its ``classes`` argument); every call then trains one epoch
over its X and y with the optimiser the model already has (momentum and Adam moments kept, the
one ``fit`` used included), appends that epoch's loss to ``loss_curve_``, adds its samples to
``t_`` and sets ``n_iter_`` to 1 (the epochs of the last call, as after a ``fit``).
``learning_rate="invscaling"`` starts each call at lr0 / (t_ + 1)^power_t, the lr
scikit-learn's optimiser sets after each epoch; "adaptive" keeps dividing the lr by 5 after
``n_iter_no_change + 1`` epochs without improvement, counted across calls. ``max_iter`` is not
read, and ``early_stopping`` is refused (a validation split of each call's rows means nothing).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight

from glassnet.losses import get_loss
from glassnet.model.build import mlp
from glassnet.sklearn._params import check_params, solver_optimizer
from glassnet.sklearn._rules import NoImprovement, set_lr
from glassnet.train.fit import fit as fit_network

__all__ = ["partial_train", "stochastic"]


def stochastic(est: Any) -> bool:
    """Whether ``partial_fit`` exists: for every solver that trains by batches, not lbfgs
    (scikit-learn's rule; ``hasattr(est, "partial_fit")`` is then False).

    Raises
    ------
    AttributeError
        For ``solver="lbfgs"``, saying which solvers have it.
    """
    if str(est.solver).lower() == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for stochastic solvers; lbfgs is not stochastic "
            "(it trains on the whole set at once): use fit, or solver='sgd' or 'adam'."
        )
    return True


def partial_train(est: Any, X: np.ndarray, T: np.ndarray, n_out: int, sample_weight: Any) -> None:
    """Train ``est`` one epoch on X (N, d) and encoded targets T, continuing what it learned.

    Examples
    --------
    >>> from glassnet.sklearn import MLPRegressor
    >>> reg = MLPRegressor(hidden_layer_sizes=(3,), random_state=0)
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1); T = 2 * X
    >>> for _ in range(3):
    ...     partial_train(reg, X, T, 1, None)
    >>> reg.n_iter_, reg.t_, len(reg.loss_curve_)
    (1, 60, 3)
    """
    if est.early_stopping:
        raise ValueError(
            "partial_fit does not support early_stopping=True (as in scikit-learn); set "
            "early_stopping=False, or use fit."
        )
    hidden, batch = check_params(est, len(X))
    first = not hasattr(est, "model_")
    seed = int(check_random_state(est.random_state).randint(2**31 - 1))
    if first:
        dtype = est.dtype or X.dtype  # None: follow the input, as fit does
        est.model_ = mlp(
            [X.shape[1], *hidden, n_out],
            est.activation,
            output_activation=est._output_activation,
            dtype=dtype,
            seed=seed,
        )
    w = None
    if sample_weight is not None:
        w = _check_sample_weight(sample_weight, X, dtype=np.float64)  # (N,)
    fresh = solver_optimizer(est, batch * (1.0 if w is None else float(w.mean())))
    opt = getattr(est, "_optimizer", None)
    if opt is None or type(opt) is not type(fresh):  # the first call, or another solver
        opt = fresh
    elif hasattr(opt, "weight_decay"):  # alpha may have changed (set_params): adamw reads it
        opt.weight_decay = fresh.weight_decay  # as is; the others get alpha / s every batch
    t0 = 0 if first else int(getattr(est, "t_", 0))
    schedule = est.learning_rate if str(est.solver).lower() == "sgd" else "constant"
    if schedule == "invscaling":  # scikit-learn's lr after the epochs so far
        set_lr(opt, float(est.learning_rate_init) / (t0 + 1) ** float(est.power_t))
    rule = NoImprovement(
        "loss",
        est.tol,
        est.n_iter_no_change,
        adaptive=schedule == "adaptive",
        resume=None if first else getattr(est, "_progress", None),
    )
    done = 0 if first else len(est.loss_curve_)  # epochs trained so far, fit's included
    history = fit_network(
        est.model_,
        X,
        T,
        loss=est._objective(opt),
        optimizer=opt,
        epochs=done + 1,
        initial_epoch=done,  # the epoch number seeds the shuffle: a new order each call
        batch_size=batch,
        shuffle=est.shuffle,
        sample_weight=w,
        seed=seed,
        callbacks=[rule],
        verbose=2 if est.verbose else 0,
    )
    est.model_.loss_ = get_loss(est._loss)  # glassnet's own loss on the fitted network
    est._record(history.history, rule, not first, t0, len(X), None)  # n_iter_ = 1
    est._optimizer = opt
