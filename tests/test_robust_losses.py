"""MAE and Huber: by hand, against central differences through a network, their point (a line
fitted through outliers), the CLI, saved models and explain's numbers. PyTorch comparisons
are in test_against_torch.py and test_sample_weight.py."""

import csv
import json

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.losses import MAE, MSE, Huber, get_loss


def test_worked_by_hand():
    y, t = np.array([[0.5, 3.0], [1.0, -1.0]]), np.array([[0.0, 0.0], [1.0, 0.0]])
    # |d| = 0.5, 3, 0, 1
    assert MAE().forward(y, t) == pytest.approx((0.5 + 3 + 0 + 1) / 4)
    np.testing.assert_array_equal(_grad(MAE(), y, t),
                                  np.array([[1, 1], [0, -1]]) / 4)  # fmt: skip
    # Huber, delta 1: 0.125, 1 (3 - 0.5), 0, 0.5 (inside: 1^2 / 2)
    assert Huber(1.0).forward(y, t) == pytest.approx((0.125 + 2.5 + 0 + 0.5) / 4)
    np.testing.assert_allclose(_grad(Huber(1.0), y, t), np.array([[0.5, 1], [0, -1]]) / 4)
    # a large delta is MSE / 2, a tiny one MAE * delta (up to delta^2 / 2)
    assert Huber(100.0).forward(y, t) == pytest.approx(MSE().forward(y, t) / 2)
    assert Huber(1e-6).forward(y, t) == pytest.approx(1e-6 * MAE().forward(y, t), rel=1e-5)


def _grad(loss, y, t):
    loss.forward(y, t)
    return loss.backward()


def test_bad_delta_and_names():
    with pytest.raises(ValueError, match="Huber's delta must be > 0; got 0"):
        Huber(0)
    assert isinstance(get_loss("l1"), MAE) and isinstance(get_loss("mean-absolute-error"), MAE)
    assert get_loss("huber", delta=2.0).delta == 2.0


@pytest.mark.parametrize("loss", [MAE(), Huber(0.5)])
def test_network_gradients_match_central_differences(loss):
    rng = np.random.default_rng(0)
    net = gn.mlp("3,5,2", activation="tanh", seed=0, dtype="float64")
    X, T = rng.normal(size=(6, 3)), 2 * rng.normal(size=(6, 2))
    report = gn.gradcheck(net, X, T, loss=loss)
    assert report.passed, report


def _line_with_outliers(n=200, seed=0):
    """y = 2x + 1 with noise 0.1, and every tenth point thrown 15 up."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    y = 2 * x + 1 + rng.normal(0, 0.1, n)
    y[::10] += 15.0
    return x[:, None], y[:, None]


@pytest.mark.parametrize(("loss", "robust"), [(MSE(), False), (MAE(), True), (Huber(1.0), True)])
def test_a_line_through_outliers(loss, robust):
    X, y = _line_with_outliers()
    net = gn.Sequential([gn.Dense(1, 1)], dtype="float64", seed=0)
    net.fit(X, y, loss=loss, optimizer="adam", lr=0.05, epochs=300, batch_size=50, seed=0,
            verbose=0)  # fmt: skip
    w, b = float(net.layers[0].params["W"][0, 0]), float(net.layers[0].params["b"][0])
    if robust:  # the outliers barely move the line
        assert abs(w - 2) < 0.15 and abs(b - 1) < 0.25, (w, b)
    else:  # the squared error follows them: the intercept goes up by about 15 / 10
        assert b > 2.2, (w, b)


def test_cli_trains_a_csv_with_huber_and_the_model_keeps_delta(tmp_path, capsys):
    X, y = _line_with_outliers(300, seed=1)
    data = tmp_path / "line.csv"
    with data.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["x", "y"])
        writer.writerows([[a, b] for a, b in zip(X[:, 0], y[:, 0], strict=True)])
    model = tmp_path / "m.npz"
    argv = ["train", "--data", str(data), "--target", "y", "--loss", "huber", "--hidden", "8",
            "--epochs", "30", "--seed", "0", "--save", str(model), "--json"]  # fmt: skip
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metrics"]["task"] == "regression"  # huber alone makes a CSV a regression
    assert gn.load(model).loss_.name == "huber"
    net = gn.Sequential([gn.Dense(1, 1)], seed=0)
    net.fit(X, y, loss=Huber(2.5), epochs=1, verbose=0)
    net.save(tmp_path / "h.npz")
    assert gn.load(tmp_path / "h.npz").loss_.delta == 2.5


@pytest.mark.parametrize(
    ("loss", "target", "error_text", "grad_text"),
    [
        ("mae", "0.5", "E = |Y - target| = |2.0000 - 0.5000| = 1.5000",
         "dE/dY = sign(Y - target) = sign(2.0000 - 0.5000) = 1.0000"),
        ("huber", "0.5", "E = delta(|Y - target| - delta/2) = 1.0000(|2.0000 - 0.5000| - 1.0000/2) = 1.0000",
         "dE/dY = delta*sign(Y - target) = 1.0000*sign(2.0000 - 0.5000) = 1.0000"),
        ("huber", "1.5", "E = (Y - target)^2/2 = (2.0000 - 1.5000)^2/2 = 0.1250",
         "dE/dY = Y - target = 2.0000 - 1.5000 = 0.5000"),
    ],
)  # fmt: skip
def test_explain_writes_the_branch_each_error_takes(loss, target, error_text, grad_text):
    net = gn.Sequential([gn.Dense(1, 1, weights=[[2.0]], bias=[0.0])], dtype="float64")
    step = gn.explain(net, [1.0], [float(target)], loss=loss)
    text = step.to_text()
    assert error_text in text and grad_text in text
    md = step.to_markdown()  # every LaTeX slot filled
    assert ("\\delta" in md) == ("delta" in error_text)
    assert "{}" not in md


def test_explain_command_with_two_outputs(capsys):
    argv = ["explain", "mlp", "--layers", "2,3,2", "--loss", "huber", "--target", "0.5,3",
            "--format", "json"]  # fmt: skip
    assert main(argv) == 0
    eqs = json.loads(capsys.readouterr().out)["equations"]
    error = next(e for e in eqs if e["section"] == "error")
    assert error["rhs"].endswith(") / 2") and error["value"] >= 0
    grads = [e for e in eqs if e["kind"] == "dE/dY"]
    assert len(grads) == 2 and all(g["rhs"].endswith(" / 2") for g in grads)
