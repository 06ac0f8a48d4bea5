"""Learning curves: loss (and accuracy) per epoch, for training and validation, and the
learning rate when a schedule changed it."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.plot._base import NEGATIVE, POSITIVE, done, new_figure


def _as_history(history: Any) -> tuple[dict[str, list[float]], list[int]]:
    """The metric lists and epoch numbers of a History, its to_dict(), or train --json output."""
    from glassnet.callbacks import History

    d = history.to_dict() if isinstance(history, History) else history
    if not isinstance(d, dict):
        raise TypeError(
            f"history must be a History or its to_dict(); got {type(history).__name__}."
        )
    inner = d.get("history")
    if isinstance(inner, dict) and isinstance(inner.get("history"), dict):
        d = inner  # train --json: {"history": History.to_dict(), ...}
    data = d.get("history", d)
    epochs = list(d.get("epochs", []))
    if not isinstance(data, dict) or not data.get("loss"):
        raise ValueError(f"history has no 'loss' values to draw; got keys {sorted(data)}.")
    n = len(data["loss"])
    if len(epochs) != n:
        epochs = list(range(n))
    return data, epochs


def plot_history(history: Any, ax: Any = None) -> Any:
    """Loss per epoch (and accuracy in a second panel when recorded), training and validation;
    a last panel shows the learning rate of each epoch when it changed (a schedule).

    Parameters
    ----------
    history : History or dict
        What ``fit`` returned, its ``to_dict()``, or the JSON of ``glassnet train --json``.
    ax : Axes, optional
        Draw only the loss panel into it.

    Returns
    -------
    Figure, or the Axes when ``ax`` is given.

    Examples
    --------
    >>> from glassnet.callbacks import History
    >>> h = History()
    >>> for e, (l, a) in enumerate([(0.9, 0.5), (0.4, 0.8)]):
    ...     h.append(e, {"loss": l, "accuracy": a, "val_loss": l + 0.1, "val_accuracy": a - 0.1})
    >>> fig = plot_history(h)
    >>> [a.get_ylabel() for a in fig.axes]
    ['loss', 'accuracy']
    >>> h.history["lr"] = [0.1, 0.05]  # e.g. StepLR(1, 0.5)
    >>> [a.get_ylabel() for a in plot_history(h).axes]
    ['loss', 'accuracy', 'learning rate']
    """
    data, epochs = _as_history(history)
    x = np.asarray(epochs) + 1  # (n,) 1-based epoch numbers
    panels = [("loss", ax)]
    if ax is None and data.get("accuracy"):
        panels.append(("accuracy", None))
    lrs = data.get("lr") or []
    if ax is None and len(lrs) == len(x) and len(set(lrs)) > 1:  # a schedule changed it
        panels.append(("lr", None))
    if ax is None:
        fig = new_figure(5.0 * len(panels), 3.6)
        axes = [fig.add_subplot(1, len(panels), k + 1) for k in range(len(panels))]
    else:
        fig, axes = ax.figure, [ax]
    for (key, _), a in zip(panels, axes, strict=True):
        if key == "lr":
            _draw_lr(a, x, lrs)
            continue
        a.plot(
            x,
            data[key],
            color=POSITIVE,
            lw=2,
            marker="o" if len(x) < 30 else None,
            ms=3,
            label=f"training {key}",
        )
        if data.get(f"val_{key}"):
            a.plot(
                x,
                data[f"val_{key}"],
                color=NEGATIVE,
                lw=2,
                ls="--",
                marker="o" if len(x) < 30 else None,
                ms=3,
                label=f"validation {key}",
            )
        a.set_xlabel("epoch")
        a.set_ylabel(key)
        a.grid(alpha=0.3)
        a.legend(fontsize=8)
        if key == "loss" and min(data[key]) > 0 and max(data[key]) / min(data[key]) > 100:
            a.set_yscale("log")
    axes[0].set_title("loss per epoch", fontsize=10)
    if len(axes) > 1 and panels[1][0] == "accuracy":
        axes[1].set_title("accuracy per epoch", fontsize=10)
    if ax is None:
        fig.tight_layout()
    return done(fig, axes[0], ax)


def _draw_lr(ax: Any, x: np.ndarray, lrs: list[float]) -> None:
    """The learning rate of each epoch, as steps (it holds for the whole epoch)."""
    ax.step(x, lrs, where="post", color=POSITIVE, lw=2, label="learning rate")
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate")
    ax.set_title("learning rate per epoch", fontsize=10)
    ax.grid(alpha=0.3)
    if min(lrs) > 0 and max(lrs) / min(lrs) > 100:
        ax.set_yscale("log")
