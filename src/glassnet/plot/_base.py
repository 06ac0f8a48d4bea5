"""Shared helpers of the pictures: a fresh Agg figure, the Playground colours, saving.

matplotlib is imported here, lazily, only when a picture is drawn; nothing touches pyplot's
global state (figures are ``matplotlib.figure.Figure`` objects on an Agg canvas). Every file
glassnet draws is written by :func:`save_figure` (``glassnet plot``, ``explain --plot``,
``train --plot-dir``, the gallery); an SVG, there or in a notebook, comes from
:func:`glassnet.plot.svg_text.figure_svg` and keeps its text as text.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.plot.svg_text import figure_svg

POSITIVE = "#0877bd"  # TensorFlow Playground's blue: positive weights, class 1
NEGATIVE = "#f59322"  # its orange: negative weights, class 0
NEUTRAL = "#e8eaeb"
TEXT = "#333333"
ERROR = "#c0392b"  # the error node and the true value, red as in the article
LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9}


def require_matplotlib() -> Any:
    """Import matplotlib, or raise an ImportError that says how to install it.

    Examples
    --------
    >>> require_matplotlib().__name__
    'matplotlib'
    """
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "glassnet's pictures need matplotlib and pillow: pip install 'glassnet[plot]'."
        ) from exc
    return matplotlib


def new_figure(width: float = 6.4, height: float = 4.8, dpi: int = 100) -> Any:
    """A matplotlib Figure on its own Agg canvas (no pyplot, nothing global).

    Examples
    --------
    >>> fig = new_figure(2, 1, dpi=50)
    >>> fig.canvas.get_width_height()
    (100, 50)
    """
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def axes_or_new(ax: Any, width: float = 6.4, height: float = 4.8) -> tuple[Any, Any]:
    """``(figure, axes)``: the given axes and its figure, or a new figure with one axes.

    Examples
    --------
    >>> fig, ax = axes_or_new(None, 2, 2)
    >>> ax.figure is fig
    True
    """
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(width, height)
    return fig, fig.add_subplot(1, 1, 1)


def playground_cmap() -> Any:
    """The diverging colour map of TensorFlow Playground: orange (-1), white (0), blue (+1).

    Examples
    --------
    >>> cmap = playground_cmap()
    >>> [round(float(c), 3) for c in cmap(1.0)[:3]]
    [0.031, 0.467, 0.741]
    """
    require_matplotlib()
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("playground", [NEGATIVE, "#ffffff", POSITIVE])


def sign_colour(value: float) -> str:
    """Blue for a positive value, orange for a negative one (zero counts as positive).

    Examples
    --------
    >>> sign_colour(0.3), sign_colour(-2.0)
    ('#0877bd', '#f59322')
    """
    return NEGATIVE if value < 0 else POSITIVE


def widths(values: np.ndarray, thinnest: float = 0.6, thickest: float = 6.0) -> np.ndarray:
    """Line widths proportional to |value|, scaled so the largest gets ``thickest``.

    Examples
    --------
    >>> widths(np.array([0.0, -1.0, 0.5])).round(2).tolist()
    [0.6, 6.0, 3.3]
    """
    mags = np.abs(np.asarray(values, dtype=np.float64))  # (n,)
    top = mags.max() if mags.size else 0.0
    if top == 0:
        return np.full(mags.shape, thinnest)
    return thinnest + (thickest - thinnest) * mags / top


def save_figure(fig: Any, path: str | Path, dpi: int | None = None) -> Path:
    """Write ``fig`` to ``path``; the format (png, svg, pdf, ...) comes from the suffix.

    An .svg (or gzipped .svgz) keeps its text as ``<text>`` elements, searchable and read by
    screen readers (:func:`glassnet.plot.svg_text.figure_svg`); ``dpi`` sets a PNG's pixels and
    the resolution of images embedded in an SVG or PDF.

    Examples
    --------
    >>> import tempfile, os
    >>> out = save_figure(new_figure(1, 1, dpi=20), os.path.join(tempfile.mkdtemp(), "a.png"))
    >>> out.read_bytes()[:4]
    b'\\x89PNG'
    """
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    supported = fig.canvas.get_supported_filetypes()
    if suffix not in supported:
        raise ValueError(
            f"path must end in one of .{', .'.join(sorted(supported))} (the picture's format); "
            f"got {str(path)!r}."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in ("svg", "svgz"):
        data = figure_svg(fig, dpi).encode("utf-8")
        path.write_bytes(gzip.compress(data, mtime=0) if suffix == "svgz" else data)
    else:
        fig.savefig(path, dpi=dpi if dpi is not None else fig.dpi, format=suffix)
    return path


def done(fig: Any, ax: Any, given: Any) -> Any:
    """What every plotting function returns: the Axes when one was given, else the Figure.

    Examples
    --------
    >>> fig, ax = axes_or_new(None, 1, 1)
    >>> done(fig, ax, None) is fig, done(fig, ax, ax) is ax
    (True, True)
    """
    return ax if given is not None else fig


def label(
    ax: Any,
    x: float,
    y: float,
    text: str,
    va: str = "center",
    *,
    color: str = TEXT,
    fontsize: float = 7,
    zorder: float = 5,
    box: dict[str, Any] | None = None,
) -> Any:
    """Small text centred on x: the numbers the pictures write beside nodes and edges.

    ``va="bottom"`` stands it above y, ``"top"`` hangs it below; ``box`` (e.g. ``LABEL_BOX``)
    puts a white box behind it so that it reads over lines.

    Examples
    --------
    >>> ax = new_figure(2, 2).subplots()
    >>> label(ax, 0.5, 0.5, "w = 0.5", "bottom", box=LABEL_BOX).get_text()
    'w = 0.5'
    """
    extra = {} if box is None else {"bbox": box}
    return ax.text(
        x, y, text, ha="center", va=va, fontsize=fontsize, color=color, zorder=zorder, **extra
    )
