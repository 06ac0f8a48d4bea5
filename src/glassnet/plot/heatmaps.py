"""Matrices as pictures: a layer's weights, and a classifier's confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.explain.render import fmt
from glassnet.plot._base import axes_or_new, done, playground_cmap


def plot_weight_matrix(
    net: Any, layer_index: int, ax: Any = None, annotate: bool | None = None
) -> Any:
    """Heat map of a Dense layer's W (in, out): blue positive, orange negative, white zero.

    Parameters
    ----------
    net : Sequential
    layer_index : int
        Index in ``net.layers`` of a Dense layer.
    annotate : bool, optional
        Write each weight in its cell; default when W has at most 100 entries.

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> net = Sequential([Dense(2, 2, weights=[[1.0, -1.0], [0.5, 0.0]], bias=[0.0, 0.0])])
    >>> ax = plot_weight_matrix(net, 0).axes[0]
    >>> ax.get_title(), [t.get_text() for t in ax.texts][:2]
    ('layer 0: W (2 x 2)', ['1.00', '-1.00'])
    """
    from glassnet.layers.dense import Dense

    dense = [i for i, layer in enumerate(net.layers) if isinstance(layer, Dense)]
    if (
        isinstance(layer_index, bool)
        or not isinstance(layer_index, (int, np.integer))
        or (layer_index not in dense)
    ):
        raise ValueError(
            f"layer_index must be the index of a Dense layer, one of {dense}; got {layer_index!r}."
        )
    W = np.asarray(net.layers[layer_index].params["W"], dtype=np.float64)  # (in, out)
    fig, ax_ = axes_or_new(ax, min(12.0, 2.0 + 0.3 * W.shape[1]), min(10.0, 1.6 + 0.3 * W.shape[0]))
    top = float(np.abs(W).max()) or 1.0
    im = ax_.imshow(
        W, cmap=playground_cmap(), vmin=-top, vmax=top, aspect="auto", interpolation="nearest"
    )
    if annotate if annotate is not None else W.size <= 100:
        for (i, j), w in np.ndenumerate(W):
            ax_.text(j, i, fmt(w, 2), ha="center", va="center", fontsize=7, color="#222222")
    fig.colorbar(im, ax=ax_, fraction=0.046, pad=0.04, label="weight")
    ax_.set_xlabel("to node (output of the layer)")
    ax_.set_ylabel("from input")
    if ax is None:
        fig.tight_layout()
    ax_.set_title(f"layer {layer_index}: W ({W.shape[0]} x {W.shape[1]})", fontsize=10)
    return done(fig, ax_, ax)


def plot_confusion_matrix(
    y_true: Any, y_pred: Any = None, class_names: list[str] | None = None, ax: Any = None
) -> Any:
    """The confusion matrix with its counts in the cells (rows: true class, columns: predicted).

    Parameters
    ----------
    y_true : array-like
        True labels (N,), or a square matrix of counts when ``y_pred`` is None.
    y_pred : array-like, optional
        Predicted labels (N,).
    class_names : list of str, optional
        Tick labels, one per class.

    Examples
    --------
    >>> fig = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 0, 2])
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['0', '0', '0', '0', '0', '1', '1', '1', '1']
    """
    from glassnet.metrics.scores import confusion_matrix

    if y_pred is None:
        cm = np.asarray(y_true)
        if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
            raise ValueError(
                f"without y_pred, y_true must be a square confusion matrix; got shape {cm.shape}."
            )
    else:
        t = np.asarray(y_true, dtype=np.int64).reshape(-1)  # (N,)
        p = np.asarray(y_pred, dtype=np.int64).reshape(-1)  # (N,)
        needed = int(max(t.max(initial=0), p.max(initial=0))) + 1
        if class_names is not None and len(class_names) < needed:
            raise ValueError(
                f"class_names has {len(class_names)} names but the labels go up to {needed - 1}; "
                "give one per class."
            )
        cm = confusion_matrix(t, p, len(class_names) if class_names is not None else needed)
    k = cm.shape[0]
    if class_names is not None and len(class_names) != k:
        raise ValueError(
            f"class_names has {len(class_names)} names for {k} classes; give one per class."
        )
    names = list(class_names) if class_names is not None else [str(c) for c in range(k)]
    fig, ax_ = axes_or_new(ax, min(10.0, 2.5 + 0.5 * k), min(9.0, 2.0 + 0.5 * k))
    im = ax_.imshow(cm, cmap="Blues", interpolation="nearest")
    threshold = cm.max() / 2 if cm.size else 0
    for (i, j), c in np.ndenumerate(cm):
        ax_.text(
            j,
            i,
            str(int(c)),
            ha="center",
            va="center",
            fontsize=8 if k <= 12 else 6,
            color="white" if c > threshold else "#222222",
        )
    fig.colorbar(im, ax=ax_, fraction=0.046, pad=0.04, label="samples")
    ax_.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 3 else 0, fontsize=8)
    ax_.set_yticks(range(k), names, fontsize=8)
    ax_.set_xlabel("predicted class")
    ax_.set_ylabel("true class")
    if ax is None:
        fig.tight_layout()
    total = int(cm.sum())
    acc = float(np.trace(cm)) / total if total else 0.0
    ax_.set_title(f"confusion matrix: {total} samples, accuracy {acc:.1%}", fontsize=10)
    return done(fig, ax_, ax)
