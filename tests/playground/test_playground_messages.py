"""Malformed, binary, deeply nested and wrongly typed messages: each answered with a clear error,
the connection kept open, the next ``hello`` answered; unexpected failures logged, not shown.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import warnings
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette 1.x suggests httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from glassnet.playground import validate
from glassnet.playground.server import create_app
from glassnet.playground.session import Session

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WS = "ws://127.0.0.1:8765/ws"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), base_url="http://127.0.0.1:8765")


def until(ws: Any, kind: str, limit: int = 50) -> dict[str, Any]:
    """Read messages until one of type ``kind`` comes (errors fail unless asked for)."""
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == kind:
            return msg
        assert msg["type"] != "error", msg["message"]
    raise AssertionError(f"no {kind!r} message")


def still_answers(ws: Any) -> None:
    """The connection is open and the session works: hello gets the data and the state."""
    ws.send_json({"type": "hello"})
    assert until(ws, "data")["points"]
    assert until(ws, "state")["net"]["widths"]


def error_for(ws: Any, raw: str | bytes) -> str:
    """Send one raw frame (text or binary); return the error message that answers it."""
    if isinstance(raw, bytes):
        ws.send_bytes(raw)
    else:
        ws.send_text(raw)
    msg = ws.receive_json()
    assert msg["type"] == "error", msg
    return msg["message"]


DEEP = "[" * 100_000 + "]" * 100_000

MALFORMED = [
    (b"\x00\xff\xfe", r"reads JSON text messages; got a binary message of 3 bytes"),
    (b'{"type": "hello"}', r"binary message of 17 bytes"),  # JSON, but in a binary frame
    (b"\xc3\x28 invalid utf-8", r"binary message"),
    ('{"type": "\udcff"}', r"unknown message type '\\udcff'"),  # a lone surrogate
    ("", r"not JSON: Expecting value"),
    ('{"type": "hello"', r"not JSON: Expecting ',' delimiter"),
    (DEEP, r"nested too deeply to read"),
    ('{"type": "set_network", "hidden": ' + DEEP + "}", r"nested too deeply"),
    ("[" * 100_000, r"nested too deeply"),
    ('{"type": "set_data", "noise": NaN}', r"noise must be between 0 and 2; got nan"),
    ('{"type": "set_network", "lr": Infinity}', r"lr must be between 1e-06 and 10; got inf"),
    ('{"type": "set_data", "test_ratio": -Infinity}', r"test_ratio must be between .*-inf"),
    ('{"type": "set_data", "noise": 1e999}', r"noise must be between 0 and 2; got inf"),
    ('{"type": "set_network", "lr": ' + "9" * 4000 + "}", r"lr must be between .*99\.\.\.99"),
    ('{"type": "set_data", "n_points": 1' + "0" * 5000 + "}", r"JSON cannot give here"),
    ('{"type": "set_data", "n_points": 1e999}', r"n_points must be an integer; got float inf"),
    ('{"type": "set_data", "n_points": 1.5}', r"n_points must be an integer; got float 1.5"),
    ('{"type": "add_point", "x": NaN, "y": 0, "label": 0}', r"x must be between .* got nan"),
    ('"hello"', r"must be a JSON object with a string 'type'; got 'hello'"),
    ("null", r"must be a JSON object"),
    ('{"type": 5}', r"must be a JSON object with a string 'type'"),
    ('{"type": ["hello"]}', r"must be a JSON object with a string 'type'"),
    ('{"type": "' + "x" * 100_000 + '"}', r"unknown message type 'xxx.*\.\.\..*'; the types are"),
    ('{"type": "__init__"}', r"unknown message type '__init__'"),
    ('{"type": "set_data", "n_point": 50}', r"unknown field 'n_point' in a set_data message"),
    ('{"type": "hello", "extra": 1}', r"unknown field 'extra' in a hello message; its fields"),
    ('{"type": "step", "unit": "epoch", "units": 2}', r"unknown field 'units'"),
]


@pytest.mark.parametrize(("raw", "match"), MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_malformed_messages_get_a_clear_error_and_the_tab_stays_open(
    client: TestClient, raw: str | bytes, match: str
) -> None:
    with client.websocket_connect(WS) as ws:
        message = error_for(ws, raw)
        assert re.search(match, message), message
        assert len(message) < 600  # a value is shown cut short, never copied back whole
        still_answers(ws)


def test_a_binary_frame_does_not_end_the_session_s_state(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        ws.send_json({"type": "set_data", "dataset": "xor", "n_points": 40})
        assert len(until(ws, "data")["points"]) == 40
        until(ws, "state")
        error_for(ws, b"\x01\x02")
        ws.send_json({"type": "hello"})
        assert len(until(ws, "data")["points"]) == 40  # the same session, not a new one


VALID: dict[str, dict[str, Any]] = {
    "set_data": {"dataset": "xor", "noise": 0.1, "n_points": 40, "test_ratio": 0.25, "seed": 1},
    "set_network": {
        "hidden": [3],
        "activations": ["tanh"],
        "features": ["x1", "x2"],
        "loss": "binary_cross_entropy",
        "optimizer": "sgd",
        "lr": 0.1,
        "batch_size": 8,
        "l1": 0.0,
        "l2": 0.0,
        "seed": 0,
    },
    "add_point": {"x": 0.1, "y": 0.1, "label": 0},
    "remove_points": {"x": 0.0, "y": 0.0, "radius": 0.01},
    "upload_csv": {"data": "MCwwLDAKMSwxLDEK"},
    "load_model": {"data": "UEs="},
    "step": {"unit": "epoch"},
    "sample_forward": {"index": 0},
    "explain_param": {"layer": 1, "param": "W[0,0]", "digits": 4},
    "drawn": {"frame": 1},
    "set_speed": {"speed": 10},
    "focus": {"layer": 1, "node": 0},
    "set_weight": {"layer": 1, "param": "W[0,0]", "value": 0.5},
    "load_preset": {"name": "mazur"},
}
FIELDS = [(kind, field) for kind, fields in validate.MESSAGES.items() for field in fields]
STRINGS = {"dataset", "loss", "optimizer", "data", "unit", "param", "name"}
LISTS = {"hidden", "activations", "features"}


def wrong_values(field: str) -> list[Any]:
    """JSON values of every other type than the field's."""
    if field in STRINGS:
        return [5, 0.5, [1], {"a": 1}, None, True]
    if field in LISTS:
        return ["8,8", 5, {"a": 1}, None, True, [[1.5]], [{"a": 1}]]
    return ["1", [1], {"a": 1}, None, True, False]  # numbers


def test_every_field_of_every_message_is_in_the_table_of_valid_ones() -> None:
    assert {kind for kind, _ in FIELDS} == set(VALID)
    assert all(set(VALID[kind]) == set(validate.MESSAGES[kind]) for kind in VALID)


@pytest.mark.parametrize(("kind", "field"), FIELDS, ids=[f"{k}.{f}" for k, f in FIELDS])
def test_a_wrong_type_in_any_field_is_named_in_the_error(
    client: TestClient, kind: str, field: str
) -> None:
    named = re.compile(rf"^({re.escape(field)}(\[0\])?|hidden and activations) must ")
    with client.websocket_connect(WS) as ws:
        if kind == "explain_param":  # needs a forward pass first
            ws.send_json({"type": "sample_forward", "index": 0})
            until(ws, "sample")
        for wrong in wrong_values(field):
            message = error_for(ws, json.dumps({"type": kind, **VALID[kind], field: wrong}))
            assert named.search(message), (wrong, message)
        still_answers(ws)


def test_an_unexpected_failure_is_logged_and_answered_without_a_repr(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: Session, **kwargs: Any) -> None:
        raise RuntimeError("secret internals 0xdeadbeef")

    monkeypatch.setattr(Session, "train", broken)
    with caplog.at_level(logging.ERROR, logger="glassnet.playground"):
        with client.websocket_connect(WS) as ws:
            message = error_for(ws, json.dumps({"type": "step", "unit": "batch"}))
            assert message == (
                "the server failed while handling the 'step' message (the details are in its "
                "log); the tab carries on: try again, or reload the page."
            )
            assert "secret" not in message and "RuntimeError" not in message
            still_answers(ws)  # a RuntimeError is no longer taken for a closed connection
    logged = "\n".join(r.getMessage() + str(r.exc_info) for r in caplog.records)
    assert "step message failed" in logged and "secret internals 0xdeadbeef" in logged


def test_a_failure_while_playing_stops_play_with_a_clear_error(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Session, **kwargs: Any) -> None:
        raise MemoryError()

    monkeypatch.setattr(Session, "train", broken)
    with client.websocket_connect(WS) as ws:
        ws.send_json({"type": "play"})
        msg = ws.receive_json()
        assert msg["type"] == "error" and "handling the 'play' message" in msg["message"]
        assert until(ws, "state")["playing"] is False
        still_answers(ws)


def test_csv_uploads_that_are_not_utf8_or_have_giant_cells_get_messages(
    client: TestClient,
) -> None:
    cases = [
        (b"x1,x2,label\n0,0,0\n1,1,\xff\n", r"not UTF-8 text \(line 3 holds the byte 0xff\)"),
        (b"0,0," + b"1" * 200_000 + b"\n1,1,1\n", r"line 1: field larger than field limit"),
        (b"0,0,0\n1,1,1\x00\n", r"line 2: expected three numbers; got \['1', '1', '1\\x00'\]"),
        (b"0,0,0\n" * 10_001, r"more than 10000 points"),
        (b"0,0,0\n1,1,1\n" + b"1," * 500_000 + b"\n", r"line 3: expected 3 .* got 500001"),
    ]
    with client.websocket_connect(WS) as ws:
        for raw, match in cases:
            data = base64.b64encode(raw).decode()
            message = error_for(ws, json.dumps({"type": "upload_csv", "data": data}))
            assert re.search(match, message), message
            assert len(message) < 600
        still_answers(ws)
