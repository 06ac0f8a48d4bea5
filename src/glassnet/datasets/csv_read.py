"""The chunked reader behind :func:`~glassnet.datasets.csv.read_csv` and ``read_features``.

Rows come from :class:`~.csv_source.CSVSource` in chunks of about 65 536 cells. Each chunk's
numeric feature cells are parsed straight into a float32 array allocated once for the whole file
(its line count bounds the rows), while only the target, weight and categorical columns are kept
as strings, each in a NumPy array as wide as its longest cell. So reading a CSV file peaks near
the size of the arrays it returns (a 47 MB file of numbers needed 887 MB as lists of Python
floats and strings; see the tests for the measured figure).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from .csv_cells import NonNumeric, parse_numbers
from .csv_encode import categories_of, one_hot, one_hot_names
from .csv_source import CSVSource

_CHUNK_CELLS = 1 << 16  # cells parsed at a time


class Columns(NamedTuple):
    """What :func:`read_columns` returns."""

    X: np.ndarray  # (n, D) float32 features, categorical columns one-hot encoded (NaN: missing)
    feature_names: list[str]  # D names: a numeric column's own, "column_category" for one-hot
    categories: dict[str, list[str]]  # the one-hot encoded columns' categories
    kept: dict[int, np.ndarray]  # column position -> its (n,) stripped strings (target, weights)
    lines: np.ndarray  # (n,) int64 line of each row


class Recategorize(Exception):
    """Columns found to hold text under ``categorical="auto"``: read again, one-hot encoding
    them too."""

    def __init__(self, columns: list[int]) -> None:
        super().__init__(columns)
        self.columns = columns


def first_row(source: CSVSource) -> list[str] | None:
    """The first non-empty row, its fields stripped (None for a file without one)."""
    for rows, _ in source.chunks(1):
        return [cell.strip() for cell in rows[0]]
    return None


def check_unique(names: list[str], path: Path) -> None:
    """Refuse a header that names a column twice.

    Examples
    --------
    >>> check_unique(["a", "b", "a"], Path("f.csv"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: column name 'a' appears twice in the header of f.csv (columns 1 and 3); ...
    """
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if name in seen:
            raise ValueError(
                f"column name {name!r} appears twice in the header of {path} (columns "
                f"{seen[name] + 1} and {j + 1}); rename one of them. Columns are matched by "
                "name, so predict would feed the first one in place of the second."
            )
        seen[name] = j


def _plain_numbers(cells: np.ndarray) -> np.ndarray | None:
    """float64 of an object array of fields when every one is a finite number as Python's
    ``float`` reads it (surrounding blanks allowed), else None."""
    try:
        values = cells.astype(np.float64)
    except (ValueError, TypeError):
        return None
    return values if np.isfinite(values).all() else None


def _stripped(cells: np.ndarray) -> np.ndarray:
    """The fields as a NumPy array of strings without surrounding blanks."""
    return np.strings.strip(cells.astype(str))


def _compact(column: np.ndarray) -> np.ndarray:
    """A copy of a column of strings as wide as its longest cell (a chunk is as wide as its
    longest cell in any column)."""
    width = int(np.strings.str_len(column).max()) if len(column) else 1
    return column.astype(f"U{max(width, 1)}")


def read_columns(
    source: CSVSource,
    names: list[str],
    skip_header: bool,
    features: list[int],
    categorical: dict[int, list[str] | None],
    keep: list[int],
    allow_missing: bool,
    auto: bool,
) -> Columns:
    """Read the feature columns ``features`` (positions in each row) into float32, one-hot
    encoding those in ``categorical`` (position -> its categories, or None to collect them
    from the file), and keep the columns ``keep`` as strings.

    Raises
    ------
    Recategorize
        With ``auto``, when a column read as numbers holds text: read again with it in
        ``categorical``.
    ValueError
        A row with another number of fields, a cell that does not parse, a missing value
        without ``allow_missing``, an unknown category; each naming its row, line and column.
    """
    path, width = source.path, len(names)
    numeric = [j for j in features if j not in categorical]
    capacity = source.row_bound()
    X_num = np.empty((capacity, len(numeric)), dtype=np.float32)  # (rows, numeric columns)
    strings: dict[int, list[np.ndarray]] = {j: [] for j in (*categorical, *keep)}
    line_chunks: list[np.ndarray] = []
    n = 0
    for rows, lines in source.chunks(max(64, _CHUNK_CELLS // max(width, 1))):
        if skip_header:  # the header is the first non-empty row
            rows, lines, skip_header = rows[1:], lines[1:], False
            if not rows:
                continue
        for row, line in zip(rows, lines, strict=True):
            if len(row) != width:
                raise ValueError(
                    f"{path}, line {line}: {len(row)} fields; expected {width} like the "
                    f"header. Check the delimiter ({source.describe()})."
                )
        cells = np.array(rows, dtype=object)  # (k, width): the fields as read
        k = len(rows)
        if numeric:
            values = _plain_numbers(cells[:, numeric])  # the fast path: every cell a number
            if values is None:  # missing, text, NaN or inf somewhere: find it and say so
                values = parse_numbers(
                    _stripped(cells[:, numeric]), [names[j] for j in numeric], lines, path, n,
                    allow_missing,
                )  # fmt: skip
            if isinstance(values, NonNumeric):
                if auto:
                    raise Recategorize([numeric[c] for c in values.columns])
                raise values.error()
            if n + k > capacity:  # more rows than line breaks (odd line endings): grow
                capacity = max(2 * capacity, n + k)
                X_num = np.concatenate(
                    [X_num[:n], np.empty((capacity - n, len(numeric)), np.float32)]
                )
            X_num[n : n + k] = values  # float64 -> float32, rounded once
        for j, parts in strings.items():
            parts.append(_compact(_stripped(cells[:, j])))
        line_chunks.append(lines)
        n += k
    if n == 0:
        raise ValueError(f"CSV file {path} has a header but no data rows.")
    if n < 0.75 * capacity:
        X_num = X_num[:n].copy()  # free the rows the bound over-counted
    else:
        X_num = X_num[:n]
    lines = np.concatenate(line_chunks)
    columns = {j: np.concatenate(parts) for j, parts in strings.items()}
    if not categorical:
        return Columns(X_num, [names[j] for j in features], {}, columns, lines)
    return _assemble(X_num, numeric, features, categorical, columns, names, lines, path,
                     allow_missing)  # fmt: skip


def _assemble(
    X_num: np.ndarray,
    numeric: list[int],
    features: list[int],
    categorical: dict[int, list[str] | None],
    columns: dict[int, np.ndarray],
    names: list[str],
    lines: np.ndarray,
    path: Path,
    allow_missing: bool,
) -> Columns:
    """The feature matrix with every categorical column one-hot encoded in its place."""
    cats = {j: categorical[j] or categories_of(columns[j]) for j in categorical}
    widths = [len(cats[j]) if j in cats else 1 for j in features]
    X = np.empty((len(lines), sum(widths)), dtype=np.float32)  # (n, D)
    feature_names: list[str] = []
    at = 0
    for j, w in zip(features, widths, strict=True):
        if j in cats:
            one_hot(columns[j], cats[j], names[j], lines, path, allow_missing, X[:, at : at + w])
            feature_names += one_hot_names(names[j], cats[j])
        else:
            X[:, at] = X_num[:, numeric.index(j)]
            feature_names.append(names[j])
        at += w
    kept = {j: c for j, c in columns.items() if j not in categorical}
    return Columns(X, feature_names, {names[j]: cats[j] for j in features if j in cats}, kept,
                   lines)  # fmt: skip
