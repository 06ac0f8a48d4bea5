"""BatchNorm1D and BatchNorm2D against PyTorch float64: outputs, dE/dx, dE/dgamma, dE/dbeta and
the running statistics, step after step in training mode (batch statistics, biased variance
to normalise, unbiased for the running variance), then in eval mode (running statistics)."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.layers import BatchNorm1D, BatchNorm2D

torch = pytest.importorskip("torch")

TOL = {"rtol": 1e-10, "atol": 1e-10}

CASES = [
    # layer, torch class, per-batch shape, eps, momentum
    (BatchNorm2D, torch.nn.BatchNorm2d, (4, 3, 5, 6), 1e-5, 0.1),
    (BatchNorm2D, torch.nn.BatchNorm2d, (1, 2, 3, 3), 1e-3, 0.3),  # batch 1, H W > 1
    (BatchNorm2D, torch.nn.BatchNorm2d, (5, 1, 1, 2), 1e-5, 0.0),
    (BatchNorm1D, torch.nn.BatchNorm1d, (6, 4), 1e-5, 0.1),
    (BatchNorm1D, torch.nn.BatchNorm1d, (2, 5), 0.5, 1.0),  # two samples, momentum 1
    (BatchNorm1D, torch.nn.BatchNorm1d, (3, 2, 7), 1e-5, 0.1),  # (N, C, L)
]


def pair(cls, tcls, n_ch, eps, momentum, rng):
    layer = cls(n_ch, eps=eps, momentum=momentum, dtype=np.float64)
    ref = tcls(n_ch, eps=eps, momentum=momentum).double()
    gamma, beta = rng.normal(size=n_ch), rng.normal(size=n_ch)
    layer.params["gamma"][...], layer.params["beta"][...] = gamma, beta
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(gamma))
        ref.bias.copy_(torch.tensor(beta))
    return layer, ref


def step(layer, ref, x, G):
    """One forward and backward of both; compare everything."""
    layer.zero_grad()
    ref.zero_grad()
    y = layer.forward(x).copy()
    xt = torch.tensor(x, requires_grad=True)
    yt = ref(xt)
    (yt * torch.tensor(G)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(layer.backward(G), xt.grad.numpy(), **TOL)
    np.testing.assert_allclose(layer.grads["gamma"], ref.weight.grad.numpy(), **TOL)
    np.testing.assert_allclose(layer.grads["beta"], ref.bias.grad.numpy(), **TOL)
    np.testing.assert_allclose(layer.state["running_mean"], ref.running_mean.numpy(), **TOL)
    np.testing.assert_allclose(layer.state["running_var"], ref.running_var.numpy(), **TOL)


@pytest.mark.parametrize("case", CASES, ids=lambda c: str(c) if isinstance(c, tuple) else None)
def test_batch_norm_train_steps_then_eval_equal_torch(case, rng):
    cls, tcls, shape, eps, momentum = case
    layer, ref = pair(cls, tcls, shape[1], eps, momentum, rng)
    layer.training, ref.training = True, True
    for k in range(4):  # running statistics after several steps, batches of varied scale
        x = rng.normal(loc=k, scale=1 + k, size=shape)
        step(layer, ref, x, rng.normal(size=shape))
    layer.training = False
    ref.eval()
    for _ in range(2):
        x = rng.normal(loc=1.0, size=shape)
        step(layer, ref, x, rng.normal(size=shape))


def test_batch_norm_three_terms_by_hand():
    # x = (1, 3): mean 2, variance 1, x_hat = (-1, 1) / sqrt(1 + eps); eps 0 gives round numbers
    bn = BatchNorm1D(1, eps=1e-300, dtype=np.float64)  # eps > 0 is required; this one vanishes
    bn.params["gamma"][...] = 2.0
    bn.training = True
    y = bn.forward(np.array([[1.0], [3.0]]))
    np.testing.assert_allclose(y[:, 0], [-2.0, 2.0])
    G = np.array([[1.0], [5.0]])
    dx = bn.backward(G)
    # gamma / sigma * (G - mean G - x_hat mean(G x_hat)) = 2 * ((1, 5) - 3 - (-1, 1) * 2)
    np.testing.assert_allclose(dx[:, 0], [0.0, 0.0])
    np.testing.assert_allclose(bn.grads["gamma"], [4.0])  # sum G x_hat = -1 + 5
    np.testing.assert_allclose(bn.grads["beta"], [6.0])
    G = np.array([[1.0], [2.0]])
    bn.zero_grad()
    bn.forward(np.array([[1.0], [3.0]]))
    # 2 * ((1, 2) - 1.5 - (-1, 1) * 0.5) = 2 * (0, 0): a G along x_hat plus a constant is
    # exactly what the mean and variance terms remove
    np.testing.assert_allclose(bn.backward(G)[:, 0], [0.0, 0.0], atol=1e-12)
    # four values (0, 0, 4, 4): mean 2, variance 4, x_hat = (-1, -1, 1, 1), gamma / sigma = 1
    bn.zero_grad()
    y = bn.forward(np.array([[0.0], [0.0], [4.0], [4.0]]))
    np.testing.assert_allclose(y[:, 0], [-2.0, -2.0, 2.0, 2.0])
    G = np.array([[1.0], [0.0], [0.0], [0.0]])
    # mean G = 1/4, mean(G x_hat) = -1/4: G - 1/4 - x_hat (-1/4) = (1/2, -1/2, 0, 0)
    np.testing.assert_allclose(bn.backward(G)[:, 0], [0.5, -0.5, 0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(bn.grads["gamma"], [-1.0])
    np.testing.assert_allclose(bn.grads["beta"], [1.0])


def test_batch_norm_needs_two_values_per_channel_while_training():
    bn = BatchNorm1D(3)
    bn.training = True
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn.forward(np.ones((1, 3), np.float32))
    bn.training = False  # inference normalises a single sample with the running statistics
    assert bn.forward(np.ones((1, 3), np.float32)).shape == (1, 3)


def test_batch_norm_state_is_not_learnt_and_casts(rng):
    bn = BatchNorm2D(4)
    assert set(bn.params) == {"gamma", "beta"} and set(bn.state) == {"running_mean", "running_var"}
    assert bn.n_params == 8
    bn.astype(np.float64)
    assert all(v.dtype == np.float64 for v in (*bn.params.values(), *bn.state.values()))
