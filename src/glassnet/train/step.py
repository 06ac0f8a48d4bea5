r"""THE training step, written once: forward, error, backward, grad hook, optimiser step.

This is the article's recipe for one batch (x, t), and every part of glassnet that trains
runs it from here: ``fit`` (layer by layer), the learning-rate finder, ``explain`` and
``explain_batch``, the scikit-learn estimators' L-BFGS objective and the playground::

    y = net.forward(x)                          # (m, out) forward propagation
    E, dE/dy = loss.error_and_gradient(y, t)    # the error and its slope at the output
    net.backward(dE/dy)                         # chain rule: every dE/dW into the layers' grads
    grad_hook(params)                           # data-parallel averaging, clipping
    optimizer.step()                            # W <- W - lr dE/dW (or momentum, Adam, ...)

The maths: with sample weights w_n the error is their weighted mean
E = sum_n w_n l_n / sum_n w_n (the plain mean without them); the backward pass applies the
chain rule layer by layer from the output down, dE/dx = dE/dy dy/dx, so that each Dense
layer y = x W + b receives G = dE/dy (m, out) and writes dE/dW = x^T G, dE/db = sum_n G_n.

Three rules are decided here and nowhere else:

- **the sigmoid's fusion** (:func:`fuses_sigmoid`): a Sigmoid output trained with binary
  cross-entropy takes dE/dz straight from its logits z, dE/dz = (y - t) / N: the sigmoid's
  y(1 - y) cancels against the loss's 1 / (y(1 - y)), so it is neither computed nor
  rounded, and backward starts below the sigmoid. A traced step (``explain``) keeps the two
  factors apart, as the article writes them;
- **E not finite**: the weights are left alone (no hook, no optimiser step), and the caller
  decides what that means (``fit`` raises ``DivergedError`` with the last finite weights);
- **the gradients are this batch's**: backward writes them (it does not add to what an
  earlier step left), so no ``zero_grad`` pass is needed.

Callers that need less take less, never a second copy: :func:`error_and_gradients` is the
forward, error and backward (the L-BFGS objective needs E and dE/dW, no step);
:func:`train_step` adds the hook and the optimiser's step (:func:`apply_gradients`);
:class:`LayerStep` is ``fit``'s form of it, on rows gathered from the training set, with the
call shape of its compiled twin :class:`glassnet.train.compiled_step.CompiledStep` (both
are a :class:`Step`), so ``fit``'s batch loop has one body.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from glassnet.activations import Sigmoid
from glassnet.fast import jit
from glassnet.losses import Loss
from glassnet.metrics.scores import labels_from_outputs
from glassnet.model.sequential import Sequential
from glassnet.optimizers import Optimizer, Parameter

__all__ = [
    "LayerStep",
    "Step",
    "apply_gradients",
    "error_and_gradients",
    "fuses_sigmoid",
    "train_step",
]

#: called as ``grad_hook(parameters)`` between backward and the optimiser's step
GradHook = Callable[[list[Parameter]], Any]

_isfinite = math.isfinite


def fuses_sigmoid(net: Sequential, loss: Loss) -> bool:
    """Whether the step takes dE/dz from the logits of ``net``'s final Sigmoid.

    True for a Sigmoid output trained with binary cross-entropy on its probabilities (not
    ``from_logits``), unless the network is being traced: ``explain`` writes dE/dY and
    dY/dz = Y(1 - Y) as two factors, so its step keeps them apart.

    Examples
    --------
    >>> from glassnet import Dense, Sequential, Sigmoid
    >>> from glassnet.losses import MSE, BinaryCrossEntropy
    >>> net = Sequential([Dense(2, 1), Sigmoid()])
    >>> fuses_sigmoid(net, BinaryCrossEntropy()), fuses_sigmoid(net, MSE())
    (True, False)
    >>> with net.tracing():
    ...     fuses_sigmoid(net, BinaryCrossEntropy())
    False
    """
    return (
        isinstance(net.layers[-1], Sigmoid)
        and loss.name == "binary_cross_entropy"
        and not getattr(loss, "from_logits", False)
        and net.trace is None
    )


def error_and_gradients(
    net: Sequential,
    loss: Loss,
    x: np.ndarray,
    t: np.ndarray,
    w: np.ndarray | None = None,
    fused: bool | None = None,
) -> tuple[float, np.ndarray]:
    r"""Forward, error, backward: E of the batch and every dE/dW in the layers' ``grads``.

    .. math:: y = f(x; W), \qquad E = \frac{\sum_n w_n\, l(y_n, t_n)}{\sum_n w_n}, \qquad
              \frac{\partial E}{\partial W} \text{ by the chain rule, output to input}

    The gradients are written, not added (each Dense layer's next backward overwrites its
    ``grads``); dE/dx of the input is not computed unless the network is traced. They are
    computed even when E is not finite (they then hold NaN or inf): taking a step is
    :func:`train_step`'s decision. Under ``net.tracing()`` the trace also records E and
    dE/dy (``explain`` reads them).

    Parameters
    ----------
    net : Sequential
        The network, in the mode its caller chose (``fit`` trains it, ``explain`` evaluates).
    loss : Loss
        The error; called through ``loss.error_and_gradient(y, t, w, z)``.
    x : ndarray, shape (m, in)
        The batch's inputs, in the network's dtype.
    t : ndarray, shape (m,) or (m, out)
        Its targets, as the loss takes them (labels for cross-entropy).
    w : ndarray, shape (m,), optional
        Sample weights: E is their weighted mean (see above).
    fused : bool, optional
        Whether to take dE/dz from the final sigmoid's logits: None (default) decides it here
        (:func:`fuses_sigmoid`); a caller that decided it once passes it (``fit``). False
        keeps the chain rule through the sigmoid's y(1 - y); True is only right where
        :func:`fuses_sigmoid` holds.

    Returns
    -------
    E : float
        The batch's error (its weighted mean with ``w``).
    y : ndarray, shape (m, out)
        The network's output (for the predicted labels; during ``fit`` a buffer the next
        step overwrites).

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> from glassnet.losses import MSE
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.0])], dtype="float64")
    >>> E, y = error_and_gradients(net, MSE(), np.array([[2.0]]), np.array([[0.0]]))
    >>> E, y  # E = (0.5 * 2 - 0)^2
    (1.0, array([[1.]]))
    >>> net.layers[0].grads  # dE/dW = x 2(y - t) = 2 * 2, dE/db = 2(y - t)
    {'W': array([[4.]]), 'b': array([2.])}
    """
    layers = net.layers
    y = net.forward(x)  # (m, out)
    if fused is None:
        fused = fuses_sigmoid(net, loss)
    # E and dE/dy (m, out); fused: dE/dz of the final sigmoid's logits, y(1 - y) cancelled
    value, grad = loss.error_and_gradient(y, t, w, layers[-1].z if fused else None)
    trace = net.trace
    if trace is not None:
        trace.record_loss(loss, y, t, value)
        trace.record_loss_grad(grad)
    for layer in layers:
        layer._grads_are_zero = True  # backward writes this batch's gradients (no zero_grad)
    net.backward(grad, False, len(layers) - 2 if fused else None)
    return value, y


def apply_gradients(optimizer: Optimizer, grad_hook: GradHook | None = None) -> None:
    """The step's last two stages, on the gradients backward left: ``grad_hook(params)``
    (where data-parallel training averages them, and clipping clips), then
    ``optimizer.step()``: W <- W - lr dE/dW for SGD, or its momentum, RMSprop or Adam form.

    Examples
    --------
    >>> from glassnet.optimizers import SGD, Parameter
    >>> p = Parameter("w", np.array([1.0]), np.array([4.0]))
    >>> apply_gradients(SGD([p], lr=0.1), lambda ps: ps[0].grad.__imul__(0.5))
    >>> p.value  # 1 - 0.1 * (4 * 0.5)
    array([0.8])
    """
    if grad_hook is not None:
        grad_hook(optimizer.params)
    optimizer.step()


def train_step(
    net: Sequential,
    loss: Loss,
    x: np.ndarray,
    t: np.ndarray,
    optimizer: Optimizer,
    w: np.ndarray | None = None,
    grad_hook: GradHook | None = None,
    fused: bool | None = None,
) -> tuple[float, np.ndarray]:
    r"""One training step on the batch (x, t): :func:`error_and_gradients`, then, if E is
    finite, :func:`apply_gradients`; where E is NaN or inf the weights are left alone.

    .. math:: W \leftarrow W - \text{lr}\, \frac{\partial E}{\partial W}

    (for SGD; the optimiser decides the update). Under ``net.tracing()`` the trace also
    records every parameter after the step (``explain`` runs it with tracing on).

    Parameters
    ----------
    net, loss, x, t, w, fused :
        As for :func:`error_and_gradients`.
    optimizer : Optimizer
        Bound to ``net``'s parameters.
    grad_hook : callable, optional
        ``grad_hook(parameters)``, called between backward and the step.

    Returns
    -------
    E : float
        The batch's error, before the step.
    y : ndarray, shape (m, out)
        The network's output, before the step.

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> from glassnet.losses import MSE
    >>> from glassnet.optimizers import SGD
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.0])], dtype="float64")
    >>> E, _ = train_step(net, MSE(), np.array([[2.0]]), np.array([[0.0]]), SGD(net, lr=0.25))
    >>> E, net.layers[0].params  # W - lr 2(y - t) x = 0.5 - 0.25 * 4; b - lr 2(y - t)
    (1.0, {'W': array([[-0.5]]), 'b': array([-0.5])})
    """
    value, y = error_and_gradients(net, loss, x, t, w, fused)
    if _isfinite(value):
        apply_gradients(optimizer, grad_hook)
    if net.trace is not None:  # the parameters after the step (as they were, if none)
        net.trace.record_update(net.layers, optimizer)
    return value, y


@runtime_checkable
class Step(Protocol):
    """What ``fit``'s batch loop calls: :class:`LayerStep` or its compiled twin
    :class:`glassnet.train.compiled_step.CompiledStep` (chosen once per ``fit``)."""

    def run(
        self, X: np.ndarray, idx: np.ndarray, predicted: np.ndarray | None, optimizer: Any
    ) -> float:
        """Train on the rows ``idx`` (m,) of X (N, in) and of the step's targets; write each
        row's predicted class into ``predicted`` (m,) when given; return E (where E is not
        finite the weights are left alone)."""
        ...  # pragma: no cover - a protocol


class LayerStep:
    """``fit``'s layer-by-layer step: :func:`train_step` on rows gathered from the training set.

    It has the call shape of the compiled step (:class:`Step`): ``run(X, idx, predicted,
    optimizer)`` gathers the rows ``idx`` of X, of the targets and of the sample weights into
    buffers allocated once, trains on them, and writes the batch's predicted classes.

    Parameters
    ----------
    net : Sequential
        The network (``fit`` turns on its layers' buffer reuse).
    loss : Loss
        The error.
    X : ndarray, shape (N, in)
        The training inputs (their width and dtype size the batch buffer).
    T : ndarray, shape (N,) or (N, out)
        The training targets, kept as :attr:`T`.
    batch_size : int
        The largest batch.
    weights : ndarray, shape (N,), optional
        Sample weights (checked by ``fit``).
    grad_hook : callable, optional
        Called as ``grad_hook(parameters)`` before each optimiser step.

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> from glassnet.losses import MSE
    >>> from glassnet.optimizers import SGD
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.0])], dtype="float64")
    >>> X, T = np.array([[2.0]]), np.array([[0.0]])
    >>> LayerStep(net, MSE(), X, T, batch_size=1).run(X, np.array([0]), None, SGD(net, lr=0.25))
    1.0
    >>> net.layers[0].params  # the compiled step's example, to the same numbers
    {'W': array([[-0.5]]), 'b': array([-0.5])}
    """

    def __init__(
        self,
        net: Sequential,
        loss: Loss,
        X: np.ndarray,
        T: np.ndarray,
        batch_size: int,
        weights: np.ndarray | None = None,
        grad_hook: GradHook | None = None,
    ) -> None:
        self.rows = rows = min(batch_size, len(X))  # the largest batch
        self.net, self.loss, self.T, self.weights, self.grad_hook = net, loss, T, weights, grad_hook
        self.fused = fuses_sigmoid(net, loss)  # decided once per fit
        self.from_logits = bool(getattr(loss, "from_logits", False))  # labels: z > 0
        self.xbuf = np.empty((rows, *X.shape[1:]), dtype=X.dtype)  # (B, in)
        self.tbuf = np.empty((rows, *T.shape[1:]), dtype=T.dtype)  # (B,) or (B, out)
        self.wbuf = None if weights is None else np.empty(rows)  # (B,)

    def run(
        self, X: np.ndarray, idx: np.ndarray, predicted: np.ndarray | None, optimizer: Any
    ) -> float:
        """Train on the rows ``idx`` (m,) of X (N, in); see :class:`Step`."""
        m = len(idx)
        if m == self.rows:  # a full batch fills the buffers (no slice: ~0.1 us each, per step)
            x, t = self.xbuf, self.tbuf
        else:  # the epoch's last, smaller batch
            x, t = self.xbuf[:m], self.tbuf[:m]
        x = jit.gather_rows(X, idx, x)  # (m, in), gathered once
        t = self.T.take(idx, 0, t)  # (m,) or (m, out)
        w = None if self.wbuf is None else self.weights.take(idx, 0, self.wbuf[:m])  # (m,)
        loss = self.loss
        value, y = train_step(self.net, loss, x, t, optimizer, w, self.grad_hook, self.fused)
        if predicted is not None:  # the epoch's accuracy: the loss's argmax, or from y
            if loss.predicted is not None:
                predicted[...] = loss.predicted
            else:
                labels_from_outputs(y, self.from_logits, into=predicted)
        return value
