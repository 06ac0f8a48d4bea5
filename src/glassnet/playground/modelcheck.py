"""Check an uploaded model file against the playground's limits before anything is loaded.

A glassnet model file is a zip (NumPy's .npz) of ``.npy`` arrays plus ``__glassnet__.npy``,
the architecture as JSON bytes (:mod:`glassnet.saving.serialize`). Loading one allocates what
it declares: a few hundred bytes claiming ``Dense(200000000, 2)`` ask for gigabytes, a zip
member that inflates to 1.6 GB fills the memory, a description of 300,000 layers takes seconds
to build. :func:`check_model_file` reads only the zip's directory, each array's ``.npy``
header and the small description, and refuses the file unless

- the zip is readable, its members are ``.npy`` arrays, stored or deflated (never bzip2 or
  lzma, whose inflation cannot be bounded), not encrypted, at most :data:`MAX_MEMBERS`;
- the members declare at most :data:`MAX_UNPACKED` bytes unpacked, and each array's header
  declares exactly the bytes its member holds (so NumPy's reader allocates no more);
- no array holds Python objects (pickles);
- the description is at most :data:`MAX_DESCRIPTION` bytes of JSON, nested at most a few
  levels, and describes what the playground shows: at most ``MAX_LAYERS + 1`` Dense layers,
  each followed by at most one activation, at most 7 inputs (the features), hidden widths up
  to ``MAX_NEURONS``, at most ``MAX_CLASSES`` outputs;
- each Dense layer's ``W`` and ``b`` arrays are there with the shapes the description gives.

Only then does :func:`glassnet.playground.modelio.read_model` hand the file to
:func:`glassnet.saving.serialize.load`.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet.activations import ACTIVATIONS
from glassnet.playground.features import FEATURES
from glassnet.playground.limits import count_weights
from glassnet.playground.validate import MAX_CLASSES, MAX_LAYERS, MAX_NEURONS, brief

META = "__glassnet__.npy"  # the description's member (serialize's "__glassnet__" array)
MAX_DESCRIPTION = 2**20  # bytes of JSON (a 65-layer network's takes about 10 KB)
MAX_UNPACKED = 64 * 2**20  # bytes of all arrays (the largest network, float64, is 33 MB)
MAX_MEMBERS = 1024  # arrays in the file
MAX_DEPTH = 8  # JSON nesting of the description (glassnet writes 4 levels)
ACTIVATION_TYPES = {cls.__name__ for cls in ACTIVATIONS.values()}
NOT_A_MODEL = "the uploaded file is not a glassnet model file"


@dataclass
class CheckedModel:
    """What the description declares: Dense widths (inputs first), their parameter shapes,
    and the number of weights."""

    widths: list[int]
    shapes: dict[str, tuple[int, ...]]  # "0.W.npy" -> (in, out), "0.b.npy" -> (out,)
    n_weights: int


def _header(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from a member's .npy header, checked against the member's size."""
    name = info.filename
    with zf.open(info) as fp:
        try:
            version = np.lib.format.read_magic(fp)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
            elif version in ((2, 0), (3, 0)):
                shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
            else:
                raise ValueError(f"unknown .npy version {version}")
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{NOT_A_MODEL}: {name} is not a NumPy array ({exc}).") from None
        offset = fp.tell()
    if dtype.hasobject:
        raise ValueError(
            "the uploaded file contains pickled data; glassnet never loads pickles because they "
            "can run code. Re-save the model with net.save(path)."
        )
    nbytes = math.prod(shape) * dtype.itemsize
    if offset + nbytes != info.file_size:
        raise ValueError(
            f"{NOT_A_MODEL}: {name} declares an array of shape {shape} ({nbytes:,} bytes) but "
            f"its member holds {info.file_size - offset:,} bytes."
        )
    return shape, dtype


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a JSON value, counting stops past ``limit``."""
    if limit < 0 or not isinstance(value, dict | list):
        return 0
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(v, limit - 1) for v in items), default=0)


def _description(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[str, Any]:
    shape, dtype = _header(zf, info)
    if dtype != np.uint8 or len(shape) != 1:
        raise ValueError(f"{NOT_A_MODEL}: its description is not a byte string.")
    if info.file_size > MAX_DESCRIPTION:
        raise ValueError(
            f"the model's description declares {info.file_size:,} bytes, more than the "
            f"playground reads ({MAX_DESCRIPTION:,}); its networks are at most {MAX_LAYERS} "
            f"hidden layers of {MAX_NEURONS} neurons."
        )
    with zf.open(info) as fp:
        raw = fp.read(MAX_DESCRIPTION + 1)[-shape[0] :] if shape[0] else b""
    try:
        meta = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ValueError("the model's description is nested too deeply to be one.") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"the model's description is corrupt ({exc}).") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{NOT_A_MODEL} (its description is not a glassnet model's).")
    if _depth(meta, MAX_DEPTH) > MAX_DEPTH:
        raise ValueError(f"the model's description is nested more than {MAX_DEPTH} levels.")
    return meta


def _scalar_config(config: Any, where: str) -> dict[str, Any]:
    if not isinstance(config, dict) or len(config) > 16:
        raise ValueError(f"the model's {where} config must be a small object; got {brief(config)}.")
    for key, value in config.items():
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ValueError(f"the model's {where} config {key!r} is {brief(value)}, not a value.")
    return config


def _width(config: dict[str, Any], key: str, high: int, where: str) -> int:
    value = config.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise ValueError(
            f"the model's {where} has {key} {brief(value)}; the playground takes 1 to {high}."
        )
    return value


def check_description(meta: dict[str, Any]) -> CheckedModel:
    """Check a model description (its JSON) against what the playground shows.

    Raises
    ------
    ValueError
        Naming the first layer or field beyond the playground's limits.

    Examples
    --------
    >>> from glassnet.model.build import mlp
    >>> from glassnet.saving.serialize import describe
    >>> check_description(describe(mlp("2,8,1", "tanh", "sigmoid"))).widths
    [2, 8, 1]
    >>> check_description({"format": "glassnet-model", "dtype": "float32",
    ...     "layers": [{"type": "Dense", "config": {"in_features": 200000000, "out_features": 2}}]})
    Traceback (most recent call last):
    ...
    ValueError: the model's layer 0 (Dense) has in_features 200000000; the playground takes 1 to 7.
    """
    if meta.get("format") != "glassnet-model":
        raise ValueError(f"{NOT_A_MODEL} (its description is not a glassnet model's).")
    if meta.get("dtype") not in ("float32", "float64"):
        raise ValueError(
            f"the model's dtype must be float32 or float64; got {brief(meta.get('dtype'))}."
        )
    layers = meta.get("layers")
    most = 2 * (MAX_LAYERS + 1)
    if not isinstance(layers, list) or not 1 <= len(layers) <= most:
        size = len(layers) if isinstance(layers, list) else brief(layers)
        raise ValueError(
            f"the model has {size} layers; the playground shows at most {most} "
            f"({MAX_LAYERS} hidden Dense layers and an output, each with an activation)."
        )
    widths: list[int] = []
    shapes: dict[str, tuple[int, ...]] = {}
    for pos, spec in enumerate(layers):
        kind = spec.get("type") if isinstance(spec, dict) else None
        if kind != "Dense" and kind not in ACTIVATION_TYPES:
            raise ValueError(
                f"the model's layer {pos} is {brief(kind)}; the playground shows Dense layers and "
                "activations."
            )
        where = f"layer {pos} ({kind})"
        config = _scalar_config(spec.get("config", {}), where)
        if kind != "Dense":
            continue
        n_in = _width(config, "in_features", len(FEATURES) if not widths else MAX_NEURONS, where)
        n_out = _width(config, "out_features", MAX_NEURONS, where)
        if widths and n_in != widths[-1]:
            raise ValueError(
                f"the model's {where} takes {n_in} inputs but the layer before gives {widths[-1]}."
            )
        widths = widths or [n_in]
        widths.append(n_out)
        shapes[f"{pos}.W.npy"], shapes[f"{pos}.b.npy"] = (n_in, n_out), (n_out,)
    if len(widths) < 2 or len(widths) > MAX_LAYERS + 2:
        raise ValueError(
            f"the model has {max(0, len(widths) - 1)} Dense layers; the playground shows 1 to "
            f"{MAX_LAYERS + 1}."
        )
    if widths[-1] > MAX_CLASSES:
        raise ValueError(
            f"the model has {widths[-1]} outputs; the playground's data have at most "
            f"{MAX_CLASSES} classes."
        )
    names = meta.get("feature_names")
    if names is not None and (
        not isinstance(names, list)
        or len(names) > len(FEATURES)
        or not all(isinstance(n, str) and len(n) <= 32 for n in names)
    ):
        raise ValueError(
            f"the model's feature_names must be playground features; got {brief(names)}."
        )
    if meta.get("loss") is not None and not isinstance(meta.get("loss"), str):
        raise ValueError(f"the model's loss must be a name; got {brief(meta.get('loss'))}.")
    _scalar_config(meta.get("loss_config") or {}, "loss")
    return CheckedModel(widths, shapes, count_weights(widths))


def check_model_file(raw: bytes) -> CheckedModel:
    """Check the bytes of an uploaded .npz before anything in it is unpacked or built.

    Raises
    ------
    ValueError
        Saying what the file declares beyond the playground's limits, or why it is no model.

    Examples
    --------
    >>> from glassnet.model.build import mlp
    >>> from glassnet.playground.modelio import model_bytes
    >>> check_model_file(model_bytes(mlp("2,5,1", seed=0))).n_weights
    21
    >>> check_model_file(b"PK junk")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the uploaded file is not a readable glassnet model file (corrupt or truncated: ...).
    """
    if not raw.startswith(b"PK"):
        raise ValueError(f"{NOT_A_MODEL} (not an .npz archive). Save a model with net.save(path).")
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ValueError(
            f"the uploaded file is not a readable glassnet model file (corrupt or truncated: "
            f"{exc})."
        ) from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(infos) > MAX_MEMBERS or len(set(names)) != len(names):
            raise ValueError(
                f"{NOT_A_MODEL}: it holds {len(infos)} members ({len(set(names))} names); a model "
                f"has at most {MAX_MEMBERS}, each once."
            )
        unpacked = sum(i.file_size for i in infos)
        if unpacked > MAX_UNPACKED:
            raise ValueError(
                f"the uploaded file declares {unpacked:,} bytes once unpacked, more than the "
                f"playground's limit of {MAX_UNPACKED // 2**20} MB (its largest network takes 33 "
                "MB); it may be a zip bomb."
            )
        for info in infos:
            if not info.filename.endswith(".npy"):
                raise ValueError(f"{NOT_A_MODEL}: {brief(info.filename)} is not a NumPy array.")
            if info.flag_bits & 0x1:
                raise ValueError(f"{NOT_A_MODEL}: {brief(info.filename)} is encrypted.")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ValueError(
                    f"{NOT_A_MODEL}: {brief(info.filename)} is compressed with method "
                    f"{info.compress_type}; NumPy files are stored or deflated."
                )
        headers = {i.filename: _header(zf, i)[0] for i in infos}
        if META not in headers:
            raise ValueError(
                "the uploaded file is an .npz file but not a glassnet model (no __glassnet__ "
                "entry)."
            )
        checked = check_description(_description(zf, zf.getinfo(META)))
    for name, shape in checked.shapes.items():
        if name not in headers:
            raise ValueError(f"the uploaded file lacks the array {name[:-4]!r}; it is incomplete.")
        if headers[name] != shape:
            raise ValueError(
                f"the uploaded file's array {name[:-4]!r} has shape {headers[name]}, but its "
                f"description says {shape}."
            )
    return checked
