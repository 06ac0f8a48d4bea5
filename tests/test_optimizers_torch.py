"""Every optimiser against torch.optim: the same gradients, several steps, float64, to 1e-10.

Also: training in float32 keeps everything float32 (parameters, gradients, optimiser state),
since one float64 array sneaking in would make every step pay for conversions.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.optimizers import Parameter

torch = pytest.importorskip("torch")

STEPS = 5
SHAPES = [(3, 2), (2,), (1, 1)]

CASES = [  # (glassnet class, torch class, shared keyword arguments)
    (gn.SGD, torch.optim.SGD, {"lr": 0.1}),
    (gn.SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    (gn.SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (gn.SGD, torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.01}),
    (gn.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1}),
    (gn.RMSprop, torch.optim.RMSprop, {"lr": 0.01}),
    (gn.RMSprop, torch.optim.RMSprop, {"lr": 0.01, "momentum": 0.9}),
    (gn.RMSprop, torch.optim.RMSprop, {"lr": 0.01, "weight_decay": 0.1}),
    (
        gn.RMSprop,
        torch.optim.RMSprop,
        {"lr": 0.02, "alpha": 0.9, "eps": 1e-6, "momentum": 0.5, "weight_decay": 0.05},
    ),
    (gn.Adam, torch.optim.Adam, {"lr": 0.01}),
    (gn.Adam, torch.optim.Adam, {"lr": 0.01, "weight_decay": 0.1}),
    (gn.Adam, torch.optim.Adam, {"lr": 0.03, "betas": (0.8, 0.95), "eps": 1e-6}),
    (gn.AdamW, torch.optim.AdamW, {"lr": 0.01}),  # both default to weight_decay 0.01
    (gn.AdamW, torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.5}),
    (gn.AdamW, torch.optim.AdamW, {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.0}),
]


@pytest.mark.parametrize(("ours", "theirs", "kwargs"), CASES, ids=lambda c: repr(c)[:60])
def test_optimizer_matches_torch_over_several_steps(ours, theirs, kwargs):
    rng = np.random.default_rng(0)
    start = [rng.normal(size=s) for s in SHAPES]
    grads = [[rng.normal(size=s) for s in SHAPES] for _ in range(STEPS)]
    params = [Parameter(str(i), w.copy(), np.zeros_like(w)) for i, w in enumerate(start)]
    opt = ours(params, **kwargs)
    tparams = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in start]
    topt = theirs(tparams, **kwargs)
    for step in range(STEPS):
        for p, tp, g in zip(params, tparams, grads[step], strict=True):
            p.grad[...] = g
            tp.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        topt.step()
        for p, tp in zip(params, tparams, strict=True):
            assert p.value.dtype == np.float64
            np.testing.assert_allclose(p.value, tp.detach().numpy(), rtol=1e-10, atol=1e-13)
    assert opt.t == STEPS
    # the start moved: a test in which nothing happens would pass trivially
    assert not np.allclose(params[0].value, start[0])


def test_optimizers_update_in_place():
    w = np.array([1.0, 2.0])
    p = Parameter("w", w, np.array([0.5, -0.5]))
    for opt in (gn.SGD([p], lr=0.1, momentum=0.9), gn.RMSprop([p]), gn.Adam([p]), gn.AdamW([p])):
        opt.step()
        assert p.value is w


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_float32_training_stays_float32(name, weight_decay):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))  # float64 on purpose: fit casts it once
    T = rng.integers(0, 3, size=40)
    net = gn.Sequential(
        [gn.Dense(3, 8), gn.ReLU(), gn.Dropout(0.2), gn.Dense(8, 3)], dtype="float32", seed=0
    )
    kwargs = {"weight_decay": weight_decay} if weight_decay else {}
    if name == "adamw":
        kwargs.setdefault("weight_decay", 0.0)
    opt = gn.get_optimizer(name, lr=0.01, **kwargs)
    seen: list[np.dtype] = []

    def hook(params):
        seen.extend(p.grad.dtype for p in params)
        seen.extend(p.value.dtype for p in params)

    net.fit(X, T, loss="cross_entropy", optimizer=opt, epochs=2, batch_size=16, verbose=0,
            seed=0, grad_hook=hook)  # fmt: skip
    assert seen and set(seen) == {np.dtype(np.float32)}
    for p in net.parameters():
        assert p.value.dtype == np.float32, p.name
        assert p.grad.dtype == np.float32, p.name
    state = [arr for per_param in opt.state for arr in per_param.values()]
    assert state  # every optimiser keeps per-parameter arrays (SGD at least its scratch)
    for arr in state:
        assert arr.dtype == np.float32
    assert net.predict(X).dtype == np.float32
    assert net.predict_proba(X).dtype == np.float32


def test_float32_checkpoint_state_stays_float32(tmp_path):
    rng = np.random.default_rng(1)
    X, T = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    net = gn.Sequential([gn.Dense(2, 4), gn.Tanh(), gn.Dense(4, 1)], seed=0)
    opt = gn.Adam(lr=0.01)
    net.fit(X, T, optimizer=opt, epochs=2, verbose=0, seed=0)
    gn.save_checkpoint(net, tmp_path / "c.npz", optimizer=opt)
    net2, opt2, _ = gn.load_checkpoint(tmp_path / "c.npz")
    assert net2.dtype == np.float32
    assert {a.dtype for s in opt2.state for a in s.values()} == {np.dtype(np.float32)}


def step_both(opt, topt, params, tparams, rng, atol):
    """STEPS steps of both optimisers on the same random gradients, comparing after each."""
    for _ in range(STEPS):
        for p, tp in zip(params, tparams, strict=True):
            g = rng.normal(size=p.value.shape)
            p.grad[...] = g
            tp.grad = torch.tensor(g)
        opt.step()
        topt.step()
        for p, tp in zip(params, tparams, strict=True):
            np.testing.assert_allclose(p.value, tp.detach().numpy(), rtol=1e-10, atol=atol)


SPARED = [  # optimisers with weight decay, their torch twins, and settings (decay_biases=False)
    (gn.SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.2}),
    (gn.RMSprop, torch.optim.RMSprop, {"lr": 0.01, "weight_decay": 0.3}),
    (gn.Adam, torch.optim.Adam, {"lr": 0.02, "weight_decay": 0.3}),
    (gn.AdamW, torch.optim.AdamW, {"lr": 0.02, "weight_decay": 0.5}),
]


@pytest.mark.parametrize(("ours", "theirs", "kwargs"), SPARED, ids=lambda c: repr(c)[:40])
@pytest.mark.parametrize("flat", [True, False], ids=["flat buffer", "per parameter"])
def test_decay_biases_false_is_torchs_param_group_without_decay(ours, theirs, kwargs, flat):
    """decay_biases=False equals torch.optim with two param groups: the weights with the
    decay, the biases with weight_decay=0 (scikit-learn's rule for alpha)."""
    net = gn.mlp([3, 4, 2], activation="tanh", seed=0, dtype="float64")
    params = (
        net.parameters()
        if flat
        else [  # copies: no flat buffer behind them
            Parameter(p.name, p.value.copy(), p.grad.copy()) for p in net.parameters()
        ]
    )
    opt = ours(params, decay_biases=False, **kwargs)
    assert (opt.flat is not None) == flat
    tparams = [torch.tensor(p.value, requires_grad=True) for p in params]
    weights = [t for p, t in zip(params, tparams, strict=True) if p.name.endswith("W")]
    biases = [t for p, t in zip(params, tparams, strict=True) if p.name.endswith("b")]
    assert len(weights) == len(biases) == 2
    topt = theirs([{"params": weights}, {"params": biases, "weight_decay": 0.0}], **kwargs)
    rng = np.random.default_rng(1)
    step_both(opt, topt, params, tparams, rng, atol=1e-13)
    # and the decay acts: by default the biases end elsewhere (Adam's first step is lr sign(g)
    # whatever the decay, so over several steps)
    default = [Parameter(p.name, p.value.copy(), p.grad.copy()) for p in params]
    spared = [Parameter(p.name, p.value.copy(), p.grad.copy()) for p in params]
    opts = ours(default, **kwargs), ours(spared, decay_biases=False, **kwargs)
    for _ in range(STEPS):
        for a, b in zip(default, spared, strict=True):
            a.grad[...] = b.grad[...] = rng.normal(size=a.value.shape)
        for o in opts:
            o.step()
    assert not np.allclose(default[1].value, spared[1].value, rtol=1e-6, atol=0)  # a bias
    np.testing.assert_array_equal(default[0].value, spared[0].value)  # a weight: decayed alike


def test_decay_biases_is_checked_and_kept_in_the_settings():
    with pytest.raises(TypeError, match="decay_biases must be True or False; got 'no'"):
        gn.SGD(lr=0.1, decay_biases="no")
    opt = gn.Adam(lr=0.1, weight_decay=0.1, decay_biases=False)
    assert opt.hyperparameters()["decay_biases"] is False
    assert "decay_biases" not in gn.Adam(lr=0.1).hyperparameters()  # the default reads as torch's
    rebuilt = gn.optimizers.get_optimizer("adam", **opt.hyperparameters())
    assert rebuilt.decay_biases is False and rebuilt.weight_decay == 0.1


KERNEL_CASES = [  # optimisers with a compiled update (glassnet.fast.optim_kernels)
    (gn.Adam, torch.optim.Adam, {"lr": 0.01}),
    (gn.Adam, torch.optim.Adam, {"lr": 0.01, "weight_decay": 0.1, "betas": (0.8, 0.95)}),
    (gn.AdamW, torch.optim.AdamW, {"lr": 0.02, "weight_decay": 0.5}),
    (gn.RMSprop, torch.optim.RMSprop, {"lr": 0.01}),
    (
        gn.RMSprop,
        torch.optim.RMSprop,
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "weight_decay": 0.1},
    ),
]
BIG = [(30, 20), (20,), (20, 7), (7,)]  # 767 elements, past jit.MIN_SIZE: the compiled path


@pytest.mark.parametrize(("ours", "theirs", "kwargs"), KERNEL_CASES, ids=lambda c: repr(c)[:60])
@pytest.mark.parametrize("flat", [True, False], ids=["flat buffer", "per parameter"])
def test_compiled_updates_match_torch(ours, theirs, kwargs, flat, monkeypatch):
    """The compiled one-pass updates, on parameters large enough to take them, against
    torch.optim in float64 to 1e-10 (flat: one buffer, as a Sequential's parameters)."""
    from glassnet.fast import jit
    from glassnet.optimizers import adam, rmsprop

    if not jit.enabled():
        pytest.skip("numba is not installed: the compiled updates are off")
    calls = []
    for module, name in ((adam, "adam_update"), (rmsprop, "rmsprop_update")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=real, **k: calls.append(1) or _f(*a, **k))
    rng = np.random.default_rng(0)
    start = [rng.normal(size=s) for s in BIG]
    if flat:
        values = np.concatenate([w.ravel() for w in start])  # (767,)
        grads = np.zeros_like(values)
        offsets = np.cumsum([0] + [w.size for w in start])
        params = [
            Parameter(
                f"{i}.{'W' if w.ndim == 2 else 'b'}",
                values[a:b].reshape(w.shape),
                grads[a:b].reshape(w.shape),
            )
            for i, (w, a, b) in enumerate(zip(start, offsets[:-1], offsets[1:], strict=True))
        ]
        assert jit.worth(values.size)  # fmt: skip
    else:
        params = [Parameter(str(i), w.copy(), np.zeros_like(w)) for i, w in enumerate(start)]
    opt = ours(params, **kwargs)
    assert (opt.flat is not None) == flat
    tparams = [torch.tensor(w, requires_grad=True) for w in start]
    topt = theirs(tparams, **kwargs)
    step_both(opt, topt, params, tparams, rng, atol=1e-12)
    assert not np.allclose(params[0].value, start[0])
    assert len(calls) == STEPS  # compiled: the flat buffer, or the (30, 20) one (others: NumPy)


@pytest.mark.parametrize("name", ["adam", "adamw", "rmsprop"])
def test_compiled_and_numpy_updates_agree_in_float32(name, monkeypatch):
    from glassnet.fast import jit

    if not jit.enabled():
        pytest.skip("numba is not installed: the compiled updates are off")

    def train():
        rng = np.random.default_rng(0)
        X, y = rng.normal(size=(200, 20)).astype(np.float32), rng.integers(0, 4, 200)
        net = gn.mlp("20,32,4", seed=0)
        opt = gn.get_optimizer(name, lr=0.01, weight_decay=0.01, decay_biases=False)
        h = net.fit(X, y, loss="cross_entropy", optimizer=opt, epochs=3, batch_size=50,
                    seed=0, verbose=0)  # fmt: skip
        return h.history["loss"], [p.value.copy() for p in net.parameters()]

    compiled = train()
    monkeypatch.setitem(jit._state, "enabled", False)
    plain = train()
    np.testing.assert_allclose(compiled[0], plain[0], rtol=1e-5)
    for a, b in zip(compiled[1], plain[1], strict=True):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
