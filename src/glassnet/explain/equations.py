"""Turn a trace's records into per-node equations: names, formulas and the numbers to fill in.

Each :class:`Equation` keeps a symbolic right-hand side and a template whose ``{}`` slots
are filled with recorded numbers when rendered, so the same equation prints as text or as
LaTeX at any precision. The values are the records' own; nothing here recomputes them.

Names and the Equation record are in :mod:`glassnet.explain.symbols`; the backward section
is in :mod:`glassnet.explain.backward`.
"""

from collections.abc import Callable

import numpy as np

from glassnet.explain.backward import _backward
from glassnet.explain.robust import error_equation
from glassnet.explain.softmax import error_equations as softmax_error
from glassnet.explain.symbols import (
    _TEX_FN,
    Equation,
    Names,
    Sym,
    _esc,
    _join,
    _mul,
    _slots,
    d,
)
from glassnet.explain.terms import TERMS, term_key
from glassnet.model.trace import LayerRecord, Trace

__all__ = ["Equation", "build_equations", "two_node_summary"]


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
    names = Names(trace)
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


def _forward(rec: LayerRecord, pos: int, names: Names, want: Callable) -> list[Equation]:
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


def _error(trace: Trace, names: Names) -> list[Equation]:
    loss = trace.loss
    y = loss.y[0]
    n = y.size
    E: Sym = ("E", "E")
    outs = [names.output(j, n) for j in range(n)]
    tgts = [names.target(j, n) for j in range(n)]
    t = np.asarray(loss.target).reshape(-1)
    if loss.name in ("mae", "huber"):  # each output's term in the branch it takes
        return [error_equation(loss, names)]
    if loss.name == "cross_entropy":  # the softmax's S and p, then -log p[target]
        return softmax_error(loss, names)
    term = TERMS.get(term_key(loss))
    if term is None:
        rhs = loss.formula.split("= ", 1)[-1]
        return [Equation("error", "E", E, (rhs, rhs), None, [], loss.value)]
    sym, tpl, order = term
    parts = [(sym[0].format(o=o[0], t=q[0]), sym[1].format(o=o[1], t=q[1]))
             for o, q in zip(outs, tgts, strict=True)]  # fmt: skip
    rhs = _join(parts, (" + ", " + "))
    tpl = (" + ".join([tpl[0]] * n), " + ".join([tpl[1]] * n))
    if n > 1:  # the mean over the outputs
        rhs = (f"({rhs[0]}) / {n}", rf"\frac{{1}}{{{n}}}({rhs[1]})")
        tpl = (f"({tpl[0]}) / {n}", _esc(rf"\frac{{1}}{{{n}}}") + f"({tpl[1]})")
    args = [float(y[j]) if v == "y" else float(t[j]) for j in range(n) for v in order]
    return [Equation("error", "E", E, rhs, tpl, args, loss.value)]


def _update(
    trace: Trace, rec: LayerRecord, names: Names, k: int, want: Callable, plain_sgd: bool
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
