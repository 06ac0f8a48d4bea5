"""History and the callbacks that watch training: early stopping and checkpoints.

A callback's hooks are called by ``fit`` in this order::

    on_train_begin(net)
      on_epoch_begin(epoch)
        on_batch_end(batch, size, loss)      (only for callbacks that define it)
      on_epoch_end(epoch, logs)              (logs: loss, accuracy, val_loss, ... this epoch)
    on_train_end(logs)

Setting ``net.stop_training = True`` in a hook ends training after the current epoch.
``EarlyStopping`` sees each epoch before the other callbacks, so a ``ModelCheckpoint`` saves its
state after that epoch; a ``ModelCheckpoint`` ends before the others, so the weights it saves on
Ctrl-C are those training reached, not the best ones ``EarlyStopping`` puts back.

``Callback``, ``History`` and ``snapshot`` are defined here; ``EarlyStopping`` lives in
``glassnet.early_stopping`` and ``ModelCheckpoint`` in ``glassnet.checkpoint``, both imported
back here so that ``from glassnet.callbacks import EarlyStopping, ModelCheckpoint`` works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Callback", "EarlyStopping", "History", "ModelCheckpoint", "snapshot"]


@dataclass
class History:
    """What ``fit`` measured, epoch by epoch (Keras's ``History``).

    Attributes
    ----------
    history : dict[str, list[float]]
        "loss" and, where they apply, "accuracy", "val_loss", "val_accuracy", one value per epoch.
    epochs : list[int]
        Epoch numbers (0-based) the values belong to.
    params : dict
        The settings of the run (epochs, batch_size, lr, optimizer, loss, seed).
    stopped : str or None
        Why training ended early: "early_stopping", "interrupted", or None if it ran to the end.

    Examples
    --------
    >>> h = History(); h.append(0, {"loss": 0.5}); h.history
    {'loss': [0.5]}
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    epochs: list[int] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    stopped: str | None = None

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        """Add one epoch's logs."""
        self.epochs.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form.

        Examples
        --------
        >>> History().to_dict()["history"]
        {}
        """
        return {
            "history": self.history,
            "epochs": self.epochs,
            "params": self.params,
            "stopped": self.stopped,
        }

    def _repr_svg_(self) -> str | None:
        """Learning curves in Jupyter (None without matplotlib or before the first epoch)."""
        try:
            from glassnet.plot.notebook import history_svg

            return history_svg(self)
        except (ImportError, ValueError):
            return None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        """Rebuild from ``to_dict`` output.

        Examples
        --------
        >>> History.from_dict({"history": {"loss": [1.0]}, "epochs": [0]}).history["loss"]
        [1.0]
        """
        return cls(
            dict(data.get("history", {})),
            list(data.get("epochs", [])),
            dict(data.get("params", {})),
            data.get("stopped"),
        )


class Callback:
    """Base class: override the hooks you need (see the module docstring)."""

    net: Any = None

    def on_train_begin(self, net: Any) -> None:
        """Called once before the first epoch; keeps a reference to the network."""
        self.net = net

    def on_epoch_begin(self, epoch: int) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Called after every epoch with its metrics."""

    def on_train_end(self, logs: dict[str, Any]) -> None:
        """Called once when training ends, however it ends."""


def snapshot(net: Any) -> list[np.ndarray]:
    """Copies of every parameter, to restore later.

    Examples
    --------
    >>> snapshot(type("N", (), {"parameters": lambda self: []})())
    []
    """
    return [p.value.copy() for p in net.parameters()]


# EarlyStopping and ModelCheckpoint live in modules of their own, which import Callback and
# snapshot from here: imported last, once those two exist, and re-exported.
from glassnet.checkpoint import ModelCheckpoint  # noqa: E402
from glassnet.early_stopping import EarlyStopping  # noqa: E402
