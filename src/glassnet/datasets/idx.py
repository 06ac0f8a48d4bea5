"""IDX files, the format of MNIST and Fashion-MNIST, plain or gzipped.

An IDX file is: two zero bytes, a dtype code, the number of dimensions ``d``, then ``d``
big-endian uint32 sizes, then the values in C order, big-endian. Gzip is recognised by its magic
bytes, whatever the file name says.
"""

from __future__ import annotations

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

# IDX dtype code -> big-endian numpy dtype.
_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODES = {np.dtype(v).newbyteorder("="): k for k, v in _DTYPES.items()}
# The standard file names: split -> file-name prefix.
_PREFIX = {"train": "train", "test": "t10k"}


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (plain or gzipped) into an array of native byte order.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ndarray
        Shape and dtype as the header says (uint8 for MNIST images, shape (n, 28, 28)).

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        A bad magic number, an unknown dtype code, corrupt gzip data, or a size that does not
        match the header (a truncated file).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "x-idx2-ubyte.gz"
    ...     write_idx(p, np.arange(6, dtype=np.uint8).reshape(2, 3))
    ...     read_idx(p).tolist()
    [[0, 1, 2], [3, 4, 5]]
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: {path}")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise ValueError(f"{path}: corrupt or truncated gzip data ({e}).") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"{path}: not an IDX file: bad magic number {raw[:4].hex() or '(empty file)'}; "
            "an IDX file starts with two zero bytes, a dtype code and the number of dimensions."
        )
    code, ndim = raw[2], raw[3]
    if code not in _DTYPES:
        codes = ", ".join(f"0x{c:02X}" for c in _DTYPES)
        raise ValueError(f"{path}: unknown IDX dtype code 0x{code:02X}; expected one of {codes}.")
    if ndim == 0:
        raise ValueError(f"{path}: the IDX header gives 0 dimensions; expected at least 1.")
    start = 4 + 4 * ndim
    if len(raw) < start:
        raise ValueError(f"{path}: truncated IDX header: {ndim} sizes need {start} bytes.")
    dims = struct.unpack(f">{ndim}I", raw[4:start])
    dtype = np.dtype(_DTYPES[code])
    count = math.prod(dims)
    need, found = count * dtype.itemsize, len(raw) - start
    if found != need:
        what = "truncated" if found < need else "too long"
        raise ValueError(
            f"{path}: {what}: the header's shape {dims} of {dtype.name} needs {need} bytes of "
            f"data; found {found}. Download the file again."
        )
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=start).reshape(dims)
    return data.astype(dtype.newbyteorder("="))  # a writable native-order copy


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file; gzipped when the name ends in ``.gz``.

    Supported dtypes: uint8, int8, int16, int32, float32, float64.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_idx(pathlib.Path(d) / "y-idx1-ubyte", np.array([3, 1], dtype=np.uint8))
    ...     (pathlib.Path(d) / "y-idx1-ubyte").read_bytes().hex()
    '00000801000000020301'
    """
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODES:
        names = ", ".join(d.name for d in _CODES)
        raise TypeError(f"write_idx supports dtypes {names}; got {array.dtype}.")
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"write_idx needs an array of 1 to 255 dimensions; got {array.ndim}.")
    header = bytes([0, 0, _CODES[native], array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    data = header + np.ascontiguousarray(array, dtype=native.newbyteorder(">")).tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)


def _find(folder: Path, prefix: str, kind: str) -> Path | None:
    """The first existing ``{prefix}-{kind}`` file, plain or gzipped, '-' or '.' before idx."""
    for sep in ("-", "."):
        for ext in ("", ".gz"):
            p = folder / f"{prefix}-{kind.replace('-', sep, 1)}{ext}"
            if p.is_file():
                return p
    return None


def _check_split(split: str) -> str:
    if split not in _PREFIX:
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}.")
    return split


def _read_split(folder: str | Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Read one split's images and labels from ``folder`` (FileNotFoundError if absent)."""
    folder = Path(folder)
    prefix = _PREFIX[split]
    images = _find(folder, prefix, "images-idx3-ubyte")
    labels = _find(folder, prefix, "labels-idx1-ubyte")
    if images is None or labels is None:
        raise FileNotFoundError(
            f"no {split} split in {folder}: expected {prefix}-images-idx3-ubyte and "
            f"{prefix}-labels-idx1-ubyte (optionally .gz)."
        )
    X, y = read_idx(images), read_idx(labels)
    if y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{folder}: {images.name} holds {X.shape[0]} images but {labels.name} holds "
            f"labels of shape {y.shape}; expected ({X.shape[0]},)."
        )
    return X, y.astype(np.int64)


def load_idx_folder(folder: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read the MNIST-style IDX files in ``folder``.

    Looks for ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (each optionally ``.gz``, and
    ``.idx`` in place of ``-idx`` is accepted).

    Returns
    -------
    dict
        ``{"train": (X, y), "test": (X, y)}`` for the splits found; ``X`` as stored
        (uint8 of shape (n, 28, 28) for MNIST), ``y`` int64 of shape (n,).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_idx(pathlib.Path(d) / "t10k-images-idx3-ubyte", np.zeros((3, 2, 2), np.uint8))
    ...     write_idx(pathlib.Path(d) / "t10k-labels-idx1-ubyte", np.array([0, 1, 2], np.uint8))
    ...     {k: (X.shape, y.tolist()) for k, (X, y) in load_idx_folder(d).items()}
    {'test': ((3, 2, 2), [0, 1, 2])}
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"IDX folder not found: {folder}")
    out = {}
    for split in _PREFIX:
        try:
            out[split] = _read_split(folder, split)
        except FileNotFoundError:
            continue
    if not out:
        raise FileNotFoundError(
            f"no IDX files in {folder}: expected train-images-idx3-ubyte, "
            "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte "
            "(optionally .gz)."
        )
    return out
