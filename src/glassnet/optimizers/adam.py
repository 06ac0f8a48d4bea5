"""Adam and AdamW: momentum and RMS scaling with bias correction."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.fast import jit
from glassnet.fast.optim_kernels import adam_update
from glassnet.optimizers.base import (  # Parameter: for the examples
    Optimizer,
    Parameter,  # noqa: F401
    compiled_ok,
)


class Adam(Optimizer):
    r"""Adam: momentum and RMS scaling, each bias-corrected (Kingma & Ba, 2015).

    .. math::
        g &\leftarrow g + \lambda W \quad (\text{L2 penalty; see AdamW for decoupled decay}) \\
        m &\leftarrow \beta_1 m + (1 - \beta_1) g \\
        v &\leftarrow \beta_2 v + (1 - \beta_2) g^2 \\
        W &\leftarrow W - \text{lr}\; \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}

    Examples
    --------
    >>> p = Parameter("w", np.array([1.0]), np.array([0.5]))
    >>> Adam([p], lr=0.1).step(); p.value.round(6)  # first step moves by lr * sign(g)
    array([0.9])
    """

    name = "adam"
    decoupled = False

    def __init__(
        self,
        params: Any = None,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decay_biases: bool = True,
    ) -> None:
        b1, b2 = betas
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"betas must both be in [0, 1); got {tuple(betas)}.")
        self.betas, self.eps, self.weight_decay = (
            (float(b1), float(b2)),
            float(eps),
            float(weight_decay),
        )
        super().__init__(params, lr, decay_biases)

    def _prepare(self) -> None:
        """The bias corrections of this step, shared by every parameter."""
        b1, b2 = self.betas
        self._step_size = self.lr / (1 - b1**self.t)
        self._sqrt_bc2 = float(np.sqrt(1 - b2**self.t))

    def _update(
        self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], decay: Any
    ) -> None:
        b1, b2 = self.betas
        m = self._buf(state, "exp_avg", w)
        v = self._buf(state, "exp_avg_sq", w)
        if jit.worth(w.size) and compiled_ok(w, g, m, v, decay):  # one compiled pass
            adam_update(
                w.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1),
                decay=np.reshape(decay, -1) if np.ndim(decay) else decay,
                decoupled=self.decoupled, betas=self.betas, sqrt_bc2=self._sqrt_bc2,
                eps=self.eps, step_size=self._step_size, lr=self.lr,
            )  # fmt: skip
            return
        if self.weight_decay:
            if self.decoupled:
                w *= 1 - self.lr * decay
            else:
                g = g + decay * w
        tmp = self._buf(state, "_scratch", w)
        m *= b1
        np.multiply(g, 1 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - b2
        v += tmp
        # denominator sqrt(v)/sqrt(1 - b2^t) + eps, as PyTorch computes it
        np.sqrt(v, out=tmp)
        tmp /= self._sqrt_bc2
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= self._step_size
        w -= tmp

    def hyperparameters(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {
            "lr": self.lr,
            "betas": list(self.betas),
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            **self._flags(),
        }


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    The decay shrinks the weights directly instead of entering the gradient:

    .. math::
        W &\leftarrow W (1 - \text{lr}\,\lambda) \\
        W &\leftarrow W - \text{lr}\; \frac{\hat m}{\sqrt{\hat v} + \epsilon}
        \quad (\hat m, \hat v \text{ as in Adam, from the raw gradient})

    Examples
    --------
    >>> p = Parameter("w", np.array([1.0]), np.array([0.0]))
    >>> AdamW([p], lr=0.1, weight_decay=0.5).step(); p.value  # 1 * (1 - 0.1 * 0.5)
    array([0.95])
    """

    name = "adamw"
    decoupled = True

    def __init__(
        self,
        params: Any = None,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        decay_biases: bool = True,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, decay_biases)
