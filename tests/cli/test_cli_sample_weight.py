"""glassnet train / evaluate --weight-column: CSV sample weights through splits, resume, report."""

import json

import numpy as np
import pytest

from glassnet import load
from glassnet.cli import _common as common
from glassnet.cli import main
from glassnet.cli.config import read_config
from glassnet.cli.train_cmd import SPEC
from glassnet.datasets import load as load_dataset

N = 100
BASE = ["--hidden", "8", "--lr", "0.01", "--batch-size", "16", "--epochs", "4"]


def write_csv(tmp_path, weights, name="data.csv", with_weights=True):
    """Two features a, b (unique values), weight column w between them, classes y."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, 2)).round(5)  # (N, 2)
    y = (X[:, 0] - X[:, 1] > 0).astype(int)  # (N,)
    path = tmp_path / name
    head = "a,w,b,y" if with_weights else "a,b,y"
    rows = [
        f"{a},{float(w)!r},{b},{t}" if with_weights else f"{a},{b},{t}"
        for (a, b), w, t in zip(X, weights, y, strict=True)
    ]
    path.write_text(head + "\n" + "\n".join(rows) + "\n")
    return path


def some_weights():
    return np.random.default_rng(1).integers(0, 4, size=N) * 0.5  # 0, 0.5, 1, 1.5 (some 0)


def train_json(capsys, argv):
    code = main(["train", *argv, "--json"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("\n") == 1
    return json.loads(out)


def same_params(a, b):
    return all(
        np.array_equal(p.value, q.value)
        for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


def weighted_cross_entropy(model, X, y, w):
    """sum w l / sum w by hand: l = log sum exp(z) - z_y on the model's logits (float64)."""
    net, info = common.load_model(model)
    z = net.predict(common.apply_scaling(X, info)).astype(np.float64)  # (M, K)
    top = z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z - top).sum(axis=1)) + top[:, 0]  # (M,)
    losses = lse - z[np.arange(len(y)), y]  # (M,)
    return float((w * losses).sum() / w.sum())


def train_weighted(tmp_path, capsys, *extra):
    """Train on write_csv's file weighted by some_weights(): (w, csv path, model, JSON, argv)."""
    w = some_weights()
    path = write_csv(tmp_path, w)
    model = tmp_path / "m.npz"
    argv = ["--data", str(path), "--target", "y", "--weight-column", "w", *extra, *BASE]
    return w, path, model, train_json(capsys, argv + ["--save", str(model)]), argv


def test_train_with_a_weight_column_end_to_end(tmp_path, capsys):
    w, path, model, result, argv = train_weighted(tmp_path, capsys)
    assert result["sample_weight"] == "w" and result["settings"]["weight_column"] == "w"
    assert result["history"]["params"]["sample_weight"] is True
    metrics = result["metrics"]
    assert metrics["sample_weight"] == "w" and metrics["loss_function"] == "cross_entropy"
    assert metrics["n_samples"] == 20 and "accuracy" in metrics  # the plain metrics stay
    _, info = common.load_model(model)
    assert info["weight_column"] == "w" and info["feature_names"] == ["a", "b"]

    # the test rows, found independently: the same file without w, split by load()
    twin = load_dataset(write_csv(tmp_path, w, "twin.csv", with_weights=False), target="y", seed=0)
    w_test = weights_of(twin.X_test, path)
    expected = weighted_cross_entropy(model, twin.X_test, twin.y_test, w_test)
    assert metrics["weighted_loss"] == pytest.approx(expected, rel=1e-5)
    unweighted = weighted_cross_entropy(model, twin.X_test, twin.y_test, np.ones(len(w_test)))
    assert abs(expected - unweighted) > 1e-4  # the weights matter

    # plain text: the table and then the weighted loss
    assert main(["train", *argv, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "test accuracy" in out and "loss (weighted by column 'w'): cross_entropy" in out


def file_rows(path):
    """Features (float32, as read_csv reads them), weights and labels of write_csv's file."""
    table = np.loadtxt(path, delimiter=",", skiprows=1)  # (N, 4): a, w, b, y
    return table[:, [0, 2]].astype(np.float32), table[:, 1], table[:, 3].astype(np.int64)


def weights_of(X, path):
    """The weight of each row of X (N', 2), looked up by its (unique) features in the file."""
    features, w, _ = file_rows(path)
    index = {tuple(r): i for i, r in enumerate(features.tolist())}
    return w[[index[tuple(r)] for r in X.astype(np.float32).tolist()]]


def test_all_ones_weights_train_exactly_as_no_weights(tmp_path, capsys):
    ones = write_csv(tmp_path, np.ones(N), "ones.csv")
    plain = write_csv(tmp_path, np.ones(N), "plain.csv", with_weights=False)
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    extra = [*BASE, "--validation-split", "0.2", "--target", "y"]
    weighted = train_json(
        capsys, ["--data", str(ones), "--weight-column", "w", *extra, "--save", str(a)]
    )
    unweighted = train_json(capsys, ["--data", str(plain), *extra, "--save", str(b)])
    assert same_params(load(a), load(b))  # bit for bit: same rows, same split, same steps
    assert unweighted["sample_weight"] is None and "weighted_loss" not in unweighted["metrics"]
    for key in ("accuracy", "confusion_matrix", "classes"):
        assert weighted["metrics"][key] == unweighted["metrics"][key]
    hw, hu = weighted["history"]["history"], unweighted["history"]["history"]
    np.testing.assert_allclose(hw["val_loss"], hu["val_loss"], rtol=1e-6)
    np.testing.assert_allclose(hw["loss"], hu["loss"], rtol=1e-6)
    net = load(b)
    data = load_dataset(plain, target="y", seed=0)
    _, info = common.load_model(b)
    plain_loss = net.evaluate(common.apply_scaling(data.X_test, info), data.y_test)["loss"]
    assert weighted["metrics"]["weighted_loss"] == pytest.approx(plain_loss, rel=1e-6)


def test_other_weights_train_otherwise(tmp_path, capsys):
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    for weights, model in ((some_weights(), a), (np.ones(N), b)):
        path = write_csv(tmp_path, weights, f"{model.stem}.csv")
        argv = ["--data", str(path), "--target", "y", "--weight-column", "w", *BASE, "--quiet"]
        assert main(["train", *argv, "--save", str(model)]) == 0
    capsys.readouterr()
    assert not same_params(load(a), load(b))


def test_config_key_is_the_flag(tmp_path, capsys):
    path = write_csv(tmp_path, some_weights())
    config = tmp_path / "run.toml"
    config.write_text(f'data = "{path.as_posix()}"\ntarget = "y"\nweight-column = "w"\n')
    assert read_config(config, SPEC)["weight_column"] == "w"
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    by_file = train_json(capsys, ["--config", str(config), *BASE, "--save", str(a)])
    argv = ["--data", str(path), "--target", "y", "--weight-column", "w", *BASE]
    by_flag = train_json(capsys, argv + ["--save", str(b)])
    assert by_file["metrics"] == by_flag["metrics"] and by_file["sample_weight"] == "w"
    assert same_params(load(a), load(b))


def test_resume_with_weights_is_bit_identical(tmp_path, capsys):
    path = write_csv(tmp_path, some_weights())
    data = ["--data", str(path), "--target", "y", "--hidden", "8", "--lr", "0.01"]
    data += ["--batch-size", "16", "--validation-split", "0.25"]
    first = [*data, "--weight-column", "w", "--seed", "3"]
    full, part = tmp_path / "full.npz", tmp_path / "part.npz"
    ckpt_a, ckpt_b = tmp_path / "a.ckpt.npz", tmp_path / "b.ckpt.npz"
    whole = train_json(
        capsys, [*first, "--epochs", "6", "--checkpoint", str(ckpt_a), "--save", str(full)]
    )
    train_json(capsys, [*first, "--epochs", "3", "--checkpoint", str(ckpt_b)])
    assert common.load_checkpoint(ckpt_b)[2]["data"]["weight_column"] == "w"
    # resumed without typing --weight-column or --seed: the checkpoint's weights and split
    resumed = train_json(
        capsys,
        [*data, "--epochs", "6", "--checkpoint", str(ckpt_b), "--resume", "--save", str(part)],
    )
    assert same_params(load(full), load(part))
    assert resumed["sample_weight"] == "w" and resumed["metrics"] == whole["metrics"]
    state_a = common.load_checkpoint(ckpt_a)[2]
    state_b = common.load_checkpoint(ckpt_b)[2]
    assert state_b["epoch"] == 6
    assert state_b["history"]["history"] == state_a["history"]["history"]  # weighted val_loss too
    assert "val_loss" in state_b["history"]["history"]


def test_resume_refuses_another_weight_column(tmp_path, capsys):
    path = write_csv(tmp_path, some_weights())
    ckpt = tmp_path / "c.npz"
    argv = ["train", "--data", str(path), "--target", "y", *BASE, "--quiet"]
    assert main(argv + ["--checkpoint", str(ckpt)]) == 0  # no weights: w is a feature
    assert main(argv + ["--checkpoint", str(ckpt), "--resume", "--weight-column", "w"]) == 2
    err = capsys.readouterr().err
    assert "--weight-column w differs from the run in" in err and "no --weight-column" in err


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_built_in_data_set_refuses_a_weight_column(tmp_path, capsys, command):
    if command == "train":
        argv = ["train", "--data", "iris", "--weight-column", "w", "--quiet"]
    else:
        model = tmp_path / "m.npz"
        assert (
            main(["train", "--data", "iris", "--epochs", "1", "--quiet", "--save", str(model)]) == 0
        )
        argv = ["evaluate", "--model", str(model), "--weight-column", "w"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--weight-column applies to CSV files; data set 'iris' has no weight column" in err


def test_bad_weight_column_exits_2_with_the_message(tmp_path, capsys):
    path = write_csv(tmp_path, some_weights())
    argv = ["train", "--data", str(path), "--target", "y", "--quiet"]
    assert main(argv + ["--weight-column", "weight"]) == 2
    assert "weight column 'weight' not found" in capsys.readouterr().err
    bad = tmp_path / "neg.csv"
    bad.write_text(path.read_text().replace(",0.5,", ",-0.5,", 1))
    argv = ["train", "--data", str(bad), "--target", "y", "--weight-column", "w", "--quiet"]
    assert main(argv) == 2
    assert "negative sample weight '-0.5'" in capsys.readouterr().err


def test_evaluate_reports_the_weighted_loss(tmp_path, capsys):
    w, path, model, trained, _ = train_weighted(tmp_path, capsys)
    # the training CSV: its test part, weighted by the training's column unless told otherwise
    assert main(["evaluate", "--model", str(model), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == trained["metrics"]
    # the whole file: sum w l / sum w over every row
    assert main(["evaluate", "--model", str(model), "--split", "all", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    X, w_all, y = file_rows(path)
    assert report["n_samples"] == N and report["sample_weight"] == "w"
    assert report["weighted_loss"] == pytest.approx(
        weighted_cross_entropy(model, X, y, w_all), rel=1e-5
    )
    # another CSV is scored whole; --weight-column names its weights (only ratios matter)
    other = write_csv(tmp_path, 2 * w, "other.csv")
    args = ["evaluate", "--model", str(model), "--data", str(other), "--json"]
    assert main(args + ["--weight-column", "w"]) == 0
    doubled = json.loads(capsys.readouterr().out)
    assert doubled["weighted_loss"] == pytest.approx(report["weighted_loss"], rel=1e-12)
    assert doubled["accuracy"] == report["accuracy"]
    assert main(args) == 2  # without it, w would be a third feature
    assert "the model was trained on 2 features; the data has 3" in capsys.readouterr().err
    # text output names the weighted loss after the table
    assert main(["evaluate", "--model", str(model)]) == 0
    assert "loss (weighted by column 'w')" in capsys.readouterr().out


def test_help_mentions_the_weight_column(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    assert "--weight-column NAME" in text and "sum w l / sum w" in text


@pytest.mark.parametrize("loss", ["mse", "binary_cross_entropy"])
def test_weighted_test_loss_of_other_losses_by_hand(tmp_path, capsys, loss):
    task = ["--task", "regression"] if loss == "mse" else []
    w, path, model, result, _ = train_weighted(tmp_path, capsys, "--loss", loss, *task)
    twin = load_dataset(write_csv(tmp_path, w, "twin.csv", with_weights=False), target="y", seed=0)
    net, info = common.load_model(model)
    out = net.predict(common.apply_scaling(twin.X_test, info)).astype(np.float64)  # (M, 1)
    out = common.unscale_targets(out, info)[:, 0]  # (M,) in the targets' units (mse: scaled)
    t = twin.y_test.astype(np.float64)  # (M,) 0/1
    if loss == "mse":
        per_row = (out - t) ** 2
    else:  # the sigmoid output is a probability
        per_row = -(t * np.log(out) + (1 - t) * np.log(1 - out))
    w_test = weights_of(twin.X_test, path)
    assert result["metrics"]["loss_function"] == loss
    expected = float((w_test * per_row).sum() / w_test.sum())
    assert result["metrics"]["weighted_loss"] == pytest.approx(expected, rel=1e-5)


def test_no_weight_on_the_test_rows_gives_no_weighted_loss():
    from glassnet import Dense, Sequential

    net = Sequential([Dense(1, 1, weights=[[1.0]], bias=[0.0])])
    X, y = np.array([[1.0], [2.0]]), np.array([[1.0], [4.0]])
    report = common.build_report(net, X, y, {}, ("w", np.zeros(2)))
    assert report["weighted_loss"] is None and report["mse"] == 2.0
    assert common.weighted_line(report) == (
        "loss (weighted by column 'w'): mse undefined (every weight is 0) on 2 samples"
    )
