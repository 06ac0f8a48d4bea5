"""The learning-rate range test: train a copy of the network for a few hundred batches while
the learning rate grows geometrically, and watch the loss.

At first the lr is too small to move anything and the loss stays flat; then it falls, fastest
somewhere in the middle of the range; then the steps overshoot and the loss climbs and blows
up. A good lr to train with lies where the loss falls fastest, well before the blow-up
(Smith, "Cyclical learning rates for training neural networks", 2017; fastai's ``lr_find``,
PyTorch Lightning's ``lr_find``). The network itself is never changed: the test trains a copy.
"""

from __future__ import annotations

import copy as copy_module
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet.optimizers import Optimizer
from glassnet.train import step as training
from glassnet.train.setup import bound_optimizer, loss_for, prepare_data
from glassnet.utils.validation import check_positive_float

__all__ = ["LRFinderResult", "lr_find"]


@dataclass
class LRFinderResult:
    """What :func:`lr_find` saw: each step's lr and loss, the smoothed losses, and two
    readings of them: ``steepest``, the lr where the smoothed loss fell fastest against log lr
    (before its minimum), and ``suggestion``, a tenth of the lr where it was lowest (the
    classic rule: far enough below the blow-up to train safely)."""

    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    smoothed: list[float] = field(default_factory=list)
    suggestion: float | None = None
    steepest: float | None = None
    stopped: str = "end of range"  # or "loss diverged"

    def plot(self, ax: Any = None) -> Any:
        """The loss against the lr (log scale), with the suggestion marked; see
        :func:`glassnet.plot.plot_lr_find`."""
        from glassnet.plot.lr_find import plot_lr_find

        return plot_lr_find(self, ax=ax)


def lr_find(
    net: Any,
    X: Any,
    T: Any,
    *,
    loss: Any = "mse",
    optimizer: Any = "sgd",
    start_lr: float = 1e-6,
    end_lr: float = 10.0,
    steps: int = 100,
    batch_size: int = 32,
    smoothing: float = 0.05,
    diverge_factor: float = 4.0,
    seed: int = 0,
) -> LRFinderResult:
    r"""Run the learning-rate range test on a copy of ``net``; return what it saw.

    Step k (of ``steps``) trains one batch with

    .. math:: \text{lr}_k = \text{start} \cdot (\text{end} / \text{start})^{k / (\text{steps} - 1)}

    and records the batch's loss; the smoothed loss is an exponential moving average with
    weight ``smoothing`` (its start bias divided out). The test stops early once the smoothed
    loss exceeds ``diverge_factor`` times its best, or is not finite. The suggestion is a
    tenth of the lr at the smoothed loss's minimum; ``steepest`` the lr where it falls fastest
    per unit of log lr, before that minimum.

    Parameters
    ----------
    net : Sequential
        The network; a copy is trained, ``net`` is left as it is.
    X, T, loss, batch_size :
        As for ``fit`` (batches cycle through a shuffled X as long as the test needs).
    optimizer : str or Optimizer
        The optimiser to test (its own lr is replaced at every step).
    start_lr, end_lr : float
        The range, start < end, both > 0.
    steps : int
        Batches to train, at least 5.
    smoothing, diverge_factor : float
        The moving average's weight in (0, 1], and when to stop (> 1).
    seed : int
        Seeds the shuffling and the copy's dropout.

    Returns
    -------
    LRFinderResult

    Examples
    --------
    >>> from glassnet import mlp
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(256, 2)); T = X @ np.array([[1.0], [-2.0]])  # (256, 1)
    >>> found = lr_find(mlp("2,8,1", activation="tanh", seed=0), X, T, steps=60)
    >>> len(found.lrs) <= 60 and found.lrs[0] == 1e-6, 1e-4 < found.suggestion < 1.0
    (True, True)
    """
    start_lr = check_positive_float(start_lr, "start_lr")
    end_lr = check_positive_float(end_lr, "end_lr")
    if not end_lr > start_lr:
        raise ValueError(f"end_lr must be larger than start_lr; got {start_lr} and {end_lr}.")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 5:
        raise ValueError(f"steps must be an integer >= 5; got {steps!r}.")
    if not 0 < smoothing <= 1:
        raise ValueError(f"smoothing must be in (0, 1]; got {smoothing!r}.")
    if not diverge_factor > 1:
        raise ValueError(f"diverge_factor must be > 1; got {diverge_factor!r}.")
    copy = net.copy()
    loss_obj = loss_for(copy, loss)
    data = prepare_data(copy, loss_obj, X, T, None, None, 0.0, None)
    X, T = data.X, data.T
    if isinstance(optimizer, Optimizer):  # the caller's keeps its parameters and state
        optimizer = copy_module.deepcopy(optimizer)
    opt = bound_optimizer(optimizer, start_lr, copy)
    rng = np.random.default_rng(seed)
    result = LRFinderResult()
    order, pos, average, best = rng.permutation(len(X)), 0, 0.0, math.inf
    copy.train()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(steps):
            if pos >= len(order):  # another pass, another order
                order, pos = rng.permutation(len(X)), 0
            idx = order[pos : pos + batch_size]
            pos += len(idx)
            lr = start_lr * (end_lr / start_lr) ** (k / (steps - 1))
            opt.lr = lr
            # the training step (glassnet.train.step); value is the batch's E before it
            value, _ = training.train_step(copy, loss_obj, X[idx], T[idx], opt)
            average = smoothing * value + (1 - smoothing) * average
            smoothed = average / (1 - (1 - smoothing) ** (k + 1))  # the start bias divided out
            result.lrs.append(lr)
            result.losses.append(float(value))
            result.smoothed.append(float(smoothed))
            if not math.isfinite(smoothed) or smoothed > diverge_factor * best:
                result.stopped = "loss diverged"  # (the copy, stepped once more, is dropped)
                break
            best = min(best, smoothed)
    result.steepest = _steepest(result.lrs, result.smoothed)
    finite = [
        (v, lr) for v, lr in zip(result.smoothed, result.lrs, strict=True) if math.isfinite(v)
    ]
    if finite:
        result.suggestion = min(finite)[1] / 10
    return result


def _steepest(lrs: list[float], smoothed: list[float]) -> float | None:
    """The lr where the smoothed loss falls fastest against log lr, before its minimum and
    after the first tenth of the steps (where the average has seen too few batches to trust:
    fastai skips its first 10 too)."""
    finite = [i for i, v in enumerate(smoothed) if math.isfinite(v)]
    if len(finite) < 3:
        return None
    lowest = min(finite, key=lambda i: smoothed[i])
    skip = max(1, len(smoothed) // 10)
    if lowest - skip < 2:
        return None
    x = np.log(np.asarray(lrs[skip : lowest + 1]))  # (m,)
    y = np.asarray(smoothed[skip : lowest + 1])  # (m,)
    slope = np.gradient(y, x)  # d loss / d log lr
    return float(lrs[skip + int(np.argmin(slope))])
