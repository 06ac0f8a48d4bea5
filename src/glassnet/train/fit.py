"""The training loop: shuffle, forward, error, backward, (average gradients), step.

It reads top to bottom like the article's recipe, repeated over batches and epochs::

    for epoch:                                  # one pass over the data
        for batch:                              # rows gathered once, in a fresh order
            y = net.forward(x)                  # forward propagation
            E = loss.forward(y, t)              # the error (or its weighted mean)
            net.backward(loss.backward())       # chain rule: every dE/dW
            grad_hook(params)                   # (where data-parallel training averages)
            optimizer.step()                    # W <- W - lr dE/dW (or Adam, ...)

For a plain MLP the body of the batch loop can run as one compiled call
(:mod:`glassnet.train.compiled_step`, ``jit_compile``): the same maths, written as loops.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet.activations import Sigmoid
from glassnet.callbacks import Callback, History, ModelCheckpoint, snapshot
from glassnet.callbacks.hooks import attach_callbacks, hook_order
from glassnet.fast import jit
from glassnet.layers.dropout import Dropout
from glassnet.losses import Loss
from glassnet.metrics.scores import labels_from_outputs, score_outputs
from glassnet.optimizers import Optimizer
from glassnet.train import compiled_step
from glassnet.train.setup import (
    bound_optimizer,
    check_settings,
    loss_for,
    prepare_data,
    start_history,
    with_clipping,
)


class DivergedError(RuntimeError):
    """Training produced a loss of NaN or inf; the network keeps its last finite weights."""


def fit(
    net: Any,
    X: Any,
    T: Any,
    *,
    loss: str | Loss = "mse",
    optimizer: str | Optimizer = "sgd",
    lr: float | None = None,
    epochs: int = 10,
    batch_size: int = 32,
    shuffle: bool = True,
    validation_data: tuple[Any, ...] | None = None,
    validation_split: float = 0.0,
    sample_weight: Any = None,
    class_weight: Any = None,
    seed: int | None = None,
    callbacks: list[Callback] | None = None,
    verbose: int = 1,
    initial_epoch: int = 0,
    grad_hook: Any = None,
    clip_norm: float | None = None,
    clip_value: float | None = None,
    jit_compile: bool | None = None,
) -> History:
    """Train ``net`` on inputs X (N, in) and targets T with mini-batch gradient descent.

    Parameters
    ----------
    net : Sequential
        The network; trained in place.
    X : array-like, shape (N, in)
        Inputs, one sample per row. Cast once to the network's dtype.
    T : array-like
        Targets: (N, out) for "mse" and "binary_cross_entropy"; integer labels (N,) or
        one-hot (N, K) for "cross_entropy".
    loss : str or Loss
        "mse", "binary_cross_entropy", "cross_entropy", or a Loss object.
    optimizer : str or Optimizer
        "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", or an Optimizer (which keeps
        its state between calls, so ``fit`` can be called again to continue).
    lr : float, optional
        Learning rate; None keeps the optimiser's own (SGD 0.01, Adam 0.001).
    epochs : int
        Number of passes over the data; with ``initial_epoch`` the run ends at epoch
        ``epochs`` (Keras's convention), so a resumed run stops where the first would have.
    batch_size : int
        Samples per gradient step (the last batch may be smaller).
    shuffle : bool
        Visit the samples in a new random order every epoch.
    validation_data : (X_val, T_val) or (X_val, T_val, w_val), optional
        Scored after each epoch as "val_loss" (and "val_accuracy"); with weights w_val the
        val_loss is their weighted mean.
    validation_split : float
        Fraction of the samples, taken from the end before shuffling, held out for validation
        (with their sample weights).
    sample_weight : array-like of shape (N,), optional
        How much each sample counts: every batch's error is the weighted mean
        sum_n w_n l_n / sum_n w_n (scikit-learn's convention), so weights of 1 change nothing
        and only their ratios matter. The epoch's "loss" is the weighted mean too; accuracy
        counts every sample once. Must be finite, >= 0 and not all zero.
    class_weight : dict or "balanced", optional
        For classifiers: each training sample's weight is multiplied by its class's, from a
        dict {class index: weight} (classes not named keep 1) or "balanced" (class c gets
        N / (k N_c), so every class counts alike). Validation is not reweighted.
    seed : int, optional
        Makes the run reproducible bit for bit: epoch e shuffles with
        ``default_rng([seed, e])``, and dropout masks are seeded the same way.
    callbacks : list of Callback
        E.g. ``[EarlyStopping(), ModelCheckpoint("model.npz")]``; each checkpoint then holds
        the early-stopping progress too, to resume with (see ``ModelCheckpoint``). A
        learning-rate schedule (``StepLR(10, 0.5)``, ``ReduceLROnPlateau()``, ...) changes the
        optimiser's lr between epochs, starting from ``lr``. Every callback gets the optimiser
        as ``cb.optimizer``.
    verbose : {0, 1, 2}
        0 silent, 1 a live progress bar, 2 one line per epoch.
    initial_epoch : int
        Epoch to start at (when resuming from a checkpoint).
    grad_hook : callable, optional
        Called as ``grad_hook(parameters)`` after backward and before each optimiser step:
        the one place to average gradients across processes (data-parallel training).
    clip_norm, clip_value : float, optional
        Clip the gradients before each step (after ``grad_hook``): all of them together to
        this global L2 norm, or each entry to [-clip_value, clip_value]
        (:mod:`glassnet.optimizers.clipping`, PyTorch's ``clip_grad_norm_`` and ``clip_grad_value_``).
    jit_compile : bool, optional
        Whether each step runs as one compiled call (:mod:`glassnet.train.compiled_step`: numba,
        for MLPs of Dense, Dropout and activations on cross-entropy, binary cross-entropy or
        MSE, any optimiser): None (default) where it
        applies and the network is large enough to gain, True always (a ValueError says why
        where it cannot), False never (the layers one by one). The weights are the same up
        to rounding; with plain SGD, whose update it folds into the gradient's product, it
        does not write the layers' ``grads``.

    Returns
    -------
    History
        Loss and metrics per epoch, and "lr": the learning rate each epoch trained with; its
        ``params`` hold the run's settings, among them "compiled_step" (whether the compiled
        step trained it).

    Raises
    ------
    DivergedError
        If the loss becomes NaN or inf; the network keeps its last finite weights.

    Examples
    --------
    >>> from glassnet import Dense, Sequential, Tanh, Sigmoid
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> T = np.array([[0], [1], [1], [0]], dtype=float)
    >>> net = Sequential([Dense(2, 4), Tanh(), Dense(4, 1), Sigmoid()], seed=1)
    >>> h = net.fit(X, T, loss="binary_cross_entropy", optimizer="adam", lr=0.05,
    ...             epochs=300, batch_size=4, seed=0, verbose=0)
    >>> net.predict_classes(X).tolist()
    [0, 1, 1, 0]
    """
    epochs, batch_size, validation_split = check_settings(
        epochs, batch_size, lr, validation_split, initial_epoch
    )
    loss_obj = loss_for(net, loss)
    data = prepare_data(
        net, loss_obj, X, T, sample_weight, validation_data, validation_split, class_weight
    )
    X, T, weights, labels, validation = data.X, data.T, data.weights, data.labels, data.validation
    opt = bound_optimizer(optimizer, lr, net)
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31))

    n = len(X)
    history = start_history(epochs, batch_size, opt, loss_obj, seed, n, weights is not None)
    grad_hook = with_clipping(grad_hook, clip_norm, clip_value, history.params)
    callbacks = attach_callbacks(callbacks, verbose, epochs, n, opt, seed, loss_obj, history)
    hooks = hook_order(callbacks)
    from_logits = getattr(loss_obj, "from_logits", False)

    net.loss_ = loss_obj
    net.stop_training, net.stop_reason = False, None
    params = opt.params
    dropouts = [layer for layer in net.layers if isinstance(layer, Dropout)]
    xbuf = np.empty((min(batch_size, n), X.shape[1]), dtype=X.dtype)  # (B, in)
    tbuf = np.empty((min(batch_size, n), *T.shape[1:]), dtype=T.dtype)  # (B,) or (B, out)
    wbuf = None if weights is None else np.empty(min(batch_size, n))  # (B,)
    total_weight = n if weights is None else float(weights.sum())
    # predicted labels of the epoch, in visiting order (argmax, or output > threshold)
    pred = (
        None if labels is None else np.empty(n, dtype=np.int64 if net.out_features != 1 else bool)
    )
    last = len(net.layers) - 1
    fuse_sigmoid = (
        isinstance(net.layers[-1], Sigmoid)
        and loss_obj.name == "binary_cross_entropy"
        and not from_logits
        and net.trace is None
    )
    sigmoid = net.layers[-1]  # its input z is the logits when fuse_sigmoid
    start_at = last - 1 if fuse_sigmoid else None  # backward starts below that sigmoid
    # the whole step as one compiled call, where it applies (None: layer by layer)
    fast = compiled_step.plan(
        net, loss_obj, opt, T, weights, grad_hook, min(batch_size, n), jit_compile
    )
    history.params["compiled_step"] = fast is not None  # which step trained this run
    logs: dict[str, float] = {}
    epoch = initial_epoch
    for layer in net.layers:
        layer.reuse_buffers = True
    dense_layers = [layer for layer in net.layers if layer.params]
    trusted = getattr(loss_obj, "trusted_labels", None)
    if trusted is not None:
        loss_obj.trusted_labels = True  # prepare_targets checked every label above
    net.train()
    for cb in callbacks:
        cb.on_train_begin(net)
    end_epoch = epochs
    if net.stop_training:  # e.g. a restored EarlyStopping whose run had stopped: no epoch more
        history.stopped, end_epoch = net.stop_reason or "callback", initial_epoch
    try:
        for epoch in range(initial_epoch, end_epoch):
            rng = np.random.default_rng([seed, epoch])
            for i, layer in enumerate(dropouts):
                layer.rng = np.random.default_rng([seed, epoch, i + 1])
            order = rng.permutation(n) if shuffle else np.arange(n)
            good = snapshot(net)  # finite weights to fall back on if this epoch diverges
            for cb in hooks.epoch_begin:
                cb.on_epoch_begin(epoch)
            epoch_lr = opt.lr  # the lr of this epoch, once the schedules have set it
            loss_sum = 0.0
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for b, start in enumerate(range(0, n, batch_size)):
                    idx = order[start : start + batch_size]
                    m = len(idx)
                    wb = None if wbuf is None else weights.take(idx, 0, wbuf[:m])  # (m,)
                    count = m if wb is None else float(wb.sum())  # the batch's share of E
                    if fast is not None:  # gather, forward, error, backward (SGD: update): one call
                        # (its loss writes each row's predicted class: argmax, or y > 0.5)
                        into = None if pred is None else pred[start : start + m]
                        value = fast.run(X, idx, into, opt)
                        if not math.isfinite(value):  # the step left the weights as they were
                            _diverged(net, good, epoch, b, value, opt)
                        if not fast.updates:  # it left dE/dW in the grads: step from them
                            if grad_hook is not None:
                                grad_hook(params)
                            opt.step()
                    else:
                        xb = jit.gather_rows(X, idx, xbuf[:m])  # (m, in), gathered once
                        tb = T.take(idx, 0, tbuf[:m])
                        y = net.forward(xb)  # (m, out)
                        # E and dE/dy (dE/dz from a sigmoid's logits: y(1 - y) cancels, exactly)
                        z = sigmoid.z if fuse_sigmoid else None  # (m, out)
                        value, grad = loss_obj.error_and_gradient(y, tb, wb, z)
                        if not math.isfinite(value):
                            _diverged(net, good, epoch, b, value, opt)
                        if pred is not None and loss_obj.predicted is not None:
                            pred[start : start + m] = loss_obj.predicted  # the loss's argmax
                        elif pred is not None:  # predicted labels, compared once per epoch
                            labels_from_outputs(y, from_logits, into=pred[start : start + m])
                        net.backward(grad, False, start_at)
                        if grad_hook is not None:
                            grad_hook(params)
                        opt.step()
                        for layer in dense_layers:
                            layer._grads_are_zero = True  # the next backward overwrites grads
                    loss_sum += value * count
                    for cb in hooks.batch_end:
                        cb.on_batch_end(b, m, value)
            if not all(np.isfinite(p.value).all() for p in params):  # the last step overflowed
                _diverged(net, good, epoch, b, math.nan, opt)
            logs = {"loss": loss_sum / total_weight}
            if pred is not None:
                logs["accuracy"] = float(np.count_nonzero(pred == labels[order])) / n
            if validation is not None:
                scores = _score(net, loss_obj, *validation)
                logs.update(
                    {
                        f"val_{k}": v
                        for k, v in scores.items()
                        if k in ("loss", "accuracy", "mae", "r2")
                    }
                )
            logs["lr"] = epoch_lr
            history.append(epoch, logs)
            for cb in hooks.epoch_end:
                if isinstance(cb, ModelCheckpoint):
                    cb.run_state["history"] = history.to_dict()
                cb.on_epoch_end(epoch, logs)
            if net.stop_training:
                history.stopped = net.stop_reason or "callback"
                break
    except KeyboardInterrupt:
        history.stopped = "interrupted"
    finally:
        if trusted is not None:
            loss_obj.trusted_labels = trusted
        for layer in net.layers:
            layer.reuse_buffers = False
            layer._buffers.clear()
        net.eval()
    end = {"stopped": history.stopped, "epoch": epoch, **logs}
    for cb in hooks.train_end:
        cb.on_train_end(end)
    net.history_ = history
    return history


def _score(
    net: Any, loss: Loss, X: np.ndarray, T: np.ndarray, w: np.ndarray | None
) -> dict[str, float]:
    out = net.predict(X)  # (N, out); predict restores the training mode
    scores = score_outputs(loss, out, T)
    if w is not None:
        scores["loss"] = loss.weighted_forward(out, T, w)
    return scores


def _diverged(
    net: Any, good: list[np.ndarray], epoch: int, batch: int, value: float, opt: Any
) -> None:
    params = net.parameters()
    finite = all(np.isfinite(p.value).all() for p in params)
    if finite:
        where = "the weights are the last finite ones, from just before this batch"
    else:
        for p, g in zip(params, good, strict=True):
            p.value[...] = g
        where = f"the weights were restored to the last finite ones, from the start of epoch {epoch + 1}"
    raise DivergedError(
        f"training diverged at epoch {epoch + 1}, batch {batch + 1}: the loss became {value}; "
        f"{where}. Lower the learning rate (now {opt.lr}) or standardise the inputs."
    )
