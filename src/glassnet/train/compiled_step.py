"""``fit``'s compiled step: an MLP's gather, forward, error, backward (and SGD update) at once.

The layer-by-layer engine makes about forty NumPy calls a step, each a few microseconds, and
runs each elementwise layer as its own pass over memory. For the networks where that matters
(real data, hundreds of thousands of weights), :class:`CompiledStep` does the same step in one
compiled call (:mod:`glassnet.train.step_kernel`): the batch gathered, the same products through
the same BLAS, each bias and activation in one pass, and plain SGD's update folded into the
gradient's product, so dE/dW is never written out (with momentum, one pass updates the
velocity and the weight; other optimisers step from the gradients it writes).
``benchmarks/`` measures what it gains ("compiled step / layer by layer") on MNIST's
784-256-128-10 network.

It applies when all of these hold (:func:`why_not` names the first that fails):

- numba is installed (the ``fast`` extra) and NumPy's OpenBLAS is found;
- the network is Dense layers, each followed by at most one of ReLU, LeakyReLU (alpha >= 0),
  Tanh, Sigmoid, ELU, Softplus, SiLU, GELU (exact or tanh) or Identity, in float32 or float64
  (a slope is taken from the activation's output, or for SiLU and GELU from its input z,
  which the step keeps);
- the loss is cross-entropy on the last Dense's logits with integer labels or one-hot rows
  (trained from their labels: the same loss and gradient), binary cross-entropy after a
  Sigmoid on one output (taken from the logits, the sigmoid's y(1 - y) cancelled, as ``fit``
  does layer by layer), or the mean squared error;
- a Dropout may stand on the input or after any Dense block but the last (its draws come from
  the layer's own generator, as in the layer-by-layer step, so both drop the same units);
- the network is not being traced. Sample and class weights are taken (the weighted mean of
  ``Loss.weighted_forward``).

With ``SGD`` (momentum, Nesterov and weight decay included) and no ``grad_hook`` the call takes
the update too; with any other optimiser, or a ``grad_hook`` (clipping is one), it leaves
dE/dW and dE/db in the layers' ``grads`` and then runs the hook and ``optimizer.step()``
through :func:`glassnet.train.step.apply_gradients`, as the layer-by-layer step does.
Either way :meth:`CompiledStep.run` has the call shape of :class:`glassnet.train.step.LayerStep`
(both are a :class:`glassnet.train.step.Step`), so ``fit``'s batch loop has one body.

``fit(jit_compile=None)`` uses it where it applies and the step is large enough to gain
(:data:`MIN_WORK`); ``True`` asks for it and raises with the reason where it cannot run;
``False`` keeps the layer-by-layer step. Both give the same weights up to rounding (tests hold
them to 1e-11 in float64, random networks mixing every feature to 1e-10). Plain SGD's folded
update never writes the layers' ``grads``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.activations import (
    ELU,
    GELU,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softplus,
    Tanh,
)
from glassnet.fast import blas, jit
from glassnet.layers.dense import Dense
from glassnet.layers.dropout import Dropout
from glassnet.losses import BinaryCrossEntropy, CrossEntropy, Loss
from glassnet.losses.mse import MSE
from glassnet.optimizers import SGD, Optimizer
from glassnet.train.step import GradHook, apply_gradients

#: with ``jit_compile=None`` the compiled step runs when batch size x weights is at least this
#: (a 784-256-128-10 network, 235,146 weights, from batch 9; the playground's 2-8-8-1 never:
#: its steps are all per-call overhead, and the first compile of an installation takes seconds)
MIN_WORK = 1 << 21

#: the activation after a Dense, by exact type (a subclass may change the maths)
_CODES = {
    Identity: 0, ReLU: 1, LeakyReLU: 2, Tanh: 3, Sigmoid: 4, ELU: 5, Softplus: 6, SiLU: 7, GELU: 8,
}  # fmt: skip
#: the code of GELU(approximate="tanh"), and the first of the codes whose slope needs z
_GELU_TANH, _GATED = 9, 7


def _structure(net: Any) -> tuple[list[Dense], list[int], list[float], list[Any]] | str:
    """(Dense layers, the code of the activation after each, LeakyReLU slopes, the Dropout
    on each Dense's input or None), or why the network is not one the compiled step runs."""
    dense: list[Dense] = []
    codes: list[int] = []
    alphas: list[float] = []
    dropouts: list[Any] = [None]  # slot l: the Dropout on Dense l's input (0: on X)
    previous = None
    for layer in net.layers:
        if type(layer) is Dense:
            dense.append(layer)
            codes.append(0)
            alphas.append(0.0)
            dropouts.append(None)  # the slot of the next Dense's input
        elif type(layer) is Dropout:
            if dropouts[-1] is not None:
                return "it has two Dropout layers in a row"
            dropouts[-1] = layer
        else:
            name = type(layer).__name__
            code = _CODES.get(type(layer))
            if code is None:
                known = "Dense, Dropout and the activations but Softmax"
                return f"it has a {name} layer (the compiled step knows {known})"
            if type(previous) is not Dense:
                return f"its {name} does not follow a Dense layer"
            if type(layer) is LeakyReLU and layer.alpha < 0:
                return "its LeakyReLU has a negative alpha"
            if type(layer) is GELU and layer.approximate == "tanh":
                code = _GELU_TANH
            codes[-1] = code
            alphas[-1] = float(getattr(layer, "alpha", 0.0))
        previous = layer
    if not dense:
        return "it has no Dense layer"
    if dropouts[-1] is not None:
        return "it has a Dropout after its last Dense layer (on the output)"
    return dense, codes, alphas, dropouts[:-1]


def one_hot_labels(T: np.ndarray) -> np.ndarray | None:
    """The class of each row of one-hot targets T (N, K) as int64 labels (N,), or None where a
    row is not one-hot (soft targets, such as label smoothing's) or T is not 2-D.

    With one-hot rows, cross-entropy and its gradient are those of the labels exactly:
    -sum_k t_k log p_k = -log p_y and p - t = p - onehot(y).

    Examples
    --------
    >>> one_hot_labels(np.array([[0.0, 1.0], [1.0, 0.0]]))
    array([1, 0])
    >>> one_hot_labels(np.array([[0.1, 0.9]])) is None  # soft
    True
    """
    if T.ndim != 2 or not len(T):
        return None
    labels = T.argmax(axis=1)
    one_hot = np.zeros_like(T)
    one_hot[np.arange(len(T)), labels] = 1
    return labels.astype(np.int64) if np.array_equal(T, one_hot) else None


def why_not(net: Any, loss: Loss, T: np.ndarray) -> str | None:
    """Why ``fit``'s compiled step cannot train this run, or None where it can.

    Examples
    --------
    >>> from glassnet import mlp
    >>> net = mlp([4, 8, 3], "relu")
    >>> why_not(net, CrossEntropy(), np.zeros(2))
    "cross_entropy's targets are not integer labels"
    """
    if not jit.enabled():
        return "numba is not installed (pip install 'glassnet[fast]') or GLASSNET_NO_JIT is set"
    if net.dtype not in (np.float32, np.float64):
        return f"the network is {net.dtype} (the compiled step runs float32 and float64)"
    if blas.gemm_address(net.dtype) is None:
        return "NumPy's OpenBLAS with 64-bit sizes was not found (or GLASSNET_NO_BLAS is set)"
    structure = _structure(net)
    if isinstance(structure, str):
        return f"the network is not a plain MLP: {structure}"
    dense, codes, _, _ = structure
    if type(loss) is CrossEntropy:
        if T.ndim == 2 and one_hot_labels(T) is None:
            return "cross_entropy's targets are soft (rows that are not one-hot)"
        if T.ndim == 1 and T.dtype.kind not in "iu":
            return "cross_entropy's targets are not integer labels"
        if codes[-1] != 0:
            return "cross_entropy needs the logits of the last Dense layer, with no activation"
        if dense[-1].out_features < 2:
            return "cross_entropy needs at least two outputs, one per class"
    elif type(loss) is BinaryCrossEntropy:
        if loss.from_logits or codes[-1] != _CODES[Sigmoid]:
            return "binary_cross_entropy needs a Sigmoid after the last Dense layer"
        if dense[-1].out_features != 1:
            return "binary_cross_entropy needs one output (a binary classifier)"
    elif type(loss) is not MSE:
        known = "cross_entropy, binary_cross_entropy and mse"
        return f"the loss is {loss.name} (the compiled step knows {known})"
    if net.trace is not None:
        return "the network is being traced"
    arrays = [a for d in dense for key in ("W", "b") for a in (d.params[key], d.grads[key])]
    if not all(a.flags.c_contiguous and a.dtype == net.dtype for a in arrays):
        return "a layer's parameters or gradients are not C-contiguous arrays of its dtype"
    return None


class CompiledStep:
    """One training step on a gathered batch, in one compiled call (see the module's notes).

    Parameters
    ----------
    net : Sequential
        A plain MLP (:func:`why_not` returned None for it).
    loss : Loss
        CrossEntropy (integer labels), BinaryCrossEntropy (after a Sigmoid) or MSE.
    T : ndarray, shape (N,) or (N, K)
        The training targets (integer labels for cross-entropy), kept as :attr:`T`.
    batch_size : int
        The largest batch: buffers of that many rows are allocated once.
    updates : bool
        True: :meth:`run` takes SGD's step inside the compiled call (the optimiser must be
        ``SGD``). False: the call writes dE/dW and dE/db into the layers' ``grads`` and
        :meth:`run` then calls ``grad_hook`` and steps the optimiser (Adam, RMSprop, or SGD
        after a ``grad_hook`` such as clipping).
    weights : ndarray, shape (N,), optional
        Sample weights (float64, checked by ``fit``): each batch's E is their weighted mean.
    grad_hook : callable, optional
        Called as ``grad_hook(parameters)`` before each optimiser step (``updates`` False).

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.0])], dtype="float64")
    >>> X, T = np.array([[2.0]]), np.array([[0.0]])
    >>> step = CompiledStep(net, MSE(), T, batch_size=1)
    >>> step.run(X, np.array([0]), None, SGD(net, lr=0.25))  # E = (0.5 * 2 - 0)^2
    1.0
    >>> net.layers[0].params  # W - lr 2(Y - t) x = 0.5 - 0.25 * 4; b - lr 2(Y - t)
    {'W': array([[-0.5]]), 'b': array([-0.5])}
    """

    def __init__(
        self,
        net: Any,
        loss: Loss,
        T: np.ndarray,
        batch_size: int,
        updates: bool = True,
        weights: np.ndarray | None = None,
        grad_hook: GradHook | None = None,
    ) -> None:
        from glassnet.train.step_kernel import (  # imports numba
            BINARY_THROUGH_SIGMOID,
            CROSS_ENTROPY,
            FOLD,
            GRADS,
            MOMENTUM,
            MSE_LOSS,
            STEPS,
        )

        structure = _structure(net)
        assert not isinstance(structure, str), structure  # why_not checked it
        dense, codes, alphas, dropouts = structure
        rows, dtype = batch_size, net.dtype
        # acts[l]: the activation before Dense l (acts[0]: the gathered batch), acts[L]: the
        # output; ins[l]: what Dense l reads, acts[l] itself or, under a Dropout, acts[l] * mask
        widths = [dense[0].in_features] + [d.out_features for d in dense]
        self.acts = tuple(np.empty((rows, w), dtype) for w in widths)  # (B, width) each
        self.dropouts = [d if d is not None and d.p > 0 else None for d in dropouts]  # (L,)
        self.drops = np.array([0.0 if d is None else d.p for d in self.dropouts])  # (L,)
        none = np.empty((0, 0), dtype)
        # masks[l]: Dropout l's uniform draws, which the step turns into 0 or 1 / (1 - p)
        inputs = self.acts[:-1]  # (L,): each Dense's activation in
        self.masks = tuple(none if d is None else np.empty_like(a)
                           for d, a in zip(self.dropouts, inputs, strict=True))  # fmt: skip
        self.ins = tuple(a if d is None else np.empty_like(a)
                         for d, a in zip(self.dropouts, inputs, strict=True))  # fmt: skip
        # pres[l]: Dense l's pre-activation z, kept where the slope needs it (SiLU, GELU)
        self.pres = tuple(np.empty((rows, d.out_features), dtype) if code >= _GATED else none
                          for d, code in zip(dense, codes, strict=True))  # fmt: skip
        # (Dropout, its draws' buffer) for each dropout that draws
        self._drawn = [(d, u) for d, u in zip(self.dropouts, self.masks, strict=True) if d]
        # grads[l]: dE/d(acts[l]) for l >= 1 (grads[0] is never needed: no input gradient)
        self.grads = (np.empty((0, 0), dtype), *(np.empty_like(a) for a in self.acts[1:]))
        self.T = T  # (N,) labels or (N, K) values
        self.weights = np.empty(0) if weights is None else weights  # (N,) float64, or none
        self.targets = np.empty((rows, *T.shape[1:]), T.dtype)  # (B,) or (B, K): T[idx]
        self.Ws = tuple(d.params["W"] for d in dense)  # (in, out) each, updated in place
        self.bs = tuple(d.params["b"] for d in dense)  # (out,) each
        self.codes = np.array(codes, np.int64)  # (L,)
        self.alphas = np.array(alphas, np.float64)  # (L,)
        codes_of = {CrossEntropy: CROSS_ENTROPY, BinaryCrossEntropy: BINARY_THROUGH_SIGMOID}
        self.loss_code = codes_of.get(type(loss), MSE_LOSS)
        binary = self.loss_code == BINARY_THROUGH_SIGMOID
        if binary:  # the loss takes the logits; it applies the last sigmoid itself
            self.codes[-1] = _CODES[Identity]
        # (B,) the predicted classes, when fit does not ask: argmax, or y > 0.5 for one output
        self.predicted = np.empty(rows, bool if binary else np.int64)
        self.gemm = blas.gemm_address(dtype)
        self.kernel = STEPS[self.loss_code]
        self.dense = dense
        self.updates = updates  # SGD's update in the call; else run steps the optimiser
        self.grad_hook = grad_hook
        self._modes = (FOLD, MOMENTUM)  # the kernel's codes: plain SGD, SGD with momentum
        self.gWs = tuple(d.grads["W"] for d in dense)  # dE/dW (in, out), written unless folded
        self.gbs = tuple(d.grads["b"] for d in dense)  # dE/db (out,)
        # without the update, every step passes the same settings (the velocities' places
        # hold arrays of their types)
        self._grads_only = (GRADS, 0.0, 0.0, 0.0, 0.0, False, False, self.gWs, self.gbs)
        self._grads_only += (self.Ws, self.bs)
        # (the flat momentum buffer they view, the velocities of the Ws, of the bs)
        self._momentum: tuple[Any, ...] | None = None
        # the buffers and layers, as the kernel takes them (_step_kernel.load_and_forward)
        self._net = (self.acts, self.grads, self.Ws, self.bs, self.codes, self.alphas, self.ins,
                     self.masks, self.drops, self.pres)  # fmt: skip

    def run(self, X: np.ndarray, idx: np.ndarray, predicted: Any, optimizer: Any) -> float:
        """Train on the rows ``idx`` (m,) of X (N, in) and of the targets :attr:`T`: gather them,
        forward, the error E, backward, and ``optimizer``'s update of every weight (for SGD
        in the compiled call; when ``updates`` is False the call leaves the gradients in the
        layers' ``grads`` and ``grad_hook`` then ``optimizer.step()`` follow). Returns E;
        when E is not finite nothing else happens. ``predicted`` (m,) receives each row's
        predicted class when given: the argmax for cross-entropy, y > 0.5 for binary
        cross-entropy. The call shape of :meth:`glassnet.train.step.LayerStep.run`.
        """
        into = self.predicted if predicted is None else predicted
        m = len(idx)
        for layer, u in self._drawn:  # the draws Dropout.forward makes, from its own generator
            layer.rng.random(out=u[:m], dtype=u.dtype)
        if not self.updates:
            settings = self._grads_only
        else:
            decay = optimizer.weight_decay
            first, v_W, v_b = self._momentum_state(optimizer)
            settings = (
                self._modes[bool(optimizer.momentum)], float(optimizer.lr), decay,
                decay if optimizer.decay_biases else 0.0, optimizer.momentum,
                optimizer.nesterov, first, self.gWs, self.gbs, v_W, v_b,
            )  # fmt: skip
            optimizer.t += 1
        value = float(
            self.kernel(self.gemm, X, idx, self.T, self.targets, into, settings, self.weights,
                        self._net)
        )  # fmt: skip
        if not self.updates and math.isfinite(value):  # dE/dW in the grads: step from them
            apply_gradients(optimizer, self.grad_hook)
        return value

    def _momentum_state(self, optimizer: SGD) -> tuple[bool, Any, Any]:
        """(first step?, velocities of the Ws, of the bs): the optimiser's own momentum
        buffers (so checkpoints and the layer-by-layer step share them), made on the first
        step with momentum; placeholders of the right types without momentum."""
        if not optimizer.momentum:
            return False, self.Ws, self.bs
        flat = optimizer.flat_state.get("momentum")
        if self._momentum is not None and flat is not None and self._momentum[0] is flat:
            return False, *self._momentum[1:]  # the same buffers as the last step
        where = {id(p.value): i for i, p in enumerate(optimizer.params or [])}
        first = False
        velocities = []
        for d in self.dense:
            views = []
            for key in ("W", "b"):
                i = where[id(d.params[key])]
                state = optimizer.state[i]
                if "momentum" not in state:  # the first step starts the buffer at g
                    first = True
                    if optimizer.flat is not None:
                        optimizer._buf(optimizer.flat_state, "momentum", optimizer.flat[0])
                    else:
                        optimizer._buf(state, "momentum", d.params[key])
                views.append(state["momentum"])
            velocities.append(views)
        v_W = tuple(v for v, _ in velocities)
        v_b = tuple(v for _, v in velocities)
        self._momentum = (optimizer.flat_state.get("momentum"), v_W, v_b)
        return first, v_W, v_b


def plan(
    net: Any,
    loss: Loss,
    optimizer: Optimizer,
    T: np.ndarray,
    weights: Any,
    grad_hook: Any,
    batch_size: int,
    jit_compile: bool | None,
) -> CompiledStep | None:
    """The compiled step ``fit`` should take, or None for the layer-by-layer step.

    ``jit_compile``: None uses it where :func:`why_not` allows and the step is large enough
    (:data:`MIN_WORK`); True requires it (ValueError with the reason otherwise); False never.

    Examples
    --------
    >>> from glassnet import mlp
    >>> net = mlp([2, 8, 1], "tanh")
    >>> plan(net, MSE(), SGD(net), np.zeros((4, 1)), None, None, 4, None) is None
    True
    """
    if jit_compile is not None and not isinstance(jit_compile, bool):
        raise TypeError(f"jit_compile must be None, True or False; got {jit_compile!r}.")
    if jit_compile is False:
        return None
    if type(loss) is CrossEntropy and T.ndim == 2:  # one-hot rows train from their labels
        labels = one_hot_labels(T)
        T = T if labels is None else labels  # (soft rows: why_not says so)
    reason = why_not(net, loss, T)
    if reason is not None:
        if jit_compile:
            raise ValueError(
                f"jit_compile=True, but the compiled step cannot train this run: {reason}. "
                "Leave jit_compile=None to take the layer-by-layer step where it cannot."
            )
        return None
    if jit_compile is None and batch_size * net.n_params < MIN_WORK:
        return None
    updates = type(optimizer) is SGD and grad_hook is None
    return CompiledStep(net, loss, T, batch_size, updates, weights, grad_hook)
