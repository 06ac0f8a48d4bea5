"""``MonitorCallback``: what ``EarlyStopping`` and ``ReduceLROnPlateau`` share: one metric of
the epoch logs, watched for improvement, and a saved state that must watch the same metric.
"""

from __future__ import annotations

import math
from typing import Any

from glassnet.callbacks.base import Callback

MODES = ("auto", "min", "max")


class MonitorCallback(Callback):
    r"""Base class of the callbacks that watch one metric (``monitor``) for improvement.

    In mode "min" a value improves on the best so far when it is lower by more than
    ``min_delta``, :math:`v < \text{best} - \delta`; in mode "max" when
    :math:`v > \text{best} + \delta`. Mode "auto" is "max" for a metric whose name holds
    "acc" (an accuracy), "min" otherwise. Subclasses call :meth:`watch` in their constructor.

    Their progress starts with ``best`` and ``wait`` (epochs without improvement):
    :meth:`progress` is its saved form, :meth:`restore_progress` puts it back, and
    :meth:`keep_restored` at the start of training keeps it once, or starts afresh.

    Examples
    --------
    >>> m = MonitorCallback(); m.watch("val_accuracy", "auto", 0.01); m.mode, m.worst()
    ('max', -inf)
    >>> m.improves(0.5, best=0.495), m.improves(0.52, best=0.5)
    (False, True)
    """

    #: how error messages name the saved state, e.g. "early-stopping"
    state_name = "monitor"
    monitor: str = "loss"
    mode: str = "min"
    min_delta: float = 0.0

    def watch(self, monitor: str, mode: str, min_delta: float) -> None:
        """Set the metric to watch, the mode ("auto" resolved) and the smallest improvement."""
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(
                f"monitor must be the name of a metric, e.g. 'val_loss'; got {monitor!r}."
            )
        if mode not in MODES:
            raise ValueError(f"mode must be 'auto', 'min' or 'max'; got {mode!r}.")
        self.monitor, self.min_delta = monitor, float(min_delta)
        self.mode = ("max" if "acc" in monitor else "min") if mode == "auto" else mode

    def _reset(self) -> None:
        """Start afresh: nothing seen yet (subclasses reset their own progress too)."""
        self.best, self.wait = self.worst(), 0
        self._loaded = False  # set by restore_progress: the next on_train_begin keeps the state

    def progress(self) -> dict[str, Any]:
        """The saved form of the shared progress: monitor, mode, best (None before any), wait."""
        return {
            "monitor": self.monitor,
            "mode": self.mode,
            "best": finite_or_none(self.best),
            "wait": int(self.wait),
        }

    def restore_progress(self, meta: dict[str, Any]) -> None:
        """Start afresh, then put back the best and wait of ``meta`` (``progress()`` output),
        which must watch this metric in this mode (see :meth:`check_saved`)."""
        self.check_saved(meta)
        self._reset()
        if meta.get("best") is not None:
            self.best = float(meta["best"])
        self.wait = int(meta.get("wait", 0))
        self._loaded = True

    def keep_restored(self) -> bool:
        """At the start of training: True, once, after :meth:`restore_progress`; else start
        afresh and return False."""
        if self._loaded:
            self._loaded = False
            return True
        self._reset()
        return False

    def worst(self) -> float:
        """The starting "best": +inf in mode "min", -inf in mode "max"."""
        return -math.inf if self.mode == "max" else math.inf

    def improves(self, value: float, best: float) -> bool:
        """Whether ``value`` beats ``best`` by more than ``min_delta`` (NaN never does)."""
        if self.mode == "max":
            return value > best + self.min_delta
        return value < best - self.min_delta

    def current(self, logs: dict[str, float]) -> float:
        """The monitored value of this epoch's logs.

        Raises
        ------
        ValueError
            If the logs lack it, naming the metrics they have.
        """
        if self.monitor not in logs:
            raise ValueError(
                f"{type(self).__name__} monitors {self.monitor!r} but the logs have only "
                f"{sorted(logs)}. Give validation data or monitor 'loss'."
            )
        return logs[self.monitor]

    def check_saved(self, meta: dict[str, Any]) -> None:
        """Refuse a saved state (``state_dict``'s meta) that watched another metric or mode."""
        saved = (meta.get("monitor"), meta.get("mode"))
        if saved != (self.monitor, self.mode):
            name = type(self).__name__
            raise ValueError(
                f"the {self.state_name} state was saved with monitor={saved[0]!r}, "
                f"mode={saved[1]!r} but this {name} has monitor={self.monitor!r}, "
                f"mode={self.mode!r}. Use {name}(monitor={saved[0]!r}, mode={saved[1]!r}) to "
                f"continue that run, or do not load the state to start {self.state_name} afresh."
            )


def finite_or_none(value: float) -> float | None:
    """``value`` for JSON, None for an infinite "best" (nothing seen yet).

    Examples
    --------
    >>> finite_or_none(0.5), finite_or_none(float("inf"))
    (0.5, None)
    """
    return float(value) if math.isfinite(value) else None
