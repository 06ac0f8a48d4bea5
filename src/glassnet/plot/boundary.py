"""What a 2-D classifier has learned: its output over the plane, and each neuron's own map.

As in TensorFlow Playground, orange is class 0 (or negative) and blue class 1 (or positive); the
background is the network's output at every point of a grid, the dots are the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.plot._base import NEGATIVE, POSITIVE, axes_or_new, done, new_figure, playground_cmap

_CLASS_COLOURS = [
    NEGATIVE,
    POSITIVE,
    "#27ae60",
    "#8e44ad",
    "#c0392b",
    "#16a085",
    "#d35400",
    "#2c3e50",
    "#f1c40f",
    "#7f8c8d",
]


def grid(
    X: Any, resolution: int = 100, margin: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A resolution x resolution grid over the range of X's two columns, widened by ``margin``.

    Returns ``(xx, yy, points)`` with xx, yy of shape (r, r) and points (r*r, 2).

    Examples
    --------
    >>> xx, yy, pts = grid(np.array([[0.0, 0.0], [1.0, 2.0]]), resolution=3, margin=0.0)
    >>> xx[0].round(6).tolist(), yy[:, 0].round(6).tolist(), pts.shape
    ([-0.0, 0.5, 1.0], [-0.0, 1.0, 2.0], (9, 2))
    """
    X = _check_2d(X)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2; got {resolution!r}.")
    lo, hi = X.min(axis=0), X.max(axis=0)  # (2,), (2,)
    pad = (hi - lo) * margin + 1e-9
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)  # (r,)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)  # (r,)
    xx, yy = np.meshgrid(xs, ys)  # (r, r)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])  # (r*r, 2)


def _check_2d(X: Any) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"X must have shape (N, 2): decision boundaries are drawn in the plane; got {X.shape}."
        )
    return X


def _labels(y: Any, n: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)  # one-hot (N, K) -> (N,)
    y = y.reshape(-1)
    if len(y) != n:
        raise ValueError(f"y has {len(y)} values but X has {n} rows; they must match.")
    return y


def scatter_data(ax: Any, X: np.ndarray, y: np.ndarray, size: float = 18) -> None:
    """Data points on top of a map: class colours, or the value colour map for regression."""
    if y.dtype.kind in "iub":
        colours = [_CLASS_COLOURS[int(c) % len(_CLASS_COLOURS)] for c in y]
        ax.scatter(
            X[:, 0], X[:, 1], c=colours, s=size, edgecolors="white", linewidths=0.7, zorder=3
        )
    else:
        ax.scatter(
            X[:, 0],
            X[:, 1],
            c=y,
            cmap=playground_cmap(),
            s=size,
            edgecolors="white",
            linewidths=0.7,
            zorder=3,
        )


def _unfitted_loss(net: Any) -> str | None:
    """ "cross_entropy" for an unfitted network with several raw outputs (read as logits), else
    None (the network's own loss, or its final Softmax or Sigmoid, says what they are)."""
    from glassnet.activations import Sigmoid, Softmax
    from glassnet.model.inference import output_layer

    if getattr(net, "loss_", None) is not None or (net.out_features or 0) < 2:
        return None
    return None if isinstance(output_layer(net.layers), Sigmoid | Softmax) else "cross_entropy"


def plot_decision_boundary(net: Any, X: Any, y: Any, ax: Any = None, resolution: int = 100) -> Any:
    """The network's output over the plane as a heat map, with the data points on top.

    One output (binary classification): the probability of class 1, orange (0) to blue (1), and
    the 0.5 contour as the boundary. Several outputs: each point's predicted class, paler where
    the network is less sure (an unfitted network's raw outputs read as logits, as
    cross-entropy has them; an unfitted one-output network needs a final Sigmoid).

    Examples
    --------
    >>> from glassnet import mlp
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]]); y = np.array([0, 1])
    >>> fig = plot_decision_boundary(mlp("2,4,1", output_activation="sigmoid", seed=0), X, y,
    ...                              resolution=20)
    >>> fig.axes[0].get_title()
    'decision boundary'
    """
    X = _check_2d(X)
    y = _labels(y, len(X))
    if net.in_features != 2:
        raise ValueError(
            f"net must take 2 inputs to draw a decision boundary; it takes {net.in_features}."
        )
    xx, yy, pts = grid(X, resolution)
    out = np.asarray(net.predict_proba(pts, loss=_unfitted_loss(net)), dtype=np.float64)
    fig, ax_ = axes_or_new(ax, 5.0, 4.4)
    extent = (xx.min(), xx.max(), yy.min(), yy.max())
    if out.shape[1] == 1:
        z = out[:, 0].reshape(xx.shape)  # (r, r)
        lo, hi = (0.0, 1.0) if z.min() >= 0 and z.max() <= 1 else (float(z.min()), float(z.max()))
        im = ax_.imshow(
            z,
            origin="lower",
            extent=extent,
            cmap=playground_cmap(),
            vmin=lo,
            vmax=hi,
            alpha=0.75,
            aspect="auto",
            interpolation="bilinear",
        )
        if lo < (lo + hi) / 2 < hi and z.min() < (lo + hi) / 2 < z.max():
            ax_.contour(xx, yy, z, levels=[(lo + hi) / 2], colors="#555555", linewidths=1)
        fig.colorbar(im, ax=ax_, fraction=0.046, pad=0.04, label="network output")
    else:
        from matplotlib.colors import to_rgb

        cls = out.argmax(axis=1)  # (r*r,)
        conf = (out.max(axis=1) - 1 / out.shape[1]) / (1 - 1 / out.shape[1])  # (r*r,) in [0, 1]
        base = np.array(
            [to_rgb(_CLASS_COLOURS[c % len(_CLASS_COLOURS)]) for c in range(out.shape[1])]
        )
        rgb = 1 - (1 - base[cls]) * (0.25 + 0.5 * np.clip(conf, 0, 1))[:, None]  # (r*r, 3)
        ax_.imshow(
            rgb.reshape(*xx.shape, 3),
            origin="lower",
            extent=extent,
            aspect="auto",
            interpolation="nearest",
        )
    scatter_data(ax_, X, y)
    ax_.set_xlim(extent[0], extent[1])
    ax_.set_ylim(extent[2], extent[3])
    ax_.set_title("decision boundary", fontsize=10)
    ax_.set_xlabel("x1")
    ax_.set_ylabel("x2")
    if ax is None:
        fig.tight_layout()
    return done(fig, ax_, ax)


def neuron_outputs(net: Any, points: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Each neuron's output (after its activation) at ``points`` (M, 2), read from a trace.

    Examples
    --------
    >>> from glassnet import mlp
    >>> maps = neuron_outputs(mlp("2,3,1", seed=0), np.zeros((4, 2)))
    >>> [(name, vals.shape) for name, vals in maps]
    [('a1[1]', (4,)), ('a1[2]', (4,)), ('a1[3]', (4,)), ('Y', (4,))]
    """
    from glassnet.plot.layout import columns_from_net

    cols = columns_from_net(net)
    was = [layer.training for layer in net.layers]
    net.eval()
    try:
        with net.tracing() as trace:
            net.forward(np.asarray(points, dtype=net.dtype))
    finally:
        for layer, mode in zip(net.layers, was, strict=True):
            layer.training = mode
    out = []
    for col in cols[1:]:
        values = trace.layers[col.out_pos].y  # (M, width)
        out += [
            (col.names[j], np.asarray(values[:, j], dtype=np.float64)) for j in range(col.width)
        ]
    return out


def plot_neuron_maps(
    net: Any, X: Any, y: Any, resolution: int = 40, max_per_layer: int = 12
) -> Any:
    """Small maps of every neuron's output over the plane, one row per layer (as in Playground).

    Examples
    --------
    >>> from glassnet import mlp
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]]); y = np.array([0, 1])
    >>> fig = plot_neuron_maps(mlp("2,3,1", seed=0), X, y, resolution=10)
    >>> len(fig.axes)
    4
    """
    X = _check_2d(X)
    y = _labels(y, len(X))
    xx, yy, pts = grid(X, resolution)
    from glassnet.plot.layout import columns_from_net

    cols = columns_from_net(net)
    maps = iter(neuron_outputs(net, pts))
    widths_ = [min(c.width, max_per_layer) for c in cols[1:]]
    n_cols = max(widths_)
    fig = new_figure(1.3 * n_cols + 0.4, 1.4 * len(widths_) + 0.4)
    extent = (xx.min(), xx.max(), yy.min(), yy.max())
    for row, col in enumerate(cols[1:]):
        for j in range(col.width):
            name, vals = next(maps)
            if j >= max_per_layer:
                continue
            ax = fig.add_subplot(len(widths_), n_cols, row * n_cols + j + 1)
            top = float(np.abs(vals).max()) or 1.0
            lo, hi = (0.0, 1.0) if col.activation in ("sigmoid", "softmax") else (-top, top)
            ax.imshow(
                vals.reshape(xx.shape),
                origin="lower",
                extent=extent,
                aspect="auto",
                cmap=playground_cmap(),
                vmin=lo,
                vmax=hi,
                interpolation="bilinear",
            )
            if row == len(widths_) - 1:
                scatter_data(ax, X, y, size=4)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{name} ({col.activation})", fontsize=7)
    fig.suptitle("what each neuron computes over the plane", fontsize=9)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.86, wspace=0.1, hspace=0.35)
    return fig
