"""Gradient clipping: cap the step a single batch can take, after backward and before the update.

Two ways, as PyTorch's ``torch.nn.utils`` has them:

- by norm: the gradients of all parameters, seen as one long vector g, are scaled together by
  min(1, max_norm / ||g||), so their direction stays and only an unusually long step shrinks;
- by value: every gradient entry is clipped to [-clip_value, clip_value], which bounds each
  coordinate of the step but can turn its direction.

``fit(..., clip_norm=...)`` or ``clip_value=...`` applies them at every step.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.utils.validation import check_positive_float

__all__ = ["clip_grad_norm", "clip_grad_value"]


def _grads(params: Any) -> list[np.ndarray]:
    if hasattr(params, "parameters"):  # a network
        params = params.parameters()
    return [p.grad for p in params]


def clip_grad_norm(params: Any, max_norm: float) -> float:
    r"""Scale every gradient by min(1, max_norm / ||g||), g all of them as one vector, in place.

    .. math:: \lVert g \rVert = \sqrt{\textstyle\sum_i \sum g_i^2}, \qquad
              g_i \leftarrow g_i \cdot \min\!\left(1, \frac{\text{max\_norm}}{\lVert g \rVert + 10^{-6}}\right)

    (the 1e-6 as in PyTorch's ``clip_grad_norm_``, which this matches).

    Parameters
    ----------
    params : Sequential or list of Parameter
        The network, or the parameters whose ``grad`` to clip.
    max_norm : float
        The largest norm the gradients keep, > 0.

    Returns
    -------
    float
        The norm before clipping (inf or nan if a gradient is not finite: then nothing is
        scaled, and ``fit`` reports the divergence).

    Examples
    --------
    >>> from glassnet.optimizers import Parameter
    >>> p = Parameter("w", np.zeros(2), np.array([3.0, 4.0]))  # ||g|| = 5
    >>> clip_grad_norm([p], 1.0), p.grad.round(6).tolist()
    (5.0, [0.6, 0.8])
    """
    max_norm = check_positive_float(max_norm, "max_norm")
    grads = _grads(params)
    norm = math.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in grads))
    scale = max_norm / (norm + 1e-6)
    if math.isfinite(norm) and scale < 1:
        for g in grads:
            g *= g.dtype.type(scale)
    return norm


def clip_grad_value(params: Any, clip_value: float) -> None:
    """Clip every gradient entry to [-clip_value, clip_value], in place (PyTorch's
    ``clip_grad_value_``).

    Parameters
    ----------
    params : Sequential or list of Parameter
        The network, or the parameters whose ``grad`` to clip.
    clip_value : float
        The largest magnitude an entry keeps, > 0.

    Examples
    --------
    >>> from glassnet.optimizers import Parameter
    >>> p = Parameter("w", np.zeros(3), np.array([-2.0, 0.5, 3.0]))
    >>> clip_grad_value([p], 1.0); p.grad.tolist()
    [-1.0, 0.5, 1.0]
    """
    clip_value = check_positive_float(clip_value, "clip_value")
    for g in _grads(params):
        np.clip(g, -clip_value, clip_value, out=g)
