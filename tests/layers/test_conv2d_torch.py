"""Conv2D against PyTorch float64 autograd: forward, dE/dx, dE/dW and dE/db to 1e-10, on the
NumPy path and on the compiled one, over strides, paddings ("same" included), channel counts,
non-square and 1x1 kernels, odd sizes and batch 1; chunked batches; buffer reuse as in fit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassnet.layers import Conv2D, conv2d

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {"rtol": 1e-10, "atol": 1e-10}


def torch_conv(x, W, b, stride, padding, G):
    """(y, dx, dW, db) from PyTorch float64 autograd, E = sum(y * G)."""
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    y = F.conv2d(xt, Wt, bt, stride=stride, padding=padding)
    (y * torch.tensor(G)).sum().backward()
    return y.detach().numpy(), xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


def check_against_torch(n, c, o, h, w, kernel, stride, padding, seed, reuse=False):
    rng = np.random.default_rng(seed)
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x = rng.normal(size=(n, c, h, w))
    W = rng.normal(size=(o, c, kh, kw))
    b = rng.normal(size=o)
    conv = Conv2D(c, o, kernel, stride, padding, weights=W, bias=b, dtype=np.float64)
    conv.reuse_buffers = reuse
    y = conv.forward(x).copy()
    G = rng.normal(size=y.shape)
    ty, tdx, tdW, tdb = torch_conv(x, W, b, stride, padding, G)
    np.testing.assert_allclose(y, ty, **TOL)
    dx = conv.backward(G)
    np.testing.assert_allclose(dx, tdx, **TOL)
    np.testing.assert_allclose(conv.grads["W"], tdW, **TOL)
    np.testing.assert_allclose(conv.grads["b"], tdb, **TOL)
    return conv


CASES = [
    # n, c, o, h, w, kernel, stride, padding
    (1, 1, 1, 4, 4, 2, 1, 0),  # batch 1, the hand-worked size
    (2, 3, 4, 7, 5, 3, 1, 1),  # odd sizes, padding 1
    (3, 2, 5, 9, 8, (3, 2), 2, 0),  # non-square kernel, stride 2
    (2, 3, 2, 8, 8, 3, 2, 1),  # stride 2 with padding 1
    (2, 4, 3, 6, 7, 1, 1, 0),  # 1x1 kernel
    (2, 2, 3, 7, 7, 3, 1, "same"),
    (2, 2, 3, 6, 5, (4, 2), 1, "same"),  # even kernels: the extra zero goes after
    (2, 1, 2, 5, 6, (1, 3), (2, 1), (0, 2)),  # pairs everywhere
    (1, 2, 2, 7, 7, 2, 3, 0),  # stride past the kernel: pixels no window reads
    (2, 2, 2, 3, 4, 3, 1, 2),  # padding wider than the image's border
    (1, 1, 8, 28, 28, 3, 1, 0),  # the benchmark's first layer
    (2, 8, 16, 13, 13, 3, 1, 0),  # and its second
    (1, 3, 2, 5, 5, "valid", 1, 0),
]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("case", CASES)
def test_conv2d_equals_torch(case, path):
    n, c, o, h, w, kernel, stride, padding = case
    if kernel == "valid":  # padding="valid" is padding 0
        kernel, padding = 3, "valid"
    conv = check_against_torch(n, c, o, h, w, kernel, stride, padding, seed=len(str(case)))
    assert conv.fast == (path == "compiled")


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3),
    c=st.integers(1, 3),
    o=st.integers(1, 4),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    ph=st.integers(0, 2),
    pw=st.integers(0, 2),
    extra_h=st.integers(0, 6),
    extra_w=st.integers(0, 6),
    seed=st.integers(0, 2**32 - 1),
    compiled=st.booleans(),
)
def test_conv2d_equals_torch_on_random_shapes(
    n, c, o, kh, kw, sh, sw, ph, pw, extra_h, extra_w, seed, compiled
):
    from glassnet.fast import jit

    h = max(1, kh - 2 * ph) + extra_h  # at least one window fits
    w = max(1, kw - 2 * pw) + extra_w
    saved = dict(jit._state), jit.MIN_SIZE
    try:
        if compiled and jit.enabled():
            jit.MIN_SIZE = 0
        else:
            jit._state.update(checked=True, enabled=False)
        check_against_torch(n, c, o, h, w, (kh, kw), (sh, sw), (ph, pw), seed)
    finally:
        jit._state.update(saved[0])
        jit.MIN_SIZE = saved[1]


def test_conv2d_chunked_batches_equal_torch(path, monkeypatch):
    # a batch whose windows exceed CHUNK_BYTES runs in chunks and backward unrolls again
    monkeypatch.setattr(conv2d, "CHUNK_BYTES", 2 * 8 * 3 * 3 * 5 * 5)  # two samples a chunk
    conv = check_against_torch(5, 3, 4, 7, 7, 3, 1, 0, seed=3)
    if path == "compiled":
        assert conv.cols is None  # not kept: backward unrolled each chunk again


@pytest.mark.parametrize("reuse", [False, True])
def test_conv2d_buffer_reuse_and_accumulation(reuse, path):
    conv = check_against_torch(2, 3, 4, 6, 6, 3, 1, 1, seed=5, reuse=reuse)
    rng = np.random.default_rng(5)
    first_W, first_b = conv.grads["W"].copy(), conv.grads["b"].copy()
    x = rng.normal(size=(2, 3, 6, 6))
    G = rng.normal(size=(2, 4, 6, 6))
    conv.forward(x)
    conv.backward(G, need_input_grad=False)  # gradients add up until zero_grad
    _, _, dW, db = torch_conv(x, conv.params["W"], conv.params["b"], 1, 1, G)
    np.testing.assert_allclose(conv.grads["W"], first_W + dW, **TOL)
    np.testing.assert_allclose(conv.grads["b"], first_b + db, **TOL)
    conv.zero_grad()
    conv.forward(x)
    assert conv.backward(G, need_input_grad=False) is None
    np.testing.assert_allclose(conv.grads["W"], dW, **TOL)


def test_conv2d_default_init_is_pytorchs_bound(rng):
    conv = Conv2D(8, 16, 3, rng=rng)
    bound = 1 / np.sqrt(8 * 3 * 3)
    for key in ("W", "b"):
        v = conv.params[key]
        assert v.dtype == np.float32 and np.abs(v).max() <= bound
        assert np.abs(v).max() > 0.9 * bound  # spread over the whole interval
    assert conv.params["W"].shape == (16, 8, 3, 3) and conv.params["b"].shape == (16,)
    ref = torch.nn.Conv2d(8, 16, 3)
    assert np.abs(ref.weight.detach().numpy()).max() <= bound  # the same interval
    zeros = Conv2D(1, 2, 2, init="he_normal", bias_init="zeros", rng=rng)
    assert not zeros.params["b"].any() and zeros.params["W"].std() > 0


def test_conv2d_weights_move_to_and_from_torch(rng):
    ref = torch.nn.Conv2d(3, 5, (3, 2), stride=2, padding=1).double()
    conv = Conv2D(3, 5, (3, 2), stride=2, padding=1, dtype=np.float64,
                  weights=ref.weight.detach().numpy(), bias=ref.bias.detach().numpy())  # fmt: skip
    x = rng.normal(size=(2, 3, 9, 8))
    np.testing.assert_allclose(conv.forward(x), ref(torch.tensor(x)).detach().numpy(), **TOL)


def test_conv2d_weight_gradient_summed_over_blocks_equals_torch(path, monkeypatch):
    # dE/dW's product runs over blocks of DW_BLOCK output positions: 7 leaves a ragged last one
    monkeypatch.setattr(conv2d, "DW_BLOCK", 7)
    check_against_torch(3, 2, 3, 6, 7, 3, 1, 1, seed=8)
