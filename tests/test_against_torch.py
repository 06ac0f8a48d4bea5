"""Every layer, activation and loss against PyTorch autograd, in float64, to 1e-10 relative.

For a layer f, with a random input x (N, d) and a random upstream gradient G = dE/dy:
forward values y = f(x) must agree, and backward's dE/dx (and dE/dW, dE/db) must agree with
torch's gradient of sum(f(x) * G). For a loss, E and dE/dy must agree.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")
F = torch.nn.functional

RTOL = 1e-10
SHAPES = [(1, 1), (3, 4), (7, 2), (16, 9)]


def close(actual, expected, atol: float = 1e-14) -> None:
    """Elementwise rtol 1e-10; the atol floor only matters where 1 - y^2 (tanh) or y(1 - y)
    cancels to ~1e-7, whose last bits float64 cannot hold (absolute error ~1e-16)."""
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    assert actual.dtype == np.float64
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=atol)


def t64(a: np.ndarray, grad: bool = True) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


ACTIVATIONS = [
    (gn.Sigmoid, {}, torch.sigmoid),
    (gn.Tanh, {}, torch.tanh),
    (gn.ReLU, {}, torch.relu),
    (gn.LeakyReLU, {"alpha": 0.1}, lambda z: F.leaky_relu(z, negative_slope=0.1)),
    (gn.LeakyReLU, {}, lambda z: F.leaky_relu(z, negative_slope=0.01)),
    (gn.ELU, {}, F.elu),
    (gn.ELU, {"alpha": 0.5}, lambda z: F.elu(z, alpha=0.5)),
    (gn.SiLU, {}, F.silu),
    (gn.GELU, {}, F.gelu),
    (gn.GELU, {"approximate": "tanh"}, lambda z: F.gelu(z, approximate="tanh")),
    (gn.Softplus, {}, F.softplus),  # |z| stays below PyTorch's switch to y = z at 20
    (gn.Softmax, {}, lambda z: torch.softmax(z, dim=1)),
    (gn.Identity, {}, lambda z: z),
]


@pytest.mark.parametrize(("cls", "kwargs", "torch_fn"), ACTIVATIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_activation_forward_and_backward_match_torch(cls, kwargs, torch_fn, shape):
    rng = np.random.default_rng(hash((cls.__name__, shape)) % 2**32)
    x = rng.normal(scale=3.0, size=shape)  # (N, d)
    G = rng.normal(size=shape)  # (N, d)
    act = cls(**kwargs)
    y = act.forward(x)
    dx = act.backward(G)
    xt = t64(x)
    yt = torch_fn(xt)
    (yt * torch.tensor(G)).sum().backward()
    close(y, yt)
    close(dx, xt.grad)


def test_softmax_local_grad_is_the_torch_jacobian():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 4))
    act = gn.Softmax()
    act.forward(x)
    jac = torch.autograd.functional.jacobian(lambda z: torch.softmax(z, dim=1), t64(x, False))
    close(act.local_grad()[0], jac[0, :, 0, :])


@pytest.mark.parametrize("shape", [(1, 1, 1), (5, 3, 4), (8, 10, 2)])
def test_dense_matches_torch(shape):
    n, d_in, d_out = shape
    rng = np.random.default_rng(n * 100 + d_in)
    W, b = rng.normal(size=(d_in, d_out)), rng.normal(size=d_out)
    x, G = rng.normal(size=(n, d_in)), rng.normal(size=(n, d_out))
    layer = gn.Dense(d_in, d_out, weights=W, bias=b, dtype=np.float64)
    y = layer.forward(x)
    dx = layer.backward(G)
    Wt, bt, xt = t64(W), t64(b), t64(x)
    yt = xt @ Wt + bt
    (yt * torch.tensor(G)).sum().backward()
    close(y, yt)
    close(dx, xt.grad)
    close(layer.grads["W"], Wt.grad)
    close(layer.grads["b"], bt.grad)


def test_dense_backward_adds_into_grads_like_torch_accumulates():
    rng = np.random.default_rng(3)
    W, x, G1, G2 = (rng.normal(size=s) for s in [(3, 2), (4, 3), (4, 2), (4, 2)])
    layer = gn.Dense(3, 2, weights=W, bias=np.zeros(2), dtype=np.float64)
    Wt = t64(W)
    for G in (G1, G2):
        layer.forward(x)
        layer.backward(G)
        ((t64(x, False) @ Wt) * torch.tensor(G)).sum().backward()
    close(layer.grads["W"], Wt.grad)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_matches_torch_with_the_same_mask(p):
    rng = np.random.default_rng(int(p * 10))
    x, G = rng.normal(size=(50, 40)), rng.normal(size=(50, 40))
    drop = gn.Dropout(p, rng=np.random.default_rng(1))
    drop.training = True
    y = drop.forward(x)
    dx = drop.backward(G)
    keep = torch.tensor(drop.mask != 0)
    assert abs(keep.double().mean().item() - (1 - p)) < 0.05
    xt = t64(x)
    yt = xt * keep / (1 - p)  # what torch's F.dropout computes for this mask
    (yt * torch.tensor(G)).sum().backward()
    close(y, yt)
    close(dx, xt.grad)
    drop.training = False
    assert drop.forward(x) is x


# -- losses --------------------------------------------------------------------------------
def _loss_case(loss, y, t, torch_value_fn, t_torch):
    value = loss.forward(y, t)
    grad = loss.backward()
    yt = t64(y)
    ref = torch_value_fn(yt, t_torch)
    ref.backward()
    assert value == pytest.approx(ref.item(), rel=RTOL)
    close(grad, yt.grad)


@pytest.mark.parametrize("shape", SHAPES)
def test_mse_matches_torch(shape):
    rng = np.random.default_rng(shape[0] * 7 + shape[1])
    y, t = rng.normal(size=shape), rng.normal(size=shape)
    _loss_case(gn.MSE(), y, t, F.mse_loss, torch.tensor(t))


@pytest.mark.parametrize("shape", SHAPES)
def test_mae_matches_torch_l1_loss(shape):
    rng = np.random.default_rng(shape[0] * 11 + shape[1])
    y, t = rng.normal(size=shape), rng.normal(size=shape)
    _loss_case(gn.MAE(), y, t, F.l1_loss, torch.tensor(t))


@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("shape", SHAPES)
def test_huber_matches_torch_huber_loss(shape, delta):
    rng = np.random.default_rng(shape[0] * 13 + shape[1])
    y, t = rng.normal(scale=2.0, size=shape), rng.normal(size=shape)  # both branches
    ref = lambda a, b: F.huber_loss(a, b, delta=delta)  # noqa: E731
    _loss_case(gn.Huber(delta), y, t, ref, torch.tensor(t))


@pytest.mark.parametrize("shape", SHAPES)
def test_bce_on_probabilities_matches_torch(shape):
    rng = np.random.default_rng(shape[0] * 5 + shape[1])
    y = rng.uniform(0.01, 0.99, size=shape)
    t = rng.uniform(0, 1, size=shape)  # soft targets too
    _loss_case(gn.BinaryCrossEntropy(), y, t, F.binary_cross_entropy, torch.tensor(t))


@pytest.mark.parametrize("shape", SHAPES)
def test_bce_from_logits_matches_bce_with_logits_loss(shape):
    rng = np.random.default_rng(shape[0] * 3 + shape[1])
    z = rng.normal(scale=5.0, size=shape)
    t = rng.integers(0, 2, size=shape).astype(np.float64)
    loss = gn.BinaryCrossEntropy(from_logits=True)
    _loss_case(loss, z, t, F.binary_cross_entropy_with_logits, torch.tensor(t))


@pytest.mark.parametrize(("n", "k"), [(1, 2), (6, 3), (20, 10)])
def test_cross_entropy_with_labels_matches_torch(n, k):
    rng = np.random.default_rng(n + k)
    z = rng.normal(scale=4.0, size=(n, k))
    labels = rng.integers(0, k, size=n)
    _loss_case(gn.CrossEntropy(), z, labels, F.cross_entropy, torch.tensor(labels))


@pytest.mark.parametrize(("n", "k"), [(1, 2), (6, 3), (20, 10)])
def test_cross_entropy_with_one_hot_and_soft_targets_matches_torch(n, k):
    rng = np.random.default_rng(10 * n + k)
    z = rng.normal(scale=4.0, size=(n, k))
    one_hot = np.eye(k)[rng.integers(0, k, size=n)]
    soft = rng.dirichlet(np.ones(k), size=n)
    for t in (one_hot, soft):
        _loss_case(gn.CrossEntropy(), z, t, F.cross_entropy, torch.tensor(t))


def test_cross_entropy_one_hot_equals_labels():
    rng = np.random.default_rng(0)
    z, labels = rng.normal(size=(5, 4)), rng.integers(0, 4, size=5)
    a, b = gn.CrossEntropy(), gn.CrossEntropy()
    assert a.forward(z, labels) == pytest.approx(b.forward(z, np.eye(4)[labels]), rel=1e-14)
    np.testing.assert_allclose(a.backward(), b.backward(), rtol=1e-14)


def test_whole_network_gradients_match_torch():
    rng = np.random.default_rng(5)
    net = gn.Sequential(
        [gn.Dense(3, 5), gn.Tanh(), gn.Dense(5, 4), gn.LeakyReLU(0.2), gn.Dense(4, 3)],
        dtype="float64",
        seed=0,
    )
    x, labels = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    loss = gn.CrossEntropy()
    value = loss.forward(net.forward(x), labels)
    net.zero_grad()
    dx = net.backward(loss.backward())
    W = [t64(layer.params["W"]) for layer in net.layers if layer.params]
    b = [t64(layer.params["b"]) for layer in net.layers if layer.params]
    xt = t64(x)
    h = torch.tanh(xt @ W[0] + b[0])
    h = F.leaky_relu(h @ W[1] + b[1], 0.2)
    ref = F.cross_entropy(h @ W[2] + b[2], torch.tensor(labels))
    ref.backward()
    assert value == pytest.approx(ref.item(), rel=RTOL)
    close(dx, xt.grad)
    dense = [layer for layer in net.layers if layer.params]
    for layer, wt, bt in zip(dense, W, b, strict=True):
        close(layer.grads["W"], wt.grad)
        close(layer.grads["b"], bt.grad)


def test_bce_through_sigmoid_is_torchs_bce_with_logits():
    """fit's loss for a Sigmoid output: E from the logits, exact even where BCELoss clamps."""
    rng = np.random.default_rng(7)
    z = np.concatenate([rng.standard_normal((6, 2)) * 3, [[150.0, -150.0]]])  # (7, 2)
    t = rng.integers(0, 2, (7, 2)).astype(np.float64)
    y = 1 / (1 + np.exp(-z))
    loss = gn.BinaryCrossEntropy()
    E = loss.forward_through_sigmoid(z, y, t)
    zt = t64(z)
    ref = F.binary_cross_entropy_with_logits(zt, t64(t, grad=False))
    ref.backward()
    assert E == pytest.approx(ref.item(), rel=RTOL)
    close(loss.backward_through_sigmoid(), zt.grad)


def test_sigmoid_is_torchs_across_the_range_without_warnings():
    z = np.linspace(-40, 40, 8001).reshape(-1, 1)
    np.testing.assert_allclose(gn.Sigmoid().forward(z), torch.sigmoid(t64(z, False)), rtol=1e-13)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # (underflow to 0 is right)
        y = gn.Sigmoid().forward(np.array([[-1e4, -745.0, 0.0, 745.0, 1e4]]))
    assert y.tolist() == [[0.0, pytest.approx(np.exp(-745.0), rel=1e-6), 0.5, 1.0, 1.0]]
