"""glassnet train --class-weight: the same training as the per-row weights it stands for;
class names, resume, and refusals."""

import json

import numpy as np
import pytest

from glassnet import load
from glassnet.cli import main
from glassnet.cli.class_weight import class_weight_from
from glassnet.datasets import load as load_dataset

N = 90
BASE = ["--hidden", "8", "--lr", "0.01", "--batch-size", "16", "--epochs", "3", "--json"]


def write_csv(tmp_path, weights=None, name="data.csv"):
    """Features a, b; classes y (about a third are 1); a weight column w when given."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, 2)).round(5)  # (N, 2)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0.4).astype(int)  # (N,), uneven classes
    rows = [
        f"{a},{b},{t}" + ("" if weights is None else f",{float(w)!r}")
        for (a, b), t, w in zip(X, y, np.ones(N) if weights is None else weights, strict=True)
    ]
    path = tmp_path / name
    path.write_text(("a,b,y" if weights is None else "a,b,y,w") + "\n" + "\n".join(rows) + "\n")
    return path, y


def train(capsys, tmp_path, argv, model="m.npz"):
    path = tmp_path / model
    assert main(["train", *BASE, *argv, "--save", str(path)]) == 0  # argv wins over BASE
    return json.loads(capsys.readouterr().out), load(path)


def same_params(a, b):
    return all(
        np.array_equal(p.value, q.value)
        for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


def test_class_weights_train_as_the_weight_column_they_stand_for(tmp_path, capsys):
    plain, y = write_csv(tmp_path)
    by_class, net_a = train(capsys, tmp_path, ["--data", str(plain), "--target", "y",
                                               "--class-weight", "1:3"], "a.npz")  # fmt: skip
    weighted, _ = write_csv(tmp_path, np.where(y == 1, 3.0, 1.0), "weighted.csv")
    by_row, net_b = train(capsys, tmp_path, ["--data", str(weighted), "--target", "y",
                                             "--weight-column", "w"], "b.npz")  # fmt: skip
    assert same_params(net_a, net_b)
    assert by_class["class_weight"] == "1:3" and by_class["settings"]["class_weight"] == "1:3"
    assert by_row["class_weight"] is None
    config = tmp_path / "run.toml"  # the config file's key does what the flag does
    config.write_text(f'data = "{plain}"\ntarget = "y"\nclass-weight = "1:3"\n')
    _, net_c = train(capsys, tmp_path, ["--config", str(config)], "c.npz")
    assert same_params(net_a, net_c)


def test_balanced_is_n_over_k_n_c_on_the_training_rows(tmp_path, capsys):
    plain, y = write_csv(tmp_path)
    train_rows = load_dataset(plain, target="y", seed=0).y_train  # the split train uses
    counts = np.bincount(train_rows)
    per_class = len(train_rows) / (2 * counts)  # N / (K N_c)
    assert per_class[1] > per_class[0]  # class 1 is the rare one
    _, net_a = train(capsys, tmp_path, ["--data", str(plain), "--target", "y",
                                        "--class-weight", "balanced"], "a.npz")  # fmt: skip
    weighted, _ = write_csv(tmp_path, per_class[y], "weighted.csv")
    _, net_b = train(capsys, tmp_path, ["--data", str(weighted), "--target", "y",
                                        "--weight-column", "w"], "b.npz")  # fmt: skip
    assert same_params(net_a, net_b)


def test_classes_by_name_and_the_resumed_run_is_bit_identical(tmp_path, capsys):
    argv = ["--data", "iris", "--class-weight", "virginica:2,setosa:0.5"]
    whole, net_whole = train(capsys, tmp_path, [*argv, "--epochs", "4"], "whole.npz")
    assert whole["class_weight"] == "virginica:2,setosa:0.5"
    ckpt = tmp_path / "c.npz"
    half = tmp_path / "half.npz"
    assert main(["train", *argv, *BASE, "--epochs", "2", "--checkpoint", str(ckpt)]) == 0
    capsys.readouterr()
    # resumed without typing --class-weight: the checkpoint's class weights go on
    resume = ["--data", "iris", *BASE, "--epochs", "4", "--checkpoint", str(ckpt), "--resume"]
    assert main(["train", *resume, "--save", str(half)]) == 0
    resumed = json.loads(capsys.readouterr().out)
    assert resumed["class_weight"] == "virginica:2,setosa:0.5"
    assert same_params(load(half), net_whole)
    assert main(["train", *resume, "--class-weight", "balanced"]) == 2
    err = capsys.readouterr().err
    assert "--class-weight balanced differs from the run in" in err
    assert "(--class-weight virginica:2,setosa:0.5)" in err


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--data", "iris", "--class-weight", "virginica=2"], "'virginica=2' is not CLASS:WEIGHT"),
        (["--data", "iris", "--class-weight", "dog:2"], "the data has no class 'dog'; its classes are setosa, versicolor, virginica"),
        (["--data", "iris", "--class-weight", "setosa:-1"], "weight of class 'setosa' must be a finite number >= 0"),
        (["--data", "iris", "--class-weight", "0:1,setosa:2"], "gives class 'setosa' twice"),
        (["--data", "curve", "--class-weight", "balanced"], "--class-weight applies to classification; curve is regression"),
    ],
)  # fmt: skip
def test_bad_class_weight_exits_2_with_the_fix(capsys, argv, message):
    assert main(["train", *argv, "--epochs", "1", "--quiet"]) == 2
    assert message in capsys.readouterr().err


def test_class_weight_from_reads_names_and_indices():
    assert class_weight_from("balanced", ["a", "b"], 2) == "balanced"
    assert class_weight_from("b:2.5, 0:0", ["a", "b"], 2) == {1: 2.5, 0: 0.0}
    with pytest.raises(ValueError, match=r"the weight 'x' of class 'a' is not a number"):
        class_weight_from("a:x", ["a", "b"], 2)
    with pytest.raises(ValueError, match=r"no class '2'.*indices 0..1"):
        class_weight_from("2:1", None, 2)
