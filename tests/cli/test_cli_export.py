"""glassnet export: the ONNX model of a saved model reads raw rows and answers what glassnet
predict answers (scaling and target unscaling inside the graph)."""

import csv
import json

import numpy as np
import onnx
import onnxruntime as ort

from glassnet.cli import _common as common
from glassnet.cli import main


def _run(path, feeds):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def _train(capsys, argv):
    assert main(["train", *argv, "--json"]) == 0
    capsys.readouterr()


def test_regression_export_predicts_prices_from_raw_rows(houses, tmp_path, capsys):
    model, onnx_path, pred = tmp_path / "m.npz", tmp_path / "m.onnx", tmp_path / "p.csv"
    _train(
        capsys, ["--data", str(houses), "--target", "price", "--epochs", "5", "--save", str(model)]
    )
    assert main(["export", "--model", str(model), "--output", str(onnx_path)]) == 0
    assert "with input scaler and target scaler" in capsys.readouterr().out
    assert (
        main(["predict", "--model", str(model), "--input", str(houses), "--output", str(pred)]) == 0
    )
    want = np.array([float(r[0]) for r in list(csv.reader(pred.open()))[1:]])  # (600,)
    X = np.loadtxt(houses, delimiter=",", skiprows=1, dtype=np.float32)[:, :3]  # raw rows
    got = _run(onnx_path, {"input": X})[0][:, 0]
    # a float32 graph: prices near 3e5 carry float32's 0.03, so the tolerance is relative to
    # the prices' scale (predict unscales in float64)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * np.abs(want).max())
    props = {p.key: p.value for p in onnx.load(onnx_path).metadata_props}
    assert json.loads(props["feature_names"]) == ["sqft", "bedrooms", "age"]


def test_classifier_export_gives_predict_probabilities(tmp_path, capsys):
    model, onnx_path, pred = tmp_path / "iris.npz", tmp_path / "iris.onnx", tmp_path / "p.csv"
    _train(capsys, ["--data", "iris", "--hidden", "8", "--epochs", "5", "--save", str(model)])
    assert main(["export", "--model", str(model), "--output", str(onnx_path)]) == 0
    rows = tmp_path / "rows.csv"
    X = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], dtype=np.float32)
    names = common.load_model(model)[1]["feature_names"]
    rows.write_text(",".join(names) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in X))
    args = [
        "predict",
        "--model",
        str(model),
        "--input",
        str(rows),
        "--proba",
        "--output",
        str(pred),
    ]
    assert main(args) == 0
    want = np.array([[float(v) for v in r] for r in list(csv.reader(pred.open()))[1:]])
    _, proba = _run(onnx_path, {"input": X})
    np.testing.assert_allclose(proba, want, rtol=1e-5)  # predict prints 6 digits


def test_network_only_leaves_the_scaling_out(tmp_path, capsys):
    model, onnx_path = tmp_path / "iris.npz", tmp_path / "bare.onnx"
    _train(capsys, ["--data", "iris", "--hidden", "8", "--epochs", "2", "--save", str(model)])
    args = ["export", "--model", str(model), "--output", str(onnx_path), "--network-only"]
    assert main(args) == 0
    net, info = common.load_model(model)
    X = np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32)
    scaled = common.apply_scaling(X, info)
    np.testing.assert_allclose(
        _run(onnx_path, {"input": scaled})[0], net.predict(scaled), rtol=1e-5
    )
    assert [n.op_type for n in onnx.load(onnx_path).graph.node][0] == "Gemm"  # no Sub/Div first


def test_export_refuses_to_replace_files_without_force(tmp_path, capsys):
    model, out = tmp_path / "m.npz", tmp_path / "m.onnx"
    _train(capsys, ["--data", "iris", "--hidden", "4", "--epochs", "1", "--save", str(model)])
    out.write_text("precious")
    assert main(["export", "--model", str(model), "--output", str(out)]) == 2
    assert "exists; give another path, or --force" in capsys.readouterr().err
    assert out.read_text() == "precious"
    assert main(["export", "--model", str(model), "--output", str(model), "--force"]) == 2
    assert "is the model file itself" in capsys.readouterr().err
    assert main(["export", "--model", str(model), "--output", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["export", "--model", str(model), "--output", str(out), "--force"]) == 0
    assert onnx.load(out).producer_name == "glassnet"


def test_export_of_a_missing_model_is_a_clear_error(tmp_path, capsys):
    args = [
        "export",
        "--model",
        str(tmp_path / "nowhere.npz"),
        "--output",
        str(tmp_path / "o.onnx"),
    ]
    assert main(args) == 2
    assert "no model file at" in capsys.readouterr().err
