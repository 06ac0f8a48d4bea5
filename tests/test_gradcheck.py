"""gradcheck: passes correct backward passes, catches wrong ones, leaves the network alone."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn


class WrongSigmoid(gn.Sigmoid):
    """A classic mistake: dy/dz = y instead of y(1 - y)."""

    def _df(self):
        return self.y

    def _backward_into(self, grad_out, out):
        return np.multiply(grad_out, self.y, out=out)


class WrongBiasDense(gn.Dense):
    """Forgets that dE/db sums over the batch: takes only the first sample's gradient."""

    def backward(self, grad_out, need_input_grad=True):
        dx = super().backward(grad_out, need_input_grad)
        self.grads["b"][...] = grad_out[0]
        return dx


def data(n=5, d=3, k=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(n, k))


def test_correct_network_passes_with_tiny_errors():
    X, T = data()
    net = gn.Sequential([gn.Dense(3, 4), gn.Sigmoid(), gn.Dense(4, 2)], seed=0)
    report = gn.gradcheck(net, X, T)
    assert report.passed and report.worst < 1e-7
    assert sorted(report.errors) == ["0.W", "0.b", "2.W", "2.b", "input"]
    assert set(report.per_layer()) == {"0", "2", "input"}
    assert "PASSED" in str(report) and "FAIL" not in str(report)


def test_wrong_activation_derivative_is_caught():
    X, T = data()
    net = gn.Sequential([gn.Dense(3, 4), WrongSigmoid(), gn.Dense(4, 2)], seed=0)
    report = gn.gradcheck(net, X, T)
    assert not report.passed
    assert report.errors["0.W"] > 1e-2 and report.errors["input"] > 1e-2
    assert report.errors["2.W"] < 1e-7  # the layer above the mistake is still right
    text = str(report)
    assert "FAILED" in text and "0.W" in text and "FAIL" in text.splitlines()[1]


def test_wrong_bias_gradient_is_caught():
    X, T = data()
    net = gn.Sequential([gn.Dense(3, 4), gn.Tanh(), WrongBiasDense(4, 2)], seed=0)
    report = gn.gradcheck(net, X, T)
    assert not report.passed and report.errors["2.b"] > 1e-2 and report.errors["2.W"] < 1e-7


def test_gradcheck_leaves_the_network_untouched():
    X, T = data()
    net = gn.Sequential([gn.Dense(3, 4), gn.ReLU(), gn.Dropout(0.5), gn.Dense(4, 2)], seed=0)
    before = [p.value.copy() for p in net.parameters()]
    net.train()
    assert gn.gradcheck(net, X, T).passed  # Dropout checked in inference mode
    assert net.dtype == np.float32 and all(layer.training for layer in net.layers)
    for p, w in zip(net.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.value, w)


def test_tiny_gradient_entries_are_not_false_failures():
    """Regression: an input gradient of ~3e-7 used to fail on finite-difference rounding."""
    rng = np.random.default_rng(301353246)
    net = gn.mlp([2, 2, 3], "sigmoid", output_activation="sigmoid", dtype="float64", seed=301353246)
    X, T = rng.normal(size=(3, 2)), rng.uniform(0, 1, size=(3, 3))
    report = gn.gradcheck(net, X, T, loss="binary_cross_entropy")
    assert report.passed, str(report)


@pytest.mark.parametrize("seed", range(20))
def test_cli_defaults_pass_for_many_seeds(seed):
    """Many seeds of a 4-8-3 sigmoid net with cross-entropy: no false failures."""
    rng = np.random.default_rng(seed)
    net = gn.mlp("4,8,3", "sigmoid", dtype="float64", seed=seed)
    report = gn.gradcheck(net, rng.normal(size=(4, 4)), rng.integers(0, 3, size=4), "cross_entropy")
    assert report.passed, str(report)


def test_tolerance_decides_passed():
    X, T = data()
    net = gn.Sequential([gn.Dense(3, 2)], seed=0)
    report = gn.gradcheck(net, X, T, tolerance=1e-30)
    assert report.tolerance == 1e-30
    assert report.passed == (report.worst <= 1e-30)
    assert gn.gradcheck(net, X, T).passed
    # the verdict follows the tolerance: 1e-5 fails a bound of 1e-6 and passes 1e-4
    assert not gn.GradcheckReport({"0.W": 1e-5}, tolerance=1e-6).passed
    assert gn.GradcheckReport({"0.W": 1e-5}, tolerance=1e-4).passed


class DoubledBiasGrad(gn.Dense):
    """A Dense whose backward reports twice the true dE/db: relative error 1/3."""

    def backward(self, grad_out, need_input_grad=True):
        out = super().backward(grad_out, need_input_grad)
        self.grads["b"] *= 2
        return out


def test_a_wrong_gradient_fails_a_tight_tolerance_and_passes_a_loose_one():
    X, T = data()
    net = gn.Sequential([DoubledBiasGrad(3, 2)], seed=0)
    tight = gn.gradcheck(net, X, T, tolerance=1e-6)
    assert not tight.passed
    assert tight.errors["0.b"] == pytest.approx(1 / 3, rel=1e-4)
    assert tight.errors["0.W"] < 1e-6  # only the broken gradient is flagged
    assert gn.gradcheck(net, X, T, tolerance=0.5).passed
