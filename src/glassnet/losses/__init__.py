"""Losses: the error E between the network's output y and the target t.

``forward(y, t)`` returns E as a float and keeps what ``backward()`` needs; ``backward()``
returns dE/dy with the shape of y. Every loss is a mean over the batch, so dE/dy carries a
1/N (for MSE, 1/(number of elements)).

Sample weights: ``per_sample(y, t)`` gives each sample's error l_n (their mean is E), and
``weighted_forward(y, t, w)`` the weighted mean E_w = sum_n w_n l_n / sum_n w_n, the
convention of scikit-learn and of PyTorch's class weights. Its gradient is the plain mean's
with row n scaled by w_n N / sum(w) (``weigh``), because dE/dy_n = (1/N) dl_n/dy_n.

One module per loss, each forward next to its derivative: ``base`` (Loss and the weighting),
``mse``, ``mae``, ``huber`` (both robust to outliers), ``binary_cross_entropy``,
``cross_entropy`` and ``poisson`` (counts, on log-rates);
this file holds the registry.
"""

from __future__ import annotations

from typing import Any

from glassnet.losses.base import Loss
from glassnet.losses.binary_cross_entropy import _FLOOR as _FLOOR
from glassnet.losses.binary_cross_entropy import BinaryCrossEntropy
from glassnet.losses.cross_entropy import CrossEntropy
from glassnet.losses.huber import Huber
from glassnet.losses.mae import MAE
from glassnet.losses.mse import MSE
from glassnet.losses.poisson import PoissonNLL
from glassnet.utils.validation import unknown_name

__all__ = [
    "LOSSES",
    "MAE",
    "MSE",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "Huber",
    "Loss",
    "PoissonNLL",
    "canonical_name",
    "get_loss",
]


LOSSES: dict[str, type[Loss]] = {
    "mse": MSE,
    "mae": MAE,
    "huber": Huber,
    "binary_cross_entropy": BinaryCrossEntropy,
    "cross_entropy": CrossEntropy,
    "poisson": PoissonNLL,
}
_ALIASES = {
    "bce": "binary_cross_entropy",
    "ce": "cross_entropy",
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "l1": "mae",
    "poisson_nll": "poisson",
}


def canonical_name(name: str) -> str:
    """The registry's spelling of a loss name (lower case, _ for -, aliases resolved); an
    unknown name comes back as typed, for :func:`get_loss` to refuse.

    Examples
    --------
    >>> canonical_name("Cross-Entropy"), canonical_name("bce"), canonical_name("l1")
    ('cross_entropy', 'binary_cross_entropy', 'mae')
    """
    key = str(name).lower().replace("-", "_")
    return _ALIASES.get(key, key)


def get_loss(name: str | Loss, **kwargs: Any) -> Loss:
    """Build a loss from its name: "mse", "mae", "huber", "binary_cross_entropy",
    "cross_entropy" or "poisson".

    Examples
    --------
    >>> get_loss("cross_entropy")
    CrossEntropy()
    """
    if isinstance(name, Loss):
        return name
    if isinstance(name, type) and issubclass(name, Loss):
        return name(**kwargs)
    key = canonical_name(name)
    if key not in LOSSES:
        raise unknown_name("loss", name, sorted(LOSSES))
    return LOSSES[key](**kwargs)
