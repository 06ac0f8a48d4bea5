"""What ``fit`` does with its callbacks before the first epoch: tell them about the run
(:func:`attach_callbacks`) and put them in the order each hook calls them (:func:`hook_order`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from glassnet.callbacks import Callback, History, LearningRateScheduler, ModelCheckpoint
from glassnet.losses import Loss
from glassnet.optimizers import Optimizer


def attach_callbacks(
    callbacks: list[Callback] | None,
    verbose: int,
    epochs: int,
    n: int,
    opt: Optimizer,
    seed: int,
    loss: Loss,
    history: History,
) -> list[Callback]:
    """The callbacks, plus a progress bar when ``verbose``; each learns the run it is part of.

    Every callback gets the optimiser as ``cb.optimizer`` (a schedule sets its lr, a checkpoint
    saves it). Each ModelCheckpoint also gets the callbacks whose state it must save (the first
    of each ``state_key``: EarlyStopping, ReduceLROnPlateau) and what a resumed run needs
    (seed, loss, history), so its files hold everything to continue from.

    Examples
    --------
    >>> from glassnet.callbacks import EarlyStopping
    >>> from glassnet.losses import MSE
    >>> from glassnet.optimizers import SGD
    >>> opt, stop, ckpt = SGD(lr=0.1), EarlyStopping(), ModelCheckpoint("c.npz")
    >>> cbs = attach_callbacks([stop, ckpt], 0, 5, 100, opt, 0, MSE(), History())
    >>> stop.optimizer is opt, ckpt.stateful == [stop], ckpt.run_state["seed"]
    (True, True, 0)
    """
    callbacks = list(callbacks or [])
    if verbose:
        from glassnet.callbacks.progress import ProgressBar

        callbacks.append(ProgressBar(epochs, n, verbose=verbose))
    stateful: dict[str, Callback] = {}
    for cb in callbacks:
        cb.optimizer = opt
        key = getattr(cb, "state_key", None)
        if key is not None:
            stateful.setdefault(key, cb)
    for cb in callbacks:
        if isinstance(cb, ModelCheckpoint):
            cb.stateful = list(stateful.values())
            cb.run_state = {"seed": seed, "loss": loss.name, "history": history.to_dict()}
    return callbacks


@dataclass
class Hooks:
    """The callbacks in the order each hook calls them (``glassnet.callbacks`` tells why);
    :func:`hook_order` makes it (its example shows the orders)."""

    #: checkpoints first (they remember the epoch's start), then schedules (they set its lr)
    epoch_begin: list[Callback]
    #: only those that define ``on_batch_end``
    batch_end: list[Callback]
    #: those with state to save first, so that a checkpoint saves their state of this epoch
    epoch_end: list[Callback]
    #: checkpoints first: they save before the best weights go back
    train_end: list[Callback]


def hook_order(callbacks: list[Callback]) -> Hooks:
    """The callbacks ordered for each hook, the order given kept within each kind.

    Examples
    --------
    >>> from glassnet.callbacks import EarlyStopping, StepLR
    >>> ckpt, step, stop = ModelCheckpoint("c.npz"), StepLR(2), EarlyStopping()
    >>> hooks = hook_order([stop, step, ckpt])
    >>> [type(cb).__name__ for cb in hooks.epoch_begin]
    ['ModelCheckpoint', 'StepLR', 'EarlyStopping']
    >>> [type(cb).__name__ for cb in hooks.epoch_end]
    ['EarlyStopping', 'StepLR', 'ModelCheckpoint']
    """

    def is_checkpoint(cb: Any) -> bool:
        return isinstance(cb, ModelCheckpoint)

    def is_schedule(cb: Any) -> bool:
        return isinstance(cb, LearningRateScheduler)

    def has_state(cb: Any) -> bool:
        return getattr(cb, "state_key", None) is not None

    return Hooks(
        epoch_begin=_ordered(callbacks, is_checkpoint, is_schedule),
        batch_end=[cb for cb in callbacks if hasattr(cb, "on_batch_end")],
        epoch_end=_ordered(callbacks, has_state),
        train_end=_ordered(callbacks, is_checkpoint),
    )


def _ordered(callbacks: list[Callback], *firsts: Callable[[Any], bool]) -> list[Callback]:
    """``callbacks`` sorted by the first of ``firsts`` each one passes (none: last), stably."""

    def rank(cb: Any) -> int:
        return next((i for i, first in enumerate(firsts) if first(cb)), len(firsts))

    return sorted(callbacks, key=rank)
