"""The learning-rate range test: its schedule and smoothing by hand, the network it leaves
alone, the divergence it stops at, and a suggestion that trains."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.optimizers import SGD


def _digits():
    d = gn.datasets.load("digits")
    return d.X_train / 16, d.y_train, d.X_test / 16, d.y_test


def test_schedule_and_smoothing_by_hand():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    T = X @ np.array([[1.0], [-1.0]])
    found = gn.lr_find(gn.mlp("2,4,1", seed=0), X, T, start_lr=1e-3, end_lr=1e-1, steps=5,
                       smoothing=0.5)  # fmt: skip
    np.testing.assert_allclose(found.lrs, [1e-3, 10**-2.5, 1e-2, 10**-1.5, 1e-1][: len(found.lrs)])
    a, want = 0.0, []
    for k, v in enumerate(found.losses):  # the moving average, its start bias divided out
        a = 0.5 * v + 0.5 * a
        want.append(a / (1 - 0.5 ** (k + 1)))
    np.testing.assert_allclose(found.smoothed, want, rtol=1e-12)
    assert found.smoothed[0] == pytest.approx(found.losses[0])


def test_the_network_and_a_given_optimiser_are_left_alone():
    X, y, _, _ = _digits()
    net = gn.mlp("64,16,10", seed=0)
    before = [p.value.copy() for p in net.parameters()]
    opt = SGD(net.parameters(), lr=0.123)
    gn.lr_find(net, X, y, loss="cross_entropy", optimizer=opt, steps=20)
    for p, w in zip(net.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.value, w)
    assert opt.lr == 0.123 and opt.params[0].value is net.parameters()[0].value and opt.t == 0


def test_it_stops_when_the_loss_blows_up_and_its_suggestion_trains():
    X, y, Xt, yt = _digits()
    net = gn.mlp("64,32,10", seed=0)
    found = gn.lr_find(net, X, y, loss="cross_entropy", optimizer="sgd", end_lr=1e3, steps=100)
    assert found.stopped == "loss diverged" and len(found.lrs) < 100
    assert max(found.smoothed) > 4 * min(found.smoothed[:-1])  # the step that stopped it
    lowest = found.lrs[int(np.argmin(found.smoothed))]
    assert found.suggestion == pytest.approx(lowest / 10)
    assert found.steepest is not None and found.steepest <= lowest
    scores = {}
    for lr in (found.suggestion, found.lrs[0]):  # the suggestion against the range's start
        model = gn.mlp("64,32,10", seed=0)
        model.fit(X, y, loss="cross_entropy", optimizer="sgd", lr=lr, epochs=5, seed=0, verbose=0)
        scores[lr] = model.evaluate(Xt, yt)["accuracy"]
    assert scores[found.suggestion] >= 0.9 > 0.3 > scores[found.lrs[0]]


def test_the_picture_marks_the_suggestion():
    X, y, _, _ = _digits()
    found = gn.lr_find(gn.mlp("64,16,10", seed=0), X, y, loss="cross_entropy", steps=40)
    ax = found.plot().axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "learning rate"
    marks = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(marks) == 1 and math.isclose(marks[0].get_xdata()[0], found.suggestion)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"start_lr": 1.0, "end_lr": 0.1}, "end_lr must be larger than start_lr"),
     ({"steps": 3}, "steps must be an integer >= 5"),
     ({"smoothing": 0}, r"smoothing must be in \(0, 1\]"),
     ({"diverge_factor": 1}, "diverge_factor must be > 1")],
)  # fmt: skip
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gn.lr_find(gn.mlp("2,1", seed=0), np.zeros((8, 2)), np.zeros((8, 1)), **kwargs)


def test_the_train_command_runs_the_range_test_instead_of_training(tmp_path, capsys):
    import json

    from glassnet.cli import main

    argv = ["train", "--data", "digits", "--hidden", "32", "--optimizer", "sgd", "--find-lr"]
    assert main([*argv, "--plot-dir", str(tmp_path), "--save", str(tmp_path / "m.npz")]) == 0
    out = capsys.readouterr().out
    assert "learning-rate range test:" in out and "suggested: --lr " in out
    assert (tmp_path / "lr_find.png").stat().st_size > 10_000
    assert not (tmp_path / "m.npz").exists()  # nothing was trained, so nothing saved
    assert main([*argv, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["lr_find"]
    assert found["lrs"][0] == 1e-6 and len(found["losses"]) == len(found["lrs"])
    assert 1e-3 < found["suggestion"] < 1.0 and found["stopped"] in (
        "loss diverged",
        "end of range",
    )
