"""Render explain's equations as plain text, Markdown with LaTeX, or JSON-able dicts.

Renderers only format: every number printed is one recorded in the trace.
"""

from __future__ import annotations

from typing import Any

from glassnet.explain.equations import Equation

_SECTIONS = ("forward", "error", "backward", "update")


def fmt(value: float, precision: int = 4) -> str:
    """A number as the explanation prints it: fixed point, or scientific when tiny or huge.

    Examples
    --------
    >>> fmt(0.645656), fmt(-1.5e-7), fmt(0.0)
    ('0.6457', '-1.500e-07', '0.0000')
    """
    v = float(value)
    if v != 0 and (abs(v) < 10 ** -(precision - 1) or abs(v) >= 1e6):
        return f"{v:.{precision - 1}e}"
    return f"{v:.{precision}f}"


def _arg(value: float, precision: int, wrap: bool = True) -> str:
    s = fmt(value, precision)
    return f"({s})" if wrap and s.startswith("-") else s


def _lr(value: float) -> str:
    return f"{value:g}"


def equation_text(eq: Equation, precision: int = 4, tex: bool = False) -> str:
    """One equation as text (or LaTeX): lhs = rhs = numbers = value.

    Examples
    --------
    >>> from glassnet.explain.equations import Equation
    >>> eq = Equation("forward", "z", ("z", "z"), ("w*x + b", "w x + b"), ("{}*{} + {}", ""),
    ...               [0.5, 1.0, 0.1], 0.6)
    >>> equation_text(eq)
    'z = w*x + b = 0.5000*1.0000 + 0.1000 = 0.6000'
    """
    side = 1 if tex else 0
    parts = [eq.lhs[side]]
    rel = eq.relation if not tex else (r"\leftarrow" if eq.relation == "<-" else "=")
    if eq.rhs is not None:
        parts.append(eq.rhs[side])
    if eq.template is not None and eq.template[side] not in ("{}", ""):
        args = [
            _lr(a)
            if eq.kind == "update" and k == 1 and len(eq.args) == 3
            else _arg(a, precision, eq.wrap)
            for k, a in enumerate(eq.args)
        ]
        parts.append(eq.template[side].format(*args))
    if eq.show_value:
        parts.append(fmt(eq.value, precision))
    head = f"{parts[0]} {rel} " + " = ".join(parts[1:])
    return head


def render_text(equations: list[Equation], precision: int = 4) -> str:
    """Plain text, the section name in the margin of its first line.

    Examples
    --------
    >>> render_text([])
    ''
    """
    lines, last = [], None
    for eq in equations:
        label = eq.section if eq.section != last else ""
        last = eq.section
        lines.append(f"{label:<10}{equation_text(eq, precision)}")
    return "\n".join(lines)


def render_markdown(equations: list[Equation], precision: int = 4) -> str:
    """Markdown: a heading per section and one $$ LaTeX $$ block per equation.

    Examples
    --------
    >>> render_markdown([])
    ''
    """
    out: list[str] = []
    for section in _SECTIONS:
        eqs = [e for e in equations if e.section == section]
        if not eqs:
            continue
        out.append(f"### {section.capitalize()}\n")
        out += [f"$$ {equation_text(e, precision, tex=True)} $$\n" for e in eqs]
    return "\n".join(out)


def to_dict(equations: list[Equation], summary: dict[str, float] | None) -> dict[str, Any]:
    """JSON-able: the two-node summary keys (if any) and every equation with its numbers.

    Examples
    --------
    >>> to_dict([], {"x": 1.0})
    {'x': 1.0, 'equations': []}
    """
    data: dict[str, Any] = dict(summary or {})
    data["equations"] = [
        {
            "section": e.section,
            "kind": e.kind,
            "lhs": e.lhs[0],
            "relation": e.relation,
            "rhs": e.rhs[0] if e.rhs else None,
            "latex": equation_text(e, 6, tex=True),
            "text": equation_text(e, 4),
            "args": [float(a) for a in e.args],
            "value": float(e.value),
            "layer": e.dense,
            "node": e.node,
            "param": e.param,
        }
        for e in equations
    ]
    return data
