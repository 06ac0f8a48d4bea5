"""What every callback builds on: the ``Callback`` base class, ``History``, ``snapshot`` and
``restore``.

The callbacks themselves live in modules of their own, which import this one and nothing
above it; ``glassnet.callbacks`` gathers them all (and tells the order of the hooks), so the
import graph has no cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Callback", "History", "restore", "snapshot"]


@dataclass
class History:
    """What ``fit`` measured, epoch by epoch (Keras's ``History``).

    Attributes
    ----------
    history : dict[str, list[float]]
        "loss" and, where they apply, "accuracy", "val_loss", "val_accuracy", one value per epoch,
        and "lr": the learning rate each epoch trained with (which a schedule changes).
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
    """Base class: override the hooks you need (``glassnet.callbacks`` lists them, in order).

    Before ``on_train_begin``, ``fit`` gives every callback the optimiser it trains with as
    ``self.optimizer``, so a hook can read or set its learning rate (``self.optimizer.lr``, as
    the learning-rate schedules do) or save its state (as ``ModelCheckpoint`` does).

    A callback with progress of its own to keep across a resume (``EarlyStopping``,
    ``ReduceLROnPlateau``) names it with ``state_key`` and defines ``state_dict()`` and
    ``load_state_dict(meta, arrays)``; a ``ModelCheckpoint`` then saves that state after each
    epoch, and ``load_checkpoint`` gives it back as ``state[state_key]``.

    Attributes
    ----------
    net : Sequential or None
        The network being trained, from ``on_train_begin`` on.
    optimizer : Optimizer or None
        The optimiser ``fit`` trains with (set by ``fit``).
    state_key : str or None
        Where checkpoints keep this callback's state; None (the default) keeps none.

    Examples
    --------
    >>> class PrintLR(Callback):
    ...     def on_epoch_begin(self, epoch):
    ...         print(epoch, self.optimizer.lr)
    >>> from glassnet import mlp
    >>> _ = mlp("2,1", seed=0).fit([[0.0, 1.0]], [[1.0]], optimizer="sgd", lr=0.5, epochs=2,
    ...                            callbacks=[PrintLR()], verbose=0)
    0 0.5
    1 0.5
    """

    net: Any = None
    optimizer: Any = None
    state_key: str | None = None

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


def restore(net: Any, values: list[np.ndarray]) -> None:
    """Copy ``values`` (a :func:`snapshot`, or another network's weights) into ``net``'s parameters.

    Raises
    ------
    ValueError
        If there are not as many values as parameters.

    Examples
    --------
    >>> from glassnet import mlp
    >>> a, b = mlp("2,3,1", seed=0), mlp("2,3,1", seed=1)
    >>> restore(b, snapshot(a)); all((p.value == q.value).all()
    ...                              for p, q in zip(a.parameters(), b.parameters()))
    True
    """
    for p, value in zip(net.parameters(), values, strict=True):
        p.value[...] = value
