"""Stochastic gradient descent, the article's W <- W - lr dE/dW, with its common extensions."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.fast.blas import axpy
from glassnet.optimizers.base import Optimizer, Parameter  # noqa: F401  (Parameter: examples)


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional momentum, Nesterov and weight decay.

    With g the gradient, lambda the weight decay, mu the momentum and v its buffer:

    .. math::
        g &\leftarrow g + \lambda W \\
        v &\leftarrow \mu v + g \quad (v = g \text{ on the first step}) \\
        d &= g + \mu v \text{ (Nesterov) or } v \\
        W &\leftarrow W - \text{lr}\, d

    With no momentum this is the article's rule, W <- W - lr dE/dW (PyTorch's ``SGD``).

    Examples
    --------
    >>> p = Parameter("w", np.array([0.5]), np.array([-0.1]))
    >>> SGD([p], lr=1.0).step(); p.value
    array([0.6])
    """

    name = "sgd"

    def __init__(
        self,
        params: Any = None,
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        decay_biases: bool = True,
    ) -> None:
        if momentum < 0:
            raise ValueError(f"momentum must be >= 0; got {momentum}.")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0; got {weight_decay}.")
        if nesterov and momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0; set momentum, e.g. 0.9.")
        self.momentum, self.nesterov, self.weight_decay = (
            float(momentum),
            nesterov,
            float(weight_decay),
        )
        super().__init__(params, lr, decay_biases)

    def _update(
        self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], decay: Any
    ) -> None:
        if self.weight_decay:
            g = g + decay * w
        if self.momentum:
            v = state.get("momentum")
            if v is None:  # the first step starts the buffer at g
                v = self._buf(state, "momentum", w)
                v[...] = g
            else:
                v *= self.momentum
                v += g
            d = g + self.momentum * v if self.nesterov else v
        else:
            d = g
        # W <- W - lr d in one pass (BLAS axpy) where possible; a reused scratch otherwise
        axpy(-self.lr, d, w, scratch=self._buf(state, "_scratch", w))

    def hyperparameters(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
            **self._flags(),
        }
