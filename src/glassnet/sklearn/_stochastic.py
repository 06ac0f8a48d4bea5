"""``fit`` and ``partial_fit`` with a stochastic solver: scikit-learn's ``_fit_stochastic``.

In scikit-learn's order, on the generator ``random_state`` that drew the initial weights:

1. with ``early_stopping`` (``fit`` only), ``sklearn.model_selection.train_test_split`` holds
   out ``validation_fraction`` of the rows, stratified by the label for a classifier with one
   output (one or two classes; scikit-learn sees K > 2 classes and multilabel y as K outputs
   and does not stratify them), with its own errors (a class of one member, a ``test_size`` of
   no row); fewer than 2 held-out rows is scikit-learn's ValueError "The validation set is too
   small...";
2. the batch size: "auto" is min(200, n), a larger one warns as scikit-learn's does and is
   clipped to the n training rows;
3. the epochs (:mod:`glassnet.sklearn._epochs`: the shuffles drawn from the same generator),
   with the validation score, the no-improvement rule and "invscaling", each printing
   scikit-learn's lines when ``verbose``;
4. the learned attributes, and scikit-learn's ConvergenceWarning after ``max_iter`` epochs.

Weights that become NaN or infinite end the run (see ``_epochs``): without early stopping that
is scikit-learn's ValueError "Solver produced non-finite parameter weights...", the network
left with the last finite weights; with early stopping the weights of the best validation score
are kept, as scikit-learn keeps them (its initial weights if no score was ever finite), with a
ConvergenceWarning saying so (scikit-learn would run its remaining epochs on NaN first, which
cannot change those weights).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn import config_context
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split

from glassnet.callbacks.base import History, snapshot
from glassnet.losses import get_loss
from glassnet.losses.targets import prepare_targets
from glassnet.sklearn._epochs import DIVERGED, run_epochs
from glassnet.sklearn._params import solver_optimizer
from glassnet.sklearn._rows import as_rows
from glassnet.sklearn._rules import InvScaling, NoImprovement, ValidationScore, set_lr
from glassnet.utils.validation import check_sample_weight

__all__ = ["NON_FINITE", "TOO_SMALL", "batch_size_for", "fit_stochastic"]

#: scikit-learn's ValueError when the weights are not finite after training
NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain large values "
    "and need to be preprocessed."
)
#: scikit-learn's ValueError when early stopping holds out fewer than 2 rows
TOO_SMALL = (
    "The validation set is too small. Increase 'validation_fraction' or the size of your dataset."
)


def batch_size_for(batch_size: Any, n: int) -> int:
    """scikit-learn's batch size for n training rows: "auto" is min(200, n); an integer above n
    warns, as scikit-learn's does, and is clipped to n.

    Examples
    --------
    >>> batch_size_for("auto", 50), batch_size_for(16, 50)
    (50, 16)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     size = batch_size_for(64, 50)
    >>> size, str(caught[0].message)
    (50, 'Got `batch_size` less than 1 or larger than sample size. It is going to be clipped')
    """
    if batch_size == "auto":
        return min(200, n)
    if batch_size > n:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped",
            stacklevel=5,
        )
    return int(np.clip(batch_size, 1, n))


def fit_stochastic(
    est: Any,
    X: Any,
    T: np.ndarray,
    w: np.ndarray | None,
    *,
    stratify: np.ndarray | None,
    continuing: bool,
    incremental: bool,
    random_state: np.random.RandomState,
) -> None:
    """Train ``est.model_`` with a stochastic solver on X (N, d), dense or sparse, and the
    encoded targets T; set the learned attributes (see the module).

    ``continuing``: the fit goes on from the last one (a warm start, or a partial_fit after
    the first), so the curves, ``t_`` and the stopping rule's progress carry on;
    ``incremental``: one epoch, continuing the optimiser (``partial_fit``).

    Raises
    ------
    ValueError
        scikit-learn's: the validation split's, and "Solver produced non-finite parameter
        weights..." when training diverged without early stopping.
    """
    net = est.model_
    loss_name = est._loss
    net.loss_ = get_loss(loss_name)  # glassnet's own loss, which est._decide reads
    T = prepare_targets(net, get_loss(loss_name), T, X.shape[0])  # checked, in net.dtype
    if w is not None:
        w = check_sample_weight(w, X.shape[0])  # (N,) finite, >= 0, not all zero
    X = as_rows(X, net.dtype)  # C-contiguous, or CSR: rows gathered a batch at a time
    callbacks: list[Any] = []
    scorer = None
    if est.early_stopping:  # scikit-learn's split, on the same generator
        # as scikit-learn calls it, inside its fit: its errors are the function's own checks
        with config_context(skip_parameter_validation=True):
            train, held = train_test_split(
                np.arange(X.shape[0]),
                test_size=est.validation_fraction,
                random_state=random_state,
                stratify=stratify,
            )
        if len(held) < 2:
            raise ValueError(TOO_SMALL)
        score = accuracy_score if is_classifier(est) else r2_score
        w_held = None if w is None else w[held]
        scorer = ValidationScore(
            X[held], T[held], w_held, score, est._decide, verbose=bool(est.verbose)
        )
        callbacks.append(scorer)
        X, T = X[train], T[train]
        w = None if w is None else w[train]
    n = X.shape[0]
    batch = batch_size_for(est.batch_size, n)
    opt = _optimizer(est, batch * (1.0 if w is None else float(w.mean())), incremental)
    schedule = est.learning_rate if str(est.solver).lower() == "sgd" else "constant"
    t0 = int(getattr(est, "t_", 0)) if continuing else 0
    rule = NoImprovement(
        "val_score" if est.early_stopping else "loss",
        est.tol,
        est.n_iter_no_change,
        adaptive=schedule == "adaptive",
        restore_best=bool(est.early_stopping),
        resume=getattr(est, "_progress", None) if continuing else None,
        mode="max" if est.early_stopping else "min",
        verbose=bool(est.verbose),
    )
    if est.early_stopping and rule.best_params is None:
        rule.best_params = snapshot(net)  # scikit-learn's _best_coefs start as the initial ones
    callbacks.append(rule)  # after the score it reads
    if schedule == "invscaling":  # scikit-learn's lr after the epochs so far
        if incremental:
            set_lr(opt, float(est.learning_rate_init) / (t0 + 1) ** float(est.power_t))
        else:
            callbacks.append(InvScaling(n, est.power_t, t0))
    history = History(
        params={
            "epochs": 1 if incremental else int(est.max_iter),
            "batch_size": batch,
            "lr": opt.lr,
            "optimizer": repr(opt),
            "loss": loss_name,
            "n_samples": n,
            "sample_weight": w is not None,
        }
    )
    history, order = run_epochs(
        net,
        X,
        T,
        w,
        est._objective(opt),
        opt,
        batch_size=batch,
        epochs=1 if incremental else int(est.max_iter),
        shuffle=bool(est.shuffle),
        random_state=random_state,
        callbacks=callbacks,
        verbose=bool(est.verbose),
        history=history,
        order=_last_order(est, n) if incremental and continuing else None,
    )
    net.loss_ = get_loss(loss_name)  # glassnet's own loss on the fitted network
    # a partial_fit goes on from the optimiser, the generator and the order of the rows
    est._optimizer, est._random_state, est._order = opt, random_state, order
    est._record(history.history, rule, continuing, t0, n, None if scorer is None else scorer.scores)
    _finish(est, history, rule, incremental)


def _last_order(est: Any, n: int) -> np.ndarray | None:
    """The order of the rows the last epoch visited, for a partial_fit on as many rows to
    shuffle further (so that n calls on the same data are the n epochs of one fit); None
    (start from 0, 1, ..., n-1, as scikit-learn) for another number of rows."""
    order = getattr(est, "_order", None)
    return order if order is not None and len(order) == n else None


def _optimizer(est: Any, batch: float, incremental: bool) -> Any:
    """A new optimiser for a fit (scikit-learn's rule, a warm start included); partial_fit
    continues the one the model has (momentum and Adam's moments kept) unless the solver
    changed."""
    fresh = solver_optimizer(est, batch)
    opt = getattr(est, "_optimizer", None) if incremental else None
    if opt is None or type(opt) is not type(fresh):
        return fresh
    if hasattr(opt, "weight_decay"):  # alpha may have changed (set_params): adamw reads it
        opt.weight_decay = fresh.weight_decay  # as is; the others get alpha / s every batch
    return opt


def _finish(est: Any, history: History, rule: NoImprovement, incremental: bool) -> None:
    """scikit-learn's ending: its errors and warnings."""
    if history.stopped == DIVERGED:
        if not est.early_stopping:
            raise ValueError(NON_FINITE)
        warnings.warn(
            f"Stochastic Optimizer: the weights became non-finite at iteration {est.n_iter_}; "
            f"training stopped there and the weights of the best validation score "
            f"({rule.best:f}) were kept. Scale the inputs or lower learning_rate_init.",
            ConvergenceWarning,
            stacklevel=4,
        )
    elif history.stopped is None and not incremental:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
            "optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=4,
        )
