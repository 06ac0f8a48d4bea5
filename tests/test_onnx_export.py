"""net.to_onnx: every layer and activation, float32 and float64, run by onnxruntime and compared
with glassnet's own predict (to 1e-5; float64 far closer), a dynamic batch, the input's name,
the probabilities output, the scalers, and the errors."""

import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import glassnet as gn
from glassnet import (
    ELU,
    GELU,
    BinaryCrossEntropy,
    Dense,
    Dropout,
    Identity,
    LeakyReLU,
    ReLU,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from glassnet.activations import ACTIVATIONS
from glassnet.datasets import Standardizer
from glassnet.layers import Layer

ACTS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": lambda: LeakyReLU(alpha=0.23),
    "elu": lambda: ELU(alpha=0.7),
    "silu": SiLU,
    "gelu": GELU,
    "gelu_tanh": lambda: GELU(approximate="tanh"),
    "softplus": Softplus,
    "softmax": Softmax,
    "identity": Identity,
}
# float64: exact formulas in double, except exact GELU, whose erf onnxruntime has in float32 only
TOL64 = {"gelu": 1e-6}


def _session(model: onnx.ModelProto) -> ort.InferenceSession:
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def _inputs(dtype: str, n: int = 64) -> np.ndarray:
    rng = np.random.default_rng(1)
    X = rng.normal(scale=3.0, size=(n, 4))  # (n, 4)
    X[:4] = [[30, -30, 25, -25], [-40, 40, -35, 35], [0, 0, 0, 0], [1e-4, -1e-4, 0, 0]]
    return X.astype(dtype)


def test_every_activation_is_tested():
    assert {k for k in ACTS if k != "gelu_tanh"} == set(ACTIVATIONS)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(ACTS))
def test_onnxruntime_matches_predict_for_each_activation(name, dtype):
    # the activation after a hidden Dense (pre-activations up to about +-60), a Dropout (the
    # identity at inference), and again at the output
    act = ACTS[name]
    net = Sequential(
        [Dense(4, 6, init="he_normal"), act(), Dropout(0.4), Dense(6, 3), act()],
        dtype=dtype,
        seed=3,
    )
    X = _inputs(dtype)
    z = net.layers[0].forward(X)
    assert np.abs(z).max() > 20  # the tails are exercised, where overflow would show
    model = net.to_onnx()
    got = _session(model).run(["output"], {"input": X})[0]
    want = net.predict(X)
    assert got.dtype == want.dtype == np.dtype(dtype)
    tol = 1e-5 if dtype == "float32" else TOL64.get(name, 1e-12)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_trained_deep_network_matches_and_the_batch_is_dynamic(dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5)).astype(dtype)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    net = gn.mlp("5,16,16,2", activation="gelu", dropout=0.2, dtype=dtype, seed=0)
    net.fit(X, y, loss="cross_entropy", epochs=3, verbose=0)
    session = _session(net.to_onnx())
    dim = session.get_inputs()[0].shape
    assert dim[0] == "N" and dim[1] == 5
    for n in (1, 7, 200):
        out, proba = session.run(["output", "probabilities"], {"input": X[:n]})
        tol = 1e-5 if dtype == "float32" else 1e-6
        np.testing.assert_allclose(out, net.predict(X[:n]), rtol=tol, atol=tol)
        np.testing.assert_allclose(proba, net.predict_proba(X[:n]), rtol=tol, atol=tol)


def test_probabilities_output_for_logit_binary_cross_entropy():
    net = Sequential([Dense(4, 1)], dtype="float64", seed=0)
    net.loss_ = BinaryCrossEntropy(from_logits=True)
    X = _inputs("float64")
    proba = _session(net.to_onnx()).run(["probabilities"], {"input": X})[0]
    np.testing.assert_allclose(proba, net.predict_proba(X), rtol=1e-12, atol=1e-15)


def test_poisson_networks_get_the_rate_output():
    net = Sequential([Dense(4, 1)], dtype="float64", seed=0)
    net.loss_ = gn.get_loss("poisson")
    X = _inputs("float64")[4:]
    log_rate, rate = _session(net.to_onnx()).run(["output", "rate"], {"input": X})
    np.testing.assert_allclose(log_rate, net.predict(X), rtol=1e-12)
    np.testing.assert_allclose(rate, net.loss_.predictions(net.predict(X)), rtol=1e-12)


def test_no_probabilities_output_without_a_logit_loss():
    net = Sequential([Dense(4, 2), Softmax()], seed=0)
    assert [o.name for o in net.to_onnx().graph.output] == ["output"]
    net.loss_ = gn.get_loss("mse")
    assert [o.name for o in net.to_onnx().graph.output] == ["output"]


def test_input_named_input_and_feature_names_kept_in_the_metadata():
    net = Sequential([Dense(2, 1)], seed=0)
    model = net.to_onnx()
    assert [i.name for i in model.graph.input] == ["input"]
    assert {p.key: p.value for p in model.metadata_props}["feature_names"] == "null"
    net.feature_names = ["age", "height"]
    model = net.to_onnx(input_name="person")
    assert [i.name for i in model.graph.input] == ["person"]
    props = {p.key: p.value for p in model.metadata_props}
    assert props["feature_names"] == '["age", "height"]'
    assert model.graph.input[0].doc_string == "age, height"
    assert model.producer_name == "glassnet" and model.opset_import[0].version == 17
    out = _session(model).run(None, {"person": np.ones((3, 2), np.float32)})[0]
    np.testing.assert_allclose(out, net.predict(np.ones((3, 2))), rtol=1e-6)


def test_scalers_make_the_model_read_raw_rows_and_predict_in_target_units():
    rng = np.random.default_rng(0)
    X_raw = rng.normal(loc=[100.0, -5.0, 0.0], scale=[20.0, 2.0, 0.1], size=(50, 3))
    y_raw = rng.normal(loc=2e5, scale=5e4, size=(50, 2))
    xs, ys = Standardizer().fit(X_raw), Standardizer().fit(y_raw)
    net = Sequential([Dense(3, 8), Tanh(), Dense(8, 2)], dtype="float64", seed=0)
    model = net.to_onnx(input_scaler=xs, target_scaler=ys)
    got = _session(model).run(["output"], {"input": X_raw})[0]
    want = ys.inverse_transform(net.predict(xs.transform(X_raw)))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    props = {p.key: p.value for p in model.metadata_props}
    assert props["input_scaled"] == "true" and props["target_scaled"] == "true"


def test_a_scaler_of_the_wrong_width_is_refused():
    net = Sequential([Dense(3, 1)], seed=0)
    with pytest.raises(ValueError, match="input_scaler scales 2 columns; .* has 3"):
        net.to_onnx(input_scaler=Standardizer().fit(np.ones((2, 2))))
    with pytest.raises(ValueError, match="target_scaler must be a fitted scaler"):
        net.to_onnx(target_scaler=Standardizer())


def test_the_file_is_written_with_the_umask_mode_and_loads(tmp_path):
    net = Sequential([Dense(2, 3), ELU(), Dense(3, 1)], seed=0)
    path = tmp_path / "sub" / "net.onnx"
    old = os.umask(0o022)
    try:
        model = net.to_onnx(path)
    finally:
        os.umask(old)
    assert (path.stat().st_mode & 0o777) == 0o644
    assert onnx.load(path) == model
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    X = np.array([[0.5, -2.0]], np.float32)
    np.testing.assert_allclose(session.run(None, {"input": X})[0], net.predict(X), rtol=1e-6)
    assert [p.name for p in tmp_path.joinpath("sub").iterdir()] == ["net.onnx"]  # no temp left


def test_a_directory_path_is_refused(tmp_path):
    with pytest.raises(ValueError, match="is a directory; give a file path"):
        Sequential([Dense(2, 1)]).to_onnx(tmp_path)


def test_a_layer_it_cannot_export_is_named():
    class Square(Layer):
        def forward(self, x):
            return x * x

    net = Sequential([Dense(2, 2), Square()])
    with pytest.raises(TypeError, match=r"cannot export layer 1 \(Square\); it exports Dense"):
        net.to_onnx()


def test_without_onnx_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'glassnet\[onnx\]'"):
        Sequential([Dense(2, 1)]).to_onnx()
