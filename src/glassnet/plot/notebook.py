"""Pictures for Jupyter: SVG text of a figure, a network, a training step and a history.

``Sequential``, ``History`` and ``Explanation`` call these from their ``_repr_svg_`` so a
notebook shows them as pictures; numbers stay text in the SVG (:func:`figure_svg`, the writer
of every SVG glassnet makes, in :mod:`glassnet.plot.svg_text`).
"""

from __future__ import annotations

from typing import Any

from glassnet.plot.svg_text import figure_svg

__all__ = ["figure_svg", "history_svg", "network_svg", "trace_svg"]


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
