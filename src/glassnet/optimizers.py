"""Optimisers: turn the gradients dE/dW into updates of W, in place.

Each optimiser holds its state (momentum, running averages) per parameter, matches the
update rule of the PyTorch optimiser of the same name, and states that rule in its docstring.
Build one with the parameters, ``SGD(net.parameters(), lr=0.1)``, or without, ``SGD(lr=0.1)``,
and let ``Sequential.fit`` bind it to the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet._checks import check_positive_float, unknown_name


@dataclass
class Parameter:
    """A learnable array and its gradient, both views into a layer's dicts.

    Examples
    --------
    >>> p = Parameter("0.W", np.zeros(2), np.ones(2)); p.name
    '0.W'
    """

    name: str
    value: np.ndarray
    grad: np.ndarray


class Optimizer:
    """Base class. ``step()`` updates every bound parameter in place from its gradient."""

    name = "optimizer"

    def __init__(self, params: Any = None, lr: float = 0.01) -> None:
        self.lr = check_positive_float(lr, "lr")
        self.params: list[Parameter] | None = None
        self.t = 0  # number of steps taken
        if params is not None:
            self.bind(params)

    def bind(self, params: Any) -> Optimizer:
        """Attach the parameters to update (a list of Parameter, or a network); return self.

        Examples
        --------
        >>> SGD(lr=0.1).bind([Parameter("w", np.zeros(1), np.zeros(1))]).params[0].name
        'w'
        """
        if hasattr(params, "parameters"):
            params = params.parameters()
        self.params = list(params)
        self.state: list[dict[str, np.ndarray]] = [{} for _ in self.params]
        self.t = 0
        return self

    def zero_grad(self) -> None:
        """Set every bound gradient to zero.

        Examples
        --------
        >>> p = Parameter("w", np.zeros(1), np.ones(1)); SGD([p], lr=0.1).zero_grad(); p.grad
        array([0.])
        """
        for p in self._bound():
            p.grad.fill(0)

    def step(self) -> None:
        """Apply one update to every parameter."""
        params = self._bound()
        self.t += 1
        for p, state in zip(params, self.state, strict=True):
            self._update(p.value, p.grad, state)

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        raise NotImplementedError  # pragma: no cover - abstract

    def _bound(self) -> list[Parameter]:
        if self.params is None:
            raise ValueError(
                f"{type(self).__name__} has no parameters; pass net.parameters() when you "
                "build it, call bind(net), or give it to Sequential.fit."
            )
        return self.params

    def _buf(self, state: dict[str, np.ndarray], key: str, like: np.ndarray) -> np.ndarray:
        buf = state.get(key)
        if buf is None:
            buf = state[key] = np.zeros_like(like)
        return buf

    def hyperparameters(self) -> dict[str, Any]:
        """The constructor arguments, JSON-able (for checkpoints and summaries).

        Examples
        --------
        >>> SGD(lr=0.1).hyperparameters()["lr"]
        0.1
        """
        return {"lr": self.lr}

    def state_dict(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(JSON-able settings, arrays of state) for checkpoints.

        Examples
        --------
        >>> SGD(lr=0.1).state_dict()[0]["name"]
        'sgd'
        """
        meta = {"name": self.name, "t": self.t, "hyperparameters": self.hyperparameters()}
        arrays = {}
        for i, state in enumerate(getattr(self, "state", [])):
            for key, arr in state.items():
                arrays[f"{i}.{key}"] = arr
        return meta, arrays

    def load_state_dict(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Restore the step count and per-parameter state saved by ``state_dict``.

        Examples
        --------
        >>> opt = SGD([Parameter("w", np.zeros(1), np.zeros(1))], lr=0.1)
        >>> opt.load_state_dict({"t": 3}, {}); opt.t
        3
        """
        params = self._bound()
        self.t = int(meta.get("t", 0))
        self.state = [{} for _ in params]
        for key, arr in arrays.items():
            index, name = key.split(".", 1)
            i = int(index)
            if i >= len(params) or arr.shape != params[i].value.shape:
                raise ValueError(f"optimiser state {key!r} does not fit this network.")
            self.state[i][name] = arr.astype(params[i].value.dtype)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


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
        super().__init__(params, lr)

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self.momentum:
            v = state.get("momentum")
            if v is None:
                v = state["momentum"] = g.copy()
            else:
                v *= self.momentum
                v += g
            d = g + self.momentum * v if self.nesterov else v
        else:
            d = g
        step = self._buf(state, "_scratch", w)  # reused temporary for lr * d
        np.multiply(d, self.lr, out=step)
        w -= step

    def state_dict(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """As the base class, without the scratch buffers."""
        meta, arrays = super().state_dict()
        return meta, {k: v for k, v in arrays.items() if not k.endswith("._scratch")}

    def hyperparameters(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
        }


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
    ) -> None:
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"alpha must be in [0, 1); got {alpha}.")
        self.alpha, self.eps = float(alpha), float(eps)
        self.momentum, self.weight_decay = float(momentum), float(weight_decay)
        super().__init__(params, lr)

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * w
        s = self._buf(state, "square_avg", w)
        s *= self.alpha
        s += (1 - self.alpha) * g * g
        d = g / (np.sqrt(s) + self.eps)
        if self.momentum:
            b = self._buf(state, "momentum", w)
            b *= self.momentum
            b += d
            d = b
        w -= self.lr * d

    def hyperparameters(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {
            "lr": self.lr,
            "alpha": self.alpha,
            "eps": self.eps,
            "momentum": self.momentum,
            "weight_decay": self.weight_decay,
        }


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
    ) -> None:
        b1, b2 = betas
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"betas must both be in [0, 1); got {tuple(betas)}.")
        self.betas, self.eps, self.weight_decay = (
            (float(b1), float(b2)),
            float(eps),
            float(weight_decay),
        )
        super().__init__(params, lr)

    def step(self) -> None:
        """One Adam step for every parameter (the bias corrections use the shared step t)."""
        params = self._bound()
        self.t += 1
        b1, b2 = self.betas
        self._step_size = self.lr / (1 - b1**self.t)
        self._sqrt_bc2 = float(np.sqrt(1 - b2**self.t))
        for p, state in zip(params, self.state, strict=True):
            self._update(p.value, p.grad, state)

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        b1, b2 = self.betas
        if self.weight_decay:
            if self.decoupled:
                w *= 1 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * w
        m = self._buf(state, "exp_avg", w)
        v = self._buf(state, "exp_avg_sq", w)
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

    def state_dict(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """As the base class, without the scratch buffers."""
        meta, arrays = super().state_dict()
        return meta, {k: v for k, v in arrays.items() if not k.endswith("._scratch")}

    def hyperparameters(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {
            "lr": self.lr,
            "betas": list(self.betas),
            "eps": self.eps,
            "weight_decay": self.weight_decay,
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
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)


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

    Examples
    --------
    >>> get_optimizer("momentum", lr=0.1)
    SGD(lr=0.1, momentum=0.9, nesterov=False, weight_decay=0.0)
    """
    if isinstance(name, Optimizer):
        if lr is not None:
            name.lr = check_positive_float(lr, "lr")
        return name
    key = str(name).lower().replace("-", "_")
    if key not in OPTIMIZERS:
        raise unknown_name("optimiser", name, sorted(OPTIMIZERS))
    cls, defaults = OPTIMIZERS[key]
    args = {**defaults, **kwargs}
    if lr is not None:
        args["lr"] = lr
    return cls(**args)
