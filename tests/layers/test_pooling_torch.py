"""MaxPool2D, AvgPool2D, GlobalAvgPool2D and Flatten against PyTorch float64 autograd to
1e-10 (forward and dE/dx), on the NumPy path and the compiled one; max-pool ties routed to the
first maximum as PyTorch routes them, overlapping windows adding up."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassnet.layers import AvgPool2D, Flatten, GlobalAvgPool2D, MaxPool2D

torch = pytest.importorskip("torch")

TOL = {"rtol": 1e-10, "atol": 1e-10}


def torch_pair(module, x, G):
    """(y, dx) of a torch module on x with E = sum(y * G)."""
    xt = torch.tensor(x, requires_grad=True)
    y = module(xt)
    (y * torch.tensor(G)).sum().backward()
    return y.detach().numpy(), xt.grad.numpy()


def check(layer, module, x, rng):
    y = layer.forward(x).copy()
    G = rng.normal(size=y.shape)
    ty, tdx = torch_pair(module, x, G)
    np.testing.assert_allclose(y, ty, **TOL)
    np.testing.assert_allclose(layer.backward(G), tdx, **TOL)
    assert layer.backward(G, need_input_grad=False) is None


POOLS = [
    # n, c, h, w, kernel, stride
    (1, 1, 4, 4, 2, None),
    (2, 3, 7, 9, 2, None),  # odd sizes: the last row and column are in no window
    (2, 2, 8, 8, 3, 1),  # overlapping windows
    (2, 2, 9, 7, (3, 2), (2, 1)),
    (1, 3, 5, 5, 1, None),
    (2, 2, 6, 10, (2, 4), 3),
    (2, 8, 26, 26, 2, None),  # the benchmark's pools
    (2, 16, 11, 11, 2, None),
]


@pytest.mark.parametrize("case", POOLS)
def test_max_pool_equals_torch(case, path, rng):
    n, c, h, w, kernel, stride = case
    x = rng.normal(size=(n, c, h, w))
    check(MaxPool2D(kernel, stride), torch.nn.MaxPool2d(kernel, stride), x, rng)


@pytest.mark.parametrize("case", POOLS)
def test_avg_pool_equals_torch(case, rng):
    n, c, h, w, kernel, stride = case
    x = rng.normal(size=(n, c, h, w))
    check(AvgPool2D(kernel, stride), torch.nn.AvgPool2d(kernel, stride), x, rng)


@pytest.mark.parametrize("case", [(2, 2, 8, 8, 3, 1), (1, 1, 6, 6, 2, None), (2, 3, 7, 7, 3, 2)])
def test_max_pool_ties_go_to_the_first_maximum_as_in_torch(case, path, rng):
    n, c, h, w, kernel, stride = case
    x = rng.integers(0, 3, size=(n, c, h, w)).astype(np.float64)  # many ties
    check(MaxPool2D(kernel, stride), torch.nn.MaxPool2d(kernel, stride), x, rng)
    zeros = np.zeros((1, 1, 4, 4))  # all tied: each window's top-left pixel
    pool = MaxPool2D(2)
    pool.forward(zeros)
    dx = pool.backward(np.ones((1, 1, 2, 2)))[0, 0]
    np.testing.assert_array_equal(dx, [[1, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]])


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3),
    c=st.integers(1, 3),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sh=st.integers(1, 4),
    sw=st.integers(1, 4),
    extra_h=st.integers(0, 6),
    extra_w=st.integers(0, 6),
    seed=st.integers(0, 2**32 - 1),
    compiled=st.booleans(),
)
def test_pools_equal_torch_on_random_shapes(n, c, kh, kw, sh, sw, extra_h, extra_w, seed, compiled):
    from glassnet.fast import jit

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c, kh + extra_h, kw + extra_w))
    saved = dict(jit._state), jit.MIN_SIZE
    try:
        if compiled and jit.enabled():
            jit.MIN_SIZE = 0
        else:
            jit._state.update(checked=True, enabled=False)
        check(MaxPool2D((kh, kw), (sh, sw)), torch.nn.MaxPool2d((kh, kw), (sh, sw)), x, rng)
    finally:
        jit._state.update(saved[0])
        jit.MIN_SIZE = saved[1]
    check(AvgPool2D((kh, kw), (sh, sw)), torch.nn.AvgPool2d((kh, kw), (sh, sw)), x, rng)


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 5, 7), (3, 16, 5, 5)])
def test_global_avg_pool_equals_torch(shape, rng):
    module = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    check(GlobalAvgPool2D(), module, rng.normal(size=shape), rng)


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 5, 7), (3, 16, 5, 5), (4, 6), (2, 3, 4)])
def test_flatten_equals_torch(shape, rng):
    check(Flatten(), torch.nn.Flatten(), rng.normal(size=shape), rng)


def test_flatten_is_a_view_both_ways(rng):
    x = rng.normal(size=(2, 3, 4, 5))
    flat = Flatten()
    y = flat.forward(x)
    assert y.shape == (2, 60) and np.shares_memory(x, y)
    g = rng.normal(size=(2, 60))
    assert np.shares_memory(flat.backward(g), g)
