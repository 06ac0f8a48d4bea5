"""Playing paced by the page: a frame is sent only once the last one was drawn ("drawn"), a
tab that never answers still gets one every ACK_SECONDS, Pause and a step stop playing at once,
and the speed control (epochs per second) holds the training back to a pace one can watch."""

from __future__ import annotations

import time
import warnings
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette 1.x suggests httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from glassnet.playground import playing, validate
from glassnet.playground.playing import batches_due
from glassnet.playground.server import create_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WS = "ws://127.0.0.1:8765/ws"
XOR = {"type": "set_data", "dataset": "xor", "noise": 0.1, "n_points": 200, "test_ratio": 0.25}
NET = {"type": "set_network", "hidden": [4], "activations": ["tanh"], "batch_size": 10}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), base_url="http://127.0.0.1:8765")


def until(ws: Any, kind: str, limit: int = 100) -> dict[str, Any]:
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == kind:
            return msg
        assert msg["type"] != "error", msg["message"]
    raise AssertionError(f"no {kind!r} message")


def ready(ws: Any) -> None:
    """xor with 150 training points in batches of 10 (15 a epoch), trained one batch already
    (the optimiser's kernels compiled)."""
    ws.send_json(XOR)
    until(ws, "state")
    ws.send_json(NET)
    until(ws, "state")
    ws.send_json({"type": "step", "unit": "batch"})
    until(ws, "state")


def test_batches_due_by_hand() -> None:
    # 10 epochs/s of 15 batches for 0.1 s: 15 batches; 0.3 left over from 0.7 + 14.6
    assert batches_due(10.0, 0.1, 15, 0.0) == (15, 0.0)
    n, carry = batches_due(2.0, 0.1, 3, 0.7)  # 0.7 + 2 * 0.1 * 3 = 1.3
    assert n == 1 and carry == pytest.approx(0.3)
    assert batches_due(10.0, 10.0, 15, 0.0) == (37, 0.5)  # a 10 s gap counts as 0.25 s


def test_a_frame_waits_until_the_page_has_drawn_the_last(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        ready(ws)
        ws.send_json({"type": "play"})
        first = until(ws, "state")
        assert first["playing"] and first["frame"] == 1 and first["cause"] == "play"
        # not answered: nothing more comes before ACK_SECONDS; the server trains no further
        start = time.perf_counter()
        second = until(ws, "state")
        waited = time.perf_counter() - start
        assert waited >= 0.8 * playing.ACK_SECONDS and second["frame"] == 2
        # answered at once: the next frame follows within a few MIN_INTERVALs
        epochs = [second["epoch_float"]]
        for frame in range(2, 7):
            ws.send_json({"type": "drawn", "frame": frame})
            start = time.perf_counter()
            msg = until(ws, "state")
            assert msg["frame"] == frame + 1 and time.perf_counter() - start < 0.8
            epochs.append(msg["epoch_float"])
        assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
        ws.send_json({"type": "drawn", "frame": 1})  # an old frame's answer changes nothing
        ws.send_json({"type": "pause"})
        while until(ws, "state")["playing"]:
            pass


def test_pause_and_step_stop_playing_and_answer_at_once(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        ready(ws)
        ws.send_json({"type": "play"})
        frame = until(ws, "state")["frame"]
        ws.send_json({"type": "drawn", "frame": frame})
        until(ws, "state")  # playing, waiting for its answer
        start = time.perf_counter()
        ws.send_json({"type": "pause"})
        paused = until(ws, "state")
        assert paused["playing"] is False and paused["cause"] == "pause"
        assert time.perf_counter() - start < 0.5
        # a step while playing pauses first, then trains exactly one batch (as TF Playground)
        ws.send_json({"type": "play"})
        shown = until(ws, "state")  # not answered: the loop waits, training nothing more
        ws.send_json({"type": "step", "unit": "batch"})
        stepped = until(ws, "state")
        assert stepped["cause"] == "step" and stepped["playing"] is False
        assert stepped["epoch_float"] - shown["epoch_float"] == pytest.approx(10 / 150)
        time.sleep(0.3)  # and it stays paused: nothing more comes
        ws.send_json({"type": "hello"})
        until(ws, "data")
        assert until(ws, "state")["playing"] is False


def test_the_default_speed_is_slow_enough_to_watch(client: TestClient) -> None:
    """Before: about 3,500 epochs in 10 s on the default spirals. Now 10 epochs a second."""
    assert validate.DEFAULT_SPEED == 10.0
    with client.websocket_connect(WS) as ws:
        ready(ws)
        ws.send_json({"type": "play"})
        start = time.perf_counter()
        msg = until(ws, "state")
        first = msg["epoch_float"]
        while time.perf_counter() - start < 1.5:
            ws.send_json({"type": "drawn", "frame": msg["frame"]})
            msg = until(ws, "state")
        seconds, done = time.perf_counter() - start, msg["epoch_float"] - first
        ws.send_json({"type": "set_speed", "speed": 300})
        fast_start = time.perf_counter()
        fast_first = msg["epoch_float"]
        while time.perf_counter() - fast_start < 1.5:
            ws.send_json({"type": "drawn", "frame": msg["frame"]})
            msg = until(ws, "state")
        fast = (msg["epoch_float"] - fast_first) / (time.perf_counter() - fast_start)
        ws.send_json({"type": "pause"})
        while until(ws, "state")["playing"]:
            pass
    assert done <= 10.0 * seconds + 1  # never faster than asked (within a frame's batches)
    assert fast > 2 * done / seconds  # and the control really speeds it up


@pytest.mark.parametrize(
    ("msg", "match"),
    [
        ({"type": "set_speed", "speed": 0}, "speed must be between 0.1 and 10000; got 0"),
        ({"type": "set_speed", "speed": "fast"}, "speed must be a number"),
        ({"type": "drawn", "frame": -1}, "frame must be between 0 and"),
        ({"type": "drawn"}, "frame must be an integer; got NoneType"),
    ],
)
def test_bad_pacing_messages_are_refused_by_name(client: TestClient, msg: dict, match: str) -> None:
    with client.websocket_connect(WS) as ws:
        ws.send_json(msg)
        assert match in until(ws, "error")["message"]
