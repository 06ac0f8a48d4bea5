"""The checkpoints ``glassnet train`` writes: a ModelCheckpoint that also carries the data
description and the whole history of a resumed run."""

from __future__ import annotations

from typing import Any

from glassnet.callbacks import ModelCheckpoint


class CLICheckpoint(ModelCheckpoint):
    """ModelCheckpoint that stores the data description and the whole history of a resumed run.

    The data description travels as ``extra_state``. ``fit`` writes only its own epochs into
    the run state, so the history of the run that was resumed (``previous``, a
    ``History.to_dict()``) is put in front of them here: :meth:`full_history` is the one place
    that joins them, for the checkpoint file and for the history ``glassnet train`` reports.

    Examples
    --------
    >>> ckpt = CLICheckpoint("c.npz", info={"task": "regression"}, previous=None)
    >>> ckpt.extra_state
    {'data': {'task': 'regression'}}
    """

    def __init__(
        self,
        path: Any,
        info: dict[str, Any],
        previous: dict[str, Any] | None,
        overwrite: bool = False,
    ) -> None:
        super().__init__(
            path, save_best_only=False, extra_state={"data": info}, overwrite=overwrite
        )
        self.previous = previous

    def full_history(self, now: Any) -> Any:
        """The earlier run's epochs, then those of ``now`` (a History of this run)."""
        return merge_history(self.previous, now)

    def save(self, next_epoch: int) -> None:
        """Write the checkpoint with the whole history so far."""
        from glassnet.callbacks import History

        if self.previous is not None and "history" in self.run_state:
            now = History.from_dict(self.run_state["history"])
            self.run_state["history"] = self.full_history(now).to_dict()
        super().save(next_epoch)


def merge_history(previous: dict[str, Any] | None, now: Any) -> Any:
    """The history of a resumed run: the epochs before it, then this run's.

    Examples
    --------
    >>> from glassnet.callbacks import History
    >>> h = History(); h.append(1, {"loss": 0.5})
    >>> merge_history({"history": {"loss": [0.9]}, "epochs": [0]}, h).history
    {'loss': [0.9, 0.5]}
    """
    from glassnet.callbacks import History

    if not previous:
        return now
    before = History.from_dict(previous)
    keep = [i for i, e in enumerate(before.epochs) if e < (now.epochs[0] if now.epochs else 1e9)]
    merged = History(params=now.params, stopped=now.stopped)
    for i in keep:
        merged.append(before.epochs[i], {k: v[i] for k, v in before.history.items()})
    for i, e in enumerate(now.epochs):
        merged.append(e, {k: v[i] for k, v in now.history.items()})
    return merged
