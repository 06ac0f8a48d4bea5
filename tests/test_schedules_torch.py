"""The learning-rate schedules against torch.optim.lr_scheduler: the lr of every epoch of a fit
against PyTorch's StepLR, ExponentialLR and CosineAnnealingLR, and ReduceLROnPlateau against
PyTorch's fed the same metrics (its lr, best, bad epochs and cooldown after every step)."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")
sched = torch.optim.lr_scheduler

X = np.random.default_rng(1).normal(size=(30, 2))
Y = (X[:, 0] > 0).astype(int)
EPOCHS = 25


def torch_lrs(make, lr, epochs=EPOCHS):
    """The lr of each epoch under a PyTorch scheduler stepped once per epoch."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = make(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return lrs


@pytest.mark.parametrize(
    ("ours", "theirs", "lr"),
    [
        (gn.StepLR(4, 0.3), lambda o: sched.StepLR(o, step_size=4, gamma=0.3), 0.7),
        (gn.StepLR(1), lambda o: sched.StepLR(o, step_size=1), 0.05),
        (gn.ExponentialLR(0.9), lambda o: sched.ExponentialLR(o, gamma=0.9), 0.3),
        (gn.CosineAnnealingLR(EPOCHS), lambda o: sched.CosineAnnealingLR(o, T_max=EPOCHS), 0.2),
        (gn.CosineAnnealingLR(10, eta_min=0.01),
         lambda o: sched.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 0.2),
    ],
    ids=["step", "step-default-gamma", "exponential", "cosine", "cosine-past-T_max"],
)  # fmt: skip
def test_epoch_schedules_match_pytorch(ours, theirs, lr):
    h = gn.mlp("2,2", seed=0).fit(X, Y, loss="cross_entropy", optimizer="sgd", lr=lr,
                                  epochs=EPOCHS, seed=0, callbacks=[ours], verbose=0)  # fmt: skip
    expected = torch_lrs(theirs, lr)
    # PyTorch steps its lr recursively (lr * gamma, a cosine ratio); ours is the closed form:
    # equal up to rounding
    assert h.history["lr"] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert len(set(expected)) > 2  # the lr does change


def metric_sequence(seed, n=60):
    """A noisy, slowly falling loss with plateaus and repeated values."""
    rng = np.random.default_rng(seed)
    values = np.cumsum(rng.normal(-0.01, 0.05, size=n)) + 2.0
    values[rng.integers(0, n, size=8)] = values[0]  # some exact repeats of the first
    return np.round(values, 3).tolist()


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(factor=0.5, patience=2),
        dict(factor=0.1, patience=0, min_delta=0.0),
        dict(factor=0.5, patience=1, cooldown=3, min_delta=0.02),
        dict(factor=0.7, patience=3, cooldown=1, min_lr=0.3),
        dict(factor=0.5, patience=1, mode="max"),
    ],
    ids=["patience", "no-patience", "cooldown", "min_lr", "max"],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reduce_lr_on_plateau_matches_pytorch(kwargs, seed):
    kwargs = {"min_delta": 1e-4, **kwargs}
    ours = gn.ReduceLROnPlateau(monitor="loss", **kwargs)
    ours.optimizer = gn.SGD(lr=0.8)
    ours.on_train_begin(None)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.8)
    theirs = sched.ReduceLROnPlateau(
        opt,
        mode=kwargs.get("mode", "min"),
        factor=kwargs["factor"],
        patience=kwargs["patience"],
        threshold=kwargs["min_delta"],
        threshold_mode="abs",
        cooldown=kwargs.get("cooldown", 0),
        min_lr=kwargs.get("min_lr", 0.0),
    )
    lrs, counters = [], []
    for epoch, value in enumerate(metric_sequence(seed)):
        ours.on_epoch_end(epoch, {"loss": value})
        theirs.step(value)
        assert ours.optimizer.lr == opt.param_groups[0]["lr"]  # the same arithmetic: exact
        assert (ours.best, ours.wait, ours.cooldown_counter) == (
            theirs.best,
            theirs.num_bad_epochs,
            theirs.cooldown_counter,
        )
        lrs.append(ours.optimizer.lr)
        counters.append(ours.cooldown_counter)
    assert len(set(lrs)) > 1  # the sequence does trigger drops
    assert max(counters) == kwargs.get("cooldown", 0)  # and cooldowns, where there are some
    if "min_lr" in kwargs:
        assert lrs[-1] == kwargs["min_lr"]  # reached, then kept
