"""SVG whose text stays text: every SVG glassnet writes comes from :func:`figure_svg`.

matplotlib's SVG writer draws each letter as a glyph outline by default (``svg.fonttype =
"path"``): the numbers look right but cannot be searched, copied or read by a screen reader. Here
the figure is written with ``svg.fonttype = "none"``, so every string is a ``<text>`` element, and
two things the viewer needs are added:

- ``xml:space="preserve"`` on every ``<text>``, so runs of spaces that space out a line (the
  update line of a step: ``"update  w <- ...   b <- ..."``) are kept as matplotlib laid them
  out, not collapsed to one (on the root alone it is not enough: Chromium does not inherit it);
- a generic family after a lone font name (the spans of math text, such as a log axis's
  ``10^-3``, name only ``'DejaVu Sans'``), so a viewer without that font still picks a face of
  the same kind. Plain text already names the ``font.sans-serif`` list ending in ``sans-serif``.

The indentation between a math text's ``<tspan>`` elements (one a character, each placed by its
own x and y) is taken out, so that the text reads, and copies, as ``10−3``.

The settings hold only while the figure is written (``rc_context``): the user's own rcParams, and
the figures they save themselves, are left alone. A PNG never comes through here.
"""

from __future__ import annotations

import io
import re
from typing import Any

#: matplotlib settings while an SVG is written: text as text, and element ids from a fixed salt
#: (the same figure gives the same ids, run after run).
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "glassnet"}

#: a style attribute whose font-family is one quoted name (a text's own words never match:
#: attribute values hold no '"', and matplotlib escapes '<' in text, so no tag hides in it)
_LONE_FAMILY = re.compile(r"""(style="[^"]*?font-family: ?)'([^',"]+)'(?=\s*[;"])""")
_BETWEEN_SPANS = re.compile(r"(<text>|</tspan>)\s+(?=<tspan |</text>)")
_TEXT = re.compile(r"<text(?=[ >])")


def generic_family(name: str) -> str:
    """The CSS generic family of a font name: monospace, sans-serif or serif.

    Examples
    --------
    >>> [generic_family(n) for n in ("DejaVu Sans", "DejaVu Sans Mono", "STIXGeneral", "cmss10")]
    ['sans-serif', 'monospace', 'serif', 'sans-serif']
    """
    low = name.lower()
    if "mono" in low or low.startswith("cmtt"):
        return "monospace"
    if "sans" in low or low.startswith("cmss"):
        return "sans-serif"
    return "serif"


def readable_svg(svg: str) -> str:
    r"""matplotlib's SVG text with spaces kept, a generic family after every lone font name and
    no indentation between the spans of a math text.

    Examples
    --------
    >>> print(readable_svg('<svg><text x="0">w = 1   b = 2</text></svg>'))
    <svg><text xml:space="preserve" x="0">w = 1   b = 2</text></svg>
    >>> span = '<tspan style="font-family: ' + "'cmr10'" + '">3</tspan>'
    >>> print(readable_svg(f"<svg><text>\n  {span}\n</text></svg>"))
    <svg><text xml:space="preserve"><tspan style="font-family: 'cmr10', serif">3</tspan></text></svg>
    >>> print(readable_svg("<text>font-family: 'x'</text>"))  # a text's own words stay as written
    <text xml:space="preserve">font-family: 'x'</text>
    """
    svg = _BETWEEN_SPANS.sub(r"\1", svg)
    svg = _TEXT.sub('<text xml:space="preserve"', svg)
    return _LONE_FAMILY.sub(lambda m: f"{m[1]}'{m[2]}', {generic_family(m[2])}", svg)


def figure_svg(fig: Any, dpi: float | None = None) -> str:
    """The SVG text of ``fig``, its text kept as <text> elements rather than paths.

    ``dpi`` (default: the figure's) sets only the resolution of embedded images, such as a
    decision boundary's raster; the drawing itself is vector.

    Examples
    --------
    >>> from glassnet.plot._base import new_figure
    >>> fig = new_figure(1, 1); _ = fig.text(0.5, 0.5, "0.6457")
    >>> ">0.6457</text>" in figure_svg(fig)
    True
    """
    from matplotlib import rc_context

    buf = io.StringIO()
    with rc_context(SVG_RC):
        fig.savefig(buf, format="svg", dpi=dpi if dpi is not None else fig.dpi)
    return readable_svg(buf.getvalue())
