"""Symbols of explain: how nodes, weights and derivatives are named, and the Equation record.

Names follow the article: for the two-node network x, w, b, z, Y and the target; for larger
networks x1, x2, ... for inputs, w2[1,3] for the weight of Dense layer 2 from its input 1 to
its node 3, b2[3], z2[3] (before the activation), a2[3] (after it) and Y[1], Y[2] for outputs.
Every symbol is a pair (plain text, LaTeX).
"""

from __future__ import annotations

from dataclasses import dataclass

from glassnet.model.trace import Trace

Sym = tuple[str, str]  # (plain text, LaTeX)


@dataclass
class Equation:
    """lhs = rhs = template(args) = value, in one section of the step."""

    section: str  # "forward" | "error" | "backward" | "update"
    kind: str  # "z", "a", "E", "dE/dY", "local", "dE/dz", "dz/dw", "dE/dw", "dE/db", "dE/da", "update"
    lhs: Sym
    rhs: Sym | None
    template: Sym | None
    args: list[float]
    value: float
    dense: int | None = None  # which Dense layer (1-based) the node belongs to
    node: int | None = None
    param: str | None = None  # e.g. "W[0,1]" or "b[1]" (0-based)
    relation: str = "="  # "<-" for updates
    wrap: bool = True  # put negative numbers in parentheses (not inside f(...))
    show_value: bool = True  # False when the template already ends with the value


_TEX_FN = {
    "sigmoid": r"\sigma",
    "tanh": r"\tanh",
    "relu": r"\mathrm{ReLU}",
    "leaky_relu": r"\mathrm{LeakyReLU}",
    "elu": r"\mathrm{ELU}",
    "silu": r"\mathrm{SiLU}",
    "gelu": r"\mathrm{GELU}",
    "softplus": r"\mathrm{softplus}",
    "identity": r"\mathrm{id}",
    "softmax": r"\mathrm{softmax}",
}


def _esc(tex: str) -> str:
    """Double LaTeX's braces so str.format leaves them alone."""
    return tex.replace("{", "{{").replace("}", "}}")


#: characters LaTeX's text mode reserves, and how to write them
_TEX_TEXT = {"\\": r"\textbackslash{}", "_": r"\_", "^": r"\^{}", "&": r"\&", "%": r"\%",
             "$": r"\$", "#": r"\#", "{": r"\{", "}": r"\}", "~": r"\~{}"}  # fmt: skip


def _named(name: str) -> Sym:
    """An input's own name (a CSV column, a playground feature), and in LaTeX as text, with
    the characters LaTeX reserves escaped.

    Examples
    --------
    >>> print(*_named("x1^2"), *_named("body_mass"))
    x1^2 \\text{x1\\^{}2} body_mass \\text{body\\_mass}
    """
    tex = "".join(_TEX_TEXT.get(c, c) for c in name)  # one pass: no escape is escaped again
    return name, rf"\text{{{tex}}}"


def d(a: Sym, b: Sym) -> Sym:
    """The partial derivative da/db as text and LaTeX."""
    return f"d{a[0]}/d{b[0]}", rf"\frac{{\partial {a[1]}}}{{\partial {b[1]}}}"


def _join(parts: list[Sym], sep: Sym) -> Sym:
    return sep[0].join(p[0] for p in parts), sep[1].join(p[1] for p in parts)


def _mul(*parts: Sym) -> Sym:
    return _join(list(parts), ("*", r" \cdot "))


class Names:
    """Symbols for every node of a traced network."""

    def __init__(self, trace: Trace) -> None:
        recs = trace.layers
        dense = [r for r in recs if r.kind == "Dense"]
        self.two_node = (
            len(dense) == 1
            and dense[0].x.shape[1] == 1
            and dense[0].y.shape[1] == 1
            and len(recs) <= 2
        )
        self.outputs: list[list[Sym]] = []  # names of each record's outputs
        k = 0
        self.dense_of: list[int] = []
        for pos, rec in enumerate(recs):
            last = pos == len(recs) - 1
            width = rec.y.shape[1]
            if rec.kind == "Dense":
                k += 1
            self.dense_of.append(k)
            if last:
                names = [self.output(j, width) for j in range(width)]
            elif rec.kind == "Dense":
                names = [self._node("z", k, j) for j in range(width)]
            else:
                names = [self._node("a", k, j) for j in range(width)]
            self.outputs.append(names)
        n_in = recs[0].x.shape[1]
        given = trace.input_names if trace.input_names and len(trace.input_names) == n_in else None
        self.inputs = [_named(given[i]) if given else self.x(i, n_in) for i in range(n_in)]

    def _node(self, base: str, k: int, j: int) -> Sym:
        if self.two_node:
            return base, base
        return f"{base}{k}[{j + 1}]", rf"{base}^{{({k})}}_{{{j + 1}}}"

    def x(self, i: int, n: int) -> Sym:
        return ("x", "x") if self.two_node or n == 1 else (f"x{i + 1}", f"x_{{{i + 1}}}")

    def output(self, j: int, n: int) -> Sym:
        return ("Y", "Y") if n == 1 else (f"Y[{j + 1}]", f"Y_{{{j + 1}}}")

    def target(self, j: int, n: int) -> Sym:
        return ("target", "t") if n == 1 else (f"t[{j + 1}]", f"t_{{{j + 1}}}")

    def weight(self, k: int, i: int, j: int) -> Sym:
        if self.two_node:
            return "w", "w"
        return f"w{k}[{i + 1},{j + 1}]", rf"w^{{({k})}}_{{{i + 1}{j + 1}}}"

    def bias(self, k: int, j: int) -> Sym:
        return self._node("b", k, j)

    def inputs_of(self, pos: int) -> list[Sym]:
        return self.inputs if pos == 0 else self.outputs[pos - 1]


def _slots(n: int, sep: str = " + ", each: str = "{}*{}", tex_each: str = r"{} \cdot {}") -> Sym:
    return sep.join([each] * n), sep.join([tex_each] * n)
