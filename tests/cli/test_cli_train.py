"""glassnet train / evaluate / predict end to end on small data."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from glassnet import load
from glassnet.cli import _common as common
from glassnet.cli import main
from glassnet.datasets import load as load_data

IRIS = ["--data", "iris", "--hidden", "16", "--lr", "0.01", "--batch-size", "16"]


def run_json(capsys, argv):
    assert main(argv + ["--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # one JSON object and nothing else on stdout
    return json.loads(out)


def test_train_json_has_metrics_history_and_settings(capsys):
    result = run_json(capsys, ["train", *IRIS, "--epochs", "30"])
    assert result["settings"]["epochs"] == 30 and result["settings"]["hidden"] == "16"
    assert result["settings"]["loss"] is None  # default: cross_entropy chosen from the task
    assert result["history"]["params"]["loss"] == "cross_entropy"
    assert len(result["history"]["history"]["loss"]) == 30
    metrics = result["metrics"]
    assert metrics["n_samples"] == 30 and metrics["accuracy"] >= 0.9
    cm = np.array(metrics["confusion_matrix"])
    assert cm.sum() == 30 and np.trace(cm) / 30 == pytest.approx(metrics["accuracy"])
    assert [c["name"] for c in metrics["classes"]] == ["setosa", "versicolor", "virginica"]


def test_dataset_is_another_name_for_data(tmp_path, capsys):
    """--dataset (as other tools spell it) trains and evaluates exactly as --data does."""
    argv = ["train", "--hidden", "8", "--epochs", "3", "--seed", "1"]
    by_data = run_json(capsys, [*argv, "--data", "iris", "--save", str(tmp_path / "a.npz")])
    by_dataset = run_json(capsys, [*argv, "--dataset", "iris"])
    assert by_data["metrics"] == by_dataset["metrics"]
    assert by_data["history"]["history"] == by_dataset["history"]["history"]
    model = ["evaluate", "--model", str(tmp_path / "a.npz")]
    assert run_json(capsys, [*model, "--dataset", "iris"]) == run_json(
        capsys, [*model, "--data", "iris"]
    )
    picture = tmp_path / "cm.png"  # and the plot commands that take data
    plot = ["plot", "confusion", "--model", str(tmp_path / "a.npz"), "-o", str(picture)]
    assert main([*plot, "--dataset", "iris"]) == 0 and picture.stat().st_size > 0


def test_save_evaluate_predict_round_trip(tmp_path, capsys):
    model = tmp_path / "iris.npz"
    trained = run_json(capsys, ["train", *IRIS, "--epochs", "30", "--save", str(model)])
    evaluated = run_json(capsys, ["evaluate", "--model", str(model)])
    assert evaluated == trained["metrics"]  # same split, same scaling, same numbers

    # the scaling travels inside the model file: mean and scale of the training inputs
    net, info = common.load_model(model)
    data = load_data("iris", seed=0)
    np.testing.assert_allclose(info["standardizer"]["mean"], data.X_train.mean(axis=0), rtol=1e-6)
    assert isinstance(load(model).predict(np.zeros((1, 4))), np.ndarray)  # a plain model too

    inputs = tmp_path / "in.csv"
    with inputs.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["species", *data.feature_names])  # extra column, another order
        for x, y in zip(data.X_test, data.y_test, strict=True):
            w.writerow([data.class_names[y], *x.tolist()])
    assert main(["predict", "--model", str(model), "--input", str(inputs)]) == 0
    rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert rows[0] == ["prediction"] and len(rows) == 31
    truth = [data.class_names[y] for y in data.y_test]
    hits = sum(r[0] == t for r, t in zip(rows[1:], truth, strict=True))
    assert hits / 30 == pytest.approx(trained["metrics"]["accuracy"])

    out = tmp_path / "proba.csv"
    args = ["predict", "--model", str(model), "--input", str(inputs), "--proba"]
    assert main(args + ["--output", str(out)]) == 0
    table = list(csv.reader(out.open()))
    assert table[0] == ["proba_setosa", "proba_versicolor", "proba_virginica"]
    np.testing.assert_allclose(np.array(table[1:], dtype=float).sum(axis=1), 1.0, atol=1e-5)


def test_regression_csv_with_target(tmp_path, capsys):
    path = tmp_path / "line.csv"
    x = np.linspace(-2, 2, 100)
    rows = "\n".join(f"{a:.4f},{3 * a + 1:.4f}" for a in x)
    path.write_text("x,y\n" + rows + "\n")
    model = tmp_path / "m.npz"
    argv = ["train", "--data", str(path), "--target", "y", "--hidden", "none", "--lr", "0.05"]
    result = run_json(capsys, argv + ["--epochs", "100", "--save", str(model)])
    assert result["history"]["params"]["loss"] == "mse"
    assert result["metrics"]["task"] == "regression" and result["metrics"]["r2"] > 0.999
    assert main(["predict", "--model", str(model), "--input", str(path)]) == 0
    lines = capsys.readouterr().out.split()
    assert lines[0] == "y" and float(lines[1]) == pytest.approx(3 * -2 + 1, abs=0.05)


def test_checkpoint_resume_is_bit_identical(tmp_path, capsys):
    base = ["train", *IRIS, "--quiet", "--seed", "3"]
    full, part = tmp_path / "full.npz", tmp_path / "part.npz"
    ckpt_a, ckpt_b = tmp_path / "a.ckpt.npz", tmp_path / "b.ckpt.npz"
    assert main(base + ["--epochs", "6", "--checkpoint", str(ckpt_a), "--save", str(full)]) == 0
    assert main(base + ["--epochs", "3", "--checkpoint", str(ckpt_b)]) == 0
    argv = base + ["--epochs", "6", "--checkpoint", str(ckpt_b), "--resume", "--save", str(part)]
    assert main(argv) == 0
    capsys.readouterr()
    a, b = load(full), load(part)
    assert all(
        np.array_equal(p.value, q.value)
        for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )
    state_a = common.load_checkpoint(ckpt_a)[2]
    state_b = common.load_checkpoint(ckpt_b)[2]
    assert state_b["epoch"] == 6
    assert state_b["history"]["history"] == state_a["history"]["history"]


def test_ctrl_c_saves_and_exits_130(tmp_path, capsys, monkeypatch):
    original = common.CLICheckpoint.on_epoch_end

    def interrupt(self, epoch, logs):
        original(self, epoch, logs)
        if epoch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(common.CLICheckpoint, "on_epoch_end", interrupt)
    ckpt, model = tmp_path / "c.npz", tmp_path / "m.npz"
    argv = ["train", *IRIS, "--epochs", "10", "--checkpoint", str(ckpt), "--save", str(model)]
    assert main(argv + ["--json"]) == 130
    captured = capsys.readouterr()
    assert json.loads(captured.out)["stopped"] == "interrupted"
    assert "stopped early (Ctrl-C) after 2 epochs" in captured.err
    assert ckpt.exists() and model.exists()
    assert len(common.load_checkpoint(ckpt)[2]["history"]["epochs"]) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data", "nosuch"], "unknown data set 'nosuch'"),
        (["--data", "iris", "--layers", "3,8,3"], "the first width is 3 but the data needs 4"),
        (["--data", "iris", "--layers", "4,8", "--hidden", "8"], "not both"),
        (["--data", "x.csv"], "name its target column with --target"),
        (["--epochs", "3"], "--data is required"),
        (["--data", "iris", "--resume"], "--resume needs --checkpoint"),
        (["--data", "curve", "--loss", "cross_entropy"], "needs class labels"),
    ],
)
def test_bad_settings_exit_2_with_a_clear_message(capsys, argv, message):
    assert main(["train", "--quiet", *argv]) == 2
    assert message in capsys.readouterr().err


def test_bad_flag_values_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--data", "iris", "--epochs", "many"])
    assert exc.value.code == 2
    assert "argument --epochs: invalid int value: 'many'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--dtype", "float16"])
    assert "invalid choice: 'float16'" in capsys.readouterr().err


def test_help_documents_the_design_and_plot_options(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    for words in ("--hidden", "auto", "--plot-dir", "--animate", "glassnet[plot]", "--resume"):
        assert words in text


def test_plain_output_and_subprocess(tmp_path):
    model = tmp_path / "m.npz"
    argv = [sys.executable, "-m", "glassnet.cli", "train", "--data", "xor", "--epochs", "20"]
    done = subprocess.run(
        argv + ["--hidden", "8", "--lr", "0.05", "--save", str(model)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "accuracy" in done.stdout and "confusion matrix" in done.stdout
    assert "epoch 20/20" in done.stdout + done.stderr  # the progress bar ran
    assert model.exists()
