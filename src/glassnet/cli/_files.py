"""The files the commands write: checked before the work starts, and a trained model never lost.

``glassnet train`` checks ``--save`` and ``--checkpoint`` before it loads any data (a directory,
a special file, a folder that cannot be written, or a file that is not a glassnet model without
``--force``, fails at once rather than after training); ``predict`` checks ``--output``
likewise. If saving still fails after training (the disk filled up, a permission changed),
:func:`save_or_rescue` writes the model next to the path asked for, or else in the temporary
folder, and says where: the trained model is never lost.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from glassnet.saving.files import check_destination, is_glassnet_file
from glassnet.saving.serialize import save_checkpoint

FORCE_HINT = "add --force"


class CommandFailed(Exception):
    """A command that could not finish although its input was fine (training diverged, the
    model could not be saved where asked): ``main`` prints the message and exits with 1."""


def check_output(
    path: Any,
    flag: str,
    force: bool,
    is_ours: Callable[[Path], bool] = is_glassnet_file,
    noun: str = "a glassnet model file",
) -> None:
    """Refuse, naming ``flag``, a destination that may not or cannot be written.

    Examples
    --------
    >>> import os, tempfile
    >>> check_output(tempfile.mkdtemp(), "--save", force=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --save ...: ... is a directory; give a file path for a glassnet model file ...
    """
    try:
        check_destination(path, overwrite=force, is_ours=is_ours, noun=noun, force_hint=FORCE_HINT)
    except FileExistsError as exc:
        raise FileExistsError(f"{flag} {path}: {exc}") from None
    except PermissionError as exc:
        raise PermissionError(f"{flag} {path}: {exc}") from None
    except ValueError as exc:
        raise ValueError(f"{flag} {path}: {exc}") from None


def _rescue_paths(path: Path) -> list[Path]:
    """Where a model that could not be saved at ``path`` goes instead: beside it, else in the
    temporary folder; names that exist nowhere yet."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"{path.stem}.rescued-{stamp}-{os.getpid()}.npz"
    candidates = [Path(tempfile.gettempdir()) / f"glassnet-{name}"]
    if path.parent.is_dir():
        candidates.insert(0, path.parent / name)
    return candidates


def save_or_rescue(net: Any, path: Any, info: dict[str, Any], force: bool) -> str | None:
    """Save the trained model to ``path``; None when that worked, else the error message, which
    says where the model was written instead (or that nothing could be written).

    Examples
    --------
    >>> import os, tempfile
    >>> from glassnet import mlp
    >>> folder = tempfile.mkdtemp()
    >>> save_or_rescue(mlp("2,1"), os.path.join(folder, "m.npz"), {}, force=False) is None
    True
    >>> message = save_or_rescue(mlp("2,1"), folder, {}, force=False)  # a directory
    >>> "the trained model was saved to" in message and "rescued" in message
    True
    """
    from glassnet.cli._common import save_model

    try:
        save_model(net, path, info, overwrite=force)
        return None
    except (OSError, ValueError) as exc:
        reason = str(exc)
    for candidate in _rescue_paths(Path(path)):
        try:
            save_checkpoint(net, candidate, state={"data": info})
        except (OSError, ValueError):
            continue
        return (
            f"could not save the model to {path} ({reason}); the trained model was saved to "
            f"{candidate} instead: move it where you want it."
        )
    return f"could not save the model to {path} ({reason}), nor anywhere else; it is lost."
