"""Weights and gradients over training: a callback records them, a figure shows their spread.

Vanishing or exploding gradients show up here first: a layer whose gradient histogram shrinks
to a spike at zero epoch after epoch is no longer learning.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.callbacks import Callback
from glassnet.plot._base import new_figure


class WeightRecorder(Callback):
    """Keep a copy of every Dense layer's W and dE/dW at the end of every ``every``-th epoch.

    The gradient is the layer's ``grads["W"]`` at the epoch's end, i.e. the last batch's.

    Attributes
    ----------
    epochs : list of int
        The (0-based) epochs recorded.
    weights, grads : list of dict[str, ndarray]
        One dict per recorded epoch, keyed by layer name ("layer 0 W").

    Examples
    --------
    >>> from glassnet import mlp
    >>> rec = WeightRecorder(every=2)
    >>> _ = mlp("2,3,1", seed=0).fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=4, verbose=0,
    ...                               callbacks=[rec], seed=0)
    >>> rec.epochs, sorted(rec.weights[0])
    ([1, 3], ['layer 0 W', 'layer 2 W'])
    """

    def __init__(self, every: int = 1) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(
                f"every must be a positive integer (record every N epochs); got {every!r}."
            )
        self.every = every
        self.epochs: list[int] = []
        self.weights: list[dict[str, np.ndarray]] = []
        self.grads: list[dict[str, np.ndarray]] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Copy the weights and their last gradients when ``epoch + 1`` is a multiple of every."""
        if (epoch + 1) % self.every:
            return
        w, g = {}, {}
        for i, layer in enumerate(self.net.layers):
            if "W" in layer.params:
                w[f"layer {i} W"] = layer.params["W"].copy()  # (in, out)
                g[f"layer {i} W"] = layer.grads["W"].copy()  # (in, out)
        self.epochs.append(epoch)
        self.weights.append(w)
        self.grads.append(g)


def plot_histograms(recorder: WeightRecorder, bins: int = 30) -> Any:
    """Histograms of weights (left) and gradients (right), one row per layer, coloured by epoch.

    Early epochs are dark purple, late ones yellow (viridis).

    Examples
    --------
    >>> rec = WeightRecorder()
    >>> rec.epochs = [0, 1]
    >>> rec.weights = [{"layer 0 W": np.ones((2, 2))}, {"layer 0 W": np.zeros((2, 2))}]
    >>> rec.grads = rec.weights
    >>> fig = plot_histograms(rec)
    >>> [a.get_title() for a in fig.axes]
    ['layer 0 W: weights', 'layer 0 W: gradients dE/dW']
    """
    if not isinstance(recorder, WeightRecorder):
        raise TypeError(f"recorder must be a WeightRecorder; got {type(recorder).__name__}.")
    if not recorder.epochs:
        raise ValueError(
            "the recorder holds no snapshots; pass it to fit(callbacks=[recorder]) first."
        )
    from matplotlib import colormaps

    names = list(recorder.weights[0])
    fig = new_figure(9.0, 2.2 * len(names) + 0.6)
    cmap = colormaps["viridis"]
    n = len(recorder.epochs)
    for row, name in enumerate(names):
        for c, (kind, snaps) in enumerate(
            [("weights", recorder.weights), ("gradients dE/dW", recorder.grads)]
        ):
            ax = fig.add_subplot(len(names), 2, 2 * row + c + 1)
            values = [np.ravel(s[name]).astype(np.float64) for s in snaps]  # each (in*out,)
            lo = min(float(v.min()) for v in values)
            hi = max(float(v.max()) for v in values)
            edges = np.linspace(lo, hi if hi > lo else lo + 1e-12, bins + 1)  # (bins + 1,)
            for k, (epoch, v) in enumerate(zip(recorder.epochs, values, strict=True)):
                colour = cmap(k / max(n - 1, 1))
                ax.hist(
                    v,
                    bins=edges,
                    histtype="step",
                    color=colour,
                    lw=1.2,
                    label=f"epoch {epoch + 1}" if k in (0, n - 1) else None,
                )
            ax.set_title(f"{name}: {kind}", fontsize=9)
            ax.tick_params(labelsize=7)
            if row == 0:
                ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
