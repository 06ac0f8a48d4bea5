"""One zarr v3 array read from a zip store with zipfile + blosc, no zarr dependency.

Only what the MNIST store needs is supported: regular chunks, codecs ``bytes`` + ``blosc``,
chunk keys ``c/i/j/...``; absent chunks hold the fill value.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np


def read_zarr_array(
    z: zipfile.ZipFile, name: str, blosc: object, divide_by: float | None = None
) -> np.ndarray:
    """Assemble one zarr v3 array (regular chunks, codecs bytes + blosc) from a zip store.

    Chunks are decompressed one at a time straight into one preallocated output, so the peak
    is the output plus one chunk. With ``divide_by`` the output is float32 and each chunk is
    divided as it lands (``np.divide`` in float32: exactly ``stored / divide_by``), so the
    stored array never exists whole next to its float copy.

    Parameters
    ----------
    z : zipfile.ZipFile
        The open zip store.
    name : str
        The array's folder in the store (it holds ``zarr.json`` and the chunks ``c/...``).
    blosc : module
        The ``blosc`` module (imported by the caller, which owns the error when it is missing).
    divide_by : float or None, default None
        None keeps the stored dtype; a number gives float32 ``stored / divide_by``.

    Returns
    -------
    ndarray
        Shape as ``zarr.json`` says, native byte order.

    Examples
    --------
    >>> import io, blosc
    >>> meta = {"zarr_format": 3, "shape": [3], "data_type": "uint8", "fill_value": 0,
    ...         "chunk_grid": {"configuration": {"chunk_shape": [2]}},
    ...         "chunk_key_encoding": {"configuration": {"separator": "/"}},
    ...         "codecs": [{"name": "bytes"}, {"name": "blosc"}]}
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("a/zarr.json", json.dumps(meta))
    ...     z.writestr("a/c/0", blosc.compress(bytes([0, 51]), typesize=1))
    ...     z.writestr("a/c/1", blosc.compress(bytes([255, 0]), typesize=1))  # padded edge
    >>> with zipfile.ZipFile(buf) as z:
    ...     read_zarr_array(z, "a", blosc).tolist(), read_zarr_array(z, "a", blosc, 255).tolist()
    ([0, 51, 255], [0.0, 0.20000000298023224, 1.0])
    """
    meta = json.loads(z.read(f"{name}/zarr.json"))
    codecs = [c["name"] for c in meta["codecs"]]
    if meta.get("zarr_format") != 3 or codecs != ["bytes", "blosc"]:
        raise ValueError(f"{name}: expected a zarr v3 array with codecs bytes+blosc; got {meta}")
    endian = (meta["codecs"][0].get("configuration") or {}).get("endian", "little")
    dtype = np.dtype(meta["data_type"]).newbyteorder("<" if endian == "little" else ">")
    shape = tuple(meta["shape"])
    chunk = tuple(meta["chunk_grid"]["configuration"]["chunk_shape"])
    sep = meta["chunk_key_encoding"].get("configuration", {}).get("separator", "/")
    fill = np.asarray(meta.get("fill_value", 0), dtype=dtype)  # () ; absent chunks = fill
    if divide_by is not None:
        fill = np.divide(fill, np.float32(divide_by), dtype=np.float32)  # ()
    out = np.full(shape, fill, dtype=fill.dtype.newbyteorder("="))  # whole output, once
    stored = set(z.namelist())
    for idx in np.ndindex(*(-(-s // c) for s, c in zip(shape, chunk, strict=True))):
        key = f"{name}/c{sep}" + sep.join(map(str, idx))
        if key not in stored:
            continue
        block = np.frombuffer(blosc.decompress(z.read(key)), dtype=dtype).reshape(chunk)
        where = tuple(
            slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(idx, chunk, shape, strict=True)
        )
        block = block[tuple(slice(0, w.stop - w.start) for w in where)]  # edge chunks: a view
        if divide_by is None:
            out[where] = block
        else:
            np.divide(block, np.float32(divide_by), out=out[where], dtype=np.float32)
    return out
