"""The backward section of explain: dE/dY from the loss, then the chain rule layer by layer."""

from __future__ import annotations

from collections.abc import Callable

from glassnet.explain.robust import grad_equation
from glassnet.explain.softmax import grad_equation as softmax_grad
from glassnet.explain.symbols import Equation, Names, Sym, _esc, _join, _mul, _slots, d
from glassnet.explain.terms import GRADS, term_key
from glassnet.model.trace import Trace


def _loss_grads(trace: Trace, names: Names) -> list[Equation]:
    loss = trace.loss
    y, g = loss.y[0], loss.grad[0]
    n = y.size
    t = loss.target.reshape(-1)
    eqs = []
    for j in range(n):
        o, tj = names.output(j, n), names.target(j, n)
        if loss.name in ("mae", "huber"):
            eqs.append(grad_equation(loss, names, j))
        elif loss.name == "cross_entropy":
            eqs.append(softmax_grad(loss, names, j))
        elif term_key(loss) in GRADS:
            (text, tex), (tpl_text, tpl_tex), slots, difference = GRADS[term_key(loss)]
            rhs = (text.format(o=o[0], t=tj[0]), tex.format(o=o[1], t=tj[1]))
            tpl = (tpl_text, tpl_tex)
            if n > 1:  # the mean over the outputs: each slope carries 1/K
                wrap = (lambda e: f"({e})") if difference else (lambda e: e)  # noqa: E731
                rhs = tuple(f"{wrap(side)} / {n}" for side in rhs)
                tpl = tuple(f"{wrap(side)} / {n}" for side in tpl)
            args = [float(y[j]) if v == "y" else float(t[j]) for v in slots]
            eqs.append(
                Equation("backward", "dE/dY", d(("E", "E"), o), rhs, tpl, args, g[j], node=j)
            )
        else:
            rhs = (loss.grad_formula.split("= ", 1)[-1],) * 2
            eqs.append(Equation("backward", "dE/dY", d(("E", "E"), o), rhs, None, [], g[j], node=j))
    return eqs


_LOCAL = {  # activation -> (text, LaTeX, uses output y (True) or input z)
    # {v} is that node, {alpha} the layer's alpha (its name in the formula, its value after)
    "Sigmoid": ("{v}(1 - {v})", "{v}(1 - {v})", True),
    "Tanh": ("1 - {v}^2", "1 - {v}^2", True),
    "ReLU": ("1 if {v} > 0 else 0", r"[{v} > 0]", False),
    "LeakyReLU": ("1 if {v} > 0 else {alpha}", r"[{v} > 0] + {alpha} [{v} \le 0]", False),
    "ELU": (
        "1 if {v} > 0 else {alpha}*exp({v})",
        r"[{v} > 0] + {alpha} e^{{{v}}} [{v} \le 0]",
        False,
    ),
    "SiLU": (
        "sigmoid({v})(1 + {v}(1 - sigmoid({v})))",
        r"\sigma({v})(1 + {v}(1 - \sigma({v})))",
        False,
    ),
    "Softplus": ("sigmoid({v})", r"\sigma({v})", False),
    "GELU": ("Phi({v}) + {v}*phi({v})", r"\Phi({v}) + {v} \varphi({v})", False),
    "GELU(tanh)": (  # d/dz of z (1 + tanh u) / 2, u = sqrt(2/pi) (z + 0.044715 z^3)
        "0.5*(1 + tanh(0.79788*({v} + 0.044715*{v}^3))) + 0.5*{v}*(1 - tanh(0.79788*({v} + "
        "0.044715*{v}^3))^2)*0.79788*(1 + 0.134145*{v}^2)",
        r"\tfrac12 (1 + \tanh u) + \tfrac12 {v} (1 - \tanh^2 u) \, 0.79788 (1 + 0.134145 {v}^2),"
        r" \ u = 0.79788 ({v} + 0.044715 {v}^3)",
        False,
    ),
    "Identity": ("1", "1", True),
}


def _local_templates(text: str, tex: str) -> tuple[tuple[str, str], int]:
    """The numeric templates of a local derivative, {0} for the node's value and {1} for
    alpha's (LaTeX's own braces escaped), and how many values they take (0: nothing to fill)."""
    holes = {"v": "\0", "alpha": "\1"}
    filled = (text.format(**holes), _esc(tex.format(**holes)))
    tpl = (filled[0].replace("\0", "{0}").replace("\1", "{1}"),
           filled[1].replace("\0", "{0}").replace("\1", "{1}"))  # fmt: skip
    used = [k for k, hole in enumerate(holes.values()) if any(hole in f for f in filled)]
    return tpl, (max(used) + 1 if used else 0)


def _backward(trace: Trace, pos: int, names: Names, want: Callable) -> list[Equation]:
    rec, k = trace.layers[pos], names.dense_of[pos]
    ins, outs = names.inputs_of(pos), names.outputs[pos]
    eqs: list[Equation] = []
    if pos == len(trace.layers) - 1 and trace.loss is not None and trace.loss.grad is not None:
        eqs += [e for e in _loss_grads(trace, names) if want(k, e.node)]
    if rec.grad_out is None:
        return eqs
    G = rec.grad_out[0]
    kind = "GELU(tanh)" if rec.config.get("approximate") == "tanh" else rec.kind
    if kind in _LOCAL:
        text, tex, uses_out = _LOCAL[kind]
        numeric, nslots = _local_templates(text, tex)
        alpha = float(rec.config.get("alpha", 0.0))
        for j in range(len(outs)):
            if not want(k, j):
                continue
            o, i = outs[j], ins[j]
            node = o if uses_out else i
            rhs = (text.format(v=node[0], alpha="alpha"), tex.format(v=node[1], alpha=r"\alpha"))
            val = rec.y[0, j] if uses_out else rec.x[0, j]
            tpl = numeric if nslots else None
            eqs.append(
                Equation(
                    "backward",
                    "local",
                    d(o, i),
                    rhs,
                    tpl,
                    [val, alpha][:nslots],
                    rec.local[0, j],
                    k,
                    j,
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


def _dense_backward(trace: Trace, pos: int, names: Names, want: Callable) -> list[Equation]:
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
