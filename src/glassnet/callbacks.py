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


class ModelCheckpoint(Callback):
    """Save the network, its optimiser state and the run's progress after each epoch.

    Files are written atomically (a temporary file, then a rename), so a crash never leaves
    a half-written checkpoint. ``net, opt, state = glassnet.load_checkpoint(path)`` reads one
    back, and ``net.fit(..., optimizer=opt, initial_epoch=state["epoch"], seed=state["seed"])``
    continues exactly where it stopped.

    With an ``EarlyStopping`` among ``fit``'s callbacks (the first one, if several), each
    checkpoint also holds its progress: best value and epoch, epochs waited, best weights. Load
    it into a new ``EarlyStopping`` with ``stop.load_state_dict(*state["early_stopping"])``
    before resuming, and the resumed run stops at the epoch, and with the weights, of an
    uninterrupted one. Checkpoints written without early stopping have no such entry.

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

    Resuming a run with early stopping, here cut short after 2 of its epochs:

    >>> import os, tempfile
    >>> from glassnet import EarlyStopping, ModelCheckpoint, load_checkpoint, mlp
    >>> X, y = np.random.default_rng(0).normal(size=(40, 2)), np.arange(40) % 2
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
    >>> callbacks = [EarlyStopping(monitor="loss", patience=2), ModelCheckpoint(path)]
    >>> _ = mlp("2,4,2", seed=0).fit(X, y, loss="cross_entropy", epochs=2, seed=5,
    ...                              callbacks=callbacks, verbose=0)
    >>> net, opt, state = load_checkpoint(path)
    >>> stop = EarlyStopping(monitor="loss", patience=2)
    >>> stop.load_state_dict(*state["early_stopping"])
    >>> h = net.fit(X, y, loss="cross_entropy", optimizer=opt, epochs=6, seed=state["seed"],
    ...             initial_epoch=state["epoch"], callbacks=[stop], verbose=0)
    >>> h.epochs[0], stop.best_epoch >= 0
    (2, True)
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
        self.early_stopping: EarlyStopping | None = None  # set by fit; saved with each checkpoint
        self.run_state: dict[str, Any] = {}
        self.completed = 0  # epochs completed in this run
        # (epoch, weights, optimiser state) at the start of the epoch under way, for Ctrl-C
        self._epoch_start: tuple[int, list[np.ndarray], Any] | None = None

    def on_train_begin(self, net: Any) -> None:
        """Keep the network; no epoch has been completed yet in this run."""
        super().on_train_begin(net)
        self.completed, self._epoch_start = 0, None

    def on_epoch_begin(self, epoch: int) -> None:
        """Remember the weights and optimiser state at this epoch boundary (for Ctrl-C)."""
        if not self.save_best_only:
            opt = self.optimizer
            self._epoch_start = (epoch, snapshot(self.net), opt.state_dict() if opt else None)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Write the checkpoint (or skip it when the metric did not improve)."""
        self.completed, self._epoch_start = epoch + 1, None
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
        """Save once more if training was interrupted, so Ctrl-C loses nothing.

        A checkpoint is always an epoch boundary, so that resuming from it repeats the
        uninterrupted run bit for bit: cut inside an epoch, the file gets the weights and
        optimiser state from that epoch's start (the network in memory keeps its progress).
        """
        if logs.get("stopped") != "interrupted" or self.save_best_only:
            return
        epoch = max(int(logs.get("epoch", 0)), self.completed)  # the first epoch not completed
        if self._epoch_start is None or self._epoch_start[0] != epoch:  # between epochs
            self.save(epoch)
            return
        _, weights, opt_state = self._epoch_start  # cut inside ``epoch``: save its start
        now = snapshot(self.net), self.optimizer.state_dict() if self.optimizer else None
        self._restore(weights, opt_state)
        try:
            self.save(epoch)  # the interrupted epoch starts again on resume
        finally:
            self._restore(*now)

    def _restore(self, weights: list[np.ndarray], opt_state: Any) -> None:
        for p, w in zip(self.net.parameters(), weights, strict=True):
            p.value[...] = w
        if opt_state is not None:
            self.optimizer.load_state_dict(*opt_state)

    def save(self, next_epoch: int) -> None:
        """Write the checkpoint now, recording the epoch that a resume should start at."""
        from glassnet.serialize import save_checkpoint

        state = {**self.extra_state, **self.run_state, "epoch": int(next_epoch)}
        save_checkpoint(
            self.net,
            self.path,
            optimizer=self.optimizer,
            state=state,
            early_stopping=self.early_stopping,
        )


def snapshot(net: Any) -> list[np.ndarray]:
    """Copies of every parameter, to restore later.

    Examples
    --------
    >>> snapshot(type("N", (), {"parameters": lambda self: []})())
    []
    """
    return [p.value.copy() for p in net.parameters()]
