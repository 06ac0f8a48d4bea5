"""Categorical columns and missing values of a CSV file's features.

- **Missing values** are the cells pandas' ``read_csv`` reads as missing by default: empty,
  ``NA``, ``N/A``, ``NaN``, ``null``, ``None``, ... (:data:`NA_VALUES`). By default a missing
  feature value is an error naming its row and column; with ``allow_missing`` it becomes NaN,
  which :func:`fill_missing` later replaces with the training columns' means (the CLI's
  ``--impute mean``, scikit-learn's ``SimpleImputer(strategy="mean")``: the means are computed
  on the training rows only and saved with the model, so predict fills new rows the same way).
- **Categorical columns** (``categorical="auto"``: every feature column with a non-numeric
  value) are one-hot encoded as scikit-learn's ``OneHotEncoder``: one 0/1 column per category,
  the categories sorted, named ``column_category``. The categories are saved with the model;
  at predict time a category the model never saw is an error naming it (``OneHotEncoder``'s
  ``handle_unknown="error"``, its default: an all-zero row would change the prediction
  silently). A missing categorical value (with ``allow_missing``) is NaN in each of its 0/1
  columns, so mean imputation gives it each category's frequency.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: pandas' default ``na_values``: the cells read as missing
NA_VALUES = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)  # fmt: skip
_NA = np.array(NA_VALUES)


def missing_mask(cells: np.ndarray) -> np.ndarray:
    """Which cells (stripped strings) are missing values.

    Examples
    --------
    >>> missing_mask(np.array(["1", "", "NA", "nan", "cat"])).tolist()
    [False, True, True, True, False]
    """
    return np.isin(cells, _NA)


def categories_of(cells: np.ndarray) -> list[str]:
    """The sorted distinct non-missing values of a column (its one-hot categories).

    Examples
    --------
    >>> categories_of(np.array(["red", "blue", "", "red"]))
    ['blue', 'red']
    """
    values = np.unique(cells)
    return [str(v) for v in values if v not in NA_VALUES]


def one_hot_names(column: str, categories: list[str]) -> list[str]:
    """The names of a column's 0/1 columns, as scikit-learn's ``get_feature_names_out``.

    Examples
    --------
    >>> one_hot_names("color", ["blue", "red"])
    ['color_blue', 'color_red']
    """
    return [f"{column}_{c}" for c in categories]


def one_hot(
    cells: np.ndarray,
    categories: list[str],
    column: str,
    lines: np.ndarray,
    path: Path,
    allow_missing: bool,
    out: np.ndarray,
) -> None:
    """Write the 0/1 columns of one categorical column into ``out`` (n, len(categories)).

    Raises
    ------
    ValueError
        A value not among ``categories`` (naming it, its row and the known ones), or a missing
        value without ``allow_missing``.

    Examples
    --------
    >>> out = np.empty((3, 2), np.float32)
    >>> one_hot(np.array(["red", "blue", "red"]), ["blue", "red"], "c", np.arange(2, 5),
    ...         Path("f.csv"), False, out)
    >>> out.tolist()
    [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
    """
    from .csv_cells import _where

    missing = missing_mask(cells)  # (n,)
    index = np.searchsorted(categories, cells)  # (n,) position in the sorted categories
    index = np.minimum(index, len(categories) - 1)
    known = np.asarray(categories)[index] == cells  # (n,)
    unknown = ~known & ~missing
    if unknown.any():
        i = int(np.argmax(unknown))
        raise ValueError(
            f"unknown category {str(cells[i])!r} in {_where(path, i + 1, lines[i], column)}; "
            f"the model knows {categories} (one-hot encoding refuses a category it never saw, "
            "as scikit-learn's OneHotEncoder(handle_unknown='error'))."
        )
    if missing.any() and not allow_missing:
        i = int(np.argmax(missing))
        raise ValueError(missing_message(str(cells[i]), _where(path, i + 1, lines[i], column)))
    out[...] = 0
    out[np.arange(len(cells)), index] = 1  # (n, k)
    out[missing] = np.nan


def missing_message(cell: str, where: str) -> str:
    """The error for a missing feature value without ``allow_missing``.

    Examples
    --------
    >>> missing_message("", "row 1 (line 2), column 'b' of f.csv")  # doctest: +ELLIPSIS
    "missing value (empty field) in row 1 (line 2), column 'b' of f.csv; fill or drop ...
    """
    what = "missing value (empty field)" if cell == "" else f"missing value {cell!r}"
    if cell.lower().lstrip("-") == "nan":
        what = f"missing or non-finite value {cell!r} (NaN or inf)"
    return (
        f"{what} in {where}; fill or drop such rows first, or impute them with the training "
        "column's mean (glassnet train --impute mean; read_csv(..., allow_missing=True) "
        "reads them as NaN)."
    )


def column_means(X: np.ndarray, names: list[str]) -> np.ndarray:
    """The mean of each column over its non-missing (non-NaN) values, float64 (d,).

    Raises
    ------
    ValueError
        A column with no value at all, naming it.

    Examples
    --------
    >>> column_means(np.array([[1.0, np.nan], [3.0, 4.0]]), ["a", "b"]).tolist()
    [2.0, 4.0]
    """
    d = X.shape[1]
    total, count = np.zeros(d), np.zeros(d)
    for start in range(0, len(X), 4096):  # in blocks: no float64 copy of the whole X
        block = X[start : start + 4096].astype(np.float64)
        seen = ~np.isnan(block)
        total += np.where(seen, block, 0.0).sum(axis=0)
        count += seen.sum(axis=0)
    if (count == 0).any():
        j = int(np.argmax(count == 0))
        raise ValueError(
            f"column {names[j]!r} has no value in the training rows, so it has no mean to impute; "
            "drop the column."
        )
    return total / count


def fill_missing(X: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Replace NaN in each column of ``X`` (in place) by that column's mean; returns ``X``.

    Examples
    --------
    >>> fill_missing(np.array([[np.nan, 1.0], [2.0, np.nan]]), np.array([5.0, 6.0])).tolist()
    [[5.0, 1.0], [2.0, 6.0]]
    """
    means = np.asarray(means, dtype=np.float64)
    if means.shape != (X.shape[1],):
        raise ValueError(f"the model imputes {means.shape[0]} columns; the data has {X.shape[1]}.")
    rows, cols = np.nonzero(np.isnan(X))
    X[rows, cols] = means[cols]
    return X
