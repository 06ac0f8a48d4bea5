"""Load a CSV file (a target column and feature columns) into arrays.

:func:`load_csv` returns ``(X, y)``; :func:`read_csv` returns the same arrays with the column
names, the task and the class names (``class_names[k]`` is the original label of class ``k``),
and, when asked for, a column of sample weights (``w``) taken out of the features.
:func:`read_features` reads the feature columns of new rows the way a model was trained on them
(by name, the same one-hot categories), for predictions.

The file is read in chunks straight into float32 arrays (:mod:`.csv_read`), decoded in a given
encoding (:mod:`.csv_source`: a clear error with the byte offset otherwise), with its delimiter
given or detected; non-numeric feature columns are refused or one-hot encoded, missing values
refused or read as NaN for imputation (:mod:`.csv_encode`); each cell is parsed by
:mod:`.csv_cells` (``is_number`` and ``MAX_CLASSES`` are re-exported here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .csv_cells import MAX_CLASSES as MAX_CLASSES
from .csv_cells import _is_number as _is_number
from .csv_cells import _target, _weights
from .csv_cells import is_number as is_number
from .csv_read import Recategorize, check_unique, first_row, read_columns
from .csv_source import CSVSource, parse_delimiter

TASKS = ("classification", "regression")


class CSVTable(NamedTuple):
    """What :func:`read_csv` returns."""

    X: np.ndarray  # (n, d) float32; NaN where a value is missing (with allow_missing)
    y: np.ndarray  # (n,) int64 labels, or (n, 1) float32 targets
    task: str  # "classification" or "regression"
    feature_names: list[str]  # d names; a one-hot column is named "column_category"
    target_name: str
    class_names: list[str] | None  # class k's original label; None for regression
    w: np.ndarray | None = None  # (n,) float64 sample weights; None without ``weight=``
    weight_name: str | None = None  # the weight column's name; None without ``weight=``
    columns: list[str] | None = None  # the file's feature columns, before one-hot encoding
    categories: dict[str, list[str]] | None = None  # one-hot encoded column -> its categories
    delimiter: str = ","  # the delimiter read (given or detected)


def _source(path: str | Path, delimiter: str | None, encoding: str) -> CSVSource:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"CSV file not found: {path}")
    if not path.is_file():
        raise ValueError(f"{path} is not a file (a directory or a device); give a .csv file.")
    return CSVSource(path, parse_delimiter(delimiter), encoding)


def _categorical_positions(
    categorical: Any, names: list[str], features: list[int], path: Path
) -> tuple[dict[int, list[str] | None], bool]:
    """(feature position -> categories or None, whether to detect more) from ``categorical``."""
    if categorical is None:
        return {}, False
    if isinstance(categorical, str):
        if categorical != "auto":
            raise ValueError(f"categorical must be None, 'auto' or a dict; got {categorical!r}.")
        return {}, True
    if not isinstance(categorical, dict):
        raise TypeError(
            f"categorical must be None, 'auto' or a dict of column -> categories; got "
            f"{type(categorical).__name__}."
        )
    positions: dict[int, list[str] | None] = {}
    for name, cats in categorical.items():
        if name not in names or names.index(name) not in features:
            raise ValueError(
                f"{path} lacks the column {name!r}, which the model one-hot encodes; its "
                f"feature columns are: {', '.join(names[j] for j in features)}."
            )
        if not isinstance(cats, list | tuple) or not cats:
            raise ValueError(f"the categories of column {name!r} must be a non-empty list.")
        positions[names.index(name)] = [str(c) for c in cats]
    return positions, False


def read_csv(
    path: str | Path,
    target: str | int,
    delimiter: str | None = ",",
    header: bool = True,
    task: str | None = None,
    weight: str | int | None = None,
    *,
    encoding: str = "utf-8",
    categorical: str | dict[str, list[str]] | None = None,
    allow_missing: bool = False,
) -> CSVTable:
    """Read a CSV file into a :class:`CSVTable` (X, y, task, names).

    Parameters
    ----------
    path : str or Path
    target : str or int
        The target column, by name (with ``header=True``) or index (negative counts from the end).
        Without a header the columns are named ``"0"``, ``"1"``, ...
    delimiter : str or None, default ","
        One character (or a word: tab, semicolon, ...); None detects it with
        :class:`csv.Sniffer` among ``, ; tab |`` (``,`` when undecided), as pandas'
        ``read_csv(sep=None)``. ``CSVTable.delimiter`` says which was read.
    header : bool, default True
        Whether the first non-empty line names the columns. A name given twice is an error.
    task : {"classification", "regression"} or None
        None infers it: a numeric target of whole numbers with at most 20 distinct values, or a
        non-numeric target, is classification; any other numeric target is regression.
    weight : str or int, optional
        A column of sample weights, named like ``target``: taken out of the features and
        returned as ``w``. Every weight must be a number >= 0 (0 leaves the row out of a
        weighted mean) and some weight > 0.
    encoding : str, default "utf-8"
        The file's text encoding (a UTF-8 byte-order mark is skipped); a byte it cannot decode
        is an error naming its offset.
    categorical : None, "auto" or dict
        None: every feature column must hold numbers. "auto": feature columns holding text
        are one-hot encoded (sorted categories, columns named ``column_category``, the
        categories in ``CSVTable.categories``). A dict ``{column: categories}`` encodes those
        columns with those categories (a model's), any other value being an error.
    allow_missing : bool, default False
        Read missing feature values (empty, NA, NaN, null, ...: pandas' defaults) as NaN, to
        be imputed (e.g. ``glassnet.datasets.csv_encode.fill_missing``); by default they are
        an error naming the row and column. Targets and weights may never be missing.

    Returns
    -------
    CSVTable
        ``X`` float32 (n, d) from every other column; ``y`` int64 (n,) holding labels
        ``0 .. k-1`` for the sorted distinct target values (``class_names``), or float32 (n, 1)
        for regression; ``w`` float64 (n,) and ``weight_name`` with ``weight``, else None.

    Raises
    ------
    ValueError
        A column that is not there or named twice, a cell that does not parse, a weight that is
        empty, not a number, NaN, inf or negative, a byte the encoding cannot decode (the
        message names the row, line and column, or the byte offset).

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

    Text columns one-hot encoded, a missing value read as NaN, the delimiter detected:

    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "pets.csv"
    ...     _ = p.write_text("weight;color;kind\\n4;red;cat\\n;blue;dog\\n5;red;cat\\n")
    ...     t = read_csv(p, "kind", delimiter=None, categorical="auto", allow_missing=True)
    >>> t.delimiter, t.feature_names, t.categories
    (';', ['weight', 'color_blue', 'color_red'], {'color': ['blue', 'red']})
    >>> t.X.tolist()
    [[4.0, 0.0, 1.0], [nan, 1.0, 0.0], [5.0, 0.0, 1.0]]
    """
    if task not in (None, *TASKS):
        raise ValueError(f"task must be None, 'classification' or 'regression'; got {task!r}.")
    source = _source(path, delimiter, encoding)
    path = source.path
    first = first_row(source)
    if first is None:
        raise ValueError(f"CSV file {path} is empty; expected a header line and rows of numbers.")
    names = first if header else [str(j) for j in range(len(first))]
    if header:
        check_unique(names, path)
    t = _column_index(target, names, path)
    wj = None if weight is None else _column_index(weight, names, path, "weight")
    if wj == t:
        raise ValueError(
            f"the weight column {names[t]!r} of {path} is the target column; name another "
            "column of sample weights."
        )
    features = [j for j in range(len(names)) if j not in (t, wj)]
    if not features:
        what = "the target column" if wj is None else "the target and weight columns"
        raise ValueError(f"{path} has only {what}; expected feature columns too.")
    cats, auto = _categorical_positions(categorical, names, features, path)
    keep = [t] if wj is None else [t, wj]
    while True:
        try:
            read = read_columns(source, names, header, features, cats, keep, allow_missing, auto)
            break
        except Recategorize as found:  # text in a column read as numbers: encode it too
            cats.update({j: None for j in found.columns})
    y, task, class_names = _target(read.kept[t], names[t], read.lines, path, task)
    w = None if wj is None else _weights(read.kept[wj], names[wj], read.lines, path)  # (n,)
    return CSVTable(
        read.X,
        y,
        task,
        read.feature_names,
        names[t],
        class_names,
        w,
        None if wj is None else names[wj],
        [names[j] for j in features],
        read.categories,
        source.delimiter,
    )


def read_features(
    path: str | Path,
    columns: list[str] | None,
    *,
    categories: dict[str, list[str]] | None = None,
    allow_missing: bool = False,
    delimiter: str | None = None,
    encoding: str = "utf-8",
) -> np.ndarray:
    """The feature matrix (n, d) float32 of new rows, read as a model was trained on them.

    With a header line, the model's ``columns`` are picked by name (other columns, such as the
    target, are ignored; a missing one is an error naming it); without one (the first row names
    none of the model's columns and, for a model without categories, holds only numbers), the
    file must hold exactly the feature columns in training order. ``categories`` one-hot encodes those columns with the model's categories (a
    category it never saw is an error); ``allow_missing`` reads missing values as NaN.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text("b,y,a\\n2,0,1\\n4,1,3\\n")
    >>> read_features(p, ["a", "b"]).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    source = _source(path, delimiter, encoding)
    path = source.path
    first = first_row(source)
    if first is None:
        raise ValueError(f"input file {str(path)!r} is empty; expected rows of numbers.")
    named = bool(columns) and any(c in first for c in columns)  # missing ones are named below
    header = named or (not categories and not all(is_number(c) for c in first))
    if header and columns:
        check_unique(first, path)
        missing = [c for c in columns if c not in first]
        if missing:
            raise ValueError(
                f"{str(path)!r} lacks the feature columns {missing}; the model was trained on "
                f"{columns}."
            )
        names, features = first, [first.index(c) for c in columns]
    else:
        if columns and len(first) != len(columns):
            raise ValueError(
                f"the model expects {len(columns)} feature columns; {path} has {len(first)} "
                "and no header line naming them."
            )
        names = list(columns) if columns else [str(j) for j in range(len(first))]
        features = list(range(len(names)))
    cats, _ = _categorical_positions(categories or None, names, features, path)
    read = read_columns(source, names, header, features, cats, [], allow_missing, auto=False)
    return read.X


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
    delimiter: str | None = ",",
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
