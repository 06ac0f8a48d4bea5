"""glassnet train: a resume splits as the first run did; --task / --loss mse on a CSV; --hidden."""

import json

import numpy as np
import pytest

from glassnet import load
from glassnet.cli import _common as common
from glassnet.cli import main
from glassnet.cli.config import read_config
from glassnet.cli.train_cmd import SPEC

IRIS = ["--data", "iris", "--hidden", "8", "--lr", "0.01", "--batch-size", "16", "--quiet"]


def same_weights(a, b):
    return all(
        np.array_equal(p.value, q.value)
        for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


def test_resume_splits_with_the_checkpoint_seed_not_the_typed_one(tmp_path, capsys):
    full, part, ckpt = tmp_path / "full.npz", tmp_path / "part.npz", tmp_path / "c.npz"
    assert main(["train", *IRIS, "--seed", "3", "--epochs", "4", "--save", str(full)]) == 0
    assert main(["train", *IRIS, "--seed", "3", "--epochs", "2", "--checkpoint", str(ckpt)]) == 0
    state = common.load_checkpoint(ckpt)[2]
    assert state["data"]["split_seed"] == 3 and state["seed"] == 3  # extra_state + fit's keys
    # resumed without --seed (default 0): the split, scaler and shuffling stay those of seed 3
    argv = ["train", *IRIS, "--epochs", "4", "--checkpoint", str(ckpt), "--resume"]
    assert main(argv + ["--save", str(part)]) == 0
    assert same_weights(load(full), load(part))
    capsys.readouterr()
    scores = [train_json(capsys, ["evaluate", "--model", str(m)]) for m in (full, part)]
    assert scores[0] == scores[1]
    assert common.load_checkpoint(ckpt)[2]["data"]["split_seed"] == 3


def small_integer_target_csv(tmp_path):
    """y = x0 + x1 with x in {0, 1, 2}: whole numbers with 5 values, read as classes by default."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, size=(120, 2))  # (120, 2)
    path = tmp_path / "sum.csv"
    path.write_text("a,b,y\n" + "\n".join(f"{a},{b},{a + b}" for a, b in X) + "\n")
    return path


def train_json(capsys, argv):
    code = main(argv + ["--json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


@pytest.mark.parametrize(
    ("extra", "task", "loss"),
    [
        ([], "classification", "cross_entropy"),
        (["--task", "regression"], "regression", "mse"),
        (["--loss", "mse"], "regression", "mse"),
        (["--loss", "MSE"], "regression", "mse"),
        (["--loss", "mse", "--task", "classification"], "classification", "mse"),
    ],
)
def test_task_of_a_csv_target(tmp_path, capsys, extra, task, loss):
    path = small_integer_target_csv(tmp_path)
    argv = ["train", "--data", str(path), "--target", "y", "--epochs", "2", *extra]
    result = train_json(capsys, argv)
    assert result["metrics"]["task"] == task
    assert result["history"]["params"]["loss"] == loss


def test_forced_regression_round_trips_through_evaluate_and_config(tmp_path, capsys):
    path = small_integer_target_csv(tmp_path)
    model = tmp_path / "m.npz"
    config = tmp_path / "run.toml"
    config.write_text(f'data = "{path.as_posix()}"\ntarget = "y"\ntask = "regression"\n')
    assert read_config(config, SPEC)["task"] == "regression"
    argv = ["train", "--config", str(config), "--hidden", "none", "--lr", "0.05"]
    result = train_json(capsys, argv + ["--epochs", "60", "--save", str(model)])
    assert result["metrics"]["task"] == "regression" and result["metrics"]["r2"] > 0.99
    evaluated = train_json(capsys, ["evaluate", "--model", str(model)])
    assert evaluated == result["metrics"]  # evaluate reads the CSV target as regression too


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data", "iris", "--task", "regression"], "--task regression applies to CSV files"),
        (["--data", "iris", "--hidden", "abc"], "--hidden must be comma-separated integers"),
        (["--data", "iris", "--hidden", "8,-1"], "got '8,-1'"),
    ],
)
def test_bad_task_and_hidden_messages(capsys, argv, message):
    assert main(["train", "--quiet", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "1," not in err  # only what the user typed is quoted


def test_hidden_abc_is_quoted_as_typed(capsys):
    assert main(["train", "--quiet", "--data", "iris", "--hidden", "abc"]) == 2
    assert "got 'abc'" in capsys.readouterr().err


def test_bad_task_in_config_file(tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text('data = "iris"\ntask = "clustering"\n')
    assert main(["train", "--quiet", "--config", str(config)]) == 2
    assert "task must be classification or regression; got 'clustering'" in capsys.readouterr().err
