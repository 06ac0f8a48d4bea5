"""scikit-learn's MLP training rules as glassnet callbacks.

:class:`InvScaling` is its ``learning_rate="invscaling"``; :class:`NoImprovement` its count of
epochs without improvement, which stops training or, with ``learning_rate="adaptive"``, divides
the lr by 5. Both change the lr with :func:`set_lr`, which keeps the SGD velocity as
scikit-learn's keeps it, so the steps stay scikit-learn's when the lr changes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.callbacks.base import Callback, restore, snapshot
from glassnet.callbacks.schedules import EpochSchedule, fit_optimizer
from glassnet.sklearn._rows import outputs

__all__ = ["MIN_ADAPTIVE_LR", "InvScaling", "NoImprovement", "ValidationScore", "set_lr"]

#: an "adaptive" run stops instead of dividing the lr once the lr is at most this
MIN_ADAPTIVE_LR = 1e-6


def set_lr(opt: Any, lr: float) -> None:
    """Set ``opt.lr`` to ``lr`` as scikit-learn's SGD changes its lr: the velocity keeps its lrs.

    scikit-learn's velocity holds the lr, ``u <- mu u - lr g`` and ``W <- W + u``; glassnet's SGD
    (PyTorch's) keeps ``v <- mu v + g`` and steps ``W <- W - lr v``, so ``u = -lr v`` while the
    lr stays the same. When it changes from ``a`` to ``b``, scaling ``v`` by ``a / b`` keeps
    ``u``, and the next steps are scikit-learn's again (Nesterov's too). An optimiser without a
    momentum buffer only gets its new lr.

    Examples
    --------
    >>> from glassnet.optimizers import SGD, Parameter
    >>> opt = SGD([Parameter("w", np.zeros(1), np.ones(1))], lr=0.1, momentum=0.9)
    >>> opt.step(); opt.state[0]["momentum"]  # v = g after the first step: u = -0.1
    array([1.])
    >>> set_lr(opt, 0.05); opt.state[0]["momentum"]  # u = -0.05 * 2 = -0.1 still
    array([2.])
    """
    old, lr = float(opt.lr), float(lr)
    if lr != old:
        flat = getattr(opt, "flat_state", {}).get("momentum")
        per_param = [s["momentum"] for s in getattr(opt, "state", []) if "momentum" in s]
        for v in [flat] if flat is not None else per_param:  # flat: the per-param are views
            v *= old / lr
    opt.lr = lr


class InvScaling(EpochSchedule):
    r"""scikit-learn's ``learning_rate="invscaling"``: :math:`\text{lr}_0 / (t + 1)^{p}`.

    scikit-learn sets this lr at the end of every epoch, t being the samples trained on so far
    (its ``t_``, which a warm start continues), and starts every ``fit`` at
    :math:`\text{lr}_0`. So epoch e (0-based) of a fit that starts at :math:`t_0`, on n
    samples, trains with

    .. math::
        \text{lr}_e = \text{lr}_0 \text{ if } e = 0, \text{ else }
        \text{lr}_0 / (t_0 + e\,n + 1)^{p}

    which this schedule sets at the start of the epoch: the same lrs, epoch for epoch.

    Parameters
    ----------
    n_samples : int
        Samples trained on per epoch (those of the validation split excluded).
    power_t : float
        The exponent p, >= 0.
    t0 : int
        Samples seen by earlier fits (the estimator's ``t_`` on a warm start, else 0).

    Examples
    --------
    >>> schedule = InvScaling(n_samples=8, power_t=0.5)
    >>> [round(schedule.lr_at(e, lr0=0.3), 6) for e in range(3)]  # 0.3, 0.3/sqrt(9), 0.3/sqrt(17)
    [0.3, 0.1, 0.072761]
    """

    def __init__(self, n_samples: int, power_t: float, t0: int = 0) -> None:
        self.n_samples, self.power_t, self.t0 = int(n_samples), float(power_t), int(t0)
        super().__init__()

    def lr_at(self, epoch: int, lr0: float) -> float:
        """:math:`\\text{lr}_0` at epoch 0, else :math:`\\text{lr}_0 / (t_0 + e n + 1)^p`."""
        if epoch == 0:
            return lr0
        return lr0 / (self.t0 + epoch * self.n_samples + 1) ** self.power_t

    def on_epoch_begin(self, epoch: int) -> None:
        """Set this epoch's lr, keeping the SGD velocity scikit-learn's (:func:`set_lr`)."""
        opt = fit_optimizer(self)
        set_lr(opt, self.lr_at(epoch, opt.initial_lr))


class NoImprovement(Callback):
    r"""scikit-learn's MLP rule after each epoch: count the epochs without improvement, then act.

    With v the epoch's ``monitor`` value and best the lowest so far (its ``_no_improvement_count``
    and ``best_loss_``):

    1. if :math:`v > \text{best} - \text{tol}` then count += 1, else count = 0 (so a NaN, for
       which no comparison holds, restarts the count, as in scikit-learn);
    2. if :math:`v < \text{best}`: best = v (and, with ``restore_best``, its weights are kept);
    3. if count > ``n_iter_no_change``: with ``adaptive`` and an lr above ``MIN_ADAPTIVE_LR``
       (1e-6) the lr is divided by 5 (from the next epoch on) and count = 0; otherwise training
       stops.

    So an improvement smaller than ``tol`` is counted as none yet still lowers best, and the
    rule acts after ``n_iter_no_change + 1`` such epochs in a row. With ``restore_best`` the best
    weights go back when training ends, however it ends. With ``mode="max"`` (a score, such as
    the validation accuracy scikit-learn's early stopping watches) every comparison is turned
    round: count += 1 if :math:`v < \text{best} + \text{tol}`, best = v if v > best, and best
    starts at -inf (its ``best_validation_score_``).

    Parameters
    ----------
    monitor : str
        Key of the epoch logs: "loss", or "val_score" (:class:`ValidationScore`) with early
        stopping.
    tol : float
        Smallest decrease that counts as an improvement.
    n_iter_no_change : int or inf
        Epochs without improvement tolerated (``math.inf``: never act, as scikit-learn's).
    adaptive : bool
        Divide the lr by 5 instead of stopping (``learning_rate="adaptive"``).
    restore_best : bool
        Keep the weights of the best epoch and put them back at the end.
    resume : dict, optional
        :meth:`progress` of an earlier fit to continue from (a warm start); ignored if it
        watched another metric.
    mode : {"min", "max"}
        Whether lower (a loss) or higher (a score) values are better.
    verbose : bool
        Print scikit-learn's line when the rule acts, e.g. "Training loss did not improve more
        than tol=0.000100 for 10 consecutive epochs. Stopping." ("Validation score" with
        ``mode="max"``; " Setting learning rate to %f" or " Learning rate too small. Stopping."
        for ``adaptive``), to stdout.

    Examples
    --------
    >>> rule = NoImprovement("loss", tol=0.1, n_iter_no_change=1, adaptive=True)
    >>> rule.optimizer = type("Opt", (), {"lr": 0.5})()  # fit sets the real one
    >>> for epoch, loss in enumerate([1.0, 0.95, 0.9, 0.7, 0.65]):
    ...     rule.on_epoch_end(epoch, {"loss": loss})
    ...     print(epoch, loss, rule.best, rule.count, rule.optimizer.lr)
    0 1.0 1.0 0 0.5
    1 0.95 0.95 1 0.5
    2 0.9 0.9 0 0.1
    3 0.7 0.7 0 0.1
    4 0.65 0.65 1 0.1
    """

    def __init__(
        self,
        monitor: str,
        tol: float,
        n_iter_no_change: int,
        adaptive: bool = False,
        restore_best: bool = False,
        resume: dict[str, Any] | None = None,
        mode: str = "min",
        verbose: bool = False,
    ) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max'; got {mode!r}.")
        self.monitor, self.tol = monitor, float(tol)
        # an integer, or inf (scikit-learn's Options(Real, {np.inf})): the count never exceeds it
        inf = isinstance(n_iter_no_change, float | np.floating) and math.isinf(n_iter_no_change)
        self.n_iter_no_change = math.inf if inf else int(n_iter_no_change)
        self.adaptive, self.restore_best, self.mode = bool(adaptive), bool(restore_best), mode
        self.verbose = bool(verbose)
        self.best, self.count = (math.inf if mode == "min" else -math.inf), 0
        self.best_params: list[np.ndarray] | None = None
        if resume is not None and resume.get("monitor") == monitor:
            self.best, self.count = float(resume["best"]), int(resume["count"])
            self.best_params = resume.get("best_params")

    def progress(self) -> dict[str, Any]:
        """What a warm start continues from: monitor, best, count and the best weights (or None).

        Examples
        --------
        >>> NoImprovement("loss", 1e-4, 10).progress()
        {'monitor': 'loss', 'best': inf, 'count': 0, 'best_params': None}
        """
        return {
            "monitor": self.monitor,
            "best": self.best,
            "count": self.count,
            "best_params": self.best_params,
        }

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Count the epoch, keep the best, and lower the lr or stop once the count is too high."""
        value = float(logs[self.monitor])
        if self.mode == "max":  # scikit-learn's comparisons, literally (NaN: count = 0)
            worse, better = value < self.best + self.tol, value > self.best
        else:
            worse, better = value > self.best - self.tol, value < self.best
        self.count = self.count + 1 if worse else 0
        if better:
            self.best = value
            if self.restore_best:
                self.best_params = snapshot(self.net)
        if self.count <= self.n_iter_no_change:
            return
        opt = self.optimizer
        if self.adaptive and opt.lr > MIN_ADAPTIVE_LR:
            set_lr(opt, opt.lr / 5.0)
            self.count = 0
            self._say(f" Setting learning rate to {opt.lr:f}")
        else:
            self.net.stop_training, self.net.stop_reason = True, "early_stopping"
            self._say(" Learning rate too small. Stopping." if self.adaptive else " Stopping.")

    def _say(self, action: str) -> None:
        """Print scikit-learn's line for the rule's action, when verbose."""
        if self.verbose:
            what = "Validation score" if self.mode == "max" else "Training loss"
            print(
                f"{what} did not improve more than tol={self.tol:f} for "
                f"{self.n_iter_no_change:d} consecutive epochs.{action}"
            )

    def on_train_end(self, logs: dict[str, Any]) -> None:
        """Put the best weights back, with ``restore_best``."""
        if self.restore_best and self.best_params is not None:
            restore(self.net, self.best_params)


class ValidationScore(Callback):
    """scikit-learn's validation score for early stopping, in the epoch logs as "val_score".

    After each epoch: ``score(y, decide(outputs), sample_weight=w)`` on the held-out data, with
    the estimator's own score function (accuracy for a classifier, R^2 for a regressor) and its
    own way from the network's outputs to predictions, or NaN when those predictions are
    floats and not all finite (scikit-learn's rule: a regressor's; a classifier's labels are
    scored whatever its outputs). Every score is kept in ``scores``, the estimator's
    ``validation_scores_``.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix, shape (N, d)
        Held-out inputs (a sparse X goes through the network a chunk of rows at a time).
    y : ndarray
        Their targets as ``score`` takes them: class indices (N,), 0/1 rows (N, K), or values.
    sample_weight : ndarray of shape (N,), optional
    score : callable
        ``score(y_true, y_pred, sample_weight=...)``, e.g. ``sklearn.metrics.accuracy_score``.
    decide : callable
        The network's outputs (N, outputs) to predictions shaped like y: the argmax, a
        threshold at 0.5, or the values (a Poisson model's exp).
    verbose : bool
        Print scikit-learn's "Validation score: %f" after each epoch, to stdout.

    Examples
    --------
    >>> from sklearn.metrics import accuracy_score
    >>> from glassnet import mlp
    >>> net = mlp("2,3,2", seed=0)
    >>> cb = ValidationScore(np.eye(2, dtype=np.float32), np.array([0, 1]), None,
    ...                      accuracy_score, lambda out: out.argmax(axis=1))
    >>> cb.net, logs = net, {}
    >>> cb.on_epoch_end(0, logs)
    >>> logs["val_score"] in (0.0, 0.5, 1.0), cb.scores == [logs["val_score"]]
    (True, True)
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None,
        score: Any,
        decide: Any,
        verbose: bool = False,
    ) -> None:
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.score, self.decide, self.verbose = score, decide, bool(verbose)
        self.scores: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Score the held-out data and put it in ``logs["val_score"]``."""
        with np.errstate(all="ignore"):  # a diverging network: no overflow warnings
            pred = self.decide(outputs(self.net, self.X))  # shaped like y
            if pred.dtype.kind == "f" and not np.isfinite(pred).all():
                value = math.nan
            else:
                value = float(self.score(self.y, pred, sample_weight=self.sample_weight))
        self.scores.append(value)
        logs["val_score"] = value
        if self.verbose:
            print(f"Validation score: {value:f}")
