"""Targets checked against the loss and the network's output, once, before training."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.losses import Loss, get_loss  # noqa: F401  (get_loss: examples)
from glassnet.utils.validation import as_2d_array, check_finite


def prepare_targets(net: Any, loss: Loss, T: Any, n: int, name: str = "T") -> np.ndarray:
    """Check the targets against the loss and the network's output; return them ready to use.

    Integer labels (N,) for cross-entropy, (N, out) floats otherwise.

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> net = Sequential([Dense(2, 3)])
    >>> prepare_targets(net, get_loss("cross_entropy"), [0, 2], 2)
    array([0, 2])
    """
    T = np.asarray(T)
    if T.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers; got dtype {T.dtype}.")
    if len(T) != n:
        raise ValueError(f"X has {n} samples but {name} has {len(T)}; they must match.")
    k = net.out_features
    if loss.name == "cross_entropy" and T.ndim == 1:
        check_finite(T.astype(np.float64), name)
        if not np.array_equal(T, np.rint(T)):
            raise ValueError(f"{name} must be integer class labels for cross_entropy; got floats.")
        T = T.astype(np.int64)
        if k is not None and (T.min() < 0 or T.max() >= k):
            raise ValueError(
                f"labels must be integers in [0, {k - 1}] for a network with {k} outputs; got "
                f"labels in [{T.min()}, {T.max()}]. Widen the last layer or fix the labels."
            )
        return T
    T = as_2d_array(T, name, net.dtype)
    if k is not None and T.shape[1] != k:
        raise ValueError(
            f"{name} has shape {T.shape} but the network outputs (N, {k}); they must match. "
            f"Change the last layer to {T.shape[1]} outputs or reshape the targets."
        )
    if loss.name == "cross_entropy" and (T.min() < 0 or not np.allclose(T.sum(axis=1), 1)):
        raise ValueError(
            f"{name}: cross_entropy takes integer labels (N,) or rows of class probabilities "
            "(one-hot or soft) that are >= 0 and sum to 1; some rows do not. For several "
            "independent 0/1 targets use binary_cross_entropy."
        )
    if loss.name == "poisson" and T.min() < 0:
        raise ValueError(
            f"poisson targets must be counts, >= 0; got a minimum of {T.min()}. Use mse for "
            "targets that can be negative."
        )
    if loss.name == "binary_cross_entropy" and (T.min() < 0 or T.max() > 1):
        raise ValueError(
            f"binary_cross_entropy targets must be in [0, 1]; got [{T.min()}, {T.max()}]."
        )
    return T
