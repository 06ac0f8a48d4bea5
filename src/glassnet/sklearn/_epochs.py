"""The estimators' epochs: scikit-learn's ``_fit_stochastic`` loop, with glassnet's step.

Each epoch, as in scikit-learn's MLP::

    sample_idx = shuffle(sample_idx, random_state=rs)   # (if shuffle) the last order, shuffled
    for each batch of batch_size rows of that order:     # the last one may be smaller
        x = the batch's rows (dense; from a sparse X only these rows are densified)
        E, dE/dy = objective(net(x), t)                  # scikit-learn's batch loss and error
        backward, optimizer step
    loss = sum of E * rows of the batch / N              # scikit-learn's epoch loss
    print "Iteration k, loss = ..."                      # (if verbose)
    callbacks: the validation score, the no-improvement rule, ...

The shuffle is ``sklearn.utils.shuffle`` on the generator the estimator seeded (and drew its
initial weights and validation split from), so with the same ``random_state`` the batches are
scikit-learn's, row for row. The weights are checked after every epoch: once any is NaN or
infinite, the epoch's callbacks still run (its validation score is counted as scikit-learn
counts it), the run stops (no later epoch can give finite weights back), the weights go back to
the last finite ones, from the start of that epoch, and ``History.stopped`` says "diverged";
the estimator then raises scikit-learn's ValueError or, with early stopping, keeps the best
weights.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.utils import shuffle as sk_shuffle

from glassnet.callbacks.base import Callback, History, restore, snapshot
from glassnet.losses import Loss
from glassnet.optimizers import Optimizer
from glassnet.sklearn._rows import rows
from glassnet.train import step as training

__all__ = ["DIVERGED", "run_epochs"]

#: ``History.stopped`` of a run whose weights became NaN or infinite
DIVERGED = "diverged"


def run_epochs(
    net: Any,
    X: Any,
    T: np.ndarray,
    w: np.ndarray | None,
    loss: Loss,
    optimizer: Optimizer,
    *,
    batch_size: int,
    epochs: int,
    shuffle: bool,
    random_state: np.random.RandomState,
    callbacks: list[Callback],
    verbose: bool,
    history: History,
    order: np.ndarray | None = None,
) -> tuple[History, np.ndarray]:
    """Train ``net`` for up to ``epochs`` epochs on X (N, d) and targets T (see the module).

    Parameters
    ----------
    net : Sequential
        Trained in place.
    X : ndarray or scipy.sparse CSR matrix, shape (N, d)
        In the network's dtype (``glassnet.sklearn._rows.as_rows``).
    T : ndarray, shape (N,) or (N, k)
        Targets ready for ``loss`` (integer labels, or values in the network's dtype).
    w : ndarray of shape (N,), optional
        Sample weights.
    loss : Loss
        scikit-learn's objective (``glassnet.sklearn._objective``).
    optimizer : Optimizer
        Bound to ``net`` here if it is not already.
    batch_size, epochs, shuffle : int, int, bool
    random_state : numpy.random.RandomState
        Shuffles the rows each epoch, continuing from where it is.
    callbacks : list of Callback
        Given the optimiser, then ``on_train_begin``, ``on_epoch_begin``, ``on_epoch_end``
        (with logs "loss" and "lr"), ``on_train_end``, in order; one may stop the run with
        ``net.stop_training``.
    verbose : bool
        Print scikit-learn's "Iteration k, loss = %.8f" after each epoch, to stdout.
    history : History
        Gets each epoch's logs; returned, with the last order of the rows (to go on shuffling
        from).
    order : ndarray of shape (N,), optional
        The order the first epoch shuffles (scikit-learn starts from 0, 1, ..., N-1, the
        default; a partial_fit continues the last call's).

    Examples
    --------
    >>> from glassnet import mlp
    >>> from glassnet.losses import MSE
    >>> from glassnet.optimizers import SGD
    >>> net = mlp([1, 1], dtype="float64", seed=0)
    >>> X = np.array([[0.0], [1.0]]); T = np.array([[1.0], [3.0]])
    >>> h, order = run_epochs(net, X, T, None, MSE(), SGD(lr=0.1), batch_size=2, epochs=2,
    ...                shuffle=False, random_state=np.random.RandomState(0), callbacks=[],
    ...                verbose=True, history=History())
    Iteration 1, loss = ...
    Iteration 2, loss = ...
    >>> len(h.history["loss"]), h.stopped
    (2, None)
    """
    n = X.shape[0]
    if not _bound_to(optimizer, net):  # a new optimiser (a partial_fit's goes on as it is)
        optimizer.bind(net)
    params = optimizer.params
    fused = training.fuses_sigmoid(net, loss)  # dE/dz from a final sigmoid's logits, as fit
    rows_of = min(batch_size, n)
    xbuf = np.empty((rows_of, X.shape[1]), dtype=net.dtype)  # (B, d)
    tbuf = np.empty((rows_of, *T.shape[1:]), dtype=T.dtype)  # (B,) or (B, k)
    wbuf = None if w is None else np.empty(rows_of)  # (B,)
    # scikit-learn reshuffles the last order each epoch
    sample_idx = np.arange(n, dtype=int) if order is None else order
    trusted = getattr(loss, "trusted_labels", None)
    if trusted is not None:  # the estimator built the labels: integers in [0, K)
        loss.trusted_labels = True
    for cb in callbacks:
        cb.optimizer = optimizer
        cb.on_train_begin(net)
    net.stop_training, net.stop_reason = False, None
    for layer in net.layers:
        layer.reuse_buffers = True
    net.train()
    logs: dict[str, float] = {}
    epoch = -1
    try:
        for epoch in range(epochs):
            if shuffle:
                sample_idx = sk_shuffle(sample_idx, random_state=random_state)
            good = snapshot(net)  # finite weights to go back to if this epoch diverges
            for cb in callbacks:
                cb.on_epoch_begin(epoch)
            lr = float(optimizer.lr)  # this epoch's, once the schedules have set it
            total = 0.0
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for start in range(0, n, batch_size):
                    idx = sample_idx[start : start + batch_size]  # (m,)
                    m = len(idx)
                    xb = rows(X, idx, xbuf[:m])  # (m, d), dense
                    tb = T.take(idx, 0, tbuf[:m])
                    wb = None if wbuf is None else w.take(idx, 0, wbuf[:m])  # (m,)
                    # the training step (glassnet.train.step); scikit-learn steps even
                    # on a non-finite loss, and the epoch's end finds the weights diverged
                    value, _ = training.error_and_gradients(net, loss, xb, tb, wb, fused)
                    training.apply_gradients(optimizer)
                    total += value * m  # scikit-learn weighs each batch by its rows
            finite = all(np.isfinite(p.value).all() for p in params)
            logs = {"loss": total / n, "lr": lr}
            if verbose:
                print(f"Iteration {epoch + 1}, loss = {logs['loss']:.8f}")
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
            history.append(epoch, logs)
            if not finite:
                restore(net, good)
                history.stopped = DIVERGED
                break
            if net.stop_training:
                history.stopped = net.stop_reason or "callback"
                break
    except KeyboardInterrupt:  # scikit-learn's: a warning, and the weights as they are
        warnings.warn("Training interrupted by user.", stacklevel=3)
        history.stopped = "interrupted"
    finally:
        if trusted is not None:
            loss.trusted_labels = trusted
        for layer in net.layers:
            layer.reuse_buffers = False
            layer._buffers.clear()
        net.eval()
    end = {"stopped": history.stopped, "epoch": epoch, **logs}
    for cb in callbacks:
        cb.on_train_end(end)
    net.history_ = history
    return history, sample_idx


def _bound_to(optimizer: Optimizer, net: Any) -> bool:
    """Whether ``optimizer`` updates exactly ``net``'s parameter arrays."""
    mine = [p.value for p in net.parameters()]
    bound = optimizer.params or []
    return len(mine) == len(bound) and all(a is p.value for a, p in zip(mine, bound, strict=True))
