"""History and the callbacks that watch training: early stopping and checkpoints.

A callback's hooks are called by ``fit`` in this order::

    on_train_begin(net)
      on_epoch_begin(epoch)
        on_batch_end(batch, size, loss)      (only for callbacks that define it)
      on_epoch_end(epoch, logs)              (logs: loss, accuracy, val_loss, ... this epoch)
    on_train_end(logs)

Setting ``net.stop_training = True`` in a hook ends training after the current epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


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


class EarlyStopping(Callback):
    """Stop when a monitored metric has not improved for ``patience`` epochs.

    Parameters
    ----------
    monitor : str
        Key of the epoch logs, e.g. "val_loss" (default) or "val_accuracy".
    patience : int
        Epochs without improvement to wait.
    min_delta : float
        Smallest change that counts as an improvement.
    mode : {"auto", "min", "max"}
        Whether lower or higher is better; "auto" picks "max" for accuracies.
    restore_best_weights : bool
        Put back the weights of the best epoch when stopping.

    Examples
    --------
    >>> stop = EarlyStopping(monitor="loss", patience=1)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = True,
    ) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max'; got {mode!r}.")
        self.monitor, self.patience, self.min_delta = monitor, int(patience), float(min_delta)
        self.mode = ("max" if "acc" in monitor else "min") if mode == "auto" else mode
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, net: Any) -> None:
        """Reset the best value seen."""
        super().on_train_begin(net)
        self.best = -math.inf if self.mode == "max" else math.inf
        self.best_epoch, self.wait, self.best_params = -1, 0, None

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Track the monitored value; ask the network to stop once patience runs out."""
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r} but the logs have only "
                f"{sorted(logs)}. Give validation data or monitor 'loss'."
            )
        value = logs[self.monitor]
        better = (
            value > self.best + self.min_delta
            if self.mode == "max"
            else value < self.best - self.min_delta
        )
        if better:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_params = snapshot(self.net)
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.net.stop_training = True
                self.net.stop_reason = "early_stopping"

    def on_train_end(self, logs: dict[str, Any]) -> None:
        """Restore the best weights if asked to."""
        if self.restore_best_weights and self.best_params is not None:
            for p, best in zip(self.net.parameters(), self.best_params, strict=True):
                p.value[...] = best


class ModelCheckpoint(Callback):
    """Save the network, its optimiser state and the run's progress after each epoch.

    Files are written atomically (a temporary file, then a rename), so a crash never leaves
    a half-written checkpoint. ``net, opt, state = glassnet.load_checkpoint(path)`` reads one
    back, and ``net.fit(..., optimizer=opt, initial_epoch=state["epoch"], seed=state["seed"])``
    continues exactly where it stopped.

    Parameters
    ----------
    path : str or Path
        Where to write (an .npz file).
    monitor : str
        Metric used by ``save_best_only``.
    save_best_only : bool
        Only overwrite the file when ``monitor`` improves.
    extra_state : dict or None
        More JSON-able entries for the saved state (e.g. ``{"data": ...}``); ``fit`` fills in
        ``seed``, ``loss`` and ``history``, which take precedence over keys of the same name.

    Examples
    --------
    >>> ckpt = ModelCheckpoint("model.npz", save_best_only=False, extra_state={"note": "run 1"})
    """

    def __init__(
        self,
        path: Any,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        extra_state: dict[str, Any] | None = None,
    ) -> None:
        self.path = Path(path)
        self.monitor, self.save_best_only = monitor, save_best_only
        self.extra_state = dict(extra_state or {})
        self.best = math.inf
        self.mode = "max" if "acc" in monitor else "min"
        self.optimizer: Any = None
        self.run_state: dict[str, Any] = {}

    def on_train_begin(self, net: Any) -> None:
        """Keep the network; no epoch has been completed yet in this run."""
        super().on_train_begin(net)
        self.completed = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Write the checkpoint (or skip it when the metric did not improve)."""
        self.completed = epoch + 1
        if self.save_best_only:
            value = logs.get(self.monitor)
            if value is None:
                raise ValueError(
                    f"ModelCheckpoint monitors {self.monitor!r}; logs have {sorted(logs)}."
                )
            signed = -value if self.mode == "max" else value
            if not signed < self.best:
                return
            self.best = signed
        self.save(epoch + 1)

    def on_train_end(self, logs: dict[str, Any]) -> None:
        """Save once more if training was interrupted, so Ctrl-C loses nothing."""
        if logs.get("stopped") == "interrupted" and not self.save_best_only:
            # resume at the first epoch not completed (the interrupted one, if it was cut short)
            self.save(max(int(logs.get("epoch", 0)), getattr(self, "completed", 0)))

    def save(self, next_epoch: int) -> None:
        """Write the checkpoint now, recording the epoch that a resume should start at."""
        from glassnet.serialize import save_checkpoint

        state = {**self.extra_state, **self.run_state, "epoch": int(next_epoch)}
        save_checkpoint(self.net, self.path, optimizer=self.optimizer, state=state)


def snapshot(net: Any) -> list[np.ndarray]:
    """Copies of every parameter, to restore later.

    Examples
    --------
    >>> snapshot(type("N", (), {"parameters": lambda self: []})())
    []
    """
    return [p.value.copy() for p in net.parameters()]
