"""The glassnet side of every benchmark: each ``*_setup`` builds a fresh model, untimed, and
returns the function that is timed. That function returns proof that the work was done.

The matching PyTorch code is in :mod:`benchmarks.torch_ref`, one function per workload.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from glassnet import Sequential
from glassnet import mlp as gn_mlp
from glassnet.callbacks import Callback
from glassnet.fast import jit
from glassnet.fast.blas import axpy, product

#: widths of the MNIST network the speed targets are stated for
MNIST_SIZES = (784, 256, 128, 10)


def mlp(sizes: tuple[int, ...], seed: int = 0) -> Sequential:
    """The benchmark MLP: glassnet.mlp with ReLU and Xavier weights (the Dense default).

    Examples
    --------
    >>> mlp((4, 3, 2)).n_params
    23
    """
    return gn_mlp(list(sizes), "relu", init="xavier_uniform", seed=seed)


def epoch_setup(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    optimizer: str = "sgd",
    lr: float = 0.1,
    sizes: tuple[int, ...] = MNIST_SIZES,
    seed: int = 0,
    jit_compile: bool | None = None,
) -> Callable[[], float]:
    """One epoch of softmax-CE training through ``Sequential.fit``; the run returns its loss.
    ``jit_compile`` is fit's: None (its default) takes the compiled step where it applies,
    False the layer-by-layer step.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((64, 4), dtype=np.float32); y = (X[:, 0] > 0.5).astype(np.int64)
    >>> run = epoch_setup(X, y, 8, sizes=(4, 8, 2)); loss = run()
    >>> 0.0 < loss < 1.0
    True
    """
    net = mlp(sizes, seed)

    def run() -> float:
        h = net.fit(
            X,
            y,
            loss="cross_entropy",
            optimizer=optimizer,
            lr=lr,
            epochs=1,
            batch_size=batch_size,
            verbose=0,
            seed=seed,
            jit_compile=jit_compile,
        )
        return h.history["loss"][-1]

    return run


def compiled_step_used(
    X: np.ndarray, y: np.ndarray, batch_size: int, sizes: tuple[int, ...] = MNIST_SIZES
) -> bool:
    """Whether ``fit`` trains :func:`epoch_setup`'s network at this batch size with its
    compiled step (one epoch on the first two batches; the run's History says which step).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((64, 4), dtype=np.float32); y = (X[:, 0] > 0.5).astype(np.int64)
    >>> compiled_step_used(X, y, 8, sizes=(4, 8, 2))  # far too small to gain
    False
    """
    rows = 2 * batch_size
    h = mlp(sizes).fit(X[:rows], y[:rows], loss="cross_entropy", optimizer="sgd", lr=0.1,
                       epochs=1, batch_size=batch_size, verbose=0, seed=0)  # fmt: skip
    return bool(h.params["compiled_step"])


def matmul_setup(
    n: int,
    batch_size: int,
    sizes: tuple[int, ...] = MNIST_SIZES,
    seed: int = 0,
    X: np.ndarray | None = None,
    update: bool = True,
) -> Callable[[], float]:
    """Only the matrix products of an epoch: per step, forward X W for every layer, then
    dE/dW = X^T G for every layer and dE/dX = G W^T for all but the first (8 for 3 layers),
    each through the call ``fit`` makes (``glassnet.fast.blas.product``).

    With ``X`` (N, in) the steps also do the memory-bound passes no engine can skip with
    shuffled mini-batches: the gather of each batch's rows in a fresh random order (the kernel
    ``fit`` uses) and, unless ``update`` is False, the SGD update W <- W - lr dE/dW of every
    parameter as its own pass (one axpy over a flat buffer, as ``fit``'s layer-by-layer step
    takes it; the compiled step folds it into the dE/dW products). The epoch over this floor
    is then the engine's own overhead: the elementwise layers, the loss, bookkeeping, Python.

    Examples
    --------
    >>> run = matmul_setup(64, 32, sizes=(4, 3, 2)); bool(np.isfinite(run()))
    True
    >>> X = np.ones((64, 4), np.float32)
    >>> run = matmul_setup(64, 32, sizes=(4, 3, 2), X=X); bool(np.isfinite(run()))
    True
    """
    rng = np.random.default_rng(seed)
    Ws = [
        rng.standard_normal((a, b), dtype=np.float32) * 0.01
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    m = min(batch_size, n)
    acts = [rng.random((m, k), dtype=np.float32) for k in sizes]  # (B, width) per layer
    grads = [np.empty((m, k), np.float32) for k in sizes]  # dE/d(activation)
    gWs = [np.empty_like(W) for W in Ws]
    n_params = sum(W.size + W.shape[1] for W in Ws)  # weights and biases
    flat, flat_grad = np.zeros(n_params, np.float32), np.zeros(n_params, np.float32)
    starts = range(0, n, batch_size)
    L = len(Ws)

    def run() -> float:
        order = rng.permutation(n)
        for start in starts:
            b = min(batch_size, n - start)
            if X is not None:
                jit.gather_rows(X, order[start : start + b], acts[0][:b])
            for i in range(L):
                product(acts[i][:b], Ws[i], acts[i + 1][:b], True)  # (B, out)
            grads[L][:b] = acts[L][:b]
            for i in range(L - 1, -1, -1):
                product(acts[i][:b].T, grads[i + 1][:b], gWs[i], True)  # (in, out)
                if i > 0:
                    product(grads[i + 1][:b], Ws[i].T, grads[i][:b], True)  # (B, in)
            if X is not None and update:
                axpy(-1e-9, flat_grad, flat)  # W <- W - lr dE/dW over every parameter
        return float(gWs[0][0, 0] + flat[0])

    return run


def tiny_setup(
    X: np.ndarray, y: np.ndarray, epochs: int, batch_size: int = 10, lr: float = 0.1, seed: int = 0
) -> Callable[[], float]:
    """The playground case: a 2-8-8-1 tanh network with a sigmoid output, BCE, plain SGD.

    The run trains ``epochs`` epochs and returns the last epoch's loss.

    Examples
    --------
    >>> from glassnet.datasets import moons
    >>> X, y = moons(100, seed=0)
    >>> run = tiny_setup(X, y, epochs=2); 0.0 < run() < 1.0
    True
    """
    net = gn_mlp([2, 8, 8, 1], "tanh", output_activation="sigmoid", seed=seed)
    T = y.reshape(-1, 1).astype(np.float32)  # (N, 1)

    def run() -> float:
        h = net.fit(
            X,
            T,
            loss="binary_cross_entropy",
            optimizer="sgd",
            lr=lr,
            epochs=epochs,
            batch_size=batch_size,
            verbose=0,
            seed=seed,
        )
        return h.history["loss"][-1]

    return run


def accuracy_run(
    X: np.ndarray,
    y: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    sizes: tuple[int, ...],
    epochs: int,
    batch_size: int,
    optimizer: str,
    lr: float,
    seed: int = 0,
) -> Callable[[], float]:
    """Train from scratch for ``epochs`` epochs; the run returns the test accuracy.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((200, 2), dtype=np.float32); y = (X[:, 0] > X[:, 1]).astype(np.int64)
    >>> run = accuracy_run(X, y, X, y, (2, 16, 2), 20, 16, "adam", 0.01)
    >>> run() > 0.9
    True
    """
    net = mlp(sizes, seed)

    def run() -> float:
        net.fit(
            X,
            y,
            loss="cross_entropy",
            optimizer=optimizer,
            lr=lr,
            epochs=epochs,
            batch_size=batch_size,
            verbose=0,
            seed=seed,
        )
        return float(np.mean(net.predict_classes(X_test) == y_test))

    return run


class KernelToggle(Callback):
    """A fit callback that switches glassnet's compiled kernels on and off every ``every``
    batches and times each batch under the setting it ran with (the first batch after a
    switch is left out). Both settings thus share the machine's moments, which makes the
    comparison hold on a machine whose speed drifts by up to 2x within seconds.

    Examples
    --------
    >>> t = KernelToggle(every=2)
    >>> for b in range(6):
    ...     t.on_batch_end(b, 8, 0.5)
    >>> len(t.times[True]) + len(t.times[False]), t.restore()
    (3, None)
    """

    def __init__(self, every: int = 10) -> None:
        self.every = every
        self.was = dict(jit._state)
        self.times: dict[bool, list[float]] = {True: [], False: []}
        self.last: float | None = None
        self._set(True)

    def _set(self, on: bool) -> None:
        jit._state.update(checked=True, enabled=on and self.was["enabled"])
        self.on = on

    def on_batch_end(self, batch: int, size: int, loss: float) -> None:
        """Record the batch's time; switch the setting after every ``every`` batches."""
        now = time.perf_counter()
        if self.last is not None and batch % self.every != 0:
            self.times[self.on].append(now - self.last)
        if (batch + 1) % self.every == 0:
            self._set(not self.on)
        self.last = time.perf_counter()

    def restore(self) -> None:
        """Put the kernels' setting back as it was."""
        jit._state.update(self.was)


def kernels_run(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    epochs: int = 2,
    sizes: tuple[int, ...] = MNIST_SIZES,
) -> tuple[float, float, float]:
    """Train with :class:`KernelToggle` on the layer-by-layer step (``jit_compile=False``: the
    compiled step is one kernel for the whole step, which the toggle does not switch); return
    (median s/batch with the kernels, without, final loss).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((640, 4), dtype=np.float32); y = (X[:, 0] > 0.5).astype(np.int64)
    >>> on, off, loss = kernels_run(X, y, 8, epochs=1, sizes=(4, 8, 2)); on > 0 and off > 0
    True
    """
    toggle = KernelToggle()
    try:
        h = mlp(sizes).fit(X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=epochs,
                           batch_size=batch_size, seed=0, verbose=0, callbacks=[toggle],
                           jit_compile=False)  # fmt: skip
    finally:
        toggle.restore()
    on, off = (float(np.median(toggle.times[k])) for k in (True, False))
    return on, off, h.history["loss"][-1]
