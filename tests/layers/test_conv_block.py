"""The fused ConvReLUPool gives the numbers of Conv2D, ReLU and MaxPool2D run one by one
(forward bit for bit, gradients to rounding), matches PyTorch float64, falls back to the
layers where it cannot fuse, and ``fuse`` finds exactly the Conv2D, ReLU, MaxPool2D runs."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.activations import LeakyReLU, ReLU
from glassnet.fast import jit, threads
from glassnet.layers import Conv2D, Dense, Flatten, MaxPool2D, conv2d, conv_block
from glassnet.layers.conv_block import ConvReLUPool, fuse

CASES = [
    # n, c, o, h, w, conv kwargs, pool kwargs
    (4, 1, 8, 28, 28, {"kernel_size": 3}, {"kernel_size": 2}),  # the benchmark's stages
    (3, 8, 16, 13, 13, {"kernel_size": 3}, {"kernel_size": 2}),
    (1, 2, 3, 9, 8, {"kernel_size": (3, 2), "stride": 2, "padding": 1}, {"kernel_size": 2}),
    (2, 3, 4, 8, 8, {"kernel_size": 3, "padding": "same"}, {"kernel_size": 3, "stride": 1}),
    (2, 2, 2, 10, 7, {"kernel_size": 1}, {"kernel_size": (3, 2), "stride": (2, 3)}),
]


def three(case, dtype, seed=0):
    """The same Conv2D, ReLU, MaxPool2D twice: one set for the block, one run one by one."""
    n, c, o, h, w, ckw, pkw = case
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(o, c, *np.broadcast_to(ckw["kernel_size"], 2)))
    b = rng.normal(size=o) * 0.5
    made = [
        (Conv2D(c, o, weights=W, bias=b, dtype=dtype, **ckw), ReLU(), MaxPool2D(**pkw))
        for _ in range(2)
    ]
    x = rng.normal(size=(n, c, h, w)).astype(dtype)
    return made, x, rng


def run_layers(layers, x, G, need):
    for layer in layers:
        x = layer.forward(x)
    y = x.copy()
    g = G
    for i, layer in enumerate(reversed(layers)):
        g = layer.backward(g, need or i < 2)
    return y, g


@pytest.mark.parametrize("layout", ["whole", "blocks", "unrolled again"])
@pytest.mark.parametrize("need", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES)
def test_block_equals_the_layers_one_by_one(case, dtype, need, layout, monkeypatch):
    if not jit.enabled():
        pytest.skip("numba is not installed")
    monkeypatch.setattr(jit, "MIN_SIZE", 0)
    monkeypatch.setattr(threads, "MIN_SPLIT", 2)  # halves on two threads, ragged for odd n
    if layout != "whole":  # blocks of one sample, with a ragged split into halves
        monkeypatch.setattr(conv_block, "BLOCK_SAMPLES", 1)
    if layout == "unrolled again":  # the windows not kept: backward unrolls each block again
        monkeypatch.setattr(conv_block, "KEEP_BYTES", 0)
    (fused_layers, plain), x, rng = three(case, dtype)
    block = ConvReLUPool(*fused_layers)
    for layer in (*fused_layers, plain[0], plain[2]):
        layer.reuse_buffers = True  # as in fit; the ReLU's compiled backward takes 2-D only
    for step in range(3):  # buffers reused, gradients written after zero_grad, then added
        if step == 1:
            block.conv.zero_grad()
            plain[0].zero_grad()
        xs = x + step
        y = block.forward(xs).copy()
        assert block.fused
        assert (block.conv.cols is None) == (layout == "unrolled again")
        G = rng.normal(size=y.shape).astype(dtype)
        dx = block.backward(G, need)
        ry, rdx = run_layers(plain, xs, G, need)
        np.testing.assert_array_equal(y, ry)  # the same sums, the same max: bit for bit
        tol = (
            {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-5, "atol": 2e-5}
        )
        if need:
            assert dx.dtype == dtype
            np.testing.assert_allclose(dx, rdx, **tol)
        else:
            assert dx is None and rdx is None
        for key in ("W", "b"):
            got, want = block.conv.grads[key], plain[0].grads[key]
            assert got.dtype == dtype
            np.testing.assert_allclose(got, want, **tol)


def test_block_matches_torch():
    torch = pytest.importorskip("torch")
    if not jit.enabled():
        pytest.skip("numba is not installed")
    (layers, _), x, rng = three(CASES[2], np.float64, seed=4)
    block = ConvReLUPool(*layers)
    conv = block.conv
    y = block.forward(x)
    G = rng.normal(size=y.shape)
    dx = block.backward(G)
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(conv.params["W"], requires_grad=True)
    bt = torch.tensor(conv.params["b"], requires_grad=True)
    z = torch.nn.functional.conv2d(xt, Wt, bt, stride=conv.stride, padding=conv.pad_h[0])
    yt = torch.nn.functional.max_pool2d(torch.relu(z), 2)
    (yt * torch.tensor(G)).sum().backward()
    tol = {"rtol": 1e-10, "atol": 1e-10}
    np.testing.assert_allclose(y, yt.detach().numpy(), **tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **tol)
    np.testing.assert_allclose(conv.grads["W"], Wt.grad.numpy(), **tol)
    np.testing.assert_allclose(conv.grads["b"], bt.grad.numpy(), **tol)


def test_block_ties_after_the_relu_go_where_the_layers_send_them(monkeypatch):
    if not jit.enabled():
        pytest.skip("numba is not installed")
    monkeypatch.setattr(jit, "MIN_SIZE", 0)
    # a bias of -100 makes every value negative: all windows tie at 0 after the ReLU, the
    # first position wins, and no gradient gets through
    case = (2, 2, 3, 8, 8, {"kernel_size": 3}, {"kernel_size": 2})
    (layers, plain), x, rng = three(case, np.float64)
    for conv in (layers[0], plain[0]):
        conv.params["b"][...] = -100.0
    block = ConvReLUPool(*layers)
    y = block.forward(x)
    G = rng.normal(size=y.shape)
    dx = block.backward(G)
    ry, rdx = run_layers(plain, x, G, True)
    assert not y.any() and not dx.any() and not block.conv.grads["W"].any()
    np.testing.assert_array_equal(block.pool.arg, plain[2].arg)
    np.testing.assert_array_equal(rdx, dx)


def test_block_runs_the_layers_where_it_cannot_fuse(monkeypatch):
    case = CASES[1]
    (layers, plain), x, rng = three(case, np.float64)
    block = ConvReLUPool(*layers)
    monkeypatch.setitem(jit._state, "checked", True)
    monkeypatch.setitem(jit._state, "enabled", False)  # no kernels: the layers, NumPy
    y = block.forward(x)
    assert not block.fused
    G = rng.normal(size=y.shape)
    ry, rdx = run_layers(plain, x, G, True)
    np.testing.assert_array_equal(y, ry)
    np.testing.assert_allclose(block.backward(G), rdx, rtol=1e-12, atol=1e-12)
    monkeypatch.undo()
    if jit.enabled():
        monkeypatch.setattr(conv2d, "CHUNK_BYTES", 1)  # one sample a chunk: too big to fuse
        monkeypatch.setattr(jit, "MIN_SIZE", 0)
        block.forward(x)
        assert not block.fused


def test_fuse_finds_exactly_conv_relu_maxpool_runs():
    conv = lambda: Conv2D(1, 1, 3)  # noqa: E731
    steps = fuse(
        [
            conv(),
            ReLU(),
            MaxPool2D(2),
            conv(),
            LeakyReLU(),
            MaxPool2D(2),
            conv(),
            ReLU(),
            Flatten(),
            Dense(4, 2),
            conv(),
            ReLU(),
            MaxPool2D(2),
        ]  # fmt: skip
    )
    names = [type(s).__name__ for s in steps]
    assert names == ["ConvReLUPool", "Conv2D", "LeakyReLU", "MaxPool2D", "Conv2D", "ReLU",
                     "Flatten", "Dense", "ConvReLUPool"]  # fmt: skip
    with pytest.raises(TypeError, match="runs Conv2D, ReLU and MaxPool2D; got Conv2D, LeakyReLU"):
        ConvReLUPool(conv(), LeakyReLU(), MaxPool2D(2))
