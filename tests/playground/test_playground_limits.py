"""The playground's limits on tabs, queued messages, work per update, steps, uploads and weights.

Each limit is hit on purpose through Starlette's test client: the answer says which limit and
what to do, and the tab (and the others) carry on.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import threading
import time
import warnings
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette 1.x suggests httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

from glassnet.model.build import mlp
from glassnet.playground import limits, modelcheck
from glassnet.playground.limits import count_weights
from glassnet.playground.modelio import model_bytes
from glassnet.playground.server import create_app, make_server
from glassnet.playground.session import Session

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WS = "ws://127.0.0.1:8765/ws"
BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), base_url=BASE)


def until(ws: Any, kind: str, limit: int = 50) -> dict[str, Any]:
    """Read messages until one of type ``kind`` comes (errors fail unless asked for)."""
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == kind:
            return msg
        assert msg["type"] != "error", msg["message"]
    raise AssertionError(f"no {kind!r} message")


def hello(ws: Any) -> dict[str, Any]:
    ws.send_json({"type": "hello"})
    until(ws, "data")
    return until(ws, "state")


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def test_the_seventeenth_tab_is_refused_with_a_reason_and_a_closed_one_frees_a_place(
    client: TestClient,
) -> None:
    assert limits.MAX_TABS == 16
    with contextlib.ExitStack() as stack:
        tabs = [stack.enter_context(client.websocket_connect(WS)) for _ in range(16)]
        assert hello(tabs[-1])["net"]["widths"]
        with client.websocket_connect(WS) as extra:
            msg = extra.receive_json()
            assert msg == {
                "type": "error",
                "message": "the playground serves 16 tabs at once; close one, then reload.",
            }
            with pytest.raises(WebSocketDisconnect) as closed:
                extra.receive_json()
            assert closed.value.code == 1013  # try again later
            assert (
                closed.value.reason
                == "the playground serves 16 tabs at once; close one, then reload"
            )
        assert hello(tabs[0])["net"]["widths"]  # the sixteen carry on
        stack.close()
    with client.websocket_connect(WS) as again:  # places are given back
        assert hello(again)["net"]["widths"]
    assert client.app.state.capacity.tabs == 0


def test_messages_beyond_the_queue_are_dropped_with_an_error_not_piled_up(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_train = Session.train

    def slow(self: Session, **kwargs: Any) -> None:
        time.sleep(1.0)
        real_train(self, **kwargs)

    monkeypatch.setattr(Session, "train", slow)
    with client.websocket_connect(WS) as ws:
        ws.send_json({"type": "step", "unit": "batch"})  # holds the tab for a second
        time.sleep(0.2)
        for _ in range(limits.MAX_PENDING + 4):
            ws.send_json({"type": "hello"})
        got: list[dict[str, Any]] = []
        while sum(m["type"] == "state" for m in got) < 1 + limits.MAX_PENDING:
            got.append(ws.receive_json())
        dropped = [m for m in got if m["type"] == "error"]
        assert len(dropped) == 4
        assert all("this one was dropped" in m["message"] for m in dropped)
        assert "(8 waiting" in dropped[0]["message"]
        assert sum(m["type"] == "data" for m in got) == limits.MAX_PENDING  # the 8 queued
        assert hello(ws)["epoch_float"] > 0  # the step was done, and the tab carries on


def test_the_work_per_update_is_bounded_in_both_directions(client: TestClient) -> None:
    big = {"hidden": [256] * 8, "activations": ["relu"] * 8}
    weights = count_weights([2, *big["hidden"], 1])
    assert limits.GRID_POINTS == 48 * 48 + 16 * 16  # the decision map and the neuron maps
    assert weights == 461_569 and (5000 + 2560) * weights <= limits.MAX_WORK
    with client.websocket_connect(WS) as ws:
        ws.send_json({"type": "set_data", "dataset": "xor", "n_points": 10_000})
        until(ws, "data")
        until(ws, "state")
        ws.send_json({"type": "set_network", **big})
        message = until(ws, "error")["message"]
        assert message == (
            "10000 points (and 2560 drawn) x 461,569 weights is 5.8e+09 multiply-adds per "
            "update, above the playground's limit of 4e+09: use at most 6106 points with this "
            "network, or a network of at most 318,471 weights for 10000 points."
        )
        assert hello(ws)["net"]["widths"] == [2, 8, 8, 1]  # unchanged
        ws.send_json({"type": "set_data", "dataset": "xor", "n_points": 5000})
        until(ws, "state")
        ws.send_json({"type": "set_network", **big})
        assert len(until(ws, "state")["net"]["widths"]) == 10  # 5000 points: allowed
        ws.send_json({"type": "set_data", "dataset": "xor", "n_points": 8000})
        assert "8000 points (and 2560 drawn) x 461,569" in until(ws, "error")["message"]
        assert len(hello(ws)["net"]["widths"]) == 10  # the 5000 points and the network stay
        ws.send_json({"type": "add_point", "x": 0.5, "y": 0.5, "label": 1})
        assert len(until(ws, "data")["points"]) == 5001  # one point more still fits
        ws.send_json({"type": "set_network", "hidden": [256] * 64, "activations": ["relu"] * 64})
        assert "4,145,921 weights is" in until(ws, "error")["message"]  # valid, but too costly


def test_an_epoch_step_stops_at_the_time_limit_and_says_so(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "STEP_SECONDS", 0.05)
    with client.websocket_connect(WS) as ws:
        ws.send_json({"type": "set_data", "dataset": "xor", "n_points": 10_000})
        until(ws, "state")
        ws.send_json({"type": "set_network", "hidden": [32, 32], "activations": ["tanh"] * 2,
                      "batch_size": 1})  # fmt: skip
        until(ws, "state")
        ws.send_json({"type": "step", "unit": "batch"})  # compiles the optimiser's kernel
        first = until(ws, "state")["epoch_float"]
        start = time.perf_counter()
        ws.send_json({"type": "step", "unit": "epoch"})
        state = until(ws, "state")
        note = until(ws, "error")["message"]
        assert time.perf_counter() - start < 3.0
        assert state["epoch"] == 0 and first < state["epoch_float"] < 1
        assert note.startswith("the epoch stopped after 0.05 s, the playground's limit")
        ws.send_json({"type": "step", "unit": "batch"})  # and the tab goes on from there
        assert until(ws, "state")["epoch_float"] > state["epoch_float"]


def test_an_upload_that_reads_too_long_is_refused_in_time_and_the_tab_goes_on(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = modelcheck.check_model_file

    def slow(raw: bytes) -> Any:
        time.sleep(1.5)
        return real(raw)

    monkeypatch.setattr(limits, "READ_SECONDS", 0.3)
    monkeypatch.setattr(modelcheck, "check_model_file", slow)
    upload = {"type": "load_model", "data": b64(model_bytes(mlp("2,5,1", "relu", "sigmoid")))}
    with client.websocket_connect(WS) as ws:
        start = time.perf_counter()
        ws.send_json(upload)
        message = until(ws, "error")["message"]
        assert time.perf_counter() - start < 1.2
        assert message == (
            "reading the upload took more than 0.3 s, the playground's limit; it was refused."
        )
        ws.send_json(upload)  # the first is still being read: not a second thread
        assert "the previous upload is still being read" in until(ws, "error")["message"]
        start = time.perf_counter()
        assert hello(ws)["net"]["widths"] == [2, 8, 8, 1]
        assert time.perf_counter() - start < 1.0
        time.sleep(1.5)
        monkeypatch.setattr(limits, "READ_SECONDS", 10.0)
        ws.send_json(upload)
        assert until(ws, "state")["net"]["widths"] == [2, 5, 1]


def test_all_tabs_together_hold_at_most_the_server_s_weights() -> None:
    capacity = limits.Capacity(max_weights=2000)
    small = TestClient(create_app(capacity=capacity), base_url=BASE)
    net = {"hidden": [32, 32], "activations": ["tanh", "tanh"]}  # 2*32+32 + 32*32+32 + 33
    with small.websocket_connect(WS) as a:
        a.send_json({"type": "set_network", **net})
        until(a, "state")
        assert capacity.claimed == 1185
        with small.websocket_connect(WS) as b:
            b.send_json({"type": "set_network", **net})
            message = until(b, "error")["message"]
            assert message == (
                "this network has 1,185 weights, and the other tabs hold 1,185; together they "
                "pass the server's limit of 2,000 weights. Use a smaller network, or close "
                "another tab."
            )
            assert hello(b)["net"]["widths"] == [2, 8, 8, 1]  # b keeps its own
            raw = model_bytes(mlp([2, 32, 32, 1], "tanh", "sigmoid", seed=0))
            b.send_json({"type": "load_model", "data": b64(raw)})  # refused before loading
            assert "together they pass" in until(b, "error")["message"]
            assert capacity.claimed == 1185 + 105
    with small.websocket_connect(WS) as c:  # a's and b's weights were given back
        assert capacity.claimed == 105
        c.send_json({"type": "set_network", **net})
        assert until(c, "state")["net"]["widths"] == [2, 32, 32, 1]


def test_the_pool_is_bounded_and_the_server_s_websocket_limits_are_set() -> None:
    capacity = create_app().state.capacity
    assert 2 <= capacity.workers <= 4 and capacity.pool._max_workers == capacity.workers
    with socket.socket() as sock:
        config = make_server(sock).config
    assert config.ws_max_size == limits.MAX_MESSAGE == 8 * 2**20
    assert config.limit_concurrency == limits.MAX_CONNECTIONS

    async def names() -> set[str]:
        def who() -> str:
            time.sleep(0.01)
            return threading.current_thread().name

        return set(await asyncio.gather(*(capacity.run(who) for _ in range(32))))

    seen = asyncio.run(names())
    assert all(n.startswith("glassnet-pg") for n in seen) and 1 <= len(seen) <= capacity.workers
