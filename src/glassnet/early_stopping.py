"""``EarlyStopping``: stop training when a monitored metric stops improving.

It can save and restore its progress (``state_dict`` / ``load_state_dict``), so that a run
resumed from a checkpoint stops where an uninterrupted one would. Also importable from
``glassnet.callbacks``, whose docstring tells the order in which ``fit`` calls the hooks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.callbacks import Callback, snapshot


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
        self._reset()

    def _reset(self) -> None:
        self.best = -math.inf if self.mode == "max" else math.inf
        self.best_epoch, self.wait = -1, 0
        self.best_params: list[np.ndarray] | None = None
        self._loaded = False  # set by load_state_dict: the next on_train_begin keeps the state

    def on_train_begin(self, net: Any) -> None:
        """Reset the best value seen, unless ``load_state_dict`` has just restored it.

        A restored run that had already run out of patience asks to stop before its first epoch.
        """
        super().on_train_begin(net)
        if not self._loaded:
            self._reset()
            return
        self._loaded = False
        self._check_fits(net)
        if self.wait >= self.patience:
            net.stop_training, net.stop_reason = True, "early_stopping"

    def state_dict(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(JSON-able progress, best weights by position) for checkpoints.

        The progress holds monitor, mode, patience, best (None before the first epoch),
        best_epoch and wait; the arrays, named "0", "1", ..., are the weights of the best
        epoch (none without ``restore_best_weights`` or before the first epoch).

        Examples
        --------
        >>> meta, arrays = EarlyStopping(monitor="loss", patience=2).state_dict()
        >>> meta["monitor"], meta["mode"], meta["best"], meta["wait"], arrays
        ('loss', 'min', None, 0, {})
        """
        meta = {
            "monitor": self.monitor,
            "mode": self.mode,
            "patience": self.patience,
            "best": float(self.best) if math.isfinite(self.best) else None,
            "best_epoch": int(self.best_epoch),
            "wait": int(self.wait),
        }
        arrays = {str(i): a.copy() for i, a in enumerate(self.best_params or [])}
        return meta, arrays

    def load_state_dict(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Restore what ``state_dict`` saved; the next ``fit`` continues from it.

        The callback keeps its own ``patience`` and ``min_delta``, so a resumed run may change
        them; monitor and mode must be those of the saved state.

        Raises
        ------
        ValueError
            If the saved state monitors another metric or in another mode.

        Examples
        --------
        >>> stop = EarlyStopping(monitor="loss", patience=2)
        >>> stop.load_state_dict({"monitor": "loss", "mode": "min", "best": 0.5,
        ...                       "best_epoch": 3, "wait": 1}, {})
        >>> stop.best, stop.best_epoch, stop.wait
        (0.5, 3, 1)
        """
        saved = (meta.get("monitor"), meta.get("mode"))
        if saved != (self.monitor, self.mode):
            raise ValueError(
                f"the early-stopping state was saved with monitor={saved[0]!r}, "
                f"mode={saved[1]!r} but this EarlyStopping has monitor={self.monitor!r}, "
                f"mode={self.mode!r}. Use EarlyStopping(monitor={saved[0]!r}, "
                f"mode={saved[1]!r}) to continue that run, or do not load the state to start "
                "early stopping afresh."
            )
        self._reset()
        if meta.get("best") is not None:
            self.best = float(meta["best"])
        self.best_epoch, self.wait = int(meta.get("best_epoch", -1)), int(meta.get("wait", 0))
        if arrays:
            self.best_params = [np.array(arrays[str(i)]) for i in range(len(arrays))]
        self._loaded = True

    def _check_fits(self, net: Any) -> None:
        if self.best_params is None:
            return
        saved = [a.shape for a in self.best_params]
        shapes = [p.value.shape for p in net.parameters()]
        if saved != shapes:
            raise ValueError(
                f"the early-stopping state holds best weights of shapes {saved} but the "
                f"network's are {shapes}; load the state saved with this network."
            )

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
