"""PoissonNLL, the loss for counts: worked by hand, against PyTorch's PoissonNLLLoss, against
central differences, weighted, learning real rates, and through fit, evaluate and the CLI."""

from __future__ import annotations

import csv
import json
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.losses import PoissonNLL, get_loss

torch = pytest.importorskip("torch")


def test_worked_by_hand_with_two_outputs():
    # z = log(1), log(4); t = 2, 1: E = ((1 - 2*0) + (4 - 1*log 4)) / 2
    loss = PoissonNLL()
    z, t = np.array([[0.0, np.log(4.0)]]), np.array([[2.0, 1.0]])
    assert loss.forward(z, t) == pytest.approx((1 + 4 - np.log(4)) / 2, rel=1e-15)
    np.testing.assert_allclose(loss.backward(), [[(1 - 2) / 2, (4 - 1) / 2]], rtol=1e-15)
    np.testing.assert_allclose(loss.last_per_sample(), [(1 + 4 - np.log(4)) / 2])
    assert get_loss("poisson_nll").name == get_loss("Poisson").name == "poisson"


def test_matches_torch_poisson_nll_loss_and_its_gradient():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(7, 3))  # (N, K) log-rates
    t = rng.poisson(2.0, size=(7, 3)).astype(float)
    w = rng.random(7)
    zt = torch.tensor(z, requires_grad=True)
    theirs = torch.nn.PoissonNLLLoss(log_input=True, full=False)(zt, torch.tensor(t))
    theirs.backward()
    loss = PoissonNLL()
    assert loss.forward(z, t) == pytest.approx(theirs.item(), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), zt.grad.numpy(), rtol=1e-12)
    # weighted: per-sample means weighted, as PyTorch's reduction="none" then weights
    zt.grad = None
    each = torch.nn.PoissonNLLLoss(log_input=True, full=False, reduction="none")(
        zt, torch.tensor(t)
    ).mean(dim=1)
    weighted = (each * torch.tensor(w)).sum() / w.sum()
    weighted.backward()
    assert loss.weighted_forward(z, t, w) == pytest.approx(weighted.item(), rel=1e-12)
    np.testing.assert_allclose(loss.weighted_backward(), zt.grad.numpy(), rtol=1e-12)


def test_gradients_of_a_network_match_central_differences():
    rng = np.random.default_rng(1)
    net = gn.mlp("3,5,2", activation="tanh", seed=0)
    report = gn.gradcheck(net, rng.normal(size=(6, 3)), rng.poisson(3.0, size=(6, 2)), "poisson")
    assert report.passed, report


def counts(n=600, seed=0):
    """Counts with rate exp(1 + 1.5 x0 - x1): the truth a Poisson model should find."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    rate = np.exp(1 + 1.5 * X[:, 0] - X[:, 1])
    return X, rng.poisson(rate).astype(float), rate


def test_fit_learns_the_rates_and_evaluate_scores_counts():
    X, y, rate = counts()
    net = gn.mlp("2,16,1", activation="tanh", seed=0, dtype="float64")
    h = net.fit(X, y[:, None], loss="poisson", optimizer="adam", lr=0.02, epochs=60,
                batch_size=32, seed=0, verbose=0)  # fmt: skip
    assert h.history["loss"][-1] < h.history["loss"][0]
    predicted = net.loss_.predictions(net.predict(X))[:, 0]  # exp(z)
    assert np.all(predicted > 0)
    assert np.median(np.abs(predicted / rate - 1)) < 0.15  # close to the true rates
    scores = net.evaluate(X, y[:, None])
    assert scores["mse"] == pytest.approx(np.mean((y - predicted) ** 2), rel=1e-10)  # on counts
    assert scores["r2"] > 0.5


def test_negative_targets_are_refused():
    net = gn.mlp("2,1", seed=0)
    with pytest.raises(ValueError, match="poisson targets must be counts, >= 0; got a minimum"):
        net.fit(np.zeros((3, 2)), np.array([[1.0], [-1.0], [0.0]]), loss="poisson", verbose=0)


def test_cli_trains_evaluates_and_predicts_counts(tmp_path, capsys):
    X, y, _ = counts(400, seed=2)
    data = tmp_path / "counts.csv"
    with data.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["a", "b", "visits"])
        writer.writerows([[*x, int(v)] for x, v in zip(X, y, strict=True)])
    model = tmp_path / "m.npz"
    argv = ["train", "--data", str(data), "--target", "visits", "--loss", "poisson",
            "--hidden", "16", "--epochs", "40", "--lr", "0.02", "--seed", "0"]  # fmt: skip
    assert main([*argv, "--save", str(model), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metrics"]["task"] == "regression" and result["metrics"]["r2"] > 0.4
    assert main(["predict", "--model", str(model), "--input", str(data)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    predicted = np.array([float(v) for v in lines[1:]])
    assert lines[0] == "visits" and len(predicted) == 400 and np.all(predicted > 0)
    net = gn.load(model)
    assert net.loss_.name == "poisson"


def test_scikit_learn_regressor_with_poisson_loss_learns_counts_as_scikit_learns():
    from sklearn.metrics import mean_poisson_deviance
    from sklearn.neural_network import MLPRegressor as SkRegressor

    from glassnet.sklearn import MLPRegressor

    X, y, rate = counts(800, seed=3)
    params = dict(hidden_layer_sizes=(16,), loss="poisson", learning_rate_init=0.01,
                  max_iter=200, random_state=0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached, on both sides
        ours = MLPRegressor(**params).fit(X, y)
        theirs = SkRegressor(**params).fit(X, y)
    pred = ours.predict(X)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    np.testing.assert_allclose(pred, np.exp(ours.model_.predict(X)[:, 0]), rtol=1e-6)
    ours_dev, theirs_dev = (
        mean_poisson_deviance(y, pred),
        mean_poisson_deviance(y, theirs.predict(X)),
    )
    best = mean_poisson_deviance(y, rate)  # the true rates
    assert ours_dev < 1.15 * best and ours_dev < 1.1 * theirs_dev
    assert MLPRegressor().get_params()["loss"] == SkRegressor().get_params()["loss"]


def test_scikit_learn_regressor_refuses_a_bad_loss_and_negative_counts():
    from glassnet.sklearn import MLPRegressor

    X, y, _ = counts(50)
    with pytest.raises(ValueError, match="loss must be 'squared_error' or 'poisson'"):
        MLPRegressor(loss="huber").fit(X, y)
    with pytest.raises(ValueError, match="poisson targets must be counts, >= 0"):
        MLPRegressor(loss="poisson").fit(X, y - 5)


def test_explain_writes_the_poisson_error_and_its_gradient_with_numbers(capsys):
    argv = ["explain", "mlp", "--layers", "1,2,1", "--loss", "poisson", "--target", "3",
            "--activation", "tanh", "--format", "json"]  # fmt: skip
    assert main(argv) == 0
    eqs = json.loads(capsys.readouterr().out)["equations"]
    error = next(e for e in eqs if e["section"] == "error")
    y, t, _ = error["args"]
    assert error["rhs"] == "exp(Y) - target*Y" and t == 3.0
    assert error["value"] == pytest.approx(np.exp(y) - t * y, rel=1e-12)
    grad = next(e for e in eqs if e["kind"] == "dE/dY")
    assert grad["rhs"] == "exp(Y) - target"
    assert grad["value"] == pytest.approx(np.exp(y) - t, rel=1e-12)
    assert grad["text"].startswith("dE/dY = exp(Y) - target = exp(")
