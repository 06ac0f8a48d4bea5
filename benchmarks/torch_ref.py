"""The PyTorch side: idiomatic and as fast as PyTorch goes on a CPU.

Tensor indexing with a shuffled index per batch (a DataLoader is 0.64-0.75x slower still),
``nn.Sequential``, ``nn.CrossEntropyLoss``, ``torch.optim``, ``zero_grad(set_to_none=True)``,
``torch.set_num_threads(2)``; Adam with ``fused=True`` where the CPU build has it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

THREADS = 2


def setup_threads(threads: int = THREADS) -> None:
    """Use ``threads`` intra-op threads, like NumPy's OpenBLAS on this machine.

    Examples
    --------
    >>> setup_threads(2); torch.get_num_threads()
    2
    """
    torch.set_num_threads(threads)


def mlp(sizes: tuple[int, ...], seed: int = 0, activation: type = nn.ReLU) -> nn.Sequential:
    """nn.Sequential of Linear layers with ``activation`` between them (logits out).

    Examples
    --------
    >>> sum(p.numel() for p in mlp((4, 3, 2)).parameters())
    23
    """
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def make_optimizer(model: nn.Module, name: str, lr: float) -> torch.optim.Optimizer:
    """ "sgd", "momentum" (SGD, 0.9) or "adam" (fused where available, else foreach).

    Examples
    --------
    >>> type(make_optimizer(mlp((2, 2)), "momentum", 0.1)).__name__
    'SGD'
    """
    params = list(model.parameters())
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        try:
            return torch.optim.Adam(params, lr=lr, fused=True)
        except (RuntimeError, TypeError):  # pragma: no cover - builds without fused CPU Adam
            return torch.optim.Adam(params, lr=lr, foreach=True)
    raise ValueError(f"optimizer must be 'sgd', 'momentum' or 'adam'; got {name!r}.")


def train_epochs(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    loss_fn: Any,
    X: torch.Tensor,
    T: torch.Tensor,
    epochs: int,
    batch_size: int,
    seed: int = 0,
) -> float:
    """The idiomatic loop; returns the mean loss of the last epoch.

    Examples
    --------
    >>> m = mlp((2, 2)); X = torch.zeros(4, 2); T = torch.tensor([0, 1, 0, 1])
    >>> round(train_epochs(m, make_optimizer(m, "sgd", 0.1), nn.CrossEntropyLoss(), X, T,
    ...                    1, 2), 2) > 0
    True
    """
    gen = torch.Generator().manual_seed(seed)
    n = len(X)
    model.train()
    total = 0.0
    for _ in range(epochs):
        total = 0.0
        perm = torch.randperm(n, generator=gen)
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            xb, tb = X[idx], T[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), tb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
    return total / n


def epoch_setup(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    optimizer: str = "sgd",
    lr: float = 0.1,
    sizes: tuple[int, ...] = (784, 256, 128, 10),
    seed: int = 0,
) -> Callable[[], float]:
    """One epoch of softmax-CE training; the run returns its mean loss.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((64, 4), dtype=np.float32); y = (X[:, 0] > 0.5).astype(np.int64)
    >>> 0.0 < epoch_setup(X, y, 8, sizes=(4, 8, 2))() < 1.0
    True
    """
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    model = mlp(sizes, seed)
    opt = make_optimizer(model, optimizer, lr)
    loss_fn = nn.CrossEntropyLoss()
    return lambda: train_epochs(model, opt, loss_fn, Xt, yt, 1, batch_size, seed)


def tiny_setup(
    X: np.ndarray, y: np.ndarray, epochs: int, batch_size: int = 10, lr: float = 0.1, seed: int = 0
) -> Callable[[], float]:
    """2-8-8-1 tanh with a sigmoid output, BCELoss, plain SGD; returns the last epoch's loss.

    Examples
    --------
    >>> from glassnet.datasets import moons
    >>> X, y = moons(100, seed=0)
    >>> 0.0 < tiny_setup(X, y, epochs=2)() < 1.0
    True
    """
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    Tt = torch.from_numpy(y.reshape(-1, 1).astype(np.float32))
    model = nn.Sequential(mlp((2, 8, 8, 1), seed, nn.Tanh), nn.Sigmoid())
    opt = make_optimizer(model, "sgd", lr)
    loss_fn = nn.BCELoss()
    return lambda: train_epochs(model, opt, loss_fn, Xt, Tt, epochs, batch_size, seed)


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
    >>> accuracy_run(X, y, X, y, (2, 16, 2), 20, 16, "adam", 0.01)() > 0.9
    True
    """
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    Xv = torch.from_numpy(X_test)
    model = mlp(sizes, seed)
    opt = make_optimizer(model, optimizer, lr)
    loss_fn = nn.CrossEntropyLoss()

    def run() -> float:
        train_epochs(model, opt, loss_fn, Xt, yt, epochs, batch_size, seed)
        model.eval()
        with torch.no_grad():
            pred = model(Xv).argmax(dim=1).numpy()
        return float(np.mean(pred == y_test))

    return run
