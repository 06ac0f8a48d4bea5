"""The CNN benchmark's two sides: glassnet's layers driven by a training loop of its own, and
idiomatic PyTorch, on MNIST-shaped float32 images (N, 1, 28, 28).

The network is issue 17's: Conv2D(1, 8, 3), ReLU, MaxPool2D(2), Conv2D(8, 16, 3), ReLU,
MaxPool2D(2), Flatten, Dense(400, 10), trained with softmax cross-entropy and plain SGD.

Until ``Sequential.fit`` takes images, :func:`glassnet_setup` trains with a loop that does what
``fit``'s layer-by-layer step does, step for step: gather the shuffled batch's rows (the kernel
``fit`` uses), forward through the layers with their buffers reused, the loss and its gradient
in one call (``CrossEntropy.error_and_gradient``, labels trusted as ``fit`` trusts them), backward
without the first layer's input gradient, one SGD step over the network's flat parameter
buffer, then mark the gradients to be overwritten by the next backward. ``fused=True`` runs
each Conv2D, ReLU, MaxPool2D stage as one :class:`~glassnet.layers.conv_block.ConvReLUPool`.
Both sides start from the same weights (PyTorch's default initialisation, copied).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: samples/s targets against PyTorch, by batch size (issue 17)
TARGETS = {32: 1.0, 128: 1.0, 512: 0.8}


def torch_cnn(seed: int = 0) -> Any:
    """The network in PyTorch: nn.Sequential of Conv2d, ReLU, MaxPool2d, ..., Linear.

    Examples
    --------
    >>> sum(p.numel() for p in torch_cnn().parameters())
    5258
    """
    import torch
    from torch import nn

    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 8, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 10),
    )


def glassnet_cnn(seed: int = 0, same_as_torch: bool = True) -> Any:
    """The same network in glassnet, as a Sequential (its parameters in one flat buffer),
    starting from :func:`torch_cnn`'s weights (``same_as_torch=False``: glassnet's own draw,
    PyTorch's distributions, without importing torch).

    Examples
    --------
    >>> glassnet_cnn().n_params
    5258
    """
    from glassnet import Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential

    rng = np.random.default_rng(seed)
    if same_as_torch:
        ref = [p.detach().numpy() for p in torch_cnn(seed).parameters()]
    else:  # Conv2D's default is PyTorch's; Dense draws as nn.Linear: U(+-1/sqrt(400))
        convs = [Conv2D(1, 8, 3, rng=rng), Conv2D(8, 16, 3, rng=rng)]
        ref = [a for c in convs for a in (c.params["W"], c.params["b"])]
        bound = 1 / np.sqrt(400)
        ref += [rng.uniform(-bound, bound, (10, 400)), rng.uniform(-bound, bound, 10)]
    return Sequential(
        [
            Conv2D(1, 8, 3, weights=ref[0], bias=ref[1]),
            ReLU(),
            MaxPool2D(2),
            Conv2D(8, 16, 3, weights=ref[2], bias=ref[3]),
            ReLU(),
            MaxPool2D(2),
            Flatten(),
            Dense(400, 10, weights=ref[4].T, bias=ref[5]),
        ],
        dtype="float32",
    )


def glassnet_setup(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    lr: float = 0.05,
    seed: int = 0,
    fused: bool = True,
    same_as_torch: bool = True,
) -> Callable[[], float]:
    """One pass over X (N, 784) float32 as images (N, 1, 28, 28); the run returns the mean loss
    of its last quarter of batches.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((64, 784), dtype=np.float32); y = rng.integers(0, 10, 64)
    >>> 0.0 < glassnet_setup(X, y, 16)() < 5.0
    True
    """
    from glassnet.activations import ReLU
    from glassnet.fast import jit
    from glassnet.layers.conv_block import fuse
    from glassnet.losses import CrossEntropy
    from glassnet.optimizers import SGD

    net = glassnet_cnn(seed, same_as_torch)
    steps = fuse(net.layers) if fused else list(net.layers)
    opt = SGD(lr=lr).bind(net)
    loss = CrossEntropy()
    loss.trusted_labels = True  # fit checks the labels once, then trusts them
    learnt = [layer for layer in net.layers if layer.params]
    for layer in net.layers:
        # as fit; but the ReLU's compiled backward takes (N, d) arrays only, so on images it
        # keeps NumPy (not reached when fused: the block never calls it)
        layer.reuse_buffers = not isinstance(layer, ReLU)
    net.train()
    n, b = len(X), batch_size
    xbuf = np.empty((min(b, n), X.shape[1]), X.dtype)  # (B, 784)
    tbuf = np.empty(min(b, n), y.dtype)  # (B,)
    last = max(1, -(-n // b) // 4)  # batches in the last quarter
    rng = np.random.default_rng(seed)

    def run() -> float:
        order = rng.permutation(n)
        tail = []
        for start in range(0, n, b):
            idx = order[start : start + b]
            m = len(idx)
            x = jit.gather_rows(X, idx, xbuf[:m]).reshape(m, 1, 28, 28)  # (m, 1, 28, 28)
            t = y.take(idx, 0, tbuf[:m])
            for step in steps:
                x = step.forward(x)
            value, grad = loss.error_and_gradient(x, t)
            for i in range(len(steps) - 1, -1, -1):
                grad = steps[i].backward(grad, i > 0)
            opt.step()
            for layer in learnt:
                layer._grads_are_zero = True  # the next backward overwrites the gradients
            if start >= n - last * b:
                tail.append(value)
        return float(np.mean(tail))

    return run


def torch_setup(
    X: np.ndarray, y: np.ndarray, batch_size: int, lr: float = 0.05, seed: int = 0
) -> Callable[[], float]:
    """The same pass in idiomatic PyTorch (tensor indexing with a shuffled index per batch,
    CrossEntropyLoss, torch.optim.SGD, zero_grad(set_to_none=True)); the run returns the mean
    loss of its last quarter of batches.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((64, 784), dtype=np.float32); y = rng.integers(0, 10, 64)
    >>> 0.0 < torch_setup(X, y, 16)() < 5.0
    True
    """
    import torch
    from torch import nn

    Xt = torch.from_numpy(X).reshape(-1, 1, 28, 28)  # a view: no copy
    yt = torch.from_numpy(y)
    model = torch_cnn(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    n, b = len(X), batch_size
    last = max(1, -(-n // b) // 4)
    model.train()

    def run() -> float:
        perm = torch.randperm(n, generator=gen)
        tail = []
        for start in range(0, n, b):
            idx = perm[start : start + b]
            xb, tb = Xt[idx], yt[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), tb)
            loss.backward()
            opt.step()
            if start >= n - last * b:
                tail.append(loss.item())
        return float(np.mean(tail))

    return run
