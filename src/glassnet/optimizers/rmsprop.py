"""RMSprop: steps scaled by a running root mean square of the gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.fast import jit
from glassnet.fast.blas import axpy
from glassnet.fast.optim_kernels import rmsprop_update
from glassnet.optimizers.base import (  # Parameter: for the examples
    Optimizer,
    Parameter,  # noqa: F401
    compiled_ok,
)


class RMSprop(Optimizer):
    r"""RMSprop: divide each step by a running root mean square of recent gradients.

    .. math::
        g &\leftarrow g + \lambda W \\
        s &\leftarrow \alpha s + (1 - \alpha) g^2 \\
        W &\leftarrow W - \text{lr}\; g / (\sqrt{s} + \epsilon)

    With momentum mu: b <- mu b + g / (sqrt(s) + eps), W <- W - lr b (PyTorch's ``RMSprop``).

    Examples
    --------
    >>> p = Parameter("w", np.array([1.0]), np.array([2.0]))
    >>> RMSprop([p], lr=0.1, alpha=0.0, eps=0.0).step(); p.value  # 1 - 0.1 * 2/2
    array([0.9])
    """

    name = "rmsprop"

    def __init__(
        self,
        params: Any = None,
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        decay_biases: bool = True,
    ) -> None:
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"alpha must be in [0, 1); got {alpha}.")
        self.alpha, self.eps = float(alpha), float(eps)
        self.momentum, self.weight_decay = float(momentum), float(weight_decay)
        super().__init__(params, lr, decay_biases)

    def _update(
        self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], decay: Any
    ) -> None:
        s = self._buf(state, "square_avg", w)
        if jit.worth(w.size) and compiled_ok(w, g, s, decay):  # one compiled pass
            b = self._buf(state, "momentum", w) if self.momentum else None
            rmsprop_update(
                w.reshape(-1), g.reshape(-1), s.reshape(-1), None if b is None else b.reshape(-1),
                decay=np.reshape(decay, -1) if np.ndim(decay) else decay, alpha=self.alpha,
                eps=self.eps, momentum=self.momentum, lr=self.lr,
            )  # fmt: skip
            return
        if self.weight_decay:
            g = g + decay * w
        d = self._buf(state, "_scratch", w)  # reused: no temporaries per step
        s *= self.alpha
        np.multiply(g, g, out=d)
        d *= 1 - self.alpha
        s += d
        np.sqrt(s, out=d)
        d += self.eps
        np.divide(g, d, out=d)  # g / (sqrt(s) + eps)
        if self.momentum:
            b = self._buf(state, "momentum", w)
            b *= self.momentum
            b += d
            d = b
        axpy(-self.lr, d, w)

    def hyperparameters(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {
            "lr": self.lr,
            "alpha": self.alpha,
            "eps": self.eps,
            "momentum": self.momentum,
            "weight_decay": self.weight_decay,
            **self._flags(),
        }
