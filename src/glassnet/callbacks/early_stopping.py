"""``EarlyStopping``: stop training when a monitored metric stops improving.

It can save and restore its progress (``state_dict`` / ``load_state_dict``), so that a run
resumed from a checkpoint stops where an uninterrupted one would. Also importable from
``glassnet.callbacks``, whose docstring tells the order in which ``fit`` calls the hooks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.callbacks.base import restore, snapshot
from glassnet.callbacks.monitor import MonitorCallback
from glassnet.utils.validation import check_count, check_non_negative


class EarlyStopping(MonitorCallback):
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

    state_key = "early_stopping"
    state_name = "early-stopping"

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = True,
    ) -> None:
        self.watch(monitor, mode, check_non_negative(min_delta, "min_delta"))
        self.patience = check_count(patience, "patience")
        self.restore_best_weights = restore_best_weights
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self.best_epoch = -1
        self.best_params: list[np.ndarray] | None = None

    def on_train_begin(self, net: Any) -> None:
        """Reset the best value seen, unless ``load_state_dict`` has just restored it.

        A restored run that had already run out of patience asks to stop before its first epoch.
        """
        super().on_train_begin(net)
        if not self.keep_restored():
            return
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
        meta = {**self.progress(), "patience": self.patience, "best_epoch": int(self.best_epoch)}
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
        self.restore_progress(meta)
        self.best_epoch = int(meta.get("best_epoch", -1))
        if arrays:
            self.best_params = [np.array(arrays[str(i)]) for i in range(len(arrays))]

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
        value = self.current(logs)
        better = self.improves(value, self.best)
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
            restore(self.net, self.best_params)
