"""History and the callbacks that watch training: early stopping, checkpoints, learning rates.

A callback's hooks are called by ``fit`` in this order::

    on_train_begin(net)                      (self.optimizer is already set: fit's optimiser)
      on_epoch_begin(epoch)
        on_batch_end(batch, size, loss)      (only for callbacks that define it)
      on_epoch_end(epoch, logs)              (logs: loss, accuracy, val_loss, ... this epoch)
    on_train_end(logs)

Setting ``net.stop_training = True`` in a hook ends training after the current epoch.
At the start of an epoch a ``ModelCheckpoint`` sees it first (it remembers the epoch's starting
point for Ctrl-C), then the learning-rate schedules set the epoch's lr, then the others. At its
end the callbacks with state to save (``EarlyStopping``, ``ReduceLROnPlateau``) see it before the
others, so a ``ModelCheckpoint`` saves their state after that epoch; a ``ModelCheckpoint`` ends
before the others, so the weights it saves on Ctrl-C are those training reached, not the best
ones ``EarlyStopping`` puts back.

Each callback is defined in a module of its own (``base``: ``Callback``, ``History``,
``snapshot``; ``early_stopping``, ``checkpoint``, ``schedules``, ``plateau``), all gathered here.

Examples
--------
>>> from glassnet.callbacks import ReduceLROnPlateau, StepLR
>>> StepLR(step_size=10, gamma=0.5).lr_at(epoch=25, lr0=0.1)  # 0.1 * 0.5 ** 2
0.025
"""

from __future__ import annotations

from glassnet.callbacks.base import Callback, History, snapshot
from glassnet.callbacks.checkpoint import ModelCheckpoint
from glassnet.callbacks.early_stopping import EarlyStopping
from glassnet.callbacks.plateau import ReduceLROnPlateau
from glassnet.callbacks.schedules import (
    CosineAnnealingLR,
    EpochSchedule,
    ExponentialLR,
    LearningRateScheduler,
    StepLR,
)

__all__ = [
    "Callback",
    "CosineAnnealingLR",
    "EarlyStopping",
    "EpochSchedule",
    "ExponentialLR",
    "History",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ReduceLROnPlateau",
    "StepLR",
    "snapshot",
]
