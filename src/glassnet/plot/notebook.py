"""Pictures for Jupyter: SVG text of a figure, a network, a training step and a history.

``Sequential``, ``History`` and ``Explanation`` call these from their ``_repr_svg_`` so a
notebook shows them as pictures; numbers stay text in the SVG (``svg.fonttype = "none"``).
"""

from __future__ import annotations

import io
from typing import Any


def figure_svg(fig: Any) -> str:
    """The SVG text of ``fig``, its text kept as <text> elements rather than paths.

    Examples
    --------
    >>> from glassnet.plot._base import new_figure
    >>> fig = new_figure(1, 1); _ = fig.text(0.5, 0.5, "0.6457")
    >>> "0.6457" in figure_svg(fig)
    True
    """
    from matplotlib import rc_context

    buf = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "glassnet"}):
        fig.savefig(buf, format="svg")
    return buf.getvalue()


def network_svg(net: Any) -> str:
    """SVG of :func:`glassnet.plot.plot_network` for ``net``.

    Examples
    --------
    >>> from glassnet import mlp
    >>> network_svg(mlp("2,2,1", seed=0)).lstrip().startswith("<?xml")
    True
    """
    from glassnet.plot.network_diagram import plot_network

    return figure_svg(plot_network(net))


def history_svg(history: Any) -> str:
    """SVG of :func:`glassnet.plot.plot_history` for ``history``.

    Examples
    --------
    >>> from glassnet.callbacks import History
    >>> h = History(); h.append(0, {"loss": 1.0}); h.append(1, {"loss": 0.5})
    >>> "<svg" in history_svg(h)
    True
    """
    from glassnet.plot.curves import plot_history

    return figure_svg(plot_history(history))


def trace_svg(step: Any, precision: int = 4) -> str:
    """SVG text of :func:`glassnet.plot.plot_trace`, with every number kept as text.

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid, Sequential, explain
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.1]), Sigmoid()], dtype="float64")
    >>> svg = trace_svg(explain(net, [1.0], [0.8]))
    >>> "0.6457" in svg and "-0.0706" in svg
    True
    """
    from glassnet.plot.step_diagram import plot_trace

    return figure_svg(plot_trace(step, precision=precision))
