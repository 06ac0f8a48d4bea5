"""Activations as layers, each forward beside the derivative that backward uses.

One module per family: ``base`` (Activation and Identity), ``squashing`` (Sigmoid, Tanh,
Softmax) and ``rectifiers`` (ReLU, LeakyReLU, ELU, SiLU, GELU, Softplus); this file holds the
registry of names.
"""

from __future__ import annotations

from typing import Any

from glassnet.activations.base import Activation, Identity
from glassnet.activations.rectifiers import ELU, GELU, LeakyReLU, ReLU, SiLU, Softplus
from glassnet.activations.squashing import Sigmoid, Softmax, Tanh
from glassnet.utils.validation import unknown_name

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
    "Activation",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "get_activation",
]


ACTIVATIONS: dict[str, type[Activation]] = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "silu": SiLU,
    "gelu": GELU,
    "softplus": Softplus,
    "softmax": Softmax,
    "identity": Identity,
}
_ALIASES = {
    "linear": "identity",
    "none": "identity",
    "leakyrelu": "leaky_relu",
    "logistic": "sigmoid",
    "swish": "silu",
}


def get_activation(name: str | Activation, **kwargs: Any) -> Activation:
    """Build an activation layer from its name ("sigmoid", "tanh", "relu", ...).

    Examples
    --------
    >>> get_activation("tanh")
    Tanh()
    >>> get_activation("leaky-relu", alpha=0.2)
    LeakyReLU(alpha=0.2)
    """
    if isinstance(name, Activation):
        return name
    key = str(name).lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in ACTIVATIONS:
        raise unknown_name("activation", name, sorted(ACTIVATIONS))
    return ACTIVATIONS[key](**kwargs)
