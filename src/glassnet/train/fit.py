"""The training loop: epochs of batches, each batch one training step.

It reads top to bottom like the article's recipe, repeated over batches and epochs::

    for epoch:                                  # one pass over the data, in a fresh order
        for batch:                              # rows gathered once
            y = net.forward(x)                  # forward propagation
            E = loss(y, t)                      # the error (or its weighted mean)
            net.backward(dE/dy)                 # chain rule: every dE/dW
            grad_hook(params)                   # (where data-parallel training averages)
            optimizer.step()                    # W <- W - lr dE/dW (or Adam, ...)
        score the epoch; callbacks              # loss, accuracy, validation; stop, save

The batch's step is written once, in :mod:`glassnet.train.step` (:class:`LayerStep`, layer
by layer); for a plain MLP it can run as one compiled call instead, its fast twin
(:mod:`glassnet.train.compiled_step`, ``jit_compile``): the same maths, written as loops.
``fit`` chooses one of the two once and calls it the same way. What is checked and prepared
before the first epoch is in :mod:`glassnet.train.setup`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from glassnet.callbacks import Callback, History, ModelCheckpoint, snapshot
from glassnet.callbacks.hooks import attach_callbacks, hook_order
from glassnet.layers.dropout import Dropout
from glassnet.losses import Loss
from glassnet.metrics.scores import score_outputs
from glassnet.model.sequential import Sequential
from glassnet.optimizers import Optimizer, Parameter
from glassnet.train import compiled_step
from glassnet.train.setup import (
    FitData,
    bound_optimizer,
    check_settings,
    fresh_seed,
    loss_for,
    predicted_labels_buffer,
    prepare_data,
    start_history,
    training_mode,
    with_clipping,
)
from glassnet.train.step import LayerStep, Step


class DivergedError(RuntimeError):
    """Training produced a loss of NaN or inf; the network keeps its last finite weights."""


def fit(
    net: Sequential,
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
    grad_hook: Callable[[list[Parameter]], Any] | None = None,
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
    opt = bound_optimizer(optimizer, lr, net)
    seed = fresh_seed() if seed is None else seed
    n, weights = len(data.X), data.weights
    history = start_history(epochs, batch_size, opt, loss_obj, seed, n, weights is not None)
    grad_hook = with_clipping(grad_hook, clip_norm, clip_value, history.params)
    callbacks = attach_callbacks(callbacks, verbose, epochs, n, opt, seed, loss_obj, history)
    hooks = hook_order(callbacks)
    net.loss_, net.stop_training, net.stop_reason = loss_obj, False, None
    # THE training step, chosen once: one compiled call where it applies, else layer by layer
    rows = min(batch_size, n)
    step = compiled_step.plan(net, loss_obj, opt, data.T, weights, grad_hook, rows, jit_compile)
    step = step or LayerStep(net, loss_obj, data.X, data.T, rows, weights, grad_hook)
    history.params["compiled_step"] = not isinstance(step, LayerStep)  # which step trained
    pred = predicted_labels_buffer(net, data)  # (N,) the epoch's predicted labels, or None
    epoch, logs = initial_epoch, {}
    with training_mode(net, loss_obj):
        for cb in callbacks:
            cb.on_train_begin(net)
        last = epochs
        if net.stop_training:  # e.g. a restored EarlyStopping whose run had stopped: no epoch more
            history.stopped, last = net.stop_reason or "callback", initial_epoch
        try:
            for epoch in range(initial_epoch, last):
                order = _epoch_order(net, seed, epoch, n, shuffle)  # (N,) this epoch's rows
                # raises DivergedError, falling back on the finite weights of the epoch's start
                diverged = partial(_diverged, net, snapshot(net), opt, epoch)
                for cb in hooks.epoch_begin:
                    cb.on_epoch_begin(epoch)
                epoch_lr = opt.lr  # the lr of this epoch, once the schedules have set it
                loss_sum = _train_epoch(step, data.X, order, batch_size, pred, weights, opt,
                                        hooks.batch_end, diverged)  # fmt: skip
                logs = _epoch_logs(net, loss_obj, data, order, loss_sum, pred, epoch_lr)
                history.append(epoch, logs)
                _end_epoch(hooks.epoch_end, history, epoch, logs)
                if net.stop_training:
                    history.stopped = net.stop_reason or "callback"
                    break
        except KeyboardInterrupt:
            history.stopped = "interrupted"
    end = {"stopped": history.stopped, "epoch": epoch, **logs}
    for cb in hooks.train_end:
        cb.on_train_end(end)
    net.history_ = history
    return history


def _epoch_order(net: Sequential, seed: int, epoch: int, n: int, shuffle: bool) -> np.ndarray:
    """The order epoch ``epoch`` visits the N samples in, (N,), and its dropout masks' seeds:
    ``default_rng([seed, epoch])`` shuffles, Dropout layer i draws from
    ``default_rng([seed, epoch, i + 1])`` (so a resumed run is the same run, bit for bit)."""
    rng = np.random.default_rng([seed, epoch])
    dropouts = [layer for layer in net.layers if isinstance(layer, Dropout)]
    for i, layer in enumerate(dropouts):
        layer.rng = np.random.default_rng([seed, epoch, i + 1])
    return rng.permutation(n) if shuffle else np.arange(n)


def _train_epoch(
    step: Step,
    X: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    pred: np.ndarray | None,
    weights: np.ndarray | None,
    opt: Optimizer,
    batch_end: list[Callback],
    diverged: Callable[[int, float], None],
) -> float:
    """One pass over X in ``order``: the step on each batch; return the epoch's summed error,
    sum over batches of E_b times the batch's weight (its size, or its sample weights' sum).

    ``pred`` (N,) receives the predicted labels in visiting order; ``diverged(b, E)`` raises
    where batch b's E is not finite (its step left the weights alone), or where the last
    step left a weight that is not (an overflow in the update itself).
    """
    run, isfinite = step.run, math.isfinite
    loss_sum, b = 0.0, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for b, start in enumerate(range(0, len(order), batch_size)):
            idx = order[start : start + batch_size]  # (m,) the batch's rows
            m = len(idx)
            value = run(X, idx, None if pred is None else pred[start : start + m], opt)
            if not isfinite(value):
                diverged(b, value)
            loss_sum += value * (m if weights is None else float(weights[idx].sum()))
            for cb in batch_end:
                cb.on_batch_end(b, m, value)
    if not all(np.isfinite(p.value).all() for p in opt.params):  # the last step overflowed
        diverged(b, math.nan)
    return loss_sum


def _epoch_logs(
    net: Sequential,
    loss: Loss,
    data: FitData,
    order: np.ndarray,
    loss_sum: float,
    pred: np.ndarray | None,
    lr: float,
) -> dict[str, float]:
    """The epoch's logs: its (weighted) mean loss, accuracy, validation scores and lr."""
    n, weights = len(data.X), data.weights
    logs = {"loss": loss_sum / (n if weights is None else float(weights.sum()))}
    if pred is not None:  # the predicted labels were written in visiting order
        logs["accuracy"] = float(np.count_nonzero(pred == data.labels[order])) / n
    if data.validation is not None:
        scores = _score(net, loss, *data.validation)
        kept = ("loss", "accuracy", "mae", "r2")
        logs.update({f"val_{k}": v for k, v in scores.items() if k in kept})
    logs["lr"] = lr
    return logs


def _end_epoch(
    epoch_end: list[Callback], history: History, epoch: int, logs: dict[str, float]
) -> None:
    """Tell the callbacks the epoch ended; each checkpoint first gets the history so far."""
    for cb in epoch_end:
        if isinstance(cb, ModelCheckpoint):
            cb.run_state["history"] = history.to_dict()
        cb.on_epoch_end(epoch, logs)


def _score(
    net: Sequential, loss: Loss, X: np.ndarray, T: np.ndarray, w: np.ndarray | None
) -> dict[str, float]:
    out = net.predict(X)  # (N, out); predict restores the training mode
    scores = score_outputs(loss, out, T)
    if w is not None:
        scores["loss"] = loss.weighted_forward(out, T, w)
    return scores


def _diverged(
    net: Sequential, good: list[np.ndarray], opt: Optimizer, epoch: int, batch: int, value: float
) -> None:
    """Raise DivergedError; restore the weights ``good`` unless every weight is still finite."""
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
