"""The per-output formulas of the losses that are a mean over their outputs (MSE, binary
cross-entropy on probabilities or on logits, Poisson on log-rates): each output's error term
and its dE/dY, as symbols and as numeric templates. explain's error and backward sections
both read them from here.

Each entry is (symbols, numeric templates, slots): the symbols are format strings with {o}
for the output's name and {t} for its target's (plain text, LaTeX); the templates have one
``{}`` per number; ``slots`` says which value fills each, "y" the output or "t" the target.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GRADS", "TERMS", "term_key"]

#: E's term for one output
TERMS = {
    "mse": (("({o} - {t})^2", "({o} - {t})^2"), ("({} - {})^2", "({} - {})^2"), "yt"),
    "binary_cross_entropy": (
        ("-({t}*log({o}) + (1 - {t})*log(1 - {o}))", r"-({t} \log {o} + (1 - {t}) \log(1 - {o}))"),
        ("-({}*log({}) + (1 - {})*log(1 - {}))", r"-({} \log {} + (1 - {}) \log(1 - {}))"),
        "tyty",
    ),
    # with from_logits the output is z: -log sigmoid(z) etc. is softplus(z) - t z
    "binary_cross_entropy(logits)": (
        ("softplus({o}) - {t}*{o}", r"\mathrm{{softplus}}({o}) - {t} {o}"),
        ("softplus({}) - {}*{}", r"\mathrm{{softplus}}({}) - {} \cdot {}"),
        "yty",
    ),
    "poisson": (  # Y is the log-rate
        ("exp({o}) - {t}*{o}", r"e^{{{o}}} - {t} {o}"),
        ("exp({}) - {}*{}", r"e^{{{}}} - {} \cdot {}"),
        "yty",
    ),
}

#: dE/dY of one output, and whether it is a difference (then written (...) / K with K outputs,
#: the mean's 1/K, which the caller adds)
GRADS = {
    "mse": (("2({o} - {t})", "2({o} - {t})"), ("2({} - {})", "2({} - {})"), "yt", False),
    "binary_cross_entropy": (
        ("({o} - {t}) / ({o}(1 - {o}))", r"\frac{{{o} - {t}}}{{{o}(1 - {o})}}"),
        ("({} - {}) / ({}(1 - {}))", r"\frac{{{} - {}}}{{{}(1 - {})}}"),
        "ytyy",
        False,
    ),
    "binary_cross_entropy(logits)": (
        ("sigmoid({o}) - {t}", r"\sigma({o}) - {t}"),
        ("sigmoid({}) - {}", r"\sigma({}) - {}"),
        "yt",
        True,
    ),
    "poisson": (
        ("exp({o}) - {t}", "e^{{{o}}} - {t}"),
        ("exp({}) - {}", "e^{{{}}} - {}"),
        "yt",
        True,
    ),
}


def term_key(loss: Any) -> str:
    """The tables' key for a recorded loss: its name, and whether it takes logits.

    Examples
    --------
    >>> from types import SimpleNamespace as Record
    >>> term_key(Record(name="mse", config={}))
    'mse'
    >>> term_key(Record(name="binary_cross_entropy", config={"from_logits": True}))
    'binary_cross_entropy(logits)'
    """
    return f"{loss.name}(logits)" if loss.config.get("from_logits") else loss.name
