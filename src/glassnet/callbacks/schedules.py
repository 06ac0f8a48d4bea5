"""Learning-rate schedules: callbacks that set the optimiser's lr at the start of every epoch.

``LearningRateScheduler(schedule)`` is Keras's: ``schedule(epoch, lr)`` gets the 0-based epoch
and the current lr and returns the epoch's lr. ``StepLR``, ``ExponentialLR`` and
``CosineAnnealingLR`` are PyTorch's closed forms of the epoch and the initial lr
:math:`\\text{lr}_0` (the lr ``fit`` was given)::

    StepLR             lr0 * gamma ** (epoch // step_size)
    ExponentialLR      lr0 * gamma ** epoch
    CosineAnnealingLR  eta_min + (lr0 - eta_min) * (1 + cos(pi * epoch / T_max)) / 2

``fit`` records the lr each epoch trained with as ``history["lr"]``. These schedules
follow from the epoch number, so a run resumed from a checkpoint gets the same lrs: the
optimiser saved in a checkpoint keeps :math:`\\text{lr}_0` as ``initial_lr`` (PyTorch keeps it
in its param groups) and its current lr. ``ReduceLROnPlateau`` (``glassnet.callbacks.plateau``) lowers
the lr when a metric stops improving instead.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from glassnet.callbacks.base import Callback
from glassnet.utils.validation import check_non_negative, check_positive_float, check_positive_int

__all__ = [
    "CosineAnnealingLR",
    "EpochSchedule",
    "ExponentialLR",
    "LearningRateScheduler",
    "StepLR",
    "fit_optimizer",
    "start_schedule",
]


def fit_optimizer(cb: Callback) -> Any:
    """The optimiser ``fit`` gave the callback ``cb``, or a clear error outside ``fit``.

    Examples
    --------
    >>> fit_optimizer(StepLR(2))
    Traceback (most recent call last):
    ...
    ValueError: StepLR has no optimiser to set the learning rate of; pass it to fit(callbacks=[...]), which gives every callback its optimiser.
    """
    if cb.optimizer is None:
        raise ValueError(
            f"{type(cb).__name__} has no optimiser to set the learning rate of; pass it to "
            "fit(callbacks=[...]), which gives every callback its optimiser."
        )
    return cb.optimizer


def start_schedule(cb: Callback) -> None:
    """What every schedule does before training: check that ``fit`` gave ``cb`` its optimiser,
    and remember the optimiser's lr as its ``initial_lr`` unless it has one already.

    The optimiser keeps ``initial_lr`` (and checkpoints save it), so a resumed run scales the lr
    the run started with, not the one it had reached.

    Examples
    --------
    >>> from glassnet.optimizers import SGD
    >>> step = StepLR(2); step.optimizer = SGD(lr=0.3)
    >>> start_schedule(step); step.optimizer.initial_lr
    0.3
    """
    opt = fit_optimizer(cb)
    if opt.initial_lr is None:
        opt.initial_lr = opt.lr


class LearningRateScheduler(Callback):
    """Set the optimiser's lr at the start of every epoch to ``schedule(epoch, lr)`` (Keras's).

    Parameters
    ----------
    schedule : callable
        ``schedule(epoch, lr) -> float``: the 0-based epoch and the current lr (that of the
        epoch before, or the lr given to ``fit`` at the first) give this epoch's lr, a finite
        number >= 0.

    Examples
    --------
    Halve the lr every epoch after the second:

    >>> from glassnet import mlp
    >>> halve = LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr / 2)
    >>> h = mlp("2,1", seed=0).fit([[0.0, 1.0]], [[1.0]], optimizer="sgd", lr=0.4, epochs=4,
    ...                            callbacks=[halve], verbose=0)
    >>> h.history["lr"]
    [0.4, 0.4, 0.2, 0.1]
    """

    def __init__(self, schedule: Callable[[int, float], float]) -> None:
        if not callable(schedule):
            raise TypeError(
                "schedule must be a function schedule(epoch, lr) -> lr, e.g. "
                f"lambda epoch, lr: lr * 0.9; got {schedule!r} ({type(schedule).__name__})."
            )
        self.schedule = schedule

    def on_train_begin(self, net: Any) -> None:
        """Keep the network; remember the optimiser's lr as its ``initial_lr`` unless it has one."""
        super().on_train_begin(net)
        start_schedule(self)

    def on_epoch_begin(self, epoch: int) -> None:
        """Set the optimiser's lr for this epoch."""
        opt = fit_optimizer(self)
        opt.lr = _checked(self.scheduled_lr(epoch, opt), epoch)

    def scheduled_lr(self, epoch: int, optimizer: Any) -> float:
        """The lr of ``epoch``: here ``schedule(epoch, optimizer.lr)``."""
        return self.schedule(epoch, optimizer.lr)


def _checked(lr: Any, epoch: int) -> float:
    """The schedule's lr as a float, or an error naming the epoch and the value."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(
            f"the learning-rate schedule returned {lr!r} ({type(lr).__name__}) for epoch "
            f"{epoch}; it must return the learning rate as a number."
        )
    if not math.isfinite(lr) or lr < 0:
        raise ValueError(
            f"the learning-rate schedule returned {lr} for epoch {epoch}; a learning rate "
            "must be a finite number >= 0."
        )
    return float(lr)


class EpochSchedule(LearningRateScheduler):
    """A schedule that is a formula of the epoch and the initial lr: subclasses define ``lr_at``.

    Examples
    --------
    >>> class Linear(EpochSchedule):
    ...     def lr_at(self, epoch, lr0):
    ...         return lr0 / (1 + epoch)
    >>> Linear().lr_at(3, 0.8)
    0.2
    """

    def __init__(self) -> None:
        super().__init__(self.lr_at)

    def scheduled_lr(self, epoch: int, optimizer: Any) -> float:
        """The lr of ``epoch``: ``lr_at(epoch, optimizer.initial_lr)``."""
        return self.lr_at(epoch, optimizer.initial_lr)

    def lr_at(self, epoch: int, lr0: float) -> float:
        """The lr of the 0-based ``epoch`` for an initial lr ``lr0``."""
        raise NotImplementedError  # pragma: no cover - abstract

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k not in _NOT_ARGS)
        return f"{type(self).__name__}({args})"


_NOT_ARGS = {"schedule", "net", "optimizer"}


class StepLR(EpochSchedule):
    r"""Multiply the lr by ``gamma`` every ``step_size`` epochs (PyTorch's ``StepLR``).

    .. math:: \text{lr}_e = \text{lr}_0\, \gamma^{\lfloor e / \text{step\_size} \rfloor}

    Parameters
    ----------
    step_size : int
        Epochs between two drops, >= 1.
    gamma : float
        The factor, > 0 (PyTorch's default 0.1).

    Examples
    --------
    >>> StepLR(step_size=2, gamma=0.5).lr_at(5, lr0=0.8)  # 0.8 * 0.5 ** (5 // 2)
    0.2
    """

    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_positive_int(step_size, "step_size")
        self.gamma = check_positive_float(gamma, "gamma")
        super().__init__()

    def lr_at(self, epoch: int, lr0: float) -> float:
        """:math:`\\text{lr}_0 \\gamma^{\\lfloor e / s \\rfloor}`."""
        return lr0 * self.gamma ** (epoch // self.step_size)


class ExponentialLR(EpochSchedule):
    r"""Multiply the lr by ``gamma`` every epoch (PyTorch's ``ExponentialLR``).

    .. math:: \text{lr}_e = \text{lr}_0\, \gamma^{e}

    Parameters
    ----------
    gamma : float
        The factor per epoch, > 0 (e.g. 0.95).

    Examples
    --------
    >>> ExponentialLR(gamma=0.5).lr_at(3, lr0=0.8)  # 0.8 * 0.5 ** 3
    0.1
    """

    def __init__(self, gamma: float) -> None:
        self.gamma = check_positive_float(gamma, "gamma")
        super().__init__()

    def lr_at(self, epoch: int, lr0: float) -> float:
        """:math:`\\text{lr}_0 \\gamma^e`."""
        return lr0 * self.gamma**epoch


class CosineAnnealingLR(EpochSchedule):
    r"""Lower the lr from lr0 to ``eta_min`` along half a cosine over ``T_max`` epochs (PyTorch's).

    .. math::
        \text{lr}_e = \eta_{\min} + (\text{lr}_0 - \eta_{\min})
                      \frac{1 + \cos(\pi e / T_{\max})}{2}

    The lr is lr0 at epoch 0 and reaches ``eta_min`` at epoch ``T_max``; with ``T_max`` equal to
    ``fit``'s epochs the last epoch, ``T_max - 1``, is just above it. Past ``T_max`` the formula
    rises again, as PyTorch's closed form does (no warm restarts).

    Parameters
    ----------
    T_max : int
        Epochs of the half cosine, >= 1; usually ``fit``'s ``epochs``.
    eta_min : float
        The lowest lr, >= 0.

    Examples
    --------
    >>> cosine = CosineAnnealingLR(T_max=4, eta_min=0.1)
    >>> [round(cosine.lr_at(e, lr0=0.5), 6) for e in range(5)]  # 0.1 + 0.4 (1 + cos(pi e/4))/2
    [0.5, 0.441421, 0.3, 0.158579, 0.1]
    """

    def __init__(self, T_max: int, eta_min: float = 0.0) -> None:  # noqa: N803 (PyTorch's name)
        self.T_max = check_positive_int(T_max, "T_max")
        self.eta_min = check_non_negative(eta_min, "eta_min")
        super().__init__()

    def lr_at(self, epoch: int, lr0: float) -> float:
        """PyTorch's closed form, term by term."""
        return (
            self.eta_min + (lr0 - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        )
