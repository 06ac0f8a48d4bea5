"""Optimisers: turn the gradients dE/dW into updates of W, in place.

Each optimiser holds its state (momentum, running averages) per parameter, matches the
update rule of the PyTorch optimiser of the same name, and states that rule in its docstring.
Build one with the parameters, ``SGD(net.parameters(), lr=0.1)``, or without, ``SGD(lr=0.1)``,
and let ``Sequential.fit`` bind it to the network.
"""

from __future__ import annotations

from typing import Any

from glassnet.optimizers.adam import Adam, AdamW
from glassnet.optimizers.base import Optimizer, Parameter, flat_buffers
from glassnet.optimizers.rmsprop import RMSprop
from glassnet.optimizers.sgd import SGD
from glassnet.utils.validation import check_positive_float, unknown_name

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "AdamW",
    "Optimizer",
    "Parameter",
    "RMSprop",
    "flat_buffers",
    "get_optimizer",
]


OPTIMIZERS: dict[str, tuple[type[Optimizer], dict[str, Any]]] = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "rmsprop": (RMSprop, {}),
    "adam": (Adam, {}),
    "adamw": (AdamW, {}),
}


def get_optimizer(name: str | Optimizer, lr: float | None = None, **kwargs: Any) -> Optimizer:
    """Build an unbound optimiser from its name; ``lr=None`` keeps the optimiser's default.

    Names: "sgd", "momentum" (SGD with momentum 0.9), "nesterov", "rmsprop", "adam", "adamw".
    An Optimizer given instead is returned as it is, with ``lr`` (if given) as its new lr, from
    which a learning-rate schedule then starts (its ``initial_lr`` is cleared).

    Examples
    --------
    >>> get_optimizer("momentum", lr=0.1)
    SGD(lr=0.1, momentum=0.9, nesterov=False, weight_decay=0.0)
    """
    if isinstance(name, Optimizer):
        if lr is not None:
            name.lr, name.initial_lr = check_positive_float(lr, "lr"), None
        return name
    key = str(name).lower().replace("-", "_")
    if key not in OPTIMIZERS:
        raise unknown_name("optimiser", name, sorted(OPTIMIZERS))
    cls, defaults = OPTIMIZERS[key]
    args = {**defaults, **kwargs}
    if lr is not None:
        args["lr"] = lr
    return cls(**args)
