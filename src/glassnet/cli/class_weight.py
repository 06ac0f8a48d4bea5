"""``glassnet train --class-weight``: its value (``balanced``, or ``CLASS:WEIGHT,...``) read
into what ``fit(class_weight=...)`` takes, with errors that show the accepted forms.

A class is named as the data names it (a CSV file's target value, a data set's class name) or
by its index 0..K-1; classes not named keep weight 1.
"""

from __future__ import annotations

import math
from typing import Any

FORMS = (
    "balanced (every class counts alike: class c gets N / (K N_c)), or CLASS:WEIGHT pairs "
    "separated by commas, e.g. spam:5 or 0:1,1:10 (CLASS is a class name or index; classes "
    "not named keep weight 1)"
)


def check_form(text: str) -> None:
    """Refuse a malformed ``--class-weight`` before any data is read.

    Examples
    --------
    >>> check_form("balanced"); check_form("cat:2,dog:0.5")
    >>> check_form("cat=2")
    Traceback (most recent call last):
    ...
    ValueError: --class-weight 'cat=2': 'cat=2' is not CLASS:WEIGHT. Give balanced (every class counts alike: class c gets N / (K N_c)), or CLASS:WEIGHT pairs separated by commas, e.g. spam:5 or 0:1,1:10 (CLASS is a class name or index; classes not named keep weight 1).
    """
    _pairs(text)


def class_weight_from(text: str, class_names: list[str] | None, n_classes: int) -> Any:
    """``"balanced"``, or a dict {class index: weight} for ``fit(class_weight=...)``.

    Parameters
    ----------
    text : str
        The flag's value.
    class_names : list of str or None
        ``class_names[k]`` names class k (None: classes are named by index only).
    n_classes : int
        K, the number of classes.

    Raises
    ------
    ValueError
        A malformed value, a class the data does not have, or the same class twice.

    Examples
    --------
    >>> class_weight_from("dog:3", ["cat", "dog"], 2)
    {1: 3.0}
    >>> class_weight_from("0:2,1:0.5", None, 2)
    {0: 2.0, 1: 0.5}
    """
    pairs = _pairs(text)
    if pairs == "balanced":
        return "balanced"
    names = [str(c) for c in class_names] if class_names else []
    out: dict[int, float] = {}
    for cls, weight in pairs:
        if cls in names:
            k = names.index(cls)
        elif cls.isdigit() and int(cls) < n_classes:
            k = int(cls)
        else:
            known = ", ".join(names) if names else f"0..{n_classes - 1}"
            raise ValueError(
                f"--class-weight {text!r}: the data has no class {cls!r}; its classes are "
                f"{known} (or their indices 0..{n_classes - 1})."
            )
        if k in out:
            raise ValueError(f"--class-weight {text!r} gives class {cls!r} twice; give it once.")
        out[k] = weight
    return out


def _pairs(text: str) -> Any:
    """ "balanced", or the (class, weight) pairs of ``text``, each weight a finite number >= 0."""
    text = str(text).strip()
    if text.lower() == "balanced":
        return "balanced"

    def bad(why: str) -> ValueError:
        return ValueError(f"--class-weight {text!r}: {why}. Give {FORMS}.")

    pairs = []
    for item in text.split(","):
        cls, sep, value = item.strip().rpartition(":")
        if not sep or not cls.strip():
            raise bad(f"{item.strip()!r} is not CLASS:WEIGHT")
        try:
            weight = float(value)
        except ValueError:
            raise bad(f"the weight {value!r} of class {cls.strip()!r} is not a number") from None
        if not math.isfinite(weight) or weight < 0:
            raise bad(f"the weight of class {cls.strip()!r} must be a finite number >= 0")
        pairs.append((cls.strip(), weight))
    return pairs
