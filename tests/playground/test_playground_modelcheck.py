"""The checks an uploaded model file passes before glassnet's loader sees it (modelcheck)."""

from __future__ import annotations

import copy
import io
import json
import os
import re
import zipfile
from typing import Any

import numpy as np
import pytest

from glassnet.model.build import mlp
from glassnet.optimizers import get_optimizer
from glassnet.playground.modelcheck import MAX_MEMBERS, check_description, check_model_file
from glassnet.playground.modelio import model_bytes, read_model
from glassnet.saving.serialize import describe, save_checkpoint


def npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=True)
    return buf.getvalue()


def members(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def npz(files: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def with_meta(meta: dict[str, Any], base: bytes | None = None) -> bytes:
    files = members(base or model_bytes(mlp("2,4,1", "tanh", "sigmoid", seed=0)))
    raw = json.dumps(meta).encode()
    files["__glassnet__.npy"] = npy(np.frombuffer(raw, dtype=np.uint8))
    return npz(files)


def refused(raw: bytes, match: str) -> str:
    with pytest.raises(ValueError) as err:
        check_model_file(raw)
    assert re.search(match, str(err.value)), str(err.value)
    return str(err.value)


def test_glassnet_s_own_files_pass_and_say_what_they_hold(tmp_path: Any) -> None:
    net = mlp("3,16,16,2", "relu", seed=0)
    net.feature_names = ["x1", "x2", "x1^2"]
    checked = check_model_file(model_bytes(net))
    assert checked.widths == [3, 16, 16, 2]
    assert checked.n_weights == net.n_params == 3 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2
    assert checked.shapes["2.W.npy"] == (16, 16) and checked.shapes["4.b.npy"] == (2,)
    assert check_model_file(model_bytes(net.copy("float64"))).n_weights == net.n_params
    compressed = npz(members(model_bytes(net)), zipfile.ZIP_DEFLATED)  # np.savez_compressed
    assert check_model_file(compressed).widths == [3, 16, 16, 2]
    path = os.path.join(tmp_path, "c.npz")  # a checkpoint: optimiser state and run state too
    save_checkpoint(net, path, get_optimizer("adam", 0.01).bind(net), state={"epoch": 3})
    with open(path, "rb") as fh:
        assert check_model_file(fh.read()).widths == [3, 16, 16, 2]


def test_files_that_are_no_models_are_refused_with_what_they_are() -> None:
    good = model_bytes(mlp("2,4,1", seed=0))
    files = members(good)
    refused(b"\x93NUMPY", r"not a glassnet model file \(not an \.npz archive\)")
    refused(good[: len(good) // 2], r"not a readable glassnet model file \(corrupt or truncated")
    refused(npz({**files, "notes.txt": b"hello"}), r"'notes.txt' is not a NumPy array")
    refused(npz({**files, "0.W.npy": b"not an array"}), r"0\.W\.npy is not a NumPy array")
    pickled = npy(np.array([object()], dtype=object))
    refused(npz({**files, "a.npy": pickled}), r"contains pickled data; glassnet never loads")
    no_meta = {k: v for k, v in files.items() if k != "__glassnet__.npy"}
    refused(npz(no_meta), r"an \.npz file but not a glassnet model \(no __glassnet__ entry\)")
    many = {**files, **{f"x{i}.npy": npy(np.zeros(1)) for i in range(MAX_MEMBERS)}}
    refused(npz(many), rf"it holds {MAX_MEMBERS + 5} members .* at most {MAX_MEMBERS}")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_compression_whose_inflation_cannot_be_bounded_is_refused(method: int) -> None:
    raw = npz(members(model_bytes(mlp("2,4,1", seed=0))), method)
    refused(raw, rf"is compressed with method {method}; NumPy files are stored or deflated")


def test_duplicate_and_encrypted_members_are_refused() -> None:
    files = members(model_bytes(mlp("2,4,1", seed=0)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        for name, data in [*files.items(), ("0.W.npy", files["0.W.npy"])]:
            zf.writestr(name, data)
    refused(buf.getvalue(), r"holds 6 members \(5 names\); a model has .* each once")
    raw = bytearray(npz(files))
    central = raw.find(b"PK\x01\x02")
    raw[central + 8] |= 0x1  # the encryption flag
    refused(bytes(raw), r"'0\.W\.npy' is encrypted")


def test_an_array_whose_header_declares_more_than_it_holds_is_refused() -> None:
    files = members(model_bytes(mlp("2,4,1", seed=0)))
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (2, 4000)}
    )
    files["0.W.npy"] = header.getvalue() + bytes(32)
    refused(npz(files), r"0\.W\.npy declares an array of shape \(2, 4000\) \(32,000 bytes\) but")


def test_the_declared_unpacked_size_is_bounded() -> None:
    files = members(model_bytes(mlp("2,4,1", seed=0)))
    files["extra.npy"] = npy(np.zeros(9 * 2**20))  # 72 MB of zeros, deflated to 70 KB
    raw = npz(files, zipfile.ZIP_DEFLATED)
    assert len(raw) < 200_000
    refused(raw, r"declares 75,49\d,\d{3} bytes once unpacked, more than .* 64 MB")


def test_the_arrays_must_be_those_the_description_names() -> None:
    files = members(model_bytes(mlp("2,4,1", seed=0)))
    refused(npz({k: v for k, v in files.items() if k != "2.W.npy"}), r"lacks the array '2\.W'")
    files["0.W.npy"] = npy(np.zeros((4, 2), np.float32))
    refused(npz(files), r"array '0\.W' has shape \(4, 2\), but its description says \(2, 4\)")


BASE = describe(mlp("2,4,1", "tanh", "sigmoid", seed=0))


def mutate(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    meta = copy.deepcopy(BASE)
    target = meta
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return meta


def dense(n_in: Any, n_out: Any) -> dict[str, Any]:
    return {"type": "Dense", "config": {"in_features": n_in, "out_features": n_out}}


DESCRIPTIONS = [
    (mutate(("format",), "keras"), r"not a glassnet model file \(its description is not"),
    (mutate(("dtype",), "float16"), r"dtype must be float32 or float64; got 'float16'"),
    (mutate(("layers",), "Dense"), r"has 'Dense' layers; the playground shows at most 130"),
    (mutate(("layers",), []), r"has 0 layers"),
    (mutate(("layers",), [{"type": "Identity"}] * 131), r"has 131 layers"),
    (mutate(("layers", 1), {"type": "Dropout", "config": {"p": 0.5}}), r"layer 1 is 'Dropout'"),
    (mutate(("layers", 1), {"type": "os.system"}), r"layer 1 is 'os.system'"),
    (mutate(("layers", 1), "Tanh"), r"layer 1 is None"),
    (mutate(("layers", 1, "config"), [1]), r"layer 1 \(Tanh\) config must be a small object"),
    (mutate(("layers", 0, "config", "init"), [0.5] * 9), r"config 'init' is \[0.5, 0.5,"),
    (mutate(("layers", 0), dense(True, 4)), r"layer 0 \(Dense\) has in_features True"),
    (mutate(("layers", 0), dense("2", 4)), r"has in_features '2'; the playground takes 1 to 7"),
    (mutate(("layers", 0), dense(8, 4)), r"has in_features 8; the playground takes 1 to 7"),
    (mutate(("layers", 0), dense(2, 257)), r"out_features 257; the playground takes 1 to 256"),
    (mutate(("layers", 0), dense(2, 2.0**40)), r"out_features 1099511627776.0"),
    (mutate(("layers", 2), dense(5, 1)), r"layer 2 \(Dense\) takes 5 inputs but the layer"),
    (mutate(("layers", 2), dense(4, 9)), r"has 9 outputs; the playground's data have at most 8"),
    (mutate(("layers",), [dense(2, 2)] * 66), r"has 66 Dense layers; the playground shows 1 to 65"),
    (mutate(("layers",), [{"type": "Tanh", "config": {}}]), r"has 0 Dense layers"),
    (mutate(("feature_names",), ["x1"] * 8), r"feature_names must be playground features"),
    (mutate(("feature_names",), [["x1"]]), r"feature_names must be playground features"),
    (mutate(("loss",), {"name": "mse"}), r"loss must be a name; got \{'name': 'mse'\}"),
    (mutate(("loss_config",), {"a": {"b": 1}}), r"loss config 'a' is \{'b': 1\}, not a value"),
]


@pytest.mark.parametrize(
    ("meta", "match"), DESCRIPTIONS, ids=[str(i) for i in range(len(DESCRIPTIONS))]
)
def test_descriptions_beyond_the_playground_are_refused_naming_the_field(
    meta: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        check_description(meta)
    refused(with_meta(meta), match)  # the same through a file


def test_descriptions_that_are_not_small_json_are_refused() -> None:
    base = model_bytes(mlp("2,4,1", seed=0))
    files = members(base)
    files["__glassnet__.npy"] = npy(np.zeros(3, np.float32))
    refused(npz(files), r"its description is not a byte string")
    files["__glassnet__.npy"] = npy(np.frombuffer(b"{not json", np.uint8))
    refused(npz(files), r"the model's description is corrupt \(Expecting property name")
    files["__glassnet__.npy"] = npy(np.frombuffer(b"\xff\xfe", np.uint8))
    refused(npz(files), r"description is corrupt \('utf-8' codec can't decode")
    deep = b'{"format": "glassnet-model", "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    files["__glassnet__.npy"] = npy(np.frombuffer(deep, np.uint8))
    refused(npz(files), r"description is nested too deeply to be one")
    meta = mutate(("layers", 0, "config"), {"in_features": 2, "out_features": 4})
    meta["extra"] = [[[[[[[[[[1]]]]]]]]]]
    refused(with_meta(meta, base), r"description is nested more than 8 levels")
    meta = mutate(("layers",), [{"type": "Identity", "config": {}}] * 40_000)  # 1.2 MB of JSON
    refused(with_meta(meta, base), r"description declares 1,\d{3},\d{3} bytes, more than .* reads")


def test_a_model_with_non_finite_weights_is_refused_after_loading() -> None:
    net = mlp("2,4,1", seed=0)
    net.layers[2].params["b"][...] = np.nan
    with pytest.raises(ValueError, match=r"parameter 2\.b holds NaN or infinity; the playground"):
        read_model(model_bytes(net))
    net.layers[2].params["b"][...] = 0.5
    assert read_model(model_bytes(net)).layers[2].params["b"][0] == 0.5
