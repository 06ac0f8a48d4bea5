"""explain's error and dE/dY for the cross-entropy of a softmax, with every number.

The outputs Y[k] are logits; the softmax turns them into probabilities, and the error is
minus the log of the target class's probability:

    S = exp(Y[1]) + ... + exp(Y[K]),    p[k] = exp(Y[k]) / S,    E = -log p[target]

and its slope is the plain difference dE/dY[k] = p[k] - [k is the target]: the softmax's
derivative and the log's cancel to it. With a probability vector t as the target (soft labels)
E = -(t[1] log p[1] + ... + t[K] log p[K]) and dE/dY[k] = p[k] - t[k].
"""

from __future__ import annotations

import numpy as np

from glassnet.explain.symbols import Equation, Names, Sym, _join, d
from glassnet.model.trace import LossRecord

__all__ = ["error_equations", "grad_equation"]


def _p(k: int) -> Sym:
    return f"p[{k + 1}]", rf"p_{{{k + 1}}}"


def _probabilities(loss: LossRecord) -> np.ndarray:
    y = np.asarray(loss.y[0], dtype=np.float64)  # (K,) logits
    e = np.exp(y - y.max())  # shifted: the same p, never an overflow
    return e / e.sum()


def _targets(loss: LossRecord, k: int) -> np.ndarray:
    """The target as a distribution over the K outputs: one-hot for a label."""
    t = np.asarray(loss.target)
    if t.ndim == 2:  # soft labels (1, K)
        return t[0].astype(np.float64)
    onehot = np.zeros(k)
    onehot[int(t.reshape(-1)[0])] = 1.0
    return onehot


def error_equations(loss: LossRecord, names: Names) -> list[Equation]:
    """S, each p[k], then E, for the first sample.

    Examples
    --------
    >>> import glassnet as gn
    >>> net = gn.Sequential([gn.Dense(1, 2, weights=[[1.0, -1.0]], bias=[0.0, 0.0])],
    ...                     dtype="float64")
    >>> text = gn.explain(net, [0.5], 1, loss="cross_entropy").to_text().splitlines()
    >>> print("\\n".join(text[2:6]))
    error     S = exp(Y[1]) + exp(Y[2]) = exp(0.5000) + exp(-0.5000) = 2.2553
              p[1] = exp(Y[1]) / S = exp(0.5000) / 2.2553 = 0.7311
              p[2] = exp(Y[2]) / S = exp(-0.5000) / 2.2553 = 0.2689
              E = -log p[2] = -log(0.2689) = 1.3133
    """
    y = loss.y[0]
    k = y.size
    outs = [names.output(j, k) for j in range(k)]
    S: Sym = ("S", "S")
    total = float(np.exp(np.asarray(y, dtype=np.float64)).sum())
    rhs = _join([(f"exp({o[0]})", rf"e^{{{o[1]}}}") for o in outs], (" + ", " + "))
    tpl = (" + ".join(["exp({})"] * k), " + ".join(["e^{{{}}}"] * k))
    eqs = [Equation("error", "S", S, rhs, tpl, [float(v) for v in y], total, wrap=False)]
    p = _probabilities(loss)
    for j, o in enumerate(outs):
        eqs.append(
            Equation(
                "error",
                "p",
                _p(j),
                (f"exp({o[0]}) / S", rf"e^{{{o[1]}}} / S"),
                ("exp({}) / {}", r"e^{{{}}} / {}"),
                [float(y[j]), total],
                float(p[j]),
                node=j,
                wrap=False,
            )
        )
    t = _targets(loss, k)
    E: Sym = ("E", "E")
    if np.count_nonzero(t) == 1 and t.max() == 1.0:  # a label: one term
        c = int(np.argmax(t))
        eqs.append(
            Equation(
                "error",
                "E",
                E,
                (f"-log {_p(c)[0]}", rf"-\log {_p(c)[1]}"),
                ("-log({})", r"-\log({})"),
                [float(p[c])],
                loss.value,
                wrap=False,
            )
        )
        return eqs
    terms = [(f"{t[j]:g}*log {_p(j)[0]}", rf"{t[j]:g} \log {_p(j)[1]}") for j in range(k)]
    rhs_e = _join(terms, (" + ", " + "))
    eqs.append(
        Equation(
            "error",
            "E",
            E,
            (f"-({rhs_e[0]})", rf"-({rhs_e[1]})"),
            (
                "-(" + " + ".join(f"{t[j]:g}*log({{}})" for j in range(k)) + ")",
                "-(" + " + ".join(f"{t[j]:g} \\log({{}})" for j in range(k)) + ")",
            ),
            [float(v) for v in p],
            loss.value,
            wrap=False,
        )
    )
    return eqs


def grad_equation(loss: LossRecord, names: Names, j: int) -> Equation:
    """dE/dY[j] = p[j] - t[j], with its numbers (t[j] is 1 or 0 for a label)."""
    k = loss.y[0].size
    p, t = _probabilities(loss), _targets(loss, k)
    o = names.output(j, k)
    label = np.asarray(loss.target).ndim != 2
    # [j = target] is 1 for the target class, else 0 (Iverson's bracket)
    tj = (f"[{j + 1} = target]", rf"[{j + 1} = t]") if label else (f"t[{j + 1}]", rf"t_{{{j + 1}}}")
    rhs = (f"{_p(j)[0]} - {tj[0]}", rf"{_p(j)[1]} - {tj[1]}")
    return Equation(
        "backward",
        "dE/dY",
        d(("E", "E"), o),
        rhs,
        ("{} - {}", "{} - {}"),
        [float(p[j]), float(t[j])],
        float(loss.grad[0, j]),
        node=j,
    )
