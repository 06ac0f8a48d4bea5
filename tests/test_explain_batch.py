"""explain_batch: each sample's slope is explain's, their mean is the batch's own gradient
(the mean of the derivatives is the derivative of the mean), and the network takes that step."""

import numpy as np
import pytest

import glassnet as gn


def two_node() -> gn.Sequential:
    return gn.Sequential(
        [gn.Dense(1, 1, weights=[[0.5]], bias=[0.1]), gn.Sigmoid()], dtype="float64"
    )


def test_two_node_batch_by_hand():
    step = gn.explain_batch(two_node(), [[1.0], [2.0]], [[0.8], [0.3]], lr=0.5)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    slopes = []
    for x, t in ((1.0, 0.8), (2.0, 0.3)):
        y = sig(0.5 * x + 0.1)
        slopes.append(2 * (y - t) * y * (1 - y) * x)  # dE/dY * dY/dz * dz/dw
    np.testing.assert_allclose(step.slopes, slopes, rtol=1e-12)
    assert step.slope == pytest.approx(np.mean(slopes), rel=1e-12)
    assert step.batch_slope == pytest.approx(step.slope, rel=1e-12)
    assert step.after == pytest.approx(0.5 - 0.5 * np.mean(slopes), rel=1e-12)
    assert step.name == "w" and "update     w <- w - lr*dE/dw = 0.5000 - 0.5*" in step.to_text()


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_a_hidden_weights_mean_slope_is_the_batch_gradient(loss):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 2))
    T = rng.integers(0, 2, size=5) if loss == "cross_entropy" else rng.normal(size=(5, 2))
    net = gn.mlp("2,3,2", activation="tanh", dtype="float64", seed=0)
    reference = net.copy()
    step = gn.explain_batch(net, X, T, weight=(2, 1, 0), loss=loss, lr=0.1)  # w2[2,1]
    assert step.name == "w2[2,1]" and len(step.samples) == 5
    assert step.batch_slope == pytest.approx(step.slope, rel=1e-10)
    for sample, slope in zip(step.samples, step.slopes, strict=True):  # explain's own numbers
        assert any(e.param == "W[1,0]" and e.kind == "dE/dw" and e.value == pytest.approx(slope)
                   for e in sample.equations)  # fmt: skip
    loss_obj = gn.get_loss(loss)  # the whole network took one SGD step on the batch
    loss_obj.forward(reference.forward(X), T)
    reference.backward(loss_obj.backward())
    for p, q in zip(reference.parameters(), net.parameters(), strict=True):
        np.testing.assert_allclose(q.value, p.value - 0.1 * p.grad, rtol=1e-12)


def test_bad_batches_are_refused():
    with pytest.raises(ValueError, match=r"X must be a batch of shape \(N, in\)"):
        gn.explain_batch(two_node(), [1.0, 2.0], [0.8, 0.3])
    with pytest.raises(ValueError, match="X has 2 rows but T has 3"):
        gn.explain_batch(two_node(), [[1.0], [2.0]], [[0.8], [0.3], [0.1]])
