"""Writing files safely: never over what is not ours, atomically, with the umask's mode.

Every file glassnet writes (models, checkpoints, predictions) goes through :func:`atomic_write`:

- :func:`check_destination` first: a directory, a device, a pipe or a socket is never written
  over, even when asked to; an existing regular file is replaced only when it is a file of the
  kind being written (a glassnet model for a model, see :func:`is_glassnet_file`), or empty, or
  with ``overwrite=True`` (the CLI's ``--force``). So ``--save data.csv`` cannot destroy the
  training data, and ``predict --output model.npz`` cannot destroy a model.
- The bytes go to a new temporary file beside the target, which is flushed, synced and then
  renamed over the target: a crash leaves the old file or the new one, never half of one.
- A new file gets the mode ``0o666 & ~umask`` (what ``open(path, "w")`` gives; the temporary
  file is created with it, as the kernel applies the umask); a replaced file keeps its mode.
- A symbolic link is written through: the file it points to is replaced, the link stays.
"""

from __future__ import annotations

import os
import secrets
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

META_MEMBER = "__glassnet__.npy"  # the JSON description inside a glassnet .npz file
FORCE_HINT = "pass overwrite=True"  # how the API asks to replace a file that is not ours


def is_glassnet_file(path: Any) -> bool:
    """Whether ``path`` is a glassnet model or checkpoint file (an .npz archive whose
    directory lists the ``__glassnet__`` description), judged from the zip directory only.

    Examples
    --------
    >>> import os, tempfile
    >>> from glassnet import Dense, Sequential
    >>> folder = tempfile.mkdtemp()
    >>> Sequential([Dense(1, 1)]).save(os.path.join(folder, "m.npz"))
    >>> is_glassnet_file(os.path.join(folder, "m.npz")), is_glassnet_file(folder)
    (True, False)
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with zipfile.ZipFile(path) as archive:
            archive.getinfo(META_MEMBER)
            return True
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError):
        return False


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(".")  # pragma: no cover - a relative path's parents end at "."


def check_destination(
    path: Any,
    *,
    overwrite: bool = False,
    is_ours: Callable[[Path], bool] = is_glassnet_file,
    noun: str = "a glassnet model file",
    force_hint: str = FORCE_HINT,
    writable: bool = True,
) -> Path:
    """The real path to write ``path``'s file at, or an error saying why it may not be written.

    Parameters
    ----------
    path : str or Path
        Where the caller wants to write (a symbolic link is followed).
    overwrite : bool
        Replace an existing regular file even when ``is_ours`` says it is not ours.
    is_ours : callable
        Whether an existing file is of the kind being written (and so may be replaced).
    noun : str
        What the file being written is, for messages (e.g. "a glassnet model file").
    force_hint : str
        How to ask for ``overwrite`` (the CLI says "add --force").
    writable : bool
        Also check that the folder can be written (its nearest existing ancestor, which must
        be a folder and writable).

    Raises
    ------
    ValueError
        ``path`` is a directory or a special file (never written over), or one of its
        parents is a file.
    FileExistsError
        ``path`` is a file that is not ours and ``overwrite`` is False.
    PermissionError
        The folder cannot be written (with ``writable``).

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> data = os.path.join(folder, "data.csv")
    >>> _ = open(data, "w").write("x,y\\n1,2\\n")
    >>> check_destination(data)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileExistsError: ...data.csv exists and is not a glassnet model file; ...
    >>> check_destination(data, overwrite=True).name
    'data.csv'
    """
    target = Path(os.path.realpath(path))
    shown = str(path)
    if os.path.lexists(target):
        mode = os.stat(target).st_mode
        if stat.S_ISDIR(mode):
            raise ValueError(
                f"{shown} is a directory; give a file path for {noun} (such as "
                f"{os.path.join(shown, 'model.npz')}). glassnet never writes over a directory."
            )
        if not stat.S_ISREG(mode):
            raise ValueError(
                f"{shown} is not a regular file (a device, pipe or socket); glassnet never "
                "writes over one, even with --force or overwrite=True. Give a file path."
            )
        if not overwrite and os.path.getsize(target) > 0 and not is_ours(target):
            raise FileExistsError(
                f"{shown} exists and is not {noun}; glassnet will not replace it (it may be "
                f"your data). Give another path, or {force_hint} to replace it."
            )
    ancestor = _nearest_existing(target.parent)
    if not ancestor.is_dir():
        raise ValueError(f"cannot write {shown}: {ancestor} is a file, not a folder.")
    if writable and not os.access(ancestor, os.W_OK | os.X_OK):
        raise PermissionError(
            f"cannot write {shown}: the folder {ancestor} is not writable; give a path in a "
            "folder you can write to."
        )
    return target


def _create_temp(folder: Path, name: str) -> tuple[int, Path]:
    """A new file beside the target, created with mode 0o666 so that the umask applies."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
    raise FileExistsError(f"could not create a temporary file in {folder}.")  # pragma: no cover


def atomic_write(
    path: Any,
    write: Callable[[IO[bytes]], None],
    *,
    overwrite: bool = False,
    is_ours: Callable[[Path], bool] = is_glassnet_file,
    noun: str = "a glassnet model file",
    force_hint: str = FORCE_HINT,
) -> Path:
    """Write a file atomically: ``write(fh)`` fills a temporary file, renamed over ``path``.

    See the module docstring for what is refused and for the file's mode. Missing parent
    folders are created. Returns the path written (a symbolic link's target).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "out", "notes.txt")
    >>> atomic_write(path, lambda fh: fh.write(b"hello"), is_ours=lambda p: True).read_bytes()
    b'hello'
    """
    target = check_destination(
        path, overwrite=overwrite, is_ours=is_ours, noun=noun, force_hint=force_hint,
        writable=False,  # the attempt below says why it fails, if it does
    )  # fmt: skip
    target.parent.mkdir(parents=True, exist_ok=True)
    existing = os.stat(target).st_mode if target.exists() else None
    fd, tmp = _create_temp(target.parent, target.name)
    try:
        fh = os.fdopen(fd, "wb")
    except BaseException:  # pragma: no cover - fdopen of a fresh descriptor
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    try:
        with fh:
            if existing is not None and hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), stat.S_IMODE(existing))  # a replaced file keeps its mode
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
