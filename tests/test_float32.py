"""dtype discipline: a float32 network stays float32 everywhere during fit, and the fast
paths used while fitting (buffers, masks, 1^T G) give the same numbers as the plain ones."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import Dense, ReLU, Sequential, Sigmoid, Tanh, get_optimizer
from glassnet.callbacks import Callback

F32 = np.dtype(np.float32)


class DtypeSpy(Callback):
    """After every batch, record the dtype of every array the step touched."""

    def __init__(self, net: Sequential, opt: object) -> None:
        self.net, self.opt, self.seen, self.values = net, opt, set(), []

    def on_batch_end(self, batch: int, size: int, value: float) -> None:
        self.values.append(value)
        for i, layer in enumerate(self.net.layers):
            for key, arr in [*layer.params.items(), *layer.grads.items()]:
                self.seen.add((f"{i}.{key}", arr.dtype))
            for attr in ("x", "z", "y"):
                if hasattr(layer, attr):
                    self.seen.add((f"{i}.{attr}", getattr(layer, attr).dtype))
            for (key, _), buf in layer._buffers.items():
                self.seen.add((f"{i}.buffer.{key}", buf.dtype))
        for j, state in enumerate(self.opt.state):
            for key, arr in state.items():
                self.seen.add((f"opt.{j}.{key}", arr.dtype))
        for key, arr in self.opt.flat_state.items():  # one flat buffer for all parameters
            self.seen.add((f"opt.flat.{key}", arr.dtype))
        loss = self.net.loss_
        for attr in ("p", "diff", "_grad"):
            arr = getattr(loss, attr, None)
            if isinstance(arr, np.ndarray):
                self.seen.add((f"loss.{attr}", arr.dtype))


def _net(out: int, last: list) -> Sequential:
    return Sequential([Dense(6, 16), ReLU(), Dense(16, 8), Tanh(), Dense(8, out), *last], seed=0)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse", "binary_cross_entropy"])
def test_everything_stays_float32_during_fit(optimizer: str, loss: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 6))  # float64 on purpose: fit must cast it once
    if loss == "cross_entropy":
        net, T = _net(3, []), rng.integers(0, 3, 50)
    else:
        net, T = _net(1, [Sigmoid()]), rng.integers(0, 2, (50, 1)).astype(np.float64)
    opt = get_optimizer(optimizer, lr=0.01)
    spy = DtypeSpy(net, opt)
    net.fit(
        X, T, loss=loss, optimizer=opt, epochs=2, batch_size=16, verbose=0, seed=0, callbacks=[spy]
    )
    bad = sorted((name, str(dt)) for name, dt in spy.seen if dt not in (F32, np.dtype(bool)))
    assert bad == []
    names = {name for name, _ in spy.seen}
    assert {"0.W", "0.b", "0.x", "1.y", "3.z", "4.x"} <= names  # the spy did look
    assert any(name.startswith("opt.") for name in names)  # state (or SGD scratch) checked
    assert all(type(v) is float for v in spy.values)  # the loss reported as a Python float
    assert all(p.value.dtype == F32 and p.grad.dtype == F32 for p in net.parameters())


def test_predict_returns_float32() -> None:
    net = _net(3, [])
    assert net.predict(np.zeros((4, 6))).dtype == F32
    assert net.predict_proba(np.zeros((4, 6)), loss="cross_entropy").dtype == F32


def _step(net: Sequential, X: np.ndarray, G: np.ndarray, reuse: bool) -> list[np.ndarray]:
    for layer in net.layers:
        layer.reuse_buffers = reuse
    net.zero_grad()
    net.forward(X)
    dx = net.backward(G.copy())
    return [dx.copy(), *[p.grad.copy() for p in net.parameters()]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fit_fast_paths_match_the_plain_ones(dtype: str) -> None:
    # Buffers on (as in fit): ReLU by a boolean mask against cached zeros, dE/db = 1^T G.
    # Buffers off: maximum(z, 0) against a scalar, np.sum. Same numbers either way.
    rng = np.random.default_rng(1)
    net = Sequential([Dense(5, 7), ReLU(), Dense(7, 3)], dtype=dtype, seed=2)
    X = rng.standard_normal((9, 5)).astype(dtype)  # (N, in)
    G = rng.standard_normal((9, 3)).astype(dtype)  # (N, out)
    plain, fast = _step(net, X, G, False), _step(net, X, G, True)
    tol = 1e-6 if dtype == "float32" else 1e-12
    for a, b in zip(plain, fast, strict=True):
        assert a.dtype == b.dtype == np.dtype(dtype)
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_relu_backward_by_hand() -> None:
    relu = ReLU()
    relu.reuse_buffers = True  # the fit path
    y = relu.forward(np.array([[-1.0, 0.0, 2.0], [3.0, -0.5, 0.25]], dtype=np.float32))
    np.testing.assert_array_equal(y, [[0, 0, 2], [3, 0, 0.25]])
    g = relu.backward(np.array([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]], dtype=np.float32))
    np.testing.assert_array_equal(g, [[0, 0, 30], [40, 0, 60]])  # passes only where z > 0
    assert g.dtype == F32


def test_bias_gradient_by_hand_on_the_fit_path() -> None:
    d = Dense(2, 2, weights=[[1.0, 0.0], [0.0, 1.0]], bias=[0.0, 0.0], dtype=np.float32)
    d.reuse_buffers = True
    d.forward(np.ones((3, 2), np.float32))
    d.backward(np.array([[1, 2], [3, 4], [5, 6]], np.float32), need_input_grad=False)
    np.testing.assert_array_equal(d.grads["b"], [9, 12])  # column sums 1+3+5, 2+4+6
    np.testing.assert_array_equal(d.grads["W"], [[9, 12], [9, 12]])
