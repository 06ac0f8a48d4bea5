"""Figure sizes for network diagrams, from the layout's columns."""

from __future__ import annotations

from glassnet.plot.layout import RADIUS, Column, gaps, is_small


def figure_size(
    cols: list[Column], panels: int = 1, extra_column: bool = False
) -> tuple[float, float]:
    """Inches for a diagram of ``cols``: 0.42 in per data unit, scaled down to fit 16 x 12 in.

    Examples
    --------
    >>> figure_size([Column(1), Column(1)])
    (4.0, 3.14)
    """
    col_gap, node_gap = gaps(cols)
    small = is_small(cols)
    n = len(cols) + (1 if extra_column else 0)
    xspan = (n - 1) * col_gap + 3.2
    tallest = max(c.width for c in cols)
    yspan = (tallest - 1) * node_gap + (2 * RADIUS + 5.2 if small else 4.8)
    unit = min(0.42, 16.0 / (xspan * panels), 12.0 / yspan)
    return round(max(4.0, xspan * unit * panels), 2), round(yspan * unit + 0.6, 2)
