"""The network diagram: nodes in columns, edges coloured by the weight's sign, width by |w|.

Blue edges are positive weights and orange ones negative, as in TensorFlow Playground; the small
square at each node's lower left is its bias, coloured the same way. Given a trace, every node
also shows its forward value, and the error E sits to the right against the true value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.explain.render import fmt
from glassnet.plot._base import (
    LABEL_BOX,
    NEUTRAL,
    TEXT,
    axes_or_new,
    done,
    label,
    sign_colour,
    widths,
)
from glassnet.plot.error_node import draw_error, error_position
from glassnet.plot.figsize import figure_size
from glassnet.plot.layout import (
    RADIUS,
    Column,
    columns_from_net,
    columns_from_trace,
    gaps,
    is_small,
    is_two_node,
    positions,
)

_WEIGHT_BOX = {**LABEL_BOX, "alpha": 0.85}  # a little more see-through over the edges


def as_trace(step: Any) -> Any:
    """The Trace of ``step``: a Trace itself, or an Explanation's ``.trace``.

    Examples
    --------
    >>> from glassnet.model.trace import Trace
    >>> t = Trace(); as_trace(t) is t
    True
    """
    from glassnet.model.trace import Trace

    trace = getattr(step, "trace", step)
    if not isinstance(trace, Trace):
        raise TypeError(
            "expected a glassnet Trace or an Explanation (glassnet.explain(...)); "
            f"got {type(step).__name__}."
        )
    return trace


def forward_values(trace: Any, cols: list[Column], sample: int = 0) -> list[dict[str, np.ndarray]]:
    """For each column, the recorded values of one sample: "a" (node output) and "z" (before f).

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid, Sequential
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.1]), Sigmoid()], dtype="float64")
    >>> with net.tracing() as trace:
    ...     _ = net.forward(np.array([[1.0]]))
    >>> vals = forward_values(trace, columns_from_trace(trace))
    >>> float(vals[1]["z"][0]), round(float(vals[1]["a"][0]), 4)
    (0.6, 0.6457)
    """
    recs = trace.layers
    out = [{"a": recs[0].x[sample]}]  # (in,)
    for col in cols[1:]:
        out.append({"z": recs[col.dense_pos].y[sample], "a": recs[col.out_pos].y[sample]})
    return out


def _edge_point(p: np.ndarray, q: np.ndarray, j: int, n_out: int) -> np.ndarray:
    """Where an edge's label (and its gradient arrow) sits: staggered by target node."""
    t = 0.5 if n_out == 1 else 0.3 + 0.4 * j / (n_out - 1)
    return p + t * (q - p)


def draw_structure(
    ax: Any,
    cols: list[Column],
    *,
    values: list[dict[str, np.ndarray]] | None = None,
    loss: Any = None,
    faint: bool = False,
    precision: int = 4,
) -> list[np.ndarray]:
    """Draw nodes, weighted edges, biases and (optionally) forward values and the error on ax.

    Returns the node positions. ``faint`` draws the structure in grey (for the backward panel).
    """
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Circle, Rectangle

    pos = positions(cols)
    small = is_small(cols)
    two_node = is_two_node(cols)
    all_w = np.concatenate([c.W.ravel() for c in cols[1:]])  # (n_weights,)
    lw_all = widths(all_w)
    start = 0
    for k in range(1, len(cols)):
        W = cols[k].W  # (in, out)
        p, q = pos[k - 1], pos[k]
        segs = [(p[i], q[j]) for i in range(W.shape[0]) for j in range(W.shape[1])]
        lw = lw_all[start : start + W.size]
        start += W.size
        colours = [NEUTRAL if faint else sign_colour(w) for w in W.ravel()]
        lc = LineCollection(segs, colors=colours, linewidths=lw, alpha=0.9, zorder=1)
        lc.set_label(f"weights {k}")
        lc.set_gid(f"weights-{k}")
        ax.add_collection(lc)
        if small and not faint:
            for i in range(W.shape[0]):
                for j in range(W.shape[1]):
                    xy = _edge_point(p[i], q[j], j, W.shape[1])
                    text = f"{'w = ' if two_node else ''}{fmt(W[i, j], precision)}"
                    label(ax, *xy, text, zorder=4, box=_WEIGHT_BOX)
    top = max(float(p[:, 1].max()) for p in pos)
    bottom = min(float(p[:, 1].min()) for p in pos)
    head, foot = (RADIUS + 1.7, RADIUS + 1.2) if small else (1.3, 1.1)
    for k, (col, p) in enumerate(zip(cols, pos, strict=True)):
        for j, (x, y) in enumerate(p):
            ax.add_patch(Circle((x, y), RADIUS, fc="white", ec="#555555", lw=1.2, zorder=3))
            if small or col.width <= 8:
                ax.text(
                    x, y, col.names[j], ha="center", va="center", fontsize=8, zorder=5, color=TEXT
                )
            if k > 0:
                bval = float(col.b[j])
                s = RADIUS * 0.55
                ax.add_patch(
                    Rectangle(
                        (x - RADIUS - s * 0.3, y - RADIUS - s * 0.3),
                        s,
                        s,
                        fc=NEUTRAL if faint else sign_colour(bval),
                        ec="#555555",
                        lw=0.6,
                        zorder=4,
                    )
                )
                if small and not faint:
                    label(ax, x - RADIUS, y - RADIUS - 0.3, f"b = {fmt(bval, precision)}", "top")
            if values is not None and (small or col.width <= 12):
                lines = []
                if k > 0 and small:
                    lines.append(f"z = {fmt(values[k]['z'][j], precision)}")
                lines.append(f"{col.names[j]} = {fmt(values[k]['a'][j], precision)}")
                label(ax, x, y + RADIUS + 0.12, "\n".join(lines), "bottom", color="#1a5276")
        title = "input" if k == 0 else ("output" if k == len(cols) - 1 else f"layer {k}")
        ax.text(
            p[0, 0],
            top + head,
            title,
            ha="center",
            va="bottom",
            fontsize=8,
            weight="bold",
            color=TEXT,
        )
        if k > 0:
            ax.text(
                p[0, 0],
                bottom - foot,
                col.activation,
                ha="center",
                va="top",
                fontsize=8,
                style="italic",
                color=TEXT,
            )
    if loss is not None:
        draw_error(ax, error_position(pos[-1], gaps(cols)[0]), pos[-1], loss, faint, precision)
    xmax = (len(cols) - 1 + (loss is not None)) * gaps(cols)[0]
    ax.set_xlim(-1.6, xmax + 1.6)
    ax.set_ylim(bottom - foot - 0.8, top + head + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return pos


def plot_network(net: Any, ax: Any = None, trace: Any = None, precision: int = 4) -> Any:
    """Draw a network: nodes in layers, edges blue (w > 0) or orange (w < 0), width by |w|.

    Each column is a Dense layer's outputs with its activation named underneath; the square at a
    node's lower left is its bias. Numbers are written on the weights and biases of small networks.

    Parameters
    ----------
    net : Sequential
        The network to draw (Dense layers and activations).
    ax : matplotlib Axes, optional
        Draw into this Axes (only the forward panel); a new figure otherwise.
    trace : Trace or Explanation, optional
        A traced step of ``net``: nodes then show their forward values and the error E; with a
        recorded backward pass and no ``ax``, a second panel shows the gradients
        (see :func:`glassnet.plot.plot_trace`).
    precision : int
        Decimals of the numbers written.

    Returns
    -------
    Figure, or the Axes when ``ax`` is given.

    Examples
    --------
    >>> from glassnet import mlp
    >>> fig = plot_network(mlp("2,3,1", activation="tanh", output_activation="sigmoid", seed=0))
    >>> fig.axes[0].collections[0].get_label()
    'weights 1'
    """
    cols = columns_from_net(net)
    if trace is not None:
        tr = as_trace(trace)
        if [c.width for c in columns_from_trace(tr)] != [c.width for c in cols]:
            raise ValueError("trace does not match net: its layers have other widths.")
        if ax is None and tr.has_backward:
            from glassnet.plot.step_diagram import plot_trace

            return plot_trace(trace, precision=precision)
        values = forward_values(tr, cols)
        fig, ax_ = axes_or_new(ax, *figure_size(cols, extra_column=tr.loss is not None))
        draw_structure(ax_, cols, values=values, loss=tr.loss, precision=precision)
        return done(fig, ax_, ax)
    fig, ax_ = axes_or_new(ax, *figure_size(cols))
    draw_structure(ax_, cols, precision=precision)
    ax_.set_title(
        f"{len(cols) - 1} layers, {sum(c.W.size + c.b.size for c in cols[1:])} parameters",
        fontsize=9,
    )
    return done(fig, ax_, ax)
