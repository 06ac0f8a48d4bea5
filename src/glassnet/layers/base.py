"""The layer contract every layer follows.

Every layer maps a batch ``x`` of shape (N, ...) to an output and, going back, maps the
upstream gradient dE/d(out) to dE/d(in), adding dE/d(param) into ``grads``. Rows are samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Layer:
    """Base class of every layer.

    Attributes
    ----------
    params : dict[str, ndarray]
        Learnable arrays, e.g. ``{"W": (in, out), "b": (out,)}``; empty for activations.
    grads : dict[str, ndarray]
        dE/d(param), same keys and shapes as ``params``. ``backward`` adds into them.
    training : bool
        True while fitting; layers such as Dropout behave differently at inference.

    Notes
    -----
    Speed: during ``fit`` the network turns on buffer reuse (``reuse_buffers``), so
    ``forward`` and ``backward`` write into arrays allocated once per batch size. Outside
    ``fit`` every call returns fresh arrays, so nothing a user holds changes under them.
    After ``zero_grad`` the next backward *writes* the gradients instead of adding them
    to zeros: the same numbers, one pass over memory fewer.

    Examples
    --------
    >>> Layer().params
    {}
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.training = False
        self.reuse_buffers = False
        self._buffers: dict[tuple[str, tuple[int, ...]], np.ndarray] = {}
        self._grads_are_zero = True

    # -- the contract -------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Map x (N, in) to the output (N, out), keeping what backward needs."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """Map dE/d(out) (N, out) to dE/d(in) (N, in); add dE/d(param) into ``grads``."""
        raise NotImplementedError  # pragma: no cover - abstract

    # -- helpers shared by all layers -----------------------------------------------
    def zero_grad(self) -> None:
        """Set every gradient to zero.

        Examples
        --------
        >>> from glassnet.layers import Dense
        >>> d = Dense(2, 1, rng=np.random.default_rng(0))
        >>> d.grads["W"] += 1.0
        >>> d.zero_grad(); float(d.grads["W"].sum())
        0.0
        """
        for g in self.grads.values():
            g.fill(0)
        self._grads_are_zero = True

    def _buffer(self, key: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """An uninitialised array of ``shape``: reused across calls while fitting."""
        if self.reuse_buffers:
            buf = self._buffers.get((key, shape))
            if buf is not None:  # the cache is emptied whenever the dtype changes (astype)
                return buf
            buf = self._buffers[(key, shape)] = np.empty(shape, dtype=dtype)
            return buf
        return np.empty(shape, dtype=dtype)

    def astype(self, dtype: np.dtype) -> Layer:
        """Cast parameters and gradients to ``dtype`` in place; return self.

        Examples
        --------
        >>> from glassnet.layers import Dense
        >>> Dense(2, 1, rng=np.random.default_rng(0)).astype(np.float64).params["W"].dtype
        dtype('float64')
        """
        for key in self.params:
            self.params[key] = self.params[key].astype(dtype)
            self.grads[key] = np.zeros_like(self.params[key])
        self._buffers.clear()
        self._grads_are_zero = True
        return self

    def config(self) -> dict[str, Any]:
        """The JSON-able arguments that rebuild this layer (weights not included).

        Examples
        --------
        >>> from glassnet.layers import Dense
        >>> Dense(2, 3, rng=np.random.default_rng(0)).config()["out_features"]
        3
        """
        return {}

    @classmethod
    def array_shapes(cls, config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        """The shapes of the arrays a layer built from ``config`` holds in a model file, its
        parameters and its saved state, worked out without building it (``load`` checks a
        file's arrays against them before reading any). None for a layer without arrays.

        Examples
        --------
        >>> Layer.array_shapes({})
        {}
        """
        return {}

    @property
    def n_params(self) -> int:
        """Number of learnable scalars.

        Examples
        --------
        >>> from glassnet.layers import Dense
        >>> Dense(2, 3, rng=np.random.default_rng(0)).n_params
        9
        """
        return int(sum(p.size for p in self.params.values()))

    def output_features(self, in_features: int) -> int:
        """Width of the output given the width of the input (activations keep it).

        Examples
        --------
        >>> Layer().output_features(4)
        4
        """
        return in_features

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"
