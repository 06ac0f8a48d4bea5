"""The error node E of the network diagram: right of the outputs, joined to them by dashes.

It shows the error's value above and the target (a value, a class or a vector) below, in red.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.explain.render import fmt
from glassnet.plot._base import ERROR, label
from glassnet.plot.layout import RADIUS


def error_position(out_pos: np.ndarray, col_gap: float) -> np.ndarray:
    """Where the error node E goes: one column right of the outputs, at their mean height.

    Examples
    --------
    >>> error_position(np.array([[3.0, 0.7], [3.0, -0.7]]), 3.0).tolist()
    [6.0, 0.0]
    """
    return np.array([out_pos[0, 0] + col_gap, float(out_pos[:, 1].mean())])


def draw_error(
    ax: Any, e: np.ndarray, out_pos: np.ndarray, loss: Any, faint: bool, precision: int
) -> None:
    """Draw the error node E at ``e``, dashed lines from the outputs at ``out_pos`` (n_out, 2),
    and, unless ``faint``, the error's value, the target and the loss's name.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from types import SimpleNamespace
    >>> fig, ax = plt.subplots()
    >>> loss = SimpleNamespace(target=np.array([0.8]), value=0.0238, name="mse")
    >>> draw_error(ax, np.array([3.0, 0.0]), np.array([[0.0, 0.0]]), loss, False, 4)
    >>> sorted(t.get_text() for t in ax.texts)
    ['E', 'E = 0.0238', 'target Y = 0.8000\\n(mse)']
    >>> plt.close(fig)
    """
    from matplotlib.patches import Circle

    for xy in out_pos:
        ax.plot(
            [xy[0] + RADIUS, e[0] - RADIUS],
            [xy[1], e[1]],
            ls="--",
            color=ERROR,
            lw=1,
            alpha=0.4 if faint else 0.8,
            zorder=1,
        )
    ax.add_patch(Circle(e, RADIUS, fc="#fdedec", ec=ERROR, lw=1.5, zorder=3))
    ax.text(*e, "E", ha="center", va="center", fontsize=9, weight="bold", color=ERROR, zorder=5)
    if faint:
        return
    target = np.asarray(loss.target).reshape(-1)  # (out,) or (1,) class label
    if target.dtype.kind in "iu":
        t_text = f"target class = {int(target[0])}"
    elif target.size == 1:
        t_text = f"target Y = {fmt(target[0], precision)}"
    else:
        t_text = "target = [" + ", ".join(fmt(v, 2) for v in target[:10]) + "]"
    value = f"E = {fmt(loss.value, precision)}"
    label(ax, e[0], e[1] + RADIUS + 0.12, value, "bottom", color=ERROR, fontsize=8)
    label(ax, e[0], e[1] - RADIUS - 0.15, f"{t_text}\n({loss.name})", "top", color=ERROR)
