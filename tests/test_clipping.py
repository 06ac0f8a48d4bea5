"""Gradient clipping: against PyTorch's clip_grad_norm_ and clip_grad_value_, and inside fit,
where it bounds every step and rescues a learning rate that diverges without it."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.callbacks import Callback
from glassnet.optimizers import Parameter
from glassnet.train.fit import DivergedError

torch = pytest.importorskip("torch")


def _params(seed: int) -> list[Parameter]:
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (4, 2), (2,)]
    return [
        Parameter(str(i), np.zeros(s), rng.normal(scale=3.0, size=s)) for i, s in enumerate(shapes)
    ]


@pytest.mark.parametrize("max_norm", [0.5, 5.0, 1e6])
def test_clip_grad_norm_is_torchs(max_norm):
    ours = _params(0)
    tensors = [torch.zeros(p.grad.shape, dtype=torch.float64, requires_grad=True) for p in ours]
    for t, p in zip(tensors, ours, strict=True):
        t.grad = torch.tensor(p.grad.copy())
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    assert gn.clip_grad_norm(ours, max_norm) == pytest.approx(total.item(), rel=1e-12)
    for t, p in zip(tensors, ours, strict=True):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12)


def test_clip_grad_value_is_torchs():
    ours = _params(1)
    tensors = [torch.zeros(p.grad.shape, dtype=torch.float64, requires_grad=True) for p in ours]
    for t, p in zip(tensors, ours, strict=True):
        t.grad = torch.tensor(p.grad.copy())
    torch.nn.utils.clip_grad_value_(tensors, 1.5)
    gn.clip_grad_value(ours, 1.5)
    for t, p in zip(tensors, ours, strict=True):
        np.testing.assert_array_equal(p.grad, t.grad.numpy())


class StepSizes(Callback):
    """The norm of each step's change of all parameters."""

    def __init__(self, net):
        self.net, self.sizes = net, []
        self.last = np.concatenate([p.value.ravel() for p in net.parameters()])

    def on_batch_end(self, batch, size, loss):
        now = np.concatenate([p.value.ravel() for p in self.net.parameters()])
        self.sizes.append(float(np.linalg.norm(now - self.last)))
        self.last = now


def test_fit_with_clip_norm_bounds_every_step():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 3)), rng.normal(size=(200, 1)) * 10
    lr, clip = 0.1, 0.5
    net = gn.mlp("3,8,1", activation="tanh", dtype="float64", seed=0)
    steps = StepSizes(net)
    h = net.fit(X, y, optimizer="sgd", lr=lr, epochs=2, batch_size=20, clip_norm=clip,
                callbacks=[steps], seed=0, verbose=0)  # fmt: skip
    assert max(steps.sizes) <= lr * clip * (1 + 1e-9)  # plain SGD: the step is lr * g
    assert max(steps.sizes) == pytest.approx(lr * clip, rel=1e-3)  # and the clip did bite
    assert h.params["clip_norm"] == clip
    same = gn.mlp("3,8,1", activation="tanh", dtype="float64", seed=0)
    free = gn.mlp("3,8,1", activation="tanh", dtype="float64", seed=0)
    same.fit(
        X, y, optimizer="sgd", lr=lr, epochs=2, batch_size=20, clip_norm=1e9, seed=0, verbose=0
    )
    free.fit(X, y, optimizer="sgd", lr=lr, epochs=2, batch_size=20, seed=0, verbose=0)
    for a, b in zip(same.parameters(), free.parameters(), strict=True):  # a loose clip: no change
        np.testing.assert_array_equal(a.value, b.value)


def test_clipping_rescues_a_learning_rate_that_diverges():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 4)) * 5
    y = X @ rng.normal(size=(4, 1)) * 3
    settings = dict(optimizer="sgd", lr=0.05, epochs=20, batch_size=30, seed=0, verbose=0)
    with pytest.raises(DivergedError):
        gn.mlp("4,16,1", activation="relu", dtype="float64", seed=0).fit(X, y, **settings)
    net = gn.mlp("4,16,1", activation="relu", dtype="float64", seed=0)
    h = net.fit(X, y, clip_norm=1.0, **settings)
    assert h.history["loss"][-1] < 0.1 * h.history["loss"][0]
    clipped = gn.mlp("4,16,1", activation="relu", dtype="float64", seed=0)
    h = clipped.fit(X, y, clip_value=0.5, **settings)
    assert np.isfinite(h.history["loss"][-1]) and h.params["clip_value"] == 0.5


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"clip_norm": 0}, ValueError), ({"clip_value": -1.0}, ValueError),
     ({"clip_norm": "x"}, TypeError)],
)  # fmt: skip
def test_bad_clip_values_are_refused(kwargs, error):
    name = next(iter(kwargs))
    with pytest.raises(error, match=f"{name} must be a (finite number > 0|positive number)"):
        gn.mlp("2,1", seed=0).fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0, **kwargs)
