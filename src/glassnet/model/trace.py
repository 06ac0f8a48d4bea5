"""The tape: what one forward, error, backward and update did, kept as plain records.

A :class:`Trace` is filled by a network while it is being traced (``Sequential.tracing``);
``explain``, the pictures and the playground all read the same records, so every view of a
step shows the same numbers. Nothing here computes maths: records hold copies of the arrays
the layers, the loss and the optimiser produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class LayerRecord:
    """One layer's part in a step. Arrays are copies, shapes as in the layer (N rows).

    Attributes
    ----------
    index : int
        Position in the network.
    kind : str
        Class name, e.g. "Dense" or "Sigmoid".
    x, y : ndarray
        Input (N, in) and output (N, out) of the forward pass.
    params : dict[str, ndarray]
        Parameters before the update.
    grad_out, grad_in : ndarray or None
        dE/dy (N, out) arriving from above and dE/dx (N, in) passed below.
    grads : dict[str, ndarray]
        dE/d(param) for each parameter.
    local : ndarray or None
        dy/dx of an elementwise activation (N, d); for Softmax the Jacobian (N, d, d).
    params_after : dict[str, ndarray]
        Parameters after the update.
    """

    index: int
    kind: str
    config: dict[str, Any]
    x: np.ndarray
    y: np.ndarray
    params: dict[str, np.ndarray] = field(default_factory=dict)
    grad_out: np.ndarray | None = None
    grad_in: np.ndarray | None = None
    grads: dict[str, np.ndarray] = field(default_factory=dict)
    local: np.ndarray | None = None
    params_after: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class LossRecord:
    """The error: output y, target, E and dE/dy, with the loss's own formulas as text."""

    name: str
    y: np.ndarray
    target: np.ndarray
    value: float
    grad: np.ndarray | None
    formula: str
    grad_formula: str
    #: the loss's settings (Huber's delta), for the numbers explain writes
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class Trace:
    """Records of one training step (or of a forward pass only).

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid, Sequential
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.1]), Sigmoid()], dtype="float64")
    >>> with net.tracing() as trace:
    ...     _ = net.forward(np.array([[1.0]]))
    >>> [r.kind for r in trace.layers], trace.layers[0].y
    (['Dense', 'Sigmoid'], array([[0.6]]))
    """

    layers: list[LayerRecord] = field(default_factory=list)
    loss: LossRecord | None = None
    optimizer: str | None = None
    lr: float | None = None
    #: the network's names of its inputs (``Sequential.feature_names``), or None: x1, x2, ...
    input_names: list[str] | None = None

    # -- filled by Sequential ----------------------------------------------------------
    def record_forward(self, index: int, layer: Any, x: np.ndarray, y: np.ndarray) -> None:
        """Append the forward record of ``layer`` (called by the network)."""
        rec = LayerRecord(
            index=index,
            kind=type(layer).__name__,
            config=layer.config(),
            x=np.array(x, copy=True),
            y=np.array(y, copy=True),
            params={k: v.copy() for k, v in layer.params.items()},
        )
        self.layers.append(rec)

    def record_backward(
        self, index: int, layer: Any, grad_out: np.ndarray, grad_in: np.ndarray | None
    ) -> None:
        """Fill the backward part of layer ``index`` (called by the network)."""
        rec = self._record(index)
        rec.grad_out = np.array(grad_out, copy=True)
        rec.grad_in = None if grad_in is None else np.array(grad_in, copy=True)
        rec.grads = {k: v.copy() for k, v in layer.grads.items()}
        local_grad = getattr(layer, "local_grad", None)
        if local_grad is not None:
            rec.local = np.array(local_grad(), copy=True)

    def record_loss(self, loss: Any, y: np.ndarray, target: np.ndarray, value: float) -> None:
        """Keep the error E of output ``y`` against ``target``."""
        self.loss = LossRecord(
            name=loss.name,
            y=np.array(y, copy=True),
            target=np.array(target, copy=True),
            value=float(value),
            grad=None,
            formula=loss.formula,
            grad_formula=loss.grad_formula,
            config=loss.config(),
        )

    def record_loss_grad(self, grad: np.ndarray) -> None:
        """Keep dE/dy, the gradient the loss sends into the network."""
        if self.loss is not None:
            self.loss.grad = np.array(grad, copy=True)

    def record_update(self, layers: list[Any], optimizer: Any) -> None:
        """Keep every parameter after the optimiser's step."""
        self.optimizer = optimizer.name
        self.lr = float(optimizer.lr)
        for rec in self.layers:
            rec.params_after = {k: v.copy() for k, v in layers[rec.index].params.items()}

    def _record(self, index: int) -> LayerRecord:
        for rec in reversed(self.layers):
            if rec.index == index:
                return rec
        raise LookupError(f"no forward record for layer {index}; trace forward before backward.")

    @property
    def has_backward(self) -> bool:
        """True once the backward pass has been recorded.

        Examples
        --------
        >>> Trace().has_backward
        False
        """
        return any(r.grad_out is not None for r in self.layers)

    @property
    def has_update(self) -> bool:
        """True once the parameters after an update have been recorded.

        Examples
        --------
        >>> Trace().has_update
        False
        """
        return any(r.params_after for r in self.layers)
