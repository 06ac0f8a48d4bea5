"""``ModelCheckpoint``: save the network, its optimiser state and the run's progress after each
epoch, atomically, and once more on Ctrl-C.

``glassnet.saving.serialize`` writes and reads the files. Also importable from ``glassnet.callbacks``,
whose docstring tells the order in which ``fit`` calls the hooks.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.callbacks.base import Callback, snapshot


class ModelCheckpoint(Callback):
    """Save the network, its optimiser state and the run's progress after each epoch.

    Files are written atomically (a temporary file, then a rename), so a crash never leaves
    a half-written checkpoint. The destination is checked when training begins, before the
    first epoch: a folder that cannot be written, a directory or special file at ``path``, or a
    file there that is not a glassnet model (unless ``overwrite=True``) fails at once instead
    of after an epoch's work. ``net, opt, state = glassnet.load_checkpoint(path)`` reads one
    back, and ``net.fit(..., optimizer=opt, initial_epoch=state["epoch"], seed=state["seed"])``
    continues exactly where it stopped.

    With an ``EarlyStopping`` among ``fit``'s callbacks (the first one, if several), each
    checkpoint also holds its progress: best value and epoch, epochs waited, best weights. Load
    it into a new ``EarlyStopping`` with ``stop.load_state_dict(*state["early_stopping"])``
    before resuming, and the resumed run stops at the epoch, and with the weights, of an
    uninterrupted one. Checkpoints written without early stopping have no such entry. Every
    callback with a ``state_key`` is saved the same way (``ReduceLROnPlateau``:
    ``state["reduce_lr_on_plateau"]``); the optimiser keeps the lr a schedule gave it.

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
    overwrite : bool, default False
        Replace ``path`` even when it is a file that is not a glassnet model (see
        :func:`glassnet.saving.files.check_destination`).

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
        overwrite: bool = False,
    ) -> None:
        self.path = Path(path)
        self.overwrite = overwrite
        self.monitor, self.save_best_only = monitor, save_best_only
        self.extra_state = dict(extra_state or {})
        self.best = math.inf
        self.mode = "max" if "acc" in monitor else "min"
        self.optimizer: Any = None
        # set by fit: the callbacks whose state (state_key, state_dict) each checkpoint saves
        self.stateful: list[Callback] = []
        self.run_state: dict[str, Any] = {}
        self.completed = 0  # epochs completed in this run
        # (epoch, weights, optimiser state, stateful callbacks' states) at the start of the
        # epoch under way, for Ctrl-C
        self._epoch_start: tuple[int, list[np.ndarray], Any, list[Any]] | None = None

    def on_train_begin(self, net: Any) -> None:
        """Check that ``path`` can be written; keep the network; no epoch has been completed
        yet in this run."""
        from glassnet.saving.files import check_destination

        check_destination(self.path, overwrite=self.overwrite)
        super().on_train_begin(net)
        self.completed, self._epoch_start = 0, None

    def on_epoch_begin(self, epoch: int) -> None:
        """Remember the weights, the optimiser state and the state of every stateful callback
        (early stopping, plateau) at this epoch boundary (for Ctrl-C).

        ``fit`` calls this before a schedule sets the epoch's lr, so the lr remembered is the
        one the epoch started from.
        """
        if not self.save_best_only:
            self._epoch_start = (
                epoch,
                snapshot(self.net),
                self._optimizer_state(),
                self._callback_states(),
            )

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
        uninterrupted run bit for bit: cut inside an epoch, the file gets the weights, the
        optimiser state and the callbacks' states from that epoch's start, even when the cut
        came at its end after a callback such as ReduceLROnPlateau had already counted it (the
        network and the callbacks in memory keep their progress).
        """
        if logs.get("stopped") != "interrupted" or self.save_best_only:
            return
        epoch = max(int(logs.get("epoch", 0)), self.completed)  # the first epoch not completed
        if self._epoch_start is None or self._epoch_start[0] != epoch:  # between epochs
            self.save(epoch)
            return
        _, weights, opt_state, states = self._epoch_start  # cut inside ``epoch``: its start
        now = snapshot(self.net), self._optimizer_state(), self._callback_states()
        self._restore(weights, opt_state, states)
        try:
            self.save(epoch)  # the interrupted epoch starts again on resume
        finally:
            self._restore(*now)

    def _optimizer_state(self) -> tuple[float, Any] | None:
        """(lr, state_dict()) of the optimiser, or None without one."""
        opt = self.optimizer
        return None if opt is None else (opt.lr, opt.state_dict())

    def _callback_states(self) -> list[Any]:
        """state_dict() of every stateful callback, in ``stateful`` order."""
        return [cb.state_dict() for cb in self.stateful]

    def _restore(
        self, weights: list[np.ndarray], opt_state: tuple[float, Any] | None, states: list[Any]
    ) -> None:
        for p, w in zip(self.net.parameters(), weights, strict=True):
            p.value[...] = w
        if opt_state is not None:
            self.optimizer.lr = opt_state[0]
            self.optimizer.load_state_dict(*opt_state[1])
        for cb, state in zip(self.stateful, states, strict=True):
            cb.load_state_dict(*state)

    def save(self, next_epoch: int) -> None:
        """Write the checkpoint now, recording the epoch that a resume should start at."""
        from glassnet.saving.serialize import save_checkpoint

        state = {**self.extra_state, **self.run_state, "epoch": int(next_epoch)}
        if "history" in state:  # the epochs the file's weights have seen, none after them
            state["history"] = _history_before(state["history"], int(next_epoch))
        save_checkpoint(
            self.net,
            self.path,
            optimizer=self.optimizer,
            state=state,
            callbacks=self.stateful,
            overwrite=self.overwrite,
        )


def _history_before(data: dict[str, Any], next_epoch: int) -> dict[str, Any]:
    """A copy of a History's ``to_dict()`` with only the epochs before ``next_epoch``.

    A Ctrl-C during the hooks at an epoch's end saves that epoch's start, while the history
    already holds the epoch: the file must not.

    Examples
    --------
    >>> data = {"history": {"loss": [0.9, 0.5, 0.4]}, "epochs": [0, 1, 2], "stopped": None}
    >>> _history_before(data, 2)["history"], data["history"]["loss"][-1]
    ({'loss': [0.9, 0.5]}, 0.4)
    """
    keep = [i for i, e in enumerate(data.get("epochs", [])) if e < next_epoch]
    history = {key: [values[i] for i in keep] for key, values in data["history"].items()}
    return {**data, "history": history, "epochs": [data["epochs"][i] for i in keep]}
