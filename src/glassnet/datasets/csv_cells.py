"""Parsing a CSV file's cells: feature, target and sample-weight columns into arrays.

:func:`~glassnet.datasets.csv.read_csv` reads the rows chunk by chunk as strings and hands the
feature cells of each chunk to :func:`parse_numbers`, the target and weight columns whole to
:func:`_target` and :func:`_weights`; every error names the row, line and column of the first
bad cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from glassnet.utils.validation import check_sample_weight

MAX_CLASSES = 20  # an integer target with at most this many values is taken as class labels


def _where(path: Path, row: int, line: int, col: str) -> str:
    return f"row {row} (line {line}), column {col!r} of {path}"


class NonNumeric(NamedTuple):
    """Columns of a chunk that hold a value that is not a number: their positions and the
    first bad cell (row in the chunk, column position, text)."""

    columns: list[int]
    first: tuple[int, int, str]
    names: list[str]
    lines: Any
    path: Path
    row0: int

    def error(self) -> ValueError:
        """The error naming the first non-numeric cell."""
        i, j, text = self.first
        return ValueError(
            f"non-numeric value {text!r} in "
            f"{_where(self.path, self.row0 + i + 1, self.lines[i], self.names[j])}; feature "
            "columns must hold numbers: encode categories as numbers first, or one-hot encode "
            "them with --categorical auto (read_csv(..., categorical='auto'))."
        )


def parse_numbers(
    cells: np.ndarray,
    names: list[str],
    lines: Any,
    path: Path,
    row0: int,
    allow_missing: bool,
) -> np.ndarray | NonNumeric:
    """Parse a chunk of feature cells (n, d) of stripped strings as float64 (n, d).

    Missing values (:data:`~.csv_encode.NA_VALUES`) are an error naming the first, or NaN with
    ``allow_missing``; NaN and inf written as numbers are errors. Columns with a value that is
    not a number come back as a :class:`NonNumeric` for the caller to refuse (its ``error()``)
    or to one-hot encode. ``row0`` is the chunk's first row in the file (for messages).
    """
    from .csv_encode import missing_mask, missing_message

    missing = missing_mask(cells)  # (n, d)
    if missing.any():
        if not allow_missing:
            i, j = np.argwhere(missing)[0]
            where = _where(path, row0 + i + 1, lines[i], names[j])
            raise ValueError(missing_message(str(cells[i, j]), where))
        cells = np.where(missing, "nan", cells)
    try:
        values = cells.astype(object).astype(np.float64)  # (n, d), as Python's float reads them
    except ValueError:
        return _non_numeric(cells, names, lines, path, row0)
    bad = np.argwhere(~np.isfinite(values) & ~missing)
    if len(bad):
        i, j = bad[0]
        raise ValueError(
            f"missing or non-finite value {str(cells[i, j])!r} (NaN or inf) in "
            f"{_where(path, row0 + i + 1, lines[i], names[j])}; fill or drop such rows first."
        )
    return values


def _non_numeric(
    cells: np.ndarray, names: list[str], lines: Any, path: Path, row0: int
) -> NonNumeric:
    """The columns of a chunk that do not parse, and the first bad cell in file order."""
    columns, first = [], None
    for j in range(cells.shape[1]):
        try:
            cells[:, j].astype(object).astype(np.float64)
        except ValueError:
            columns.append(j)
            i = next(i for i, c in enumerate(cells[:, j]) if not is_number(str(c)))
            if first is None or i < first[0]:
                first = (i, j, str(cells[i, j]))
    assert first is not None  # the whole chunk failed to parse, so some column did
    return NonNumeric(columns, first, names, lines, path, row0)


def is_number(text: str) -> bool:
    """Whether ``float(text)`` succeeds (a CSV cell that holds a number).

    Examples
    --------
    >>> is_number("2.5e3"), is_number("nan"), is_number("cat")
    (True, True, False)
    """
    try:
        float(text)
    except ValueError:
        return False
    return True


_is_number = is_number  # the old private name


def _label(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _target(
    cells: np.ndarray, name: str, lines: list[int], path: Path, task: str | None
) -> tuple[np.ndarray, str, list[str] | None]:
    """Parse the target column: (y, task, class_names)."""
    try:
        values = cells.astype(np.float64)  # (n,)
    except ValueError:
        values = None
    # Empty and NaN targets are reported like empty and NaN features.
    missing = (cells == "") if values is None else ~np.isfinite(values)
    if missing.any():
        i = int(np.argmax(missing))
        raise ValueError(
            f"missing or non-finite target value {str(cells[i])!r} in "
            f"{_where(path, i + 1, lines[i], name)}; fill or drop such rows first."
        )
    if values is None and task == "regression":
        i = next(i for i, c in enumerate(cells) if not _is_number(c))
        raise ValueError(
            f"non-numeric target value {str(cells[i])!r} in {_where(path, i + 1, lines[i], name)}"
            "; a regression target must be numeric (or pass task='classification')."
        )
    if task is None:
        integral = values is not None and np.all(values == np.round(values))
        small = values is not None and len(np.unique(values)) <= MAX_CLASSES
        task = "classification" if values is None or (integral and small) else "regression"
    if task == "regression":
        return values.astype(np.float32)[:, None], task, None  # (n, 1)
    if values is None:  # string labels, sorted as strings
        classes, y = np.unique(cells, return_inverse=True)
        return y.astype(np.int64), task, [str(c) for c in classes]
    classes, y = np.unique(values, return_inverse=True)  # sorted numerically
    return y.astype(np.int64), task, [_label(c) for c in classes]


def _weights(cells: np.ndarray, name: str, lines: list[int], path: Path) -> np.ndarray:
    """Parse the sample-weight column (n,): numbers >= 0, not all zero, as float64."""
    try:
        w = cells.astype(np.float64)  # (n,)
    except ValueError:  # some cell is empty or text: NaN there, reported below
        w = np.array([float(c) if is_number(c) else np.nan for c in cells])  # (n,)
    bad = ~(np.isfinite(w) & (w >= 0))  # empty, text, NaN, inf or negative
    if bad.any():
        i = int(np.argmax(bad))
        c = str(cells[i])
        if c == "":
            what = "missing sample weight (empty field)"
        else:
            kind = (
                "non-numeric"
                if not is_number(c)
                else "non-finite"
                if not np.isfinite(w[i])
                else "negative"
            )
            what = f"{kind} sample weight {c!r}"
        raise ValueError(
            f"{what} in {_where(path, i + 1, lines[i], name)}; the weight column {name!r} "
            "must hold a finite number >= 0 on every row (0 leaves the row out)."
        )
    return check_sample_weight(w, len(w), f"the weight column {name!r} of {path}")
