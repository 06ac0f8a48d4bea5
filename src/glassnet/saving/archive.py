"""Reading an .npz archive as untrusted input: every array's size is checked before it is read.

An .npz file is a zip archive of .npy files. :class:`Archive` opens it and reads only the zip's
directory and each member's .npy header (bounded: :data:`~glassnet.saving.limits.MAX_HEADER_BYTES`),
so that a caller can compare the declared shapes with what it expects before any array is
allocated. Every member must declare, in the zip directory, exactly the number of bytes its .npy
header describes (header plus ``prod(shape) * itemsize``): a member cannot inflate beyond its
declared shape, since :mod:`zipfile` stops reading a member at its declared size. Only plain
numbers are allowed (bool, integer and float dtypes): never Python objects, so nothing is
unpickled.
"""

from __future__ import annotations

import io
import math
import os
import stat
import struct
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from glassnet.saving.limits import MAX_HEADER_BYTES

_NPY_MAGIC = b"\x93NUMPY"
#: .npy format version -> (struct format of the header length, its size in bytes)
_LENGTH_FIELD = {1: ("<H", 2), 2: ("<I", 4), 3: ("<I", 4)}


class ArrayHeader(NamedTuple):
    """What an archive member's .npy header declares, read without reading the array."""

    shape: tuple[int, ...]
    dtype: np.dtype
    info: zipfile.ZipInfo  # the zip directory's entry (declared sizes)

    @property
    def size(self) -> int:
        """Number of elements, ``prod(shape)``."""
        return math.prod(self.shape)


def check_regular_file(path: Path, noun: str = "model file") -> None:
    """Raise unless ``path`` is an existing regular file (not a folder, device, pipe or socket).

    Examples
    --------
    >>> import tempfile
    >>> check_regular_file(Path(tempfile.mkdtemp()))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ... is a directory, not a model file; give the path of the .npz file...
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"no {noun} at {str(path)!r}; check the path.") from None
    if stat.S_ISDIR(mode):
        raise ValueError(
            f"{str(path)!r} is a directory, not a {noun}; give the path of the .npz file inside it."
        )
    if not stat.S_ISREG(mode):
        raise ValueError(
            f"{str(path)!r} is not a regular file (a device, pipe or socket); give the path "
            f"of a {noun}."
        )


class Archive:
    """An .npz file opened for checked reading: its members' .npy headers, then their arrays.

    Parameters
    ----------
    path : Path
        The file (already known to be a regular file).
    where : str
        How messages name the file, e.g. ``"'model.npz'"``.

    Raises
    ------
    ValueError
        A corrupt zip, a member that is not an .npy array, a name twice, a header that is too
        long or malformed, a dtype that is not plain numbers, or declared sizes that disagree.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npz")
    >>> np.savez(path, w=np.zeros((2, 3), np.float32))
    >>> with Archive(Path(path), "a.npz") as archive:
    ...     archive.headers["w"].shape, archive.read("w").dtype
    ((2, 3), dtype('float32'))
    """

    def __init__(self, path: Path, where: str) -> None:
        self.where = where
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise ValueError(
                f"{where} is not a readable glassnet model file (corrupt or truncated: {exc}). "
                "Save it again with net.save(path)."
            ) from None
        try:
            self.headers = self._read_headers()
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.zip.close()

    def _read_headers(self) -> dict[str, ArrayHeader]:
        headers: dict[str, ArrayHeader] = {}
        for info in self.zip.infolist():
            name = info.filename
            if not name.endswith(".npy") or info.is_dir():
                raise ValueError(
                    f"{self.where} holds {name!r}, which is not an .npy array; a glassnet model "
                    "file holds only arrays."
                )
            key = name[: -len(".npy")]
            if key in headers:
                raise ValueError(f"{self.where} holds the array {key!r} twice.")
            headers[key] = self._header(info, key)
        return headers

    def _header(self, info: zipfile.ZipInfo, key: str) -> ArrayHeader:
        """Read and check one member's .npy header; nothing past it is read."""
        bad = f"{self.where}: the array {key!r} has a malformed .npy header"
        try:
            with self.zip.open(info) as fh:
                magic = fh.read(8)
                if len(magic) != 8 or not magic.startswith(_NPY_MAGIC):
                    raise ValueError(f"{bad} (not an .npy array).")
                version = magic[6]
                if version not in _LENGTH_FIELD:
                    raise ValueError(f"{bad} (format version {version}).")
                fmt, width = _LENGTH_FIELD[version]
                length_field = fh.read(width)
                if len(length_field) != width:
                    raise ValueError(f"{bad} (truncated).")
                (length,) = struct.unpack(fmt, length_field)
                if length > MAX_HEADER_BYTES:
                    raise ValueError(
                        f"{bad}: {length} bytes long, more than the {MAX_HEADER_BYTES} allowed."
                    )
                text = fh.read(length)
                if len(text) != length:
                    raise ValueError(f"{bad} (truncated).")
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise ValueError(f"{self.where} is corrupt ({exc}); save it again.") from None
        stream = io.BytesIO(magic + length_field + text)
        stream.seek(8)
        reader = getattr(np.lib.format, f"read_array_header_{min(version, 2)}_0")
        try:
            shape, fortran, dtype = reader(stream, max_header_size=MAX_HEADER_BYTES)
        except (ValueError, SyntaxError, TypeError) as exc:
            raise ValueError(f"{bad} ({exc}).") from None
        if dtype.hasobject or dtype.kind not in "biuf" or dtype.fields or dtype.subdtype:
            raise ValueError(
                f"{self.where}: the array {key!r} has dtype {dtype}; a glassnet model file holds "
                "only plain numbers (never Python objects, which would need pickle)."
            )
        declared = len(magic) + len(length_field) + length + math.prod(shape) * dtype.itemsize
        if info.file_size != declared:
            raise ValueError(
                f"{self.where}: the array {key!r} declares shape {shape} ({declared} bytes with "
                f"its header) but the zip declares {info.file_size} bytes for it; the file is "
                "corrupt or crafted. Save it again with net.save(path)."
            )
        return ArrayHeader(tuple(int(n) for n in shape), dtype, info)

    def read(self, key: str) -> np.ndarray:
        """The array ``key``: exactly the shape and dtype of its checked header."""
        header = self.headers[key]
        try:
            with self.zip.open(header.info) as fh:
                arr = np.lib.format.read_array(
                    fh, allow_pickle=False, max_header_size=MAX_HEADER_BYTES
                )
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
            raise ValueError(
                f"{self.where} is corrupt or truncated (array {key!r}: {exc}). Save it again "
                "with net.save(path)."
            ) from None
        return arr
