"""Load a CSV file of numbers (plus a target column) into arrays.

:func:`load_csv` returns ``(X, y)``; :func:`read_csv` returns the same arrays with the column
names, the task and the class names (``class_names[k]`` is the original label of class ``k``),
and, when asked for, a column of sample weights (``w``) taken out of the features.
"""

from __future__ import annotations

import csv as _csv
from pathlib import Path
from typing import NamedTuple

import numpy as np

from glassnet._checks import check_sample_weight

TASKS = ("classification", "regression")
MAX_CLASSES = 20  # an integer target with at most this many values is taken as class labels


class CSVTable(NamedTuple):
    """What :func:`read_csv` returns."""

    X: np.ndarray  # (n, d) float32
    y: np.ndarray  # (n,) int64 labels, or (n, 1) float32 targets
    task: str  # "classification" or "regression"
    feature_names: list[str]
    target_name: str
    class_names: list[str] | None  # class k's original label; None for regression
    w: np.ndarray | None = None  # (n,) float64 sample weights; None without ``weight=``
    weight_name: str | None = None  # the weight column's name; None without ``weight=``


def _where(path: Path, row: int, line: int, col: str) -> str:
    return f"row {row} (line {line}), column {col!r} of {path}"


def _to_float(cells: np.ndarray, names: list[str], lines: list[int], path: Path) -> np.ndarray:
    """Parse a (n, d) array of strings as float64, naming the first bad cell if any."""
    empty = np.argwhere(cells == "")
    if len(empty):
        i, j = empty[0]
        raise ValueError(
            f"missing value (empty field) in {_where(path, i + 1, lines[i], names[j])}."
        )
    try:
        values = cells.astype(np.float64)  # (n, d)
    except ValueError:
        for i, j in np.ndindex(*cells.shape):
            try:
                float(cells[i, j])
            except ValueError:
                raise ValueError(
                    f"non-numeric value {str(cells[i, j])!r} in "
                    f"{_where(path, i + 1, lines[i], names[j])}; feature columns must hold "
                    "numbers (encode categories as numbers first)."
                ) from None
        raise
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):
        i, j = bad[0]
        raise ValueError(
            f"missing or non-finite value {str(cells[i, j])!r} (NaN or inf) in "
            f"{_where(path, i + 1, lines[i], names[j])}; fill or drop such rows first."
        )
    return values


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


def read_csv(
    path: str | Path,
    target: str | int,
    delimiter: str = ",",
    header: bool = True,
    task: str | None = None,
    weight: str | int | None = None,
) -> CSVTable:
    """Read a CSV file into a :class:`CSVTable` (X, y, task, names).

    Parameters
    ----------
    path : str or Path
    target : str or int
        The target column, by name (with ``header=True``) or index (negative counts from the end).
        Without a header the columns are named ``"0"``, ``"1"``, ...
    delimiter : str, default ","
    header : bool, default True
        Whether the first non-empty line names the columns.
    task : {"classification", "regression"} or None
        None infers it: a numeric target of whole numbers with at most 20 distinct values, or a
        non-numeric target, is classification; any other numeric target is regression.
    weight : str or int, optional
        A column of sample weights, named like ``target``: taken out of the features and
        returned as ``w``. Every weight must be a number >= 0 (0 leaves the row out of a
        weighted mean) and some weight > 0.

    Returns
    -------
    CSVTable
        ``X`` float32 (n, d) from every other column; ``y`` int64 (n,) holding labels
        ``0 .. k-1`` for the sorted distinct target values (``class_names``), or float32 (n, 1)
        for regression; ``w`` float64 (n,) and ``weight_name`` with ``weight``, else None.

    Raises
    ------
    ValueError
        A column that is not there, a cell that does not parse, or a weight that is empty,
        not a number, NaN, inf or negative (the message names the row, line and column).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "pets.csv"
    ...     _ = p.write_text("weight,height,kind\\n4.0,30,cat\\n30,60,dog\\n5,25,cat\\n")
    ...     t = read_csv(p, target="kind")
    >>> t.X.shape, t.y.tolist(), t.task, t.class_names, t.feature_names
    ((3, 2), [0, 1, 0], 'classification', ['cat', 'dog'], ['weight', 'height'])
    >>> t.w is None
    True

    A column of sample weights leaves the features:

    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "pets.csv"
    ...     _ = p.write_text("weight,kind,w\\n4.0,cat,1\\n30,dog,2.5\\n5,cat,0\\n")
    ...     t = read_csv(p, target="kind", weight="w")
    >>> t.feature_names, t.w.tolist(), t.weight_name
    (['weight'], [1.0, 2.5, 0.0], 'w')
    """
    path = Path(path)
    if task not in (None, *TASKS):
        raise ValueError(f"task must be None, 'classification' or 'regression'; got {task!r}.")
    if not path.is_file():
        raise FileNotFoundError(f"CSV file not found: {path}")
    rows, lines = [], []
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = _csv.reader(f, delimiter=delimiter)
        for r in reader:
            if any(c.strip() for c in r):
                rows.append([c.strip() for c in r])
                lines.append(reader.line_num)
    if not rows:
        raise ValueError(f"CSV file {path} is empty; expected a header line and rows of numbers.")
    names = rows[0] if header else [str(j) for j in range(len(rows[0]))]
    if header:
        rows, lines = rows[1:], lines[1:]
    if not rows:
        raise ValueError(f"CSV file {path} has a header but no data rows.")
    for r, line in zip(rows, lines, strict=True):
        if len(r) != len(names):
            raise ValueError(
                f"{path}, line {line}: {len(r)} fields; expected {len(names)} like the "
                f"{'header' if header else 'first row'}. Check the delimiter ({delimiter!r})."
            )
    t = _column_index(target, names, path)
    wj = None if weight is None else _column_index(weight, names, path, "weight")
    if wj == t:
        raise ValueError(
            f"the weight column {names[t]!r} of {path} is the target column; name another "
            "column of sample weights."
        )
    cells = np.array(rows, dtype=str)  # (n, columns)
    features = [j for j in range(len(names)) if j not in (t, wj)]
    if not features:
        what = "the target column" if wj is None else "the target and weight columns"
        raise ValueError(f"{path} has only {what}; expected feature columns too.")
    X = _to_float(cells[:, features], [names[j] for j in features], lines, path)  # (n, d)
    y, task, class_names = _target(cells[:, t], names[t], lines, path, task)
    w = None if wj is None else _weights(cells[:, wj], names[wj], lines, path)  # (n,)
    return CSVTable(
        X.astype(np.float32),
        y,
        task,
        [names[j] for j in features],
        names[t],
        class_names,
        w,
        None if wj is None else names[wj],
    )


def _column_index(key: str | int, names: list[str], path: Path, role: str = "target") -> int:
    """The index of the ``role`` column (``"target"`` or ``"weight"``), by name or index."""
    if isinstance(key, bool) or not isinstance(key, str | int):
        raise TypeError(f"{role} must be a column name (str) or index (int); got {key!r}.")
    if isinstance(key, int):
        if not -len(names) <= key < len(names):
            raise ValueError(
                f"{role} column index {key} is out of range for {path}, which has "
                f"{len(names)} columns: {', '.join(names)}."
            )
        return key % len(names)
    if key not in names:
        raise ValueError(
            f"{role} column {key!r} not found in {path}; columns are: {', '.join(names)}."
        )
    return names.index(key)


def load_csv(
    path: str | Path,
    target: str | int,
    delimiter: str = ",",
    header: bool = True,
    task: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Read a CSV file into ``(X, y)``; see :func:`read_csv` for the rules and the class names.

    Returns
    -------
    X : ndarray of float32, shape (n, d)
    y : ndarray of int64, shape (n,) (classification) or float32, shape (n, 1) (regression)

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "line.csv"
    ...     _ = p.write_text("x,y\\n0,0.5\\n1,2.5\\n")
    ...     X, y = load_csv(p, target="y")
    >>> X.tolist(), y.tolist(), y.dtype
    ([[0.0], [1.0]], [[0.5], [2.5]], dtype('float32'))
    """
    table = read_csv(path, target, delimiter=delimiter, header=header, task=task)
    return table.X, table.y
