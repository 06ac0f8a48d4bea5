"""Build common networks from a short description, e.g. layer widths "3,5,2"."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from glassnet.activations import get_activation
from glassnet.layers.dense import Dense
from glassnet.layers.dropout import Dropout
from glassnet.model.sequential import Sequential


def _whole(w: Any, i: int, spec: Any, name: str) -> int:
    """One width of a list: a whole number (an int, a float such as 4.0, or a string of digits);
    4.7 is refused rather than truncated to 4."""
    if isinstance(w, bool) or not isinstance(w, numbers.Real | str):
        raise TypeError(
            f"{name} must hold whole numbers; got {w!r} ({type(w).__name__}) at position {i} "
            f"of {spec!r}."
        )
    if isinstance(w, numbers.Integral):
        return int(w)
    if isinstance(w, str):
        try:
            return int(w)
        except ValueError:
            pass
    elif float(w).is_integer():
        return int(w)
    shown = "[" + ", ".join(str(v) for v in spec) + "]"
    raise ValueError(
        f"{name} must hold whole numbers of units; got {w} at position {i} of {shown}. "
        "Give integers such as [3, 5, 2]."
    )


def parse_widths(spec: str | Sequence[int], name: str = "layers", min_count: int = 2) -> list[int]:
    """Turn "3,5,2" (or [3, 5, 2]) into a list of at least ``min_count`` positive widths.

    Raises
    ------
    ValueError
        A width that is not a whole number (4.7 is not rounded), or fewer than ``min_count``
        positive widths.
    TypeError
        A width that is not a number (None, True, a list).

    Examples
    --------
    >>> parse_widths("784, 256,10")
    [784, 256, 10]
    >>> parse_widths("64", "--hidden", min_count=1)
    [64]
    >>> parse_widths([3, 4.7, 2])
    Traceback (most recent call last):
    ...
    ValueError: layers must hold whole numbers of units; got 4.7 at position 1 of [3, 4.7, 2]. Give integers such as [3, 5, 2].
    """
    if isinstance(spec, str):
        try:
            widths = [int(part) for part in spec.replace(" ", "").split(",") if part]
        except ValueError:
            raise ValueError(
                f"{name} must be comma-separated integers such as '2,8,1'; got {spec!r}."
            ) from None
    else:
        widths = [_whole(w, i, spec, name) for i, w in enumerate(spec)]
    if len(widths) < min_count or any(w <= 0 for w in widths):
        what = "two positive widths (inputs and outputs), e.g. '2,8,1'"
        if min_count != 2:
            what = f"{min_count} positive width{'s' * (min_count > 1)}, e.g. '128,64'"
        raise ValueError(f"{name} needs at least {what}; got {spec!r}.")
    return widths


def mlp(
    widths: str | Sequence[int],
    activation: str | Sequence[str] = "relu",
    output_activation: str | None = None,
    init: str | None = None,
    dropout: float = 0.0,
    dtype: Any = "float32",
    seed: int | None = None,
) -> Sequential:
    """A multi-layer perceptron: Dense layers with an activation between each pair.

    Parameters
    ----------
    widths : str or list of int
        Widths from input to output, e.g. "784,256,128,10".
    activation : str or list of str
        Hidden activation, or one per hidden layer.
    output_activation : str, optional
        Activation after the last Dense ("sigmoid" for binary_cross_entropy); None leaves
        the output linear (logits for cross_entropy, values for regression).
    init : str, optional
        Weight initialiser; default He for the ReLU family (relu, leaky_relu, elu, silu, gelu),
        Xavier otherwise.
    dropout : float
        Dropout probability after each hidden activation (0 for none).
    dtype, seed
        As for :class:`Sequential`.

    Examples
    --------
    >>> mlp("2,8,1", activation="tanh", output_activation="sigmoid", seed=0)
    Sequential([Dense(in_features=2, out_features=8, init='xavier_uniform', bias_init='zeros'), Tanh(), Dense(in_features=8, out_features=1, init='xavier_uniform', bias_init='zeros'), Sigmoid()], dtype='float32')
    """
    widths = parse_widths(widths)
    n_hidden = len(widths) - 2
    acts = [activation] * n_hidden if isinstance(activation, str) else list(activation)
    if len(acts) != n_hidden:
        raise ValueError(
            f"activation lists {len(acts)} names but the network has {n_hidden} hidden layers; "
            "give one name, or one per hidden layer."
        )
    layers = []
    for k in range(len(widths) - 1):
        act_name = acts[k] if k < n_hidden else output_activation
        act = get_activation(act_name) if act_name else None
        chosen = init or (
            "he_uniform"
            if act is not None and act.symbol in ("relu", "leaky_relu", "elu", "silu", "gelu")
            else "xavier_uniform"
        )
        layers.append(Dense(widths[k], widths[k + 1], init=chosen))
        if act is not None and not (k == len(widths) - 2 and act.symbol == "identity"):
            layers.append(act)
        if k < n_hidden and dropout:
            layers.append(Dropout(dropout))
    return Sequential(layers, dtype=dtype, seed=seed)
