"""Hostile model files sent to a live playground: refused in time, without the memory they ask for,
while another tab keeps answering.

Before these checks, a 484-byte model claiming Dense(2e8, 2) took the server to 6.2 GB and
froze every tab for 17.8 s, a 2 MB zip bomb took 1.6 GB, and a 70 KB description of 300,000
layers froze all tabs for 12 s: the file was loaded on the event loop, and loading allocates
what the file declares. Each file here is built in the test, sent by one tab of a real uvicorn
server (one event loop, as in use) while a second tab sends ``hello`` and times the answers;
the server's memory (this process's: the server runs in a thread) is sampled all along.
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import psutil
import pytest
from websockets.sync.client import connect

from glassnet.model.build import mlp
from glassnet.playground.modelio import model_bytes

LATENCY = 1.0  # seconds the other tab may wait for its answer
ANSWER = 2.0  # seconds within which the hostile upload is answered
GROWTH = 200 * 2**20  # bytes the server's memory may grow by


def npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=False)
    return buf.getvalue()


def npy_header(shape: tuple[int, ...], dtype: str) -> bytes:
    """The header of an .npy file declaring ``shape`` and ``dtype``, without its data."""
    buf = io.BytesIO()
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue()


def description(layers: list[dict[str, Any]]) -> bytes:
    meta = {"format": "glassnet-model", "version": 1, "dtype": "float32", "layers": layers,
            "loss": None, "loss_config": {}, "feature_names": None}  # fmt: skip
    return npy(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


def npz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, deflated bytes, crc32, unpacked size) members, written field by field so
    a member's deflated bytes need not come from deflating its whole content."""
    out, central = io.BytesIO(), []
    for name, data, crc, size in members:
        offset, raw_name = out.tell(), name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size,
                              len(raw_name), 0) + raw_name + data)  # fmt: skip
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                                   len(data), size, len(raw_name), 0, 0, 0, 0, 0, offset)
                       + raw_name)  # fmt: skip
    start, directory = out.tell(), b"".join(central)
    out.write(directory)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                          len(directory), start, 0))  # fmt: skip
    return out.getvalue()


def deflated(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def giant_dense() -> bytes:
    """A few hundred bytes whose description claims Dense(200000000, 2)."""
    layers = [{"type": "Dense", "config": {"in_features": 200_000_000, "out_features": 2}}]
    zeros = np.zeros((1, 2), np.float32)
    return npz({"__glassnet__.npy": description(layers), "0.W.npy": npy(zeros),
                "0.b.npy": npy(np.zeros(2, np.float32))})  # fmt: skip


def zip_bomb(megabytes: int = 1600) -> bytes:
    """About 1.6 MB that inflate to a 1.6 GB float64 array "0.W" (a glassnet Dense(2, 1) file
    otherwise). The deflate stream repeats one fully flushed block of 1 MB of zeros."""
    header = npy_header((megabytes * 2**20 // 8,), "<f8")
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    zeros = bytes(2**20)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH) == block  # the same bytes each MB
    stream = start + block * megabytes + c.flush()
    crc = zlib.crc32(header)
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    size = len(header) + megabytes * 2**20
    layers = [{"type": "Dense", "config": {"in_features": 2, "out_features": 1}}]
    return raw_zip([
        ("__glassnet__.npy", *deflated(description(layers))),
        ("0.W.npy", stream, crc, size),
        ("0.b.npy", *deflated(npy(np.zeros(1, np.float32)))),
    ])  # fmt: skip


def many_layers(n: int = 300_000) -> bytes:
    """About 70 KB whose description lists 300,000 layers."""
    return npz({"__glassnet__.npy": description([{"type": "Identity", "config": {}}] * n)})


def lying_header() -> bytes:
    """An array whose .npy header declares (200000000, 2) float32 (1.6 GB) over 8 bytes."""
    layers = [{"type": "Dense", "config": {"in_features": 2, "out_features": 1}}]
    lie = npy_header((200_000_000, 2), "<f4") + bytes(8)
    return npz({"__glassnet__.npy": description(layers), "0.W.npy": lie,
                "0.b.npy": npy(np.zeros(1, np.float32))})  # fmt: skip


HOSTILE = {
    "giant_dense": (giant_dense, r"layer 0 \(Dense\) has in_features 200000000; the playground takes 1 to 7"),
    "zip_bomb": (zip_bomb, r"declares 1,677,72\d,\d+ bytes once unpacked, more than the playground's limit of 64 MB"),
    "300k_layers": (many_layers, r"description declares [\d,]+ bytes, more than the playground reads"),
    "lying_header": (lying_header, r"0\.W\.npy declares an array of shape \(200000000, 2\) \(1,600,000,000 bytes\) but its member holds 8 bytes"),
}  # fmt: skip


class PeakMemory:
    """This process's largest resident size, sampled every 2 ms in a thread."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.002)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.start


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/ws"


def next_of(ws: Any, kinds: tuple[str, ...], timeout: float) -> dict[str, Any]:
    deadline = time.perf_counter() + timeout
    while True:
        msg = json.loads(ws.recv(timeout=max(0.01, deadline - time.perf_counter())))
        if msg["type"] in kinds:
            return msg


@pytest.fixture(scope="module")
def tabs(live_server: str) -> Iterator[tuple[Any, Any]]:
    """Two tabs of the live server: one sends the files, the other says hello meanwhile."""
    with (
        connect(ws_url(live_server), max_size=None) as sender,
        connect(ws_url(live_server), max_size=None) as other,
    ):
        for ws in (sender, other):
            ws.send(json.dumps({"type": "hello"}))
            next_of(ws, ("state",), 30)
        yield sender, other


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_model_is_refused_fast_small_and_without_freezing_other_tabs(
    tabs: tuple[Any, Any], name: str
) -> None:
    sender, other = tabs
    make, match = HOSTILE[name]
    raw = make()
    assert len(raw) < 2_000_000  # what the files weighed: bytes, not gigabytes
    upload = json.dumps({"type": "load_model", "data": base64.b64encode(raw).decode()})
    del raw
    latencies: list[float] = []
    with PeakMemory() as memory:
        start = time.perf_counter()
        sender.send(upload)
        for _ in range(5):  # the other tab, meanwhile
            t0 = time.perf_counter()
            other.send(json.dumps({"type": "hello"}))
            next_of(other, ("state",), 20)
            latencies.append(time.perf_counter() - t0)
        answer = next_of(sender, ("error", "state"), 20)
        answered = time.perf_counter() - start
    print(f"{name}: answered in {answered:.3f} s, the other tab waited at most "
          f"{max(latencies):.3f} s, the server grew by {memory.growth / 2**20:.1f} MB")  # fmt: skip
    assert answered < ANSWER, f"answered after {answered:.2f} s"
    assert max(latencies) < LATENCY, f"the other tab waited {max(latencies):.2f} s"
    assert memory.growth < GROWTH, f"the server grew by {memory.growth / 2**20:.0f} MB"
    assert answer["type"] == "error"
    assert re.search(match, answer["message"]), answer["message"]
    sender.send(json.dumps({"type": "hello"}))  # and the sender's tab carries on
    assert next_of(sender, ("state",), 20)["net"]["widths"] == [2, 8, 8, 1]


def test_the_files_really_are_what_they_claim() -> None:
    """The hostile files hold what the tests say (so their refusal means something)."""
    with zipfile.ZipFile(io.BytesIO(zip_bomb(megabytes=4))) as zf:  # a small one, read whole
        with zf.open("0.W.npy") as fp:
            assert np.lib.format.read_magic(fp) == (1, 0)
            shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
            data = fp.read()
        assert shape == (4 * 2**17,) and dtype == np.float64 and data == bytes(4 * 2**20)
    assert len(zip_bomb()) < 1_800_000
    with zipfile.ZipFile(io.BytesIO(many_layers())) as zf:
        meta = json.loads(np.load(zf.open("__glassnet__.npy")).tobytes())
        assert len(meta["layers"]) == 300_000
    assert len(many_layers()) < 100_000 and len(giant_dense()) < 1000


def test_a_real_model_still_loads_through_the_live_server(tabs: tuple[Any, Any]) -> None:
    sender, _ = tabs
    net = mlp([2, *[64] * 8, 1], "relu", "sigmoid", seed=0)  # 29,377 weights, 120 KB
    upload = {"type": "load_model", "data": base64.b64encode(model_bytes(net)).decode()}
    sender.send(json.dumps(upload))
    state = next_of(sender, ("error", "state"), 20)
    assert state["type"] == "state", state.get("message")
    assert state["loaded"] and state["net"]["widths"] == [2, *[64] * 8, 1]
    sender.send(json.dumps({"type": "reset"}))
    next_of(sender, ("state",), 20)
