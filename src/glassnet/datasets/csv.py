"""Load a CSV file of numbers (plus a target column) into arrays.

:func:`load_csv` returns ``(X, y)``; :func:`read_csv` returns the same arrays with the column
names, the task and the class names (``class_names[k]`` is the original label of class ``k``),
and, when asked for, a column of sample weights (``w``) taken out of the features.
Each column's cells are parsed by :mod:`.csv_cells` (``is_number`` and ``MAX_CLASSES`` are
re-exported here).
"""

from __future__ import annotations

import csv as _csv
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .csv_cells import MAX_CLASSES as MAX_CLASSES
from .csv_cells import _is_number as _is_number
from .csv_cells import _target, _to_float, _weights
from .csv_cells import is_number as is_number

TASKS = ("classification", "regression")


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
