"""Turn a trace's records into per-node equations: names, formulas and the numbers to fill in.

Each :class:`Equation` keeps a symbolic right-hand side and a template whose ``{}`` slots
are filled with recorded numbers when rendered, so the same equation prints as text or as
LaTeX at any precision. The values are the records' own; nothing here recomputes them.

Names follow the article: for the two-node network x, w, b, z, Y and the target; for larger
networks x1, x2, ... for inputs, w2[1,3] for the weight of Dense layer 2 from its input 1 to
its node 3, b2[3], z2[3] (before the activation), a2[3] (after it) and Y[1], Y[2] for outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from glassnet.trace import LayerRecord, Trace

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
    "identity": r"\mathrm{id}",
    "softmax": r"\mathrm{softmax}",
}


def _esc(tex: str) -> str:
    """Double LaTeX's braces so str.format leaves them alone."""
    return tex.replace("{", "{{").replace("}", "}}")


def d(a: Sym, b: Sym) -> Sym:
    """The partial derivative da/db as text and LaTeX."""
    return f"d{a[0]}/d{b[0]}", rf"\frac{{\partial {a[1]}}}{{\partial {b[1]}}}"


def _join(parts: list[Sym], sep: Sym) -> Sym:
    return sep[0].join(p[0] for p in parts), sep[1].join(p[1] for p in parts)


def _mul(*parts: Sym) -> Sym:
    return _join(list(parts), ("*", r" \cdot "))


class _Names:
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
        self.inputs = [self.x(i, recs[0].x.shape[1]) for i in range(recs[0].x.shape[1])]

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


def build_equations(
    trace: Trace,
    selected: int | None = None,
    weight: tuple[int, int, int] | None = None,
    plain_sgd: bool = True,
) -> list[Equation]:
    """All equations of a traced step, optionally only for Dense layer ``selected`` (1-based).

    Examples
    --------
    >>> import numpy as np
    >>> from glassnet import Dense, Sigmoid, Sequential, explain
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.1]), Sigmoid()], dtype="float64")
    >>> eqs = explain(net, [1.0], [0.8]).equations
    >>> [e.kind for e in eqs if e.section == "backward"]
    ['dE/dY', 'local', 'dz/dw', 'dE/dw', 'dE/db']
    """
    names = _Names(trace)
    wj = weight[2] if weight is not None else None
    wi = weight[1] if weight is not None else None

    def want(k: int, j: int | None = None, i: int | None = None) -> bool:
        if selected is not None and k != selected:
            return False
        if wj is not None and j is not None and j != wj:
            return False
        return not (wi is not None and i is not None and i != wi)

    eqs: list[Equation] = []
    for pos, rec in enumerate(trace.layers):
        eqs += _forward(rec, pos, names, want)
    if trace.loss is not None:
        eqs += _error(trace, names)
    if trace.has_backward:
        for pos in range(len(trace.layers) - 1, -1, -1):
            eqs += _backward(trace, pos, names, want)
    if trace.has_update:
        for pos, rec in enumerate(trace.layers):
            if rec.kind == "Dense":
                eqs += _update(trace, rec, names, names.dense_of[pos], want, plain_sgd)
    return eqs


def _forward(rec: LayerRecord, pos: int, names: _Names, want: Callable) -> list[Equation]:
    k, ins, outs = names.dense_of[pos], names.inputs_of(pos), names.outputs[pos]
    eqs = []
    for j, out in enumerate(outs):
        if not want(k, j):
            continue
        if rec.kind == "Dense":
            W, b, x = rec.params["W"], rec.params["b"], rec.x[0]
            terms = [_mul(names.weight(k, i, j), ins[i]) for i in range(len(ins))]
            rhs = _join([*terms, names.bias(k, j)], (" + ", " + "))
            tpl = _slots(len(ins))
            tpl = (tpl[0] + " + {}", tpl[1] + " + {}")
            args = [v for i in range(len(ins)) for v in (W[i, j], x[i])] + [b[j]]
            eqs.append(Equation("forward", "z", out, rhs, tpl, args, rec.y[0, j], k, j))
        elif rec.kind == "Softmax":
            rhs = (f"exp({ins[j][0]}) / sum_k exp(...)", rf"e^{{{ins[j][1]}}} / \sum_k e^{{z_k}}")
            eqs.append(Equation("forward", "a", out, rhs, None, [], rec.y[0, j], k, j))
        elif rec.kind != "Dropout":
            fn = rec.kind.lower() if rec.kind != "LeakyReLU" else "leaky_relu"
            tex_fn = _TEX_FN.get(fn, fn)
            rhs = (f"{fn}({ins[j][0]})", rf"{tex_fn}({ins[j][1]})")
            tpl = (f"{fn}({{}})", _esc(tex_fn) + "({})")
            eqs.append(
                Equation(
                    "forward", "a", out, rhs, tpl, [rec.x[0, j]], rec.y[0, j], k, j, wrap=False
                )
            )
    return eqs


def _error(trace: Trace, names: _Names) -> list[Equation]:
    loss = trace.loss
    y = loss.y[0]
    n = y.size
    E: Sym = ("E", "E")
    outs = [names.output(j, n) for j in range(n)]
    if loss.name == "mse":
        parts = [
            (f"({o[0]} - {names.target(j, n)[0]})^2", rf"({o[1]} - {names.target(j, n)[1]})^2")
            for j, o in enumerate(outs)
        ]
        rhs = _join(parts, (" + ", " + "))
        tpl = _slots(n, each="({} - {})^2", tex_each="({} - {})^2")
        if n > 1:
            rhs = (f"({rhs[0]}) / {n}", rf"\frac{{1}}{{{n}}}({rhs[1]})")
            tpl = (f"({tpl[0]}) / {n}", _esc(rf"\frac{{1}}{{{n}}}") + f"({tpl[1]})")
        t = loss.target.reshape(-1)
        args = [v for j in range(n) for v in (y[j], t[j])]
        return [Equation("error", "E", E, rhs, tpl, args, loss.value)]
    if loss.name == "binary_cross_entropy" and n == 1:
        rhs = ("-(target*log(Y) + (1 - target)*log(1 - Y))", r"-(t \log Y + (1 - t) \log(1 - Y))")
        tpl = ("-({}*log({}) + (1 - {})*log(1 - {}))", r"-({} \log {} + (1 - {}) \log(1 - {}))")
        t = float(loss.target.reshape(-1)[0])
        return [Equation("error", "E", E, rhs, tpl, [t, y[0], t, y[0]], loss.value)]
    rhs = loss.formula.split("= ", 1)[-1]
    return [Equation("error", "E", E, (rhs, rhs), None, [], loss.value)]


def _loss_grads(trace: Trace, names: _Names) -> list[Equation]:
    loss = trace.loss
    y, g = loss.y[0], loss.grad[0]
    n = y.size
    t = loss.target.reshape(-1)
    eqs = []
    for j in range(n):
        o, tj = names.output(j, n), names.target(j, n)
        scale = "" if n == 1 else f" / {n}"
        if loss.name == "mse":
            rhs = (f"2({o[0]} - {tj[0]}){scale}", rf"2({o[1]} - {tj[1]}){scale}")
            tpl = (f"2({{}} - {{}}){scale}", rf"2({{}} - {{}}){scale}")
            eqs.append(
                Equation(
                    "backward", "dE/dY", d(("E", "E"), o), rhs, tpl, [y[j], t[j]], g[j], node=j
                )
            )
        elif loss.name == "binary_cross_entropy" and not getattr(loss, "from_logits", False):
            rhs = (
                f"({o[0]} - {tj[0]}) / ({o[0]}(1 - {o[0]})){scale}",
                rf"\frac{{{o[1]} - {tj[1]}}}{{{o[1]}(1 - {o[1]})}}{scale}",
            )
            tpl = (
                f"({{}} - {{}}) / ({{}}(1 - {{}})){scale}",
                r"\frac{{{} - {}}}{{{}(1 - {})}}" + scale,
            )
            eqs.append(
                Equation(
                    "backward",
                    "dE/dY",
                    d(("E", "E"), o),
                    rhs,
                    tpl,
                    [y[j], t[j], y[j], y[j]],
                    g[j],
                    node=j,
                )
            )
        else:
            rhs = (loss.grad_formula.split("= ", 1)[-1],) * 2
            eqs.append(Equation("backward", "dE/dY", d(("E", "E"), o), rhs, None, [], g[j], node=j))
    return eqs


_LOCAL = {  # activation -> (text, LaTeX, uses output y (True) or input z)
    "Sigmoid": ("{o}(1 - {o})", "{o}(1 - {o})", True),
    "Tanh": ("1 - {o}^2", "1 - {o}^2", True),
    "ReLU": ("1 if {i} > 0 else 0", r"[{i} > 0]", False),
    "LeakyReLU": ("1 if {i} > 0 else alpha", r"[{i} > 0] + \alpha[{i} \le 0]", False),
    "Identity": ("1", "1", True),
}


def _backward(trace: Trace, pos: int, names: _Names, want: Callable) -> list[Equation]:
    rec, k = trace.layers[pos], names.dense_of[pos]
    ins, outs = names.inputs_of(pos), names.outputs[pos]
    eqs: list[Equation] = []
    if pos == len(trace.layers) - 1 and trace.loss is not None and trace.loss.grad is not None:
        eqs += [e for e in _loss_grads(trace, names) if want(k, e.node)]
    if rec.grad_out is None:
        return eqs
    G = rec.grad_out[0]
    if rec.kind in _LOCAL:
        text, tex, uses_out = _LOCAL[rec.kind]
        for j in range(len(outs)):
            if not want(k, j):
                continue
            o, i = outs[j], ins[j]
            rhs = (text.format(o=o[0], i=i[0]), tex.format(o=o[1], i=i[1]))
            val = rec.y[0, j] if uses_out else rec.x[0, j]
            nslots = rhs[0].count(o[0] if uses_out else i[0])
            tpl = (text.format(o="{}", i="{}"), tex.format(o="{}", i="{}")) if nslots else None
            eqs.append(
                Equation(
                    "backward", "local", d(o, i), rhs, tpl, [val] * nslots, rec.local[0, j], k, j
                )
            )
            if not names.two_node:
                chain = _mul(d(("E", "E"), o), d(o, i))
                eqs.append(
                    Equation(
                        "backward",
                        "dE/dz",
                        d(("E", "E"), i),
                        chain,
                        ("{}*{}", r"{} \cdot {}"),
                        [G[j], rec.local[0, j]],
                        rec.grad_in[0, j],
                        k,
                        j,
                    )
                )
    elif rec.kind == "Softmax":
        J = rec.local[0]  # (d, d): J[i, j] = dy_i/dz_j
        for j in range(len(outs)):
            if want(k, j):
                rhs = (
                    f"sum_i dE/d{outs[0][0][0]}_i * d{outs[0][0][0]}_i/d{ins[j][0]}",
                    rf"\sum_i \frac{{\partial E}}{{\partial Y_i}} \frac{{\partial Y_i}}{{\partial {ins[j][1]}}}",
                )
                args = [v for i in range(len(outs)) for v in (G[i], J[i, j])]
                eqs.append(
                    Equation(
                        "backward",
                        "dE/dz",
                        d(("E", "E"), ins[j]),
                        rhs,
                        _slots(len(outs)),
                        args,
                        rec.grad_in[0, j],
                        k,
                        j,
                    )
                )
    elif rec.kind == "Dense":
        eqs += _dense_backward(trace, pos, names, want)
    return eqs


def _dense_backward(trace: Trace, pos: int, names: _Names, want: Callable) -> list[Equation]:
    rec, k = trace.layers[pos], names.dense_of[pos]
    ins, outs = names.inputs_of(pos), names.outputs[pos]
    G, x, W = rec.grad_out[0], rec.x[0], rec.params["W"]
    E: Sym = ("E", "E")
    act = trace.layers[pos + 1] if pos + 1 < len(trace.layers) else None
    article = names.two_node and act is not None and act.local is not None and act.local.ndim == 2
    eqs = []
    for j, z in enumerate(outs):
        for i, inp in enumerate(ins):
            if not want(k, j, i):
                continue
            w = names.weight(k, i, j)
            param = f"W[{i},{j}]"
            eqs.append(Equation("backward", "dz/dw", d(z, w), inp, None, [], x[i], k, j, param))
            if article:  # the article's chain: dE/dw = dE/dY * dY/dz * dz/dw
                Y = names.outputs[pos + 1][j]
                rhs = _mul(d(E, Y), d(Y, z), d(z, w))
                args = [act.grad_out[0, j], act.local[0, j], x[i]]
                tpl = ("{}*{}*{}", r"{} \cdot {} \cdot {}")
            else:
                rhs, args, tpl = _mul(d(E, z), d(z, w)), [G[j], x[i]], ("{}*{}", r"{} \cdot {}")
            eqs.append(
                Equation(
                    "backward", "dE/dw", d(E, w), rhs, tpl, args, rec.grads["W"][i, j], k, j, param
                )
            )
        if want(k, j):
            bj = names.bias(k, j)
            if article:
                Y = names.outputs[pos + 1][j]
                rhs = _mul(d(E, Y), d(Y, z), d(z, bj))
                args, tpl = (
                    [act.grad_out[0, j], act.local[0, j]],
                    ("{}*{}*1", r"{} \cdot {} \cdot 1"),
                )
            else:
                rhs, args, tpl = _mul(d(E, z), d(z, bj)), [G[j]], ("{}*1", r"{} \cdot 1")
            eqs.append(
                Equation(
                    "backward",
                    "dE/db",
                    d(E, bj),
                    rhs,
                    tpl,
                    args,
                    rec.grads["b"][j],
                    k,
                    j,
                    f"b[{j}]",
                )
            )
    if pos > 0 and rec.grad_in is not None:  # send the error back to the previous layer's nodes
        for i, inp in enumerate(ins):
            if not want(k - 1 if k > 1 else k, i):
                continue
            terms = [_mul(d(E, outs[j]), names.weight(k, i, j)) for j in range(len(outs))]
            args = [v for j in range(len(outs)) for v in (G[j], W[i, j])]
            eqs.append(
                Equation(
                    "backward",
                    "dE/da",
                    d(E, inp),
                    _join(terms, (" + ", " + ")),
                    _slots(len(outs)),
                    args,
                    rec.grad_in[0, i],
                    k - 1,
                    i,
                )
            )
    return eqs


def _update(
    trace: Trace, rec: LayerRecord, names: _Names, k: int, want: Callable, plain_sgd: bool
) -> list[Equation]:
    eqs = []
    lr = trace.lr
    for key in ("W", "b"):
        before, after, grad = rec.params[key], rec.params_after[key], rec.grads[key]
        for idx in np.ndindex(before.shape):
            i, j = idx if key == "W" else (None, idx[0])
            if not want(k, j, i):
                continue
            sym = names.weight(k, i, j) if key == "W" else names.bias(k, j)
            param = f"W[{i},{j}]" if key == "W" else f"b[{j}]"
            if plain_sgd:
                rhs = (f"{sym[0]} - lr*dE/d{sym[0]}", rf"{sym[1]} - \eta {d(('E', 'E'), sym)[1]}")
                tpl, args = ("{} - {}*{}", r"{} - {} \cdot {}"), [before[idx], lr, grad[idx]]
            else:
                rhs = (
                    f"{trace.optimizer}({sym[0]}, dE/d{sym[0]})",
                    rf"\mathrm{{{trace.optimizer}}}({sym[1]})",
                )
                tpl, args = ("{} -> {}", r"{} \to {}"), [before[idx], after[idx]]
            eqs.append(
                Equation(
                    "update",
                    "update",
                    sym,
                    rhs,
                    tpl,
                    args,
                    after[idx],
                    k,
                    j,
                    param,
                    "<-",
                    show_value=plain_sgd,
                )
            )
    return eqs


def two_node_summary(trace: Trace) -> dict[str, float] | None:
    """The article's flat values for a 1-input, 1-output Dense + activation network, else None.

    Examples
    --------
    >>> two_node_summary(Trace()) is None
    True
    """
    recs = trace.layers
    if not (
        len(recs) == 2
        and recs[0].kind == "Dense"
        and recs[0].x.shape[1] == 1
        and recs[0].y.shape[1] == 1
        and recs[1].local is not None
        and trace.loss is not None
        and trace.has_update
    ):
        return None
    dense, act, loss = recs[0], recs[1], trace.loss
    f = float
    return {
        "x": f(dense.x[0, 0]),
        "target": f(loss.target.reshape(-1)[0]),
        "w": f(dense.params["W"][0, 0]),
        "b": f(dense.params["b"][0]),
        "z": f(dense.y[0, 0]),
        "y": f(act.y[0, 0]),
        "error": f(loss.value),
        "dE_dy": f(loss.grad[0, 0]),
        "dy_dz": f(act.local[0, 0]),
        "dz_dw": f(dense.x[0, 0]),
        "dE_dw": f(dense.grads["W"][0, 0]),
        "dE_db": f(dense.grads["b"][0]),
        "lr": f(trace.lr),
        "w_new": f(dense.params_after["W"][0, 0]),
        "b_new": f(dense.params_after["b"][0]),
    }
