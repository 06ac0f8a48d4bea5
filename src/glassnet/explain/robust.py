"""explain's error and dE/dY for the robust regression losses, MAE and Huber, element by
element: each output's term is written with the numbers of the branch it takes.

MAE:    E = |Y - t|,                     dE/dY = sign(Y - t)
Huber:  E = (Y - t)^2 / 2                dE/dY = Y - t               where |Y - t| <= delta
        E = delta(|Y - t| - delta/2)     dE/dY = delta*sign(Y - t)   elsewhere

With K outputs E is the mean of the K terms, and each dE/dY carries a 1/K.
"""

from __future__ import annotations

from glassnet.explain.symbols import Equation, Names, Sym, _join, d
from glassnet.model.trace import LossRecord

Term = tuple[Sym, Sym, list[float]]  # (symbols, numeric template, its values)


def _error_term(loss: LossRecord, o: Sym, t: Sym, y: float, target: float) -> Term:
    if loss.name == "mae":
        return (
            (f"|{o[0]} - {t[0]}|", rf"|{o[1]} - {t[1]}|"),
            ("|{} - {}|", "|{} - {}|"),
            [y, target],
        )
    delta = float(loss.config.get("delta", 1.0))
    if abs(y - target) <= delta:
        return (
            (f"({o[0]} - {t[0]})^2/2", rf"\frac{{({o[1]} - {t[1]})^2}}{{2}}"),
            ("({} - {})^2/2", r"\frac{{({} - {})^2}}{{2}}"),
            [y, target],
        )
    return (
        (f"delta(|{o[0]} - {t[0]}| - delta/2)", rf"\delta(|{o[1]} - {t[1]}| - \delta/2)"),
        ("{}(|{} - {}| - {}/2)", "{}(|{} - {}| - {}/2)"),
        [delta, y, target, delta],
    )


def error_equation(loss: LossRecord, names: Names) -> Equation:
    """E for the first sample: the mean over its outputs of each output's term.

    Examples
    --------
    >>> import numpy as np, glassnet as gn
    >>> net = gn.Sequential([gn.Dense(1, 1, weights=[[2.0]], bias=[0.0])], dtype="float64")
    >>> print(gn.explain(net, [1.0], [0.5], loss="huber").to_text().splitlines()[1])
    error     E = delta(|Y - target| - delta/2) = 1.0000(|2.0000 - 0.5000| - 1.0000/2) = 1.0000
    """
    y, t = loss.y[0], loss.target.reshape(-1)
    n = y.size
    terms = [
        _error_term(loss, names.output(j, n), names.target(j, n), y[j], t[j]) for j in range(n)
    ]
    rhs = _join([s for s, _, _ in terms], (" + ", " + "))
    tpl = _join([tp for _, tp, _ in terms], (" + ", " + "))
    if n > 1:
        rhs = (f"({rhs[0]}) / {n}", rf"\frac{{1}}{{{n}}}({rhs[1]})")
        tpl = (f"({tpl[0]}) / {n}", rf"\frac{{{{1}}}}{{{{{n}}}}}({tpl[1]})")
    args = [v for _, _, vals in terms for v in vals]
    return Equation("error", "E", ("E", "E"), rhs, tpl, args, loss.value)


def grad_equation(loss: LossRecord, names: Names, j: int) -> Equation:
    """dE/dY of output j (first sample), with the branch it takes.

    Examples
    --------
    >>> import numpy as np, glassnet as gn
    >>> net = gn.Sequential([gn.Dense(1, 1, weights=[[2.0]], bias=[0.0])], dtype="float64")
    >>> print(gn.explain(net, [1.0], [0.5], loss="mae").to_text().splitlines()[2])
    backward  dE/dY = sign(Y - target) = sign(2.0000 - 0.5000) = 1.0000
    """
    y, t, g = loss.y[0], loss.target.reshape(-1), loss.grad[0]
    n = y.size
    o, tj = names.output(j, n), names.target(j, n)
    scale = "" if n == 1 else f" / {n}"
    delta = float(loss.config.get("delta", 1.0))
    if loss.name == "huber" and abs(y[j] - t[j]) <= delta:
        diff, tex_diff = (f"{o[0]} - {tj[0]}", rf"{o[1]} - {tj[1]}")
        hole = "{} - {}"
        if scale:  # (Y - t) / K, not Y - t / K
            diff, tex_diff, hole = f"({diff})", f"({tex_diff})", f"({hole})"
        rhs = (f"{diff}{scale}", f"{tex_diff}{scale}")
        tpl, args = (f"{hole}{scale}", f"{hole}{scale}"), [y[j], t[j]]
    else:
        factor, tex = ("delta*", r"\delta ") if loss.name == "huber" else ("", "")
        rhs = (
            f"{factor}sign({o[0]} - {tj[0]}){scale}",
            rf"{tex}\operatorname{{sign}}({o[1]} - {tj[1]}){scale}",
        )
        sign = (f"sign({{}} - {{}}){scale}", rf"\operatorname{{{{sign}}}}({{}} - {{}}){scale}")
        if loss.name == "huber":
            tpl, args = ("{}*" + sign[0], r"{} " + sign[1]), [delta, y[j], t[j]]
        else:
            tpl, args = sign, [y[j], t[j]]
    return Equation("backward", "dE/dY", d(("E", "E"), o), rhs, tpl, args, g[j], node=j)
