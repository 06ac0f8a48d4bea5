"""``glassnet train --lr-schedule``: its value (``step:10:0.5``, ``cosine``, ...) read into the
learning-rate schedule callback it names, with an error that shows every accepted form.
"""

from __future__ import annotations

from typing import Any

from glassnet.callbacks import (
    Callback,
    CosineAnnealingLR,
    ExponentialLR,
    ReduceLROnPlateau,
    StepLR,
)

FORMS = (
    "step:N[:GAMMA] (multiply the lr by GAMMA, default 0.1, every N epochs; e.g. step:10:0.5), "
    "exponential:GAMMA (multiply it by GAMMA every epoch; e.g. exponential:0.95), "
    "cosine[:MIN_LR] (half a cosine from --lr down to MIN_LR, default 0, over --epochs), "
    "plateau[:FACTOR[:PATIENCE]] (multiply it by FACTOR, default 0.1, once the monitored loss "
    "has not improved for more than PATIENCE epochs, default 10; e.g. plateau:0.5:5), "
    "none (a constant lr)"
)

# kind -> the names of its arguments, required first, then optional; N and PATIENCE are counts
_ARGS = {
    "step": (("N",), ("GAMMA",)),
    "exponential": (("GAMMA",), ()),
    "cosine": ((), ("MIN_LR",)),
    "plateau": ((), ("FACTOR", "PATIENCE")),
    "none": ((), ()),
}
_COUNTS = ("N", "PATIENCE")
# the callbacks' argument names, as the forms above spell them, for their errors
_FORM_NAMES = {
    "step_size": "N",
    "gamma": "GAMMA",
    "eta_min": "MIN_LR",
    "factor": "FACTOR",
    "patience": "PATIENCE",
}


def schedule_from(text: str, epochs: int, monitor: str) -> Callback | None:
    """The schedule callback ``text`` names (None for "none"), for a run of ``epochs`` epochs.

    Parameters
    ----------
    text : str
        The value of ``--lr-schedule``, e.g. "step:10:0.5" (see ``FORMS``).
    epochs : int
        The run's ``--epochs``: cosine's ``T_max``.
    monitor : str
        What "plateau" watches: "val_loss" with validation data, else "loss".

    Raises
    ------
    ValueError
        For a value of none of the forms, naming the flag and showing the accepted forms.

    Examples
    --------
    >>> schedule_from("step:10:0.5", 20, "loss")
    StepLR(step_size=10, gamma=0.5)
    >>> schedule_from("cosine", 30, "loss")
    CosineAnnealingLR(T_max=30, eta_min=0.0)
    >>> schedule_from("plateau:0.5:3", 30, "val_loss").patience
    3
    >>> schedule_from("step", 20, "loss")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --lr-schedule 'step': step needs N. Accepted forms: step:N[:GAMMA] (...
    """
    kind, *parts = str(text).strip().lower().split(":")
    try:
        args = _numbers(kind, parts)
        if kind == "step":
            return StepLR(*args)
        if kind == "exponential":
            return ExponentialLR(*args)
        if kind == "cosine":
            return CosineAnnealingLR(epochs, *args)
        if kind == "plateau":
            return ReduceLROnPlateau(monitor, *args)
        return None
    except (TypeError, ValueError) as exc:
        name, _, rest = str(exc).partition(" ")
        why = f"{_FORM_NAMES.get(name, name)} {rest}"
        raise ValueError(f"--lr-schedule {text!r}: {why} Accepted forms: {FORMS}.") from None


def _numbers(kind: str, parts: list[str]) -> list[Any]:
    """The arguments of ``kind`` as numbers, checked for count; ranges are the callbacks'."""
    if kind not in _ARGS:
        raise ValueError(f"unknown schedule {kind!r}.")
    required, optional = _ARGS[kind]
    names = required + optional
    if len(parts) < len(required):
        raise ValueError(f"{kind} needs {':'.join(required)}.")
    if len(parts) > len(names):
        takes = f"at most {':'.join(names)}" if names else "no value"
        raise ValueError(f"{kind} takes {takes}; got {':'.join(parts)}.")
    out: list[Any] = []
    for name, part in zip(names, parts, strict=False):
        try:
            out.append(int(part) if name in _COUNTS else float(part))
        except ValueError:
            whole = "a whole number" if name in _COUNTS else "a number"
            raise ValueError(f"{name} must be {whole}; got {part!r}.") from None
    return out
