"""Loading a model file as untrusted input: the description and every array's declared size are
checked before anything is allocated (PyTorch's weights_only spirit), with a message that names
the problem; NaN weights are refused unless asked for."""

from __future__ import annotations

import io
import json
import os
import struct
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

import glassnet as gn
from glassnet.saving import limits, serialize

MB = 2**20


def _npy(arr_or_header: np.ndarray | tuple, dtype: str = "<f4") -> bytes:
    """The bytes of an .npy file: a real array, or just the header of a (shape) claim."""
    buf = io.BytesIO()
    if isinstance(arr_or_header, np.ndarray):
        np.lib.format.write_array(buf, arr_or_header, allow_pickle=False)
    else:
        header = {"descr": dtype, "fortran_order": False, "shape": arr_or_header}
        np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue()


def _meta(layers, **extra) -> dict:
    return {"format": "glassnet-model", "version": 1, "dtype": "float32", "layers": layers,
            "loss": None, "loss_config": {}, "feature_names": None, **extra}  # fmt: skip


def _dense(n_in, n_out) -> dict:
    return {"type": "Dense", "config": {"in_features": n_in, "out_features": n_out}}


def _write(path, members: dict[str, bytes], compress=zipfile.ZIP_STORED) -> None:
    with zipfile.ZipFile(path, "w", compression=compress) as z:
        for name, data in members.items():
            z.writestr(name + ".npy", data)


def _meta_member(meta) -> bytes:
    return _npy(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


def _patch_size(path, member: str, size: int) -> None:
    """Make the zip directory (and local header) declare ``size`` uncompressed bytes for
    ``member``, as a crafted file (a zip bomb's directory tells the truth about the bomb)."""
    data = bytearray(open(path, "rb").read())
    name = (member + ".npy").encode()
    for sig, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (at := data.find(sig, start)) >= 0:
            if data[at + name_at : at + name_at + len(name)] == name:
                data[at + offset : at + offset + 4] = struct.pack("<I", size)
            start = at + 4
    open(path, "wb").write(bytes(data))


def _peak_while(fn) -> tuple[BaseException | None, int, float]:
    """(the exception fn raised, the peak traced memory in bytes, seconds)."""
    tracemalloc.start()
    start = time.perf_counter()
    error = None
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - the test inspects it
        error = exc
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return error, peak, seconds


# --- sizes checked before allocation ------------------------------------------------------------


def test_a_tiny_file_claiming_a_huge_dense_layer_is_refused_without_allocating(tmp_path):
    """The report's 484-byte model claiming Dense(2e8, 2) (6.2 GB in the playground)."""
    path = tmp_path / "huge.npz"
    meta = _meta([_dense(200_000_000, 2)])
    _write(path, {"__glassnet__": _meta_member(meta), "0.W": _npy(np.zeros((1, 1), "f4"))})
    assert path.stat().st_size < 1000
    error, peak, seconds = _peak_while(lambda: gn.load(path))
    assert isinstance(error, ValueError), error
    assert "describes more than 100000000 parameters" in str(error)
    assert "Dense(200000000, 2)" in str(error) and "max_params" in str(error)
    assert peak < 2 * MB and seconds < 1.0
    # raising the limit on purpose still allocates nothing: the arrays do not match the claim
    error, peak, _ = _peak_while(lambda: gn.load(path, max_params=10**9))
    assert isinstance(error, ValueError), error
    assert "array '0.W' has shape (1, 1), expected (200000000, 2)" in str(error)
    assert peak < 2 * MB


def test_an_array_header_larger_than_its_zip_entry_is_refused_before_reading(tmp_path):
    """An .npy header claiming (2e8, 2) in a few bytes: NumPy would allocate 1.6 GB first."""
    path = tmp_path / "liar.npz"
    meta = _meta([_dense(2, 2)])
    members = {"__glassnet__": _meta_member(meta), "0.W": _npy((200_000_000, 2)),
               "0.b": _npy(np.zeros(2, "f4"))}  # fmt: skip
    _write(path, members)
    error, peak, _ = _peak_while(lambda: gn.load(path))
    assert isinstance(error, ValueError), error
    assert "array '0.W' declares shape (200000000, 2)" in str(error)
    assert "the zip declares" in str(error)
    assert peak < 2 * MB


def test_a_zip_bomb_is_refused_from_its_declared_sizes(tmp_path):
    """Members whose zip entries declare gigabytes that compress to almost nothing: refused from
    the .npy header and the zip directory, before a byte is inflated."""
    path = tmp_path / "bomb.npz"
    header = _npy((200_000_000, 2))
    for claim in ([_dense(200_000_000, 2)], [_dense(2, 2)]):  # the description agrees, or not
        members = {"__glassnet__": _meta_member(_meta(claim)), "0.W": header + b"\0" * 4096,
                   "0.b": _npy(np.zeros(2, "f4"))}  # fmt: skip
        _write(path, members, compress=zipfile.ZIP_DEFLATED)
        _patch_size(path, "0.W", len(header) + 200_000_000 * 2 * 4)  # 1.6 GB, as declared
        assert path.stat().st_size < 4096
        assert zipfile.ZipFile(path).getinfo("0.W.npy").file_size > 1.6e9
        error, peak, _ = _peak_while(lambda: gn.load(path))
        assert isinstance(error, ValueError), error
        assert "more than 100000000 parameters" in str(error) or (
            "array '0.W' has shape (200000000, 2), expected (2, 2)" in str(error)
        )
        assert peak < 2 * MB
    # a real deflate bomb (80 MB of zeros in ~80 KB) hidden as a checkpoint's "state"
    net = gn.mlp("2,2", seed=0)
    bomb = tmp_path / "state_bomb.npz"
    arrays = {p.name: p.value for p in net.parameters()}
    arrays["optimizer/0.m"] = np.zeros(20_000_000, np.float32)
    meta = {**serialize.describe(net), "optimizer": {"name": "adam", "t": 1}}
    payload = {**arrays, "__glassnet__": np.frombuffer(json.dumps(meta).encode(), np.uint8)}
    np.savez_compressed(bomb, **payload)
    del arrays, payload
    assert bomb.stat().st_size < 1 * MB
    error, peak, _ = _peak_while(lambda: gn.load_checkpoint(bomb))
    assert isinstance(error, ValueError), error
    assert "state arrays declare 20000000 numbers, more than 4 per parameter" in str(error)
    assert peak < 2 * MB


def test_three_hundred_thousand_layers_are_refused_quickly(tmp_path):
    """The report's 70 KB model of 300k layers, which froze every playground tab for 12 s."""
    path = tmp_path / "deep.npz"
    meta = _meta([{"type": "ReLU", "config": {}}] * 300_000)
    _write(path, {"__glassnet__": _meta_member(meta)}, compress=zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 200_000
    error, peak, seconds = _peak_while(lambda: gn.load(path))
    assert isinstance(error, ValueError), error
    assert "more than the limit of 10000 layers" in str(error)
    assert "max_layers" in str(error)
    assert seconds < 1.0 and peak < 40 * MB  # parsing stops early; no layer is built
    assert gn.load(_saved(tmp_path, gn.mlp("2,3,1")), max_layers=3).n_params == 13
    with pytest.raises(ValueError, match="describes 3 layers, more than the limit of 2 layers"):
        gn.load(tmp_path / "m.npz", max_layers=2)


def test_the_limits_are_documented_constants_that_load_can_raise(tmp_path):
    assert limits.MAX_PARAMS == 100_000_000 and limits.MAX_LAYERS == 10_000
    path = _saved(tmp_path, gn.mlp("100,100", seed=0))  # 10 100 parameters
    with pytest.raises(ValueError, match="more than 10000 parameters"):
        gn.load(path, max_params=10_000)
    assert gn.load(path, max_params=10_100).n_params == 10_100
    with pytest.raises(ValueError, match="more than 10000 parameters"):
        gn.load_checkpoint(path, max_params=10_000)


def _saved(tmp_path, net, name="m.npz"):
    path = tmp_path / name
    net.save(path)
    return path


# --- the description: malformed JSON and wrong types ---------------------------------------------


def _with_meta(tmp_path, meta_bytes: bytes, arrays=None):
    path = tmp_path / "bad.npz"
    payload = dict(arrays or {})
    payload["__glassnet__"] = np.frombuffer(meta_bytes, dtype=np.uint8)
    np.savez(path, **payload)
    return path


@pytest.mark.parametrize(
    "raw, match",
    [
        (b"{not json", r"the model description is corrupt \(Expecting property name"),
        (b"[" * 200_000 + b"]" * 200_000, r"the model description is corrupt \(JSON nested too"),
        (b"\xff\xfe", r"the model description is corrupt \('utf-8' codec"),
        (b"[1, 2]", r"is not a glassnet model file \(format 'list'\)"),
    ],
)
def test_malformed_json_is_a_value_error_naming_the_problem(tmp_path, raw, match):
    with pytest.raises(ValueError, match=match):
        gn.load(_with_meta(tmp_path, raw))


_GOOD = _meta([_dense(2, 1)])


@pytest.mark.parametrize(
    "change, match",
    [
        ({"version": "1"}, r"'version' must be a whole number; got '1'"),
        ({"dtype": "complex128"}, r"'dtype' must be 'float32' or 'float64'; got 'complex128'"),
        ({"layers": "Dense"}, r"'layers' must be a non-empty list; got str"),
        ({"layers": []}, r"'layers' must be a non-empty list"),
        ({"layers": [["Dense"]]}, r"layer 0 must be an object with a 'type' name"),
        ({"layers": [{"type": "Dense", "config": [2, 1]}]}, r"layer 0: 'config' must be an object"),
        ({"layers": [_dense(2, 4.7)]}, r"Dense needs whole numbers .*got 2, 4.7"),
        ({"layers": [_dense(2, True)]}, r"Dense needs whole numbers .*got 2, True"),
        ({"layers": [_dense([2], 1)]}, r"in_features must be a number or a string; got \[2\]"),
        ({"layers": [_dense(0, 1)]}, r"Dense needs whole numbers in_features, out_features >= 1"),
        (
            {"layers": [_dense(2, 1), {"type": "LeakyReLU", "config": {"alpha": "x"}}]},
            r"layer 1: alpha must be a float like 0.01; got 'x'",
        ),
        (
            {"layers": [_dense(2, 1), {"type": "Dropout", "config": {"rng": 1}}]},
            r"layer 1 \(Dropout\) has no argument 'rng'",
        ),
        ({"loss": 5}, r"'loss' must be a name or null; got 5"),
        ({"loss": "hinge"}, r"the model description is invalid \(unknown loss 'hinge'"),
        ({"loss_config": {"delta": [1]}}, r"'loss_config' must map names to numbers"),
        ({"feature_names": [1, 2]}, r"'feature_names' must be a list of strings or null"),
        ({"optimizer": "adam"}, r"'optimizer' must be an object with a 'name'"),
        ({"callback_states": ["gone"]}, r"the callback state 'gone' is missing"),
    ],
)
def test_wrong_types_in_the_description_are_value_errors_naming_them(tmp_path, change, match):
    arrays = {"0.W": np.zeros((2, 1), np.float32), "0.b": np.zeros(1, np.float32)}
    path = _with_meta(tmp_path, json.dumps({**_GOOD, **change}).encode(), arrays)
    with pytest.raises(ValueError, match=match):
        gn.load_checkpoint(path)


def test_arrays_the_description_does_not_account_for_are_refused(tmp_path):
    arrays = {"0.W": np.zeros((2, 1), np.float32), "0.b": np.zeros(1, np.float32)}
    path = _with_meta(tmp_path, json.dumps(_GOOD).encode(), {**arrays, "extra": np.ones(3)})
    with pytest.raises(ValueError, match=r"holds an array 'extra' that its description does not"):
        gn.load(path)


def test_object_arrays_inside_an_npz_are_refused_without_unpickling(tmp_path):
    path = tmp_path / "objects.npz"
    evil = _npy(np.zeros((2, 1), np.float32)).replace(b"'<f4'", b"'|O' ")
    _write(path, {"__glassnet__": _meta_member(_GOOD), "0.W": evil})
    with pytest.raises(ValueError, match=r"array '0.W' has dtype object; .*plain numbers"):
        gn.load(path)


def test_a_directory_or_a_pipe_is_refused_with_a_message(tmp_path):
    with pytest.raises(ValueError, match=r"is a directory, not a model file"):
        gn.load(tmp_path)
    if not hasattr(os, "mkfifo"):  # pragma: no cover - Windows
        return
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match=r"is not a regular file \(a device, pipe or socket\)"):
        gn.load(fifo)  # reading would block for ever


# --- finite weights -------------------------------------------------------------------------------


def test_nan_weights_are_refused_unless_allowed(tmp_path):
    """A diverged model loaded and predicted "setosa" for every row with exit status 0."""
    net = gn.mlp("4,3", seed=0)
    net.layers[0].params["W"][2, 1] = np.nan
    path = _saved(tmp_path, net)
    with pytest.raises(ValueError, match=r"array '0.W' holds NaN or inf \(first at index \(2, 1\)"):
        gn.load(path)
    with pytest.raises(ValueError, match=r"allow_nonfinite=True"):
        gn.load_checkpoint(path)
    back = gn.load(path, allow_nonfinite=True)
    assert np.isnan(back.layers[0].params["W"][2, 1])
    assert gn.load_checkpoint(path, allow_nonfinite=True)[0].n_params == 15
