"""The standard pictures of a training run, written into one folder by ``glassnet train``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from glassnet.plot._base import save_figure

MAX_DIAGRAM_NODES = 64  # larger networks get no diagram (it would be a grey blur)


def save_standard_plots(
    net: Any,
    history: Any,
    X_test: Any,
    y_test: Any,
    directory: Any,
    task: str = "classification",
) -> list[Path]:
    """Write the usual pictures of a trained network into ``directory``; return their paths.

    network.png (when at most 64 nodes), history.png (when a history is given),
    confusion.png (classification), boundary.png (two input features), weights.png (first
    Dense layer's W).

    Examples
    --------
    >>> import tempfile
    >>> from glassnet import mlp
    >>> net = mlp("2,3,2", seed=0)
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]]); y = np.array([0, 1])
    >>> [p.name for p in save_standard_plots(net, None, X, y, tempfile.mkdtemp())]
    ['network.png', 'confusion.png', 'boundary.png', 'weights.png']
    """
    from glassnet.layers.dense import Dense
    from glassnet.metrics.scores import labels_from_targets
    from glassnet.plot.boundary import plot_decision_boundary
    from glassnet.plot.curves import plot_history
    from glassnet.plot.heatmaps import plot_confusion_matrix, plot_weight_matrix
    from glassnet.plot.network_diagram import plot_network

    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression'; got {task!r}.")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    X = np.asarray(X_test)
    y = np.asarray(y_test)
    written: list[Path] = []

    def put(name: str, fig: Any) -> None:
        written.append(save_figure(fig, out / name))

    widths = [net.in_features] + [lay.out_features for lay in net.layers if isinstance(lay, Dense)]
    if sum(widths) <= MAX_DIAGRAM_NODES:
        put("network.png", plot_network(net))
    if history is not None:
        put("history.png", plot_history(history))
    if task == "classification":
        labels = labels_from_targets(y)  # (N,)
        pred = net.predict_classes(X)
        k = int(max(labels.max(initial=0), pred.max(initial=0))) + 1
        if net.out_features and net.out_features > 1:
            k = max(k, int(net.out_features))
        put(
            "confusion.png",
            plot_confusion_matrix(labels, pred, class_names=[str(c) for c in range(k)]),
        )
    if X.ndim == 2 and X.shape[1] == 2:
        if task == "classification":
            shown = labels_from_targets(y)  # (N,)
        else:
            shown = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(-1)
        put("boundary.png", plot_decision_boundary(net, X, shown))
    first = next(i for i, lay in enumerate(net.layers) if isinstance(lay, Dense))
    put("weights.png", plot_weight_matrix(net, first))
    return written
