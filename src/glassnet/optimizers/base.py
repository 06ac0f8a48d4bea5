"""The optimiser contract: parameters, their state, one ``step()`` at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet.utils.validation import check_positive_float


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
    """Base class. ``step()`` updates every bound parameter in place from its gradient.

    ``lr`` is the learning rate the next step uses; a learning-rate schedule changes it between
    epochs. ``initial_lr`` is the lr a schedule started from (PyTorch keeps it in its param
    groups): None until a schedule first runs, saved by ``state_dict``, so a resumed run goes on
    scaling the same lr.

    ``decay_biases`` (a keyword of every optimiser with ``weight_decay``): True, the default,
    decays every parameter, as ``torch.optim`` does with one parameter group; False spares the
    biases (parameters named ``b``), as scikit-learn's ``alpha`` and Keras's
    ``kernel_regularizer`` do and as PyTorch users do with a second group of weight_decay 0.
    """

    name = "optimizer"

    def __init__(self, params: Any = None, lr: float = 0.01, decay_biases: bool = True) -> None:
        if not isinstance(decay_biases, bool):
            raise TypeError(f"decay_biases must be True or False; got {decay_biases!r}.")
        self.lr = check_positive_float(lr, "lr")
        self.decay_biases = decay_biases
        # (1 for weights / 0 for biases, the decay per element, the decay it holds)
        self._decay_cache: tuple[np.ndarray, np.ndarray, float | None] | None = None
        self.initial_lr: float | None = None
        self.params: list[Parameter] | None = None
        self.state: list[dict[str, np.ndarray]] = []
        self.flat: tuple[np.ndarray, np.ndarray, list[slice]] | None = None
        self.flat_state: dict[str, np.ndarray] = {}
        self.t = 0  # number of steps taken
        if params is not None:
            self.bind(params)

    def bind(self, params: Any) -> Optimizer:
        """Attach the parameters to update (a list of Parameter, or a network); return self.

        When the parameters are consecutive views of one flat buffer (as a Sequential's are),
        every update runs once over the whole buffer instead of once per parameter.

        Examples
        --------
        >>> from glassnet.optimizers import SGD
        >>> SGD(lr=0.1).bind([Parameter("w", np.zeros(1), np.zeros(1))]).params[0].name
        'w'
        """
        if hasattr(params, "parameters"):
            params = params.parameters()
        self.params = list(params)
        self.state = [{} for _ in self.params]
        self.flat = flat_buffers(self.params)
        self.flat_state = {}
        self._decay_cache = None
        self.t = 0
        return self

    def zero_grad(self) -> None:
        """Set every bound gradient to zero.

        Examples
        --------
        >>> from glassnet.optimizers import SGD
        >>> p = Parameter("w", np.zeros(1), np.ones(1)); SGD([p], lr=0.1).zero_grad(); p.grad
        array([0.])
        """
        for p in self._bound():
            p.grad.fill(0)

    def step(self) -> None:
        """Apply one update to every parameter (one pass over a flat buffer when there is one)."""
        params = self._bound()
        self.t += 1
        self._prepare()
        decay = float(getattr(self, "weight_decay", 0.0))
        if self.flat is not None:
            values, grads, _ = self.flat
            self._update(values, grads, self.flat_state, self._flat_decay(decay))
            return
        for p, state in zip(params, self.state, strict=True):
            spared = not self.decay_biases and is_bias(p)
            self._update(p.value, p.grad, state, 0.0 if spared else decay)

    def _flat_decay(self, decay: float) -> float | np.ndarray:
        """The weight decay over the flat buffer: the number itself, or, with biases spared,
        an array holding it for every weight and 0 for every bias. Which elements are biases is
        found once per binding; a new decay (scikit-learn's alpha / s changes with each batch's
        weight) only rewrites the array, in place."""
        if self.decay_biases or not decay or self.flat is None:
            return decay
        if self._decay_cache is None:
            values, _, slices = self.flat
            weights = np.ones_like(values)  # (P,) 1 for a weight, 0 for a bias
            for p, sl in zip(self._bound(), slices, strict=True):
                if is_bias(p):
                    weights[sl] = 0
            self._decay_cache = (weights, np.empty_like(values), None)
        weights, per_element, current = self._decay_cache
        if current != decay:
            np.multiply(weights, decay, out=per_element)
            self._decay_cache = (weights, per_element, decay)
        return per_element

    def _prepare(self) -> None:
        """Per-step scalars shared by every parameter (Adam's bias corrections)."""

    def _update(
        self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], decay: Any
    ) -> None:
        """Update w in place from g; ``decay`` is the weight decay to apply to w: a number, or
        an array like w (0 where biases are spared)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _bound(self) -> list[Parameter]:
        if self.params is None:
            raise ValueError(
                f"{type(self).__name__} has no parameters; pass net.parameters() when you "
                "build it, call bind(net), or give it to Sequential.fit."
            )
        return self.params

    def _buf(self, state: dict[str, np.ndarray], key: str, like: np.ndarray) -> np.ndarray:
        """The state array ``key`` (zeros on first use); flat state is also seen per parameter."""
        buf = state.get(key)
        if buf is None:
            buf = state[key] = np.zeros_like(like)
            if state is self.flat_state and self.flat is not None:
                for per_param, p, sl in zip(self.state, self._bound(), self.flat[2], strict=True):
                    per_param[key] = buf[sl].reshape(p.value.shape)  # a view, not a copy
        return buf

    def hyperparameters(self) -> dict[str, Any]:
        """The constructor arguments, JSON-able (for checkpoints and summaries).

        Examples
        --------
        >>> from glassnet.optimizers import SGD
        >>> SGD(lr=0.1).hyperparameters()["lr"]
        0.1
        """
        return {"lr": self.lr}

    def _flags(self) -> dict[str, Any]:
        """Settings every optimiser shares, listed when they differ from the default (so the
        common case reads as PyTorch's): ``decay_biases``."""
        return {} if self.decay_biases else {"decay_biases": False}

    def state_dict(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(JSON-able settings, arrays of state per parameter) for checkpoints.

        Examples
        --------
        >>> from glassnet.optimizers import SGD
        >>> SGD(lr=0.1).state_dict()[0]["name"]
        'sgd'
        """
        meta = {
            "name": self.name,
            "t": self.t,
            "hyperparameters": self.hyperparameters(),  # holds the current lr
            "initial_lr": self.initial_lr,
        }
        arrays = {}
        for i, state in enumerate(self.state):
            for key, arr in state.items():
                if not key.startswith("_"):  # "_scratch" buffers are not state
                    arrays[f"{i}.{key}"] = arr.copy()
        return meta, arrays

    def load_state_dict(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Restore the step count, ``initial_lr`` and per-parameter state saved by ``state_dict``.

        The hyperparameters, the current lr among them, are the constructor's: build the
        optimiser with the saved ones (``load_checkpoint`` does).

        Examples
        --------
        >>> from glassnet.optimizers import SGD
        >>> opt = SGD([Parameter("w", np.zeros(1), np.zeros(1))], lr=0.1)
        >>> opt.load_state_dict({"t": 3, "initial_lr": 0.2}, {}); opt.t, opt.initial_lr
        (3, 0.2)
        """
        params = self._bound()
        self.t = int(meta.get("t", 0))
        initial = meta.get("initial_lr")  # absent from checkpoints older than schedules
        self.initial_lr = None if initial is None else float(initial)
        self.state = [{} for _ in params]
        self.flat_state = {}
        for key, arr in arrays.items():
            index, name = key.split(".", 1)
            i = int(index)
            if i >= len(params) or arr.shape != params[i].value.shape:
                raise ValueError(f"optimiser state {key!r} does not fit this network.")
            value = arr.astype(params[i].value.dtype)
            if self.flat is None:
                self.state[i][name] = value
            else:
                self._buf(self.flat_state, name, self.flat[0])  # creates the per-param views
                self.state[i][name][...] = value

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


def flat_buffers(params: list[Parameter]) -> tuple[np.ndarray, np.ndarray, list[slice]] | None:
    """(values, grads, slices) if the parameters tile one flat buffer in order, else None.

    A :class:`~glassnet.model.sequential.Sequential` keeps all its parameters in one 1-D array (and its
    gradients in another), each parameter a reshaped slice; updating the whole buffer at once
    is the same maths in one NumPy call instead of one per parameter.

    Examples
    --------
    >>> values, grads = np.arange(5.0), np.zeros(5)
    >>> ps = [Parameter("W", values[:3].reshape(3, 1), grads[:3].reshape(3, 1)),
    ...       Parameter("b", values[3:], grads[3:])]
    >>> flat_buffers(ps)[2]
    [slice(0, 3, None), slice(3, 5, None)]
    """
    if not params:
        return None
    values, grads = params[0].value.base, params[0].grad.base
    if values is None or grads is None or values.ndim != 1 or grads.shape != values.shape:
        return None
    slices, offset = [], 0
    for p in params:
        if p.value.base is not values or p.grad.base is not grads:
            return None
        start = _offset(p.value, values)
        if start != offset or _offset(p.grad, grads) != offset or not p.value.flags.c_contiguous:
            return None
        slices.append(slice(offset, offset + p.value.size))
        offset += p.value.size
    return (values, grads, slices) if offset == values.size else None


def _offset(view: np.ndarray, base: np.ndarray) -> int:
    """Index in ``base`` of the first element of ``view``."""
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return start // base.itemsize


def is_bias(p: Parameter) -> bool:
    """Whether a parameter is a bias, by its name ("0.b", "b"): the ones ``decay_biases=False``
    spares from weight decay.

    Examples
    --------
    >>> z = np.zeros(3)
    >>> is_bias(Parameter("2.b", z, z)), is_bias(Parameter("2.W", z, z))
    (True, False)
    """
    return p.name.rsplit(".", 1)[-1] == "b"


def compiled_ok(w: np.ndarray, *others: Any) -> bool:
    """Whether a compiled update may run on ``w`` and the arrays among ``others`` (numbers are
    fine): all C-contiguous (so flat views write through) and of w's dtype.

    Examples
    --------
    >>> a = np.zeros((2, 3), np.float32)
    >>> compiled_ok(a, a, 0.1), compiled_ok(a, a.T), compiled_ok(a, np.zeros((2, 3)))
    (True, False, False)
    """
    arrays = [w, *(o for o in others if isinstance(o, np.ndarray))]
    return all(a.flags.c_contiguous and a.dtype == w.dtype for a in arrays)
