"""One training step in two panels: forward values, then gradients flowing back from E.

The backward panel draws the article's third picture: arrows from the error E back to the
outputs, and from every node to each weight and bias that feeds it, labelled with dE/dw and
dE/db. Every number is read from the trace's records (formatted by ``explain_render.fmt``), so
the picture shows exactly what ``glassnet explain`` prints.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.explain.render import equation_text, fmt
from glassnet.plot._base import ERROR, LABEL_BOX, TEXT, label, new_figure, sign_colour, widths
from glassnet.plot.error_node import error_position
from glassnet.plot.figsize import figure_size
from glassnet.plot.layout import RADIUS, Column, columns_from_trace, gaps, is_small, is_two_node
from glassnet.plot.network_diagram import _edge_point, as_trace, draw_structure, forward_values

GRAD = "#7d3c98"  # the gradients written above the nodes


def _arrow(ax: Any, start: np.ndarray, end: np.ndarray, value: float, lw: float) -> None:
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(
        FancyArrowPatch(
            tuple(start),
            tuple(end),
            arrowstyle="-|>",
            mutation_scale=8 + 2 * lw,
            color=sign_colour(value),
            lw=lw,
            zorder=2,
            shrinkA=0,
            shrinkB=0,
            alpha=0.9,
        )
    )


def _toward(a: np.ndarray, b: np.ndarray, dist: float) -> np.ndarray:
    """The point ``dist`` from a on the way to b."""
    d = b - a
    n = float(np.hypot(*d))
    return a if n == 0 else a + d * (dist / n)


def draw_backward(ax: Any, trace: Any, cols: list[Column], precision: int = 4) -> None:
    """The backward panel: faint network, arrows from E back to every weight and bias."""
    recs = trace.layers
    pos = draw_structure(ax, cols, loss=trace.loss, faint=True, precision=precision)
    small = is_small(cols)
    two_node = is_two_node(cols)
    grads = [recs[c.dense_pos].grads for c in cols[1:]]
    lw_all = widths(
        np.concatenate([np.ravel(g["W"]) for g in grads] + [np.ravel(g["b"]) for g in grads]),
        thinnest=0.8,
        thickest=4.0,
    )
    n_w = sum(np.size(g["W"]) for g in grads)
    lw_w, lw_b = lw_all[:n_w], lw_all[n_w:]
    loss = trace.loss
    if loss is not None and loss.grad is not None:
        e = error_position(pos[-1], gaps(cols)[0])
        dy = loss.grad[0]  # (out,) dE/dY of the first sample
        for j, xy in enumerate(pos[-1]):
            _arrow(ax, _toward(e, xy, RADIUS), _toward(xy, e, RADIUS), dy[j], 1.5)
            if small:
                mid = (e + xy) / 2
                text = f"dE/d{cols[-1].names[j]} = {fmt(dy[j], precision)}"
                label(
                    ax, mid[0], mid[1] + 0.25, text, "bottom", color=ERROR, zorder=6, box=LABEL_BOX
                )
    iw = ib = 0
    for k in range(1, len(cols)):
        col, g = cols[k], grads[k - 1]
        gW, gb = np.asarray(g["W"]), np.asarray(g["b"])  # (in, out), (out,)
        p, q = pos[k - 1], pos[k]
        for i in range(gW.shape[0]):
            for j in range(gW.shape[1]):
                target = _edge_point(p[i], q[j], j, gW.shape[1])
                _arrow(ax, _toward(q[j], p[i], RADIUS), target, gW[i, j], lw_w[iw])
                iw += 1
                if small:
                    text = f"{'dE/dw = ' if two_node else ''}{fmt(gW[i, j], precision)}"
                    label(ax, target[0], target[1] - 0.12, text, "top", zorder=6, box=LABEL_BOX)
        for j, xy in enumerate(q):
            corner = xy - RADIUS * 1.1
            _arrow(ax, _toward(xy, corner, RADIUS * 0.7), corner, gb[j], lw_b[ib])
            ib += 1
            if small:
                text = f"dE/db = {fmt(gb[j], precision)}"
                label(ax, corner[0], corner[1] - 0.15, text, "top", zorder=6, box=LABEL_BOX)
        if small:
            _node_grads(ax, recs, col, q, precision)
    if small and recs[0].grad_in is not None:
        for i, xy in enumerate(pos[0]):
            text = f"dE/d{cols[0].names[i]} = {fmt(recs[0].grad_in[0, i], precision)}"
            label(ax, xy[0], xy[1] + RADIUS + 0.12, text, "bottom", color=GRAD, zorder=6)


def _node_grads(ax: Any, recs: list[Any], col: Column, q: np.ndarray, precision: int) -> None:
    """dE/d(node), d(node)/dz and dE/dz above each node of a small network."""
    dense, act = recs[col.dense_pos], recs[col.out_pos]
    for j, xy in enumerate(q):
        name = col.names[j]
        lines = []
        if act is not dense and act.grad_out is not None:
            lines.append(f"dE/d{name} = {fmt(act.grad_out[0, j], precision)}")
            if act.local is not None and act.local.ndim == 2:
                lines.append(f"d{name}/dz = {fmt(act.local[0, j], precision)}")
        if dense.grad_out is not None:
            lines.append(f"dE/dz = {fmt(dense.grad_out[0, j], precision)}")
        label(ax, xy[0], xy[1] + RADIUS + 0.12, "\n".join(lines), "bottom", color=GRAD, zorder=6)


def _title(cols: list[Column], backward: bool) -> str:
    if is_two_node(cols):
        if backward:
            return "backward: dE/dY, then dE/dw and dE/db by the chain rule"
        return f"forward: x -> (w, b, {cols[1].activation}) -> Y -> E"
    return "backward: gradients dE/d(weight) and dE/d(bias)" if backward else "forward: node values"


def plot_trace(step: Any, ax: Any = None, precision: int = 4) -> Any:
    """The two-panel picture of a step: forward values, and gradients flowing back from E.

    Parameters
    ----------
    step : Explanation or Trace
        From :func:`glassnet.explain`, or a trace with forward, loss and backward records.
        With several samples, the first one's values are drawn (gradients are the batch's).
    ax : pair of Axes, optional
        Draw the forward and the backward panel into these; a new figure otherwise.
    precision : int
        Decimals of the numbers (as ``explain`` prints them).

    Returns
    -------
    Figure, or the pair of Axes when ``ax`` is given.

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid, Sequential, explain
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.1]), Sigmoid()], dtype="float64")
    >>> fig = plot_trace(explain(net, [1.0], [0.8], lr=1.0))
    >>> [a.get_title() for a in fig.axes]
    ['forward: x -> (w, b, sigmoid) -> Y -> E', 'backward: dE/dY, then dE/dw and dE/db by the chain rule']
    """
    trace = as_trace(step)
    if not trace.has_backward:
        raise ValueError(
            "the trace has no backward pass; trace a whole step (glassnet.explain(net, x, target)) "
            "or draw the forward values with plot_network(net, trace=trace)."
        )
    cols = columns_from_trace(trace)
    if ax is None:
        w, h = figure_size(cols, panels=2, extra_column=True)
        fig = new_figure(w, h + 0.3)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.08, top=0.9, wspace=0.04)
        axes = [fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)]
    else:
        axes = list(ax)
        if len(axes) != 2:
            raise ValueError(f"ax must be a pair of Axes (forward, backward); got {len(axes)}.")
        fig = axes[0].figure
    draw_structure(
        axes[0], cols, values=forward_values(trace, cols), loss=trace.loss, precision=precision
    )
    draw_backward(axes[1], trace, cols, precision)
    axes[0].set_title(_title(cols, False), fontsize=9)
    axes[1].set_title(_title(cols, True), fontsize=9)
    updates = [e for e in getattr(step, "equations", []) if e.section == "update"]
    if updates and len(updates) <= 4:
        text = "update  " + "   ".join(equation_text(e, precision) for e in updates)
        fig.text(0.5, 0.02, text, ha="center", va="bottom", fontsize=8, color=TEXT)
    return fig if ax is None else ax
