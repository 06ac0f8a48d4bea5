"""Step mode's equations as a teacher writes them: one term a line, and every number derived.

:func:`chain` picks, from all the equations of an explained step, the lines a weight's update
rests on: the forward pass, the error, dE/dY of every output, the dE/da, local slope and dE/dz
lines of every node downstream of the weight (each dE/da line is a sum over the next layer's
dE/dz, so those lines come too, all the way to the outputs), the weight's own dz/dw and dE/dw,
and its update. :func:`wrap` writes one equation one term a line::

    dE/da1[1] = dE/dz2[1]*w2[1,1]
              + dE/dz2[2]*w2[1,2]
              = 0.1385*0.4000
              + (-0.0381)*0.5000
              = 0.0364

The text is explain's own (:func:`glassnet.explain.render.equation_text`); this module only
cuts it at the " = " between its sides and at the " + " and " - " between the terms of each.
"""

from __future__ import annotations

from typing import Any

from glassnet.explain.equations import Equation
from glassnet.explain.render import equation_text

LONG_TERM = 36  # characters: a longer term is cut once more, inside its outer parentheses
FULL_PARAMS = 300  # networks up to this size get every line (explain's own limit for a step)
MAX_LINES = 160  # equations shown for larger networks before the far layers are left out
_BACKWARD_NODE = ("dE/da", "local", "dE/dz")


def _cuts(text: str, seps: tuple[str, ...], depth: int) -> list[str]:
    """``text`` cut at each separator that stands at bracket depth ``depth``; each piece after
    the first keeps its separator's sign ("+ ..." or "- ...")."""
    pieces, level, start, k = [], 0, 0, 0
    while k < len(text):
        c = text[k]
        if c in "([":
            level += 1
        elif c in ")]":
            level -= 1
        elif level == depth and k > start:
            sep = next((s for s in seps if text.startswith(s, k)), None)
            if sep is not None:
                pieces.append(text[start:k])
                start = k + 1  # keep the sign: "+ term"
                k += len(sep)
                continue
        k += 1
    pieces.append(text[start:])
    return pieces


def terms(side: str) -> list[str]:
    """One side of an equation as its terms, "+ " or "- " before all but the first; a term
    longer than ``LONG_TERM`` is cut again inside its outer parentheses.

    Examples
    --------
    >>> terms("0.1385*0.4000 + (-0.0381)*0.5000")
    ['0.1385*0.4000', '+ (-0.0381)*0.5000']
    >>> terms("0.1500 - 0.5*4.386e-04")
    ['0.1500', '- 0.5*4.386e-04']
    >>> terms("((0.7514 - 0.0100)^2 + (0.7729 - 0.9900)^2) / 2")
    ['((0.7514 - 0.0100)^2', '+ (0.7729 - 0.9900)^2) / 2']
    """
    out: list[str] = []
    for piece in _cuts(side, (" + ", " - "), 0):
        if len(piece) > LONG_TERM:
            out += _cuts(piece, (" + ",), 1)
        else:
            out.append(piece)
    return out


def wrap(text: str) -> dict[str, Any]:
    """An equation's text as its left-hand side, its relation and its lines, one term each.

    Examples
    --------
    >>> w = wrap("dE/da1[1] = dE/dz2[1]*w2[1,1] + dE/dz2[2]*w2[1,2] = 0.1*0.4 + 0.2*0.5 = 0.14")
    >>> w["lhs"], w["rel"]
    ('dE/da1[1]', '=')
    >>> w["lines"]
    ['= dE/dz2[1]*w2[1,1]', '+ dE/dz2[2]*w2[1,2]', '= 0.1*0.4', '+ 0.2*0.5', '= 0.14']
    >>> wrap("w <- w - lr*dE/dw = 0.5000 - 1*(-0.0706) = 0.5706")["lines"]
    ['<- w', '- lr*dE/dw', '= 0.5000', '- 1*(-0.0706)', '= 0.5706']
    """
    lhs, _, rest = text.partition(" ")
    rel, _, rest = rest.partition(" ")
    lines: list[str] = []
    for k, side in enumerate(_cuts(rest, (" = ",), 0)):
        side = side[2:] if k else side  # "= side" after the first cut
        for m, term in enumerate(terms(side)):
            lines.append(term if m else f"{rel if k == 0 else '='} {term}")
    return {"lhs": lhs, "rel": rel, "lines": lines}


def chain(
    equations: list[Equation], layer: int, param: str, n_params: int
) -> tuple[list[Equation], str | None]:
    """The equations that derive the update of ``param`` ("W[i,j]" or "b[j]", 0-based) of Dense
    layer ``layer`` (1-based), in explain's order, and a note of what was left out (None when
    nothing was).

    For networks of up to ``FULL_PARAMS`` parameters every forward line comes; for larger ones
    the forward lines of the weight's own two nodes and of the outputs, and beyond
    ``MAX_LINES`` the backward lines of the layers after the next.
    """
    index = [int(v) for v in param[2:-1].split(",")]  # "W[i,j]" or "b[j]", checked already
    i, j = (index[0], index[1]) if len(index) == 2 else (None, index[0])
    full = n_params <= FULL_PARAMS
    last = max((e.dense or 0) for e in equations)

    def forward(e: Equation) -> bool:
        if full or e.dense == last:
            return True
        return (e.dense, e.node) in ((layer, j), (layer - 1, i))

    def backward(e: Equation) -> bool:
        if e.kind == "dE/dY":
            return True
        if e.param is not None:
            return e.dense == layer and e.param == param
        if e.kind not in _BACKWARD_NODE or e.dense is None:
            return False
        return e.dense > layer or (e.dense == layer and e.node == j)

    chosen = []
    for e in equations:
        keep = {
            "forward": forward,
            "error": lambda e: True,
            "backward": backward,
            "update": lambda e: e.dense == layer and e.param == param,
        }[e.section](e)
        if keep:
            chosen.append(e)
    note = None
    if not full and len(chosen) > MAX_LINES:
        far = [e for e in chosen if e.section == "backward" and (e.dense or 0) > layer + 1
               and e.kind != "dE/dY"]  # fmt: skip
        chosen = [e for e in chosen if not any(e is f for f in far)]
        note = (
            f"{len(far)} lines of layers {layer + 2} to {last} derive the dE/dz of layer "
            f"{layer + 2} the same way and are left out; step mode writes every line for "
            f"networks of up to {FULL_PARAMS} parameters."
        )
    if not full:
        note = (note + " " if note else "") + (
            "The forward lines are those of this weight's nodes and of the outputs; every "
            "node's value is on the network drawing."
        )
    return chosen, note


def blocks(equations: list[Equation], precision: int = 4) -> list[dict[str, Any]]:
    """The equations as the page draws them: each wrapped (:func:`wrap`), with its unwrapped
    text, its value in full precision and which node or parameter it is about.

    Examples
    --------
    >>> eq = Equation("forward", "z", ("z", "z"), ("w*x + b", ""), ("{}*{} + {}", ""),
    ...               [0.5, 1.0, 0.1], 0.6)
    >>> b = blocks([eq])[0]
    >>> b["lines"], b["text"], b["value"]
    (['= w*x', '+ b', '= 0.5000*1.0000', '+ 0.1000', '= 0.6000'], 'z = w*x + b = 0.5000*1.0000 + 0.1000 = 0.6000', 0.6)
    """
    out = []
    for e in equations:
        text = equation_text(e, precision)
        out.append(
            {
                **wrap(text),
                "text": text,
                "section": e.section,
                "kind": e.kind,
                "value": float(e.value),
                "dense": e.dense,
                "node": e.node,
                "param": e.param,
            }
        )
    return out
