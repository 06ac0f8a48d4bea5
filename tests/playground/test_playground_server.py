"""The playground server through Starlette's TestClient: every message, good and bad."""

from __future__ import annotations

import base64
import re
import time
import warnings
from typing import Any

import numpy as np
import pytest

with warnings.catch_warnings():  # starlette 1.x suggests httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from glassnet.datasets.generated import spirals, xor
from glassnet.explain.explanation import explain
from glassnet.model.build import mlp
from glassnet.playground.server import create_app
from glassnet.playground.views import OUTPUT_GRID, grid
from glassnet.saving.serialize import load

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

XOR = {"dataset": "xor", "noise": 0.1, "n_points": 40, "test_ratio": 0.25, "seed": 3}
WS = "ws://127.0.0.1:8765/ws"  # the client speaks as the page served on loopback
NET = {
    "hidden": [3],
    "activations": ["tanh"],
    "loss": "binary_cross_entropy",
    "optimizer": "sgd",
    "lr": 0.5,
    "batch_size": 8,
    "l2": 0.0,
    "seed": 7,
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), base_url="http://127.0.0.1:8765")


def until(ws: Any, kind: str, limit: int = 50) -> dict[str, Any]:
    """Read messages until one of type ``kind`` comes (errors fail the test unless asked for)."""
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == kind:
            return msg
        assert msg["type"] != "error", msg["message"]
    raise AssertionError(f"no {kind!r} message")


def setup(ws: Any, data: dict | None = None, net: dict | None = None) -> dict[str, Any]:
    ws.send_json({"type": "set_data", **(data or XOR)})
    d = until(ws, "data")
    until(ws, "state")
    ws.send_json({"type": "set_network", **(net or NET)})
    return {"data": d, "state": until(ws, "state")}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def test_page_and_static_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "glassnet" in page.text and "/static/app.js" in page.text
    for name in ("app.js", "draw.js", "netview.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/nope.js").status_code == 404


def test_state_draws_the_engines_numbers(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        got = setup(ws)
    X, y = xor(40, noise=0.1, seed=3)
    pts = np.array(got["data"]["points"])  # (40, 4)
    assert np.allclose(pts[:, :2], X, atol=1e-4) and (pts[:, 2] == y).all()
    assert pts[:, 3].sum() == 10  # test_ratio 0.25 of 40
    state = got["state"]
    assert state["net"]["widths"] == [2, 3, 1] and state["net"]["activations"] == [
        "tanh",
        "sigmoid",
    ]
    ref = mlp([2, 3, 1], "tanh", "sigmoid", seed=7)
    assert np.allclose(state["net"]["weights"][0], ref.layers[0].params["W"], atol=1e-4)
    probs = np.frombuffer(base64.b64decode(state["out"]["probs"]), np.uint8).reshape(2, -1)
    p = ref.predict(grid(got["data"]["domain"], OUTPUT_GRID))[:, 0]  # (G*G,)
    assert np.abs(probs[1] - np.round(p * 255)).max() <= 1
    assert [(m["layer"], len(m["maps"])) for m in state["neurons"]] == [(0, 2), (1, 3)]
    x1_map = np.frombuffer(base64.b64decode(state["neurons"][0]["maps"][0]), np.int8)
    assert x1_map.reshape(16, 16)[0, 0] == -x1_map.reshape(16, 16)[0, -1] < 0  # x1, left to right
    assert state["net"]["inputs"] == ["x1", "x2"]
    # the initial train loss is glassnet's binary cross-entropy of the untrained network
    train = pts[:, 3] == 0
    out = ref.predict(X[train])[:, 0].astype(np.float64)
    bce = -np.mean(y[train] * np.log(out) + (1 - y[train]) * np.log(1 - out))
    assert state["train_loss"] == pytest.approx(bce, rel=1e-4)


def test_training_steps_play_and_pause(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        first = setup(ws)["state"]["train_loss"]
        ws.send_json({"type": "step", "unit": "batch"})
        s = until(ws, "state")
        assert s["epoch"] == 0 and s["epoch_float"] == pytest.approx(8 / 30)
        ws.send_json({"type": "step", "unit": "epoch"})
        assert until(ws, "state")["epoch"] == 1
        ws.send_json({"type": "play"})
        states = [until(ws, "state") for _ in range(3)]
        assert all(s["playing"] for s in states) and states[-1]["epoch"] > 1
        ws.send_json({"type": "pause"})
        while (s := until(ws, "state"))["playing"]:
            pass
        assert s["train_loss"] < first
        ws.send_json({"type": "reset"})
        assert until(ws, "state")["epoch"] == 0


def test_points_added_removed_and_downloaded(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        setup(ws)
        ws.send_json({"type": "add_point", "x": 0.9, "y": -0.9, "label": 1})
        pts = until(ws, "data")["points"]
        assert len(pts) == 41 and pts[-1] == [0.9, -0.9, 1, 0]
        ws.send_json({"type": "add_point", "x": 0.0, "y": 0.0, "label": 2})  # a new class
        d = until(ws, "data")
        assert d["n_classes"] == 3 and until(ws, "state")["net"]["widths"][-1] == 3
        ws.send_json({"type": "remove_points", "x": 0.0, "y": 0.0, "radius": 0.05})
        assert len(until(ws, "data")["points"]) == 41
        ws.send_json({"type": "download_data"})
        f = until(ws, "file")
        text = base64.b64decode(f["data"]).decode()
        assert f["name"].endswith(".csv") and text.startswith("x1,x2,label,split\n")
        assert text.count("\n") == 42 and "0.9,-0.9,1,train" in text


def test_a_downloaded_csv_uploads_back_with_its_split(client: TestClient) -> None:
    for data in (XOR, {**XOR, "dataset": "gaussian"}):
        with client.websocket_connect(WS) as ws:
            first = setup(ws, data)["data"]
            ws.send_json({"type": "download_data"})
            raw = base64.b64decode(until(ws, "file")["data"])
            ws.send_json({"type": "upload_csv", "data": b64(raw)})
            back = until(ws, "data")
        assert back["source"] == "csv" and back["regression"] == first["regression"]
        np.testing.assert_allclose(back["points"], first["points"], atol=1e-4)  # the split too


def test_csv_upload(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        setup(ws)
        csv = "x1,x2,label\n0,0,0\n1,1,1\n-1,1,0\n0.5,-0.5,1\n"
        ws.send_json({"type": "upload_csv", "data": b64(csv.encode())})
        d = until(ws, "data")
        assert d["source"] == "csv" and [p[:3] for p in d["points"]][1] == [1.0, 1.0, 1]
        assert len(d["points"]) == 4


def test_model_download_and_load(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        state = setup(ws)["state"]
        ws.send_json({"type": "download_model"})
        raw = base64.b64decode(until(ws, "file")["data"])
        path = f"/tmp/glassnet-test-{time.time_ns()}.npz"
        with open(path, "wb") as fh:
            fh.write(raw)
        net = load(path)
        assert np.allclose(net.layers[0].params["W"], state["net"]["weights"][0], atol=1e-4)
        other = mlp([2, 5, 1], "relu", "sigmoid", seed=1)
        other.save(path)
        with open(path, "rb") as fh:
            ws.send_json({"type": "load_model", "data": b64(fh.read())})
        s = until(ws, "state")
        assert s["net"]["widths"] == [2, 5, 1] and s["spec"]["activations"] == ["relu"]


def test_step_mode_matches_explain(client: TestClient) -> None:
    data = {"dataset": "spirals", "noise": 0.1, "n_points": 60, "test_ratio": 0.3, "seed": 2}
    with client.websocket_connect(WS) as ws:
        setup(ws, data)
        ws.send_json({"type": "sample_forward", "index": 4})
        fwd = until(ws, "sample")
        ws.send_json({"type": "sample_backward"})
        bwd = until(ws, "sample")
        ws.send_json({"type": "explain_param", "layer": 1, "param": "W[1,2]"})
        eq = until(ws, "equation")
        ws.send_json({"type": "sample_update"})
        after = until(ws, "state")
    X, y = spirals(60, noise=0.1, seed=2)
    net = mlp([2, 3, 1], "tanh", "sigmoid", seed=7).copy("float64")
    ref = explain(net, X[4], [float(y[4])], loss="binary_cross_entropy", lr=0.5, weight=(0, 1, 2))
    text = ref.to_text()
    assert "dE/dw1[2,3] = dE/dz1[3]*dz1[3]/dw1[2,3]" in eq["text"]
    for line in eq["text"].splitlines():  # the same text as glassnet explain
        assert line[10:] in text
    assert fwd["x"] == pytest.approx(X[4].tolist(), abs=1e-6)
    assert "dz" not in fwd["layers"][0] and fwd["output"][0] == pytest.approx(
        ref.trace.loss.y[0, 0]
    )
    assert bwd["layers"][0]["dW"][1][2] == pytest.approx(ref.trace.layers[0].grads["W"][1, 2])
    assert np.allclose(after["net"]["weights"][0], net.layers[0].params["W"], atol=1e-4)


def test_two_tabs_are_independent(client: TestClient) -> None:
    with client.websocket_connect(WS) as a, client.websocket_connect(WS) as b:
        setup(a)
        a.send_json({"type": "play"})
        until(a, "state")
        start = time.perf_counter()
        b.send_json({"type": "hello"})
        assert until(b, "state")["epoch"] == 0
        assert time.perf_counter() - start < 2.0
        a.send_json({"type": "pause"})


BAD = [
    ("not json", "Expecting value"),
    ("[1, 2]", "JSON object with a string 'type'"),
    ({"type": "fly"}, "unknown message type 'fly'"),
    ({"type": "set_data", "dataset": "mnist"}, "dataset must be one of"),
    ({"type": "set_data", "noise": "lots"}, "noise must be a number"),
    ({"type": "set_data", "n_points": 20000}, "n_points must be between 10 and 10000"),
    ({"type": "set_network", "hidden": [300], "activations": ["tanh"]}, "between 1 and 256"),
    ({"type": "set_network", "hidden": [2] * 65, "activations": ["tanh"] * 65}, "at most 64"),
    ({"type": "set_network", "hidden": [2], "activations": ["mish"]}, "activations\\[0\\]"),
    ({"type": "set_network", "hidden": [2], "activations": []}, "one name per hidden layer"),
    ({"type": "set_network", "lr": -1}, "lr must be between"),
    ({"type": "set_network", "loss": "hinge"}, "loss must be one of"),
    ({"type": "set_network", "hidden": "8,8"}, "must be lists"),
    ({"type": "add_point", "x": 50.0, "y": 0.0, "label": 0}, "x must be between"),
    ({"type": "add_point", "x": 0.0, "y": 0.0, "label": 9}, "label must be between 0 and 7"),
    ({"type": "add_point", "x": True, "y": 0.0, "label": 0}, "x must be a number"),
    ({"type": "remove_points", "x": 0, "y": 0, "radius": -1}, "radius must be between"),
    ({"type": "upload_csv", "data": "@@@"}, "not valid base64"),
    ({"type": "upload_csv", "data": "A" * (7 * 2**20)}, "larger than the limit of 5 MB"),
    (
        {"type": "upload_csv", "data": b64(b"1,2\n3,4\n")},
        r"expected 3 columns \(x1, x2, label\) or 4",
    ),
    (
        {"type": "upload_csv", "data": b64(b"0,0,0,train\n1,1,1,later\n")},
        "split must be train or test",
    ),
    ({"type": "upload_csv", "data": b64(b"a,b,c\n1,x,0\n")}, "expected three numbers"),
    ({"type": "upload_csv", "data": b64(b"1,2,0\n3,4,0\n")}, "at least two classes"),
    ({"type": "upload_csv", "data": b64(b"1,2,0.5\n3,4,1\n")}, "label must be an integer"),
    ({"type": "upload_csv", "data": b64(b"1,2,0\n3,4,inf\n")}, "line 2: the label must be an"),
    ({"type": "upload_csv", "data": b64(b"1,2,nan\n3,4,1\n")}, "line 1: the label must be an"),
    ({"type": "load_model", "data": b64(b"junk")}, "not a (readable )?glassnet model"),
    ({"type": "load_model", "data": 5}, "must be a base64 string"),
    ({"type": "step", "unit": "year"}, "unit must be one of"),
    ({"type": "sample_forward", "index": 10_000}, "index must be between"),
    ({"type": "sample_backward"}, "pick a sample"),
    ({"type": "sample_update"}, "pick a sample"),
    ({"type": "explain_param", "layer": 1, "param": "W[0,0]"}, "pick a sample"),
]


@pytest.mark.parametrize(("msg", "match"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_messages_get_an_error_and_the_session_survives(
    client: TestClient, msg: Any, match: str
) -> None:
    with client.websocket_connect(WS) as ws:
        if isinstance(msg, str):
            ws.send_text(msg)
        else:
            ws.send_json(msg)
        err = ws.receive_json()
        assert err["type"] == "error"
        assert re.search(match, err["message"]), err["message"]
        ws.send_json({"type": "hello"})
        assert until(ws, "data")["points"]


def test_bad_models_and_params_after_a_forward_pass(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        setup(ws)
        path = f"/tmp/glassnet-test-{time.time_ns()}.npz"
        mlp([3, 2, 1], seed=0).save(path)
        with open(path, "rb") as fh:
            ws.send_json({"type": "load_model", "data": b64(fh.read())})
        assert "3 unnamed inputs" in until(ws, "error")["message"]
        np.savez(path, a=np.array([object()], dtype=object), allow_pickle=True)
        with open(path, "rb") as fh:
            ws.send_json({"type": "load_model", "data": b64(fh.read())})
        assert "pickle" in until(ws, "error")["message"]
        ws.send_json({"type": "sample_forward", "index": 0})
        until(ws, "sample")
        for param, match in [("W[5,0]", "outside"), ("q[1]", "look like"), (3, "string")]:
            ws.send_json({"type": "explain_param", "layer": 1, "param": param})
            assert match in until(ws, "error")["message"]
        ws.send_json({"type": "explain_param", "layer": 2, "param": "b[0]"})
        assert "dE/db2[1]" in until(ws, "equation")["text"]


def test_the_page_gets_each_features_map_and_name(client: TestClient) -> None:
    chosen = ["x1", "x1^2", "sin(pi*x2)"]
    with client.websocket_connect(WS) as ws:
        state = setup(ws, net={**NET, "features": chosen})["state"]
    assert state["spec"]["features"] == chosen and state["net"]["inputs"] == chosen
    assert state["net"]["widths"] == [3, 3, 1]  # NET: one hidden layer of 3
    inputs = state["neurons"][0]
    assert inputs["layer"] == 0 and len(inputs["maps"]) == 3
    square = np.frombuffer(base64.b64decode(inputs["maps"][1]), np.int8).reshape(16, 16)
    assert square.min() >= 0 and square[:, 0].max() == 127  # x1^2: largest at the edges
    assert square[:, 7:9].max() <= 2  # and about 0 in the middle column


def test_step_mode_and_saved_models_use_the_features(client: TestClient) -> None:
    chosen = ["x1", "x2", "x1*x2"]
    with client.websocket_connect(WS) as ws:
        setup(ws, net={**NET, "features": chosen})
        ws.send_json({"type": "sample_forward", "index": 5})
        fwd = until(ws, "sample")
        X, _ = xor(40, noise=0.1, seed=3)
        x1, x2 = X[5]
        np.testing.assert_allclose(fwd["x"], [x1, x2, x1 * x2], rtol=1e-5)
        ws.send_json({"type": "download_model"})
        raw = base64.b64decode(until(ws, "file")["data"])
        path = f"/tmp/glassnet-test-{time.time_ns()}.npz"
        with open(path, "wb") as fh:
            fh.write(raw)
        assert load(path).feature_names == chosen  # saved with the model
        other = mlp([2, 4, 1], "relu", "sigmoid", seed=1)
        other.feature_names = ["x1^2", "x2^2"]
        other.save(path)
        with open(path, "rb") as fh:
            ws.send_json({"type": "load_model", "data": b64(fh.read())})
        state = until(ws, "state")
    assert state["spec"]["features"] == ["x1^2", "x2^2"] and state["net"]["widths"] == [2, 4, 1]


def test_a_regression_set_sends_values_and_their_map(client: TestClient) -> None:
    plane = {"dataset": "plane", "noise": 0.0, "n_points": 60, "test_ratio": 0.25, "seed": 1}
    with client.websocket_connect(WS) as ws:
        got = setup(ws, plane, {**NET, "hidden": [], "activations": []})
        data, state = got["data"], got["state"]
        assert data["regression"] and data["n_classes"] == 0
        X = np.array([p[:2] for p in data["points"]])
        values = np.array([p[2] for p in data["points"]])
        np.testing.assert_allclose(values, X.sum(axis=1) / 2, atol=2e-4)  # t = (x1 + x2) / 2
        out = state["out"]
        assert out["regression"] and "probs" not in out and state["test_accuracy"] is None
        ws.send_json({"type": "add_point", "x": 0.1, "y": 0.1, "label": 0})
        assert "points can be added to the classification sets" in until(ws, "error")["message"]
        ws.send_json({"type": "sample_forward", "index": 3})
        sample = until(ws, "sample")
        assert sample["target"] == [pytest.approx(values[3], abs=2e-4)]
        assert sample["output"] == [
            pytest.approx(
                state["net"]["weights"][0][0][0] * X[3, 0]
                + state["net"]["weights"][0][1][0] * X[3, 1]
                + state["net"]["biases"][0][0],
                abs=1e-3,
            )
        ]
