"""The data of ``glassnet train``, ``evaluate`` and ``predict``: a named data set or a CSV file
(with its target and, optionally, weight column), split into train and test, and the inputs
scaled the way the network was trained on them."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from glassnet.datasets import Dataset, Standardizer, load


class SampleWeights(NamedTuple):
    """The sample weights of a CSV file's ``--weight-column``, split like the rows they weigh.

    Examples
    --------
    >>> SampleWeights("w", np.array([1.0, 2.0]), np.array([0.5])).column
    'w'
    """

    column: str  # the column's name in the file
    train: np.ndarray  # (N_train,) float64, one per row of X_train
    test: np.ndarray  # (N_test,) float64, one per row of X_test


def add_data_flag(p: Any, help: str, required: bool = False) -> None:
    """``--data`` (also spelt ``--dataset``, as other tools call it) on the parser or group ``p``.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_data_flag(p, "a data set")
    >>> p.parse_args(["--dataset", "iris"]).data
    'iris'
    """
    p.add_argument("--data", "--dataset", dest="data", required=required, help=help)


def add_csv_flags(p: Any) -> None:
    """``--delimiter`` and ``--encoding``, how to read a CSV file (train, evaluate, predict).

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_csv_flags(p)
    >>> p.parse_args(["--delimiter", "tab"]).delimiter
    'tab'
    """
    p.add_argument(
        "--delimiter",
        metavar="CHAR",
        help="the CSV delimiter: one character, or comma, semicolon, tab, pipe, space "
        "(default auto: detected by csv.Sniffer among , ; tab |, else ',')",
    )
    p.add_argument(
        "--encoding",
        metavar="NAME",
        help="the CSV file's text encoding (default utf-8), e.g. latin-1 or cp1252",
    )


def is_csv(data: Any) -> bool:
    """Whether ``--data`` names a CSV file (else a built-in data set).

    Examples
    --------
    >>> is_csv("my.CSV"), is_csv("iris")
    (True, False)
    """
    return str(data).lower().endswith(".csv")


def _column(text: str) -> str | int:
    """A column as typed: an index when it reads as an integer, else a name."""
    try:
        return int(text)
    except ValueError:
        return text


def csv_options(
    delimiter: str | None = None,
    encoding: str | None = None,
    categorical: Any = None,
    impute: bool = False,
) -> dict[str, Any]:
    """The keywords of :func:`glassnet.datasets.read_csv` for the CSV flags: ``--delimiter``
    (None or "auto": detected), ``--encoding`` (default utf-8), ``--categorical`` ("auto", a
    model's categories, or None) and ``--impute`` (missing values read as NaN, to impute).

    Examples
    --------
    >>> csv_options("semicolon", None, "auto", True)
    {'delimiter': ';', 'encoding': 'utf-8', 'categorical': 'auto', 'allow_missing': True}
    """
    from glassnet.datasets.csv_source import parse_delimiter

    return {
        "delimiter": parse_delimiter(delimiter, "--delimiter"),
        "encoding": encoding or "utf-8",
        "categorical": categorical or None,
        "allow_missing": bool(impute),
    }


def load_data(
    data: str, target: str | None, seed: int, test_size: float, task: str | None = None
) -> Dataset:
    """A data set by name, or a CSV file (which needs the target column).

    ``task`` ("classification" or "regression") overrides how a CSV target is read (None: an
    integer target with at most 20 values is classes); a named data set has a fixed task, and a
    different ``task`` is an error.

    Examples
    --------
    >>> load_data("xor", None, 0, 0.25).n_features
    2
    """
    return load_weighted(data, target, seed, test_size, task)[0]


def load_weighted(
    data: str,
    target: str | None,
    seed: int,
    test_size: float,
    task: str | None = None,
    weight: str | None = None,
    csv: dict[str, Any] | None = None,
) -> tuple[Dataset, SampleWeights | None]:
    """:func:`load_data`, plus the sample weights of a CSV file's ``weight`` column (or None).

    ``csv`` holds how to read a CSV file (:func:`csv_options`; default: comma, UTF-8, numbers
    only, no missing value).

    The weight column leaves the features, and the weights are split with their rows: the
    train/test split is the one the file gets without weights (it depends on the seed, the
    test size and the labels only), so the same rows train and test either way.

    Raises
    ------
    ValueError
        ``weight`` for a built-in data set (they have no weight column), or a CSV file whose
        weight column is missing or holds a weight that is not a finite number >= 0.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
    >>> _ = p.write_text("x,y,w\\n" + "".join(f"{i},{i % 2},{i}\\n" for i in range(10)))
    >>> ds, w = load_weighted(str(p), "y", 0, 0.2, weight="w")
    >>> ds.feature_names, w.column, bool((ds.X_test[:, 0] == w.test).all())
    (['x'], 'w', True)
    """
    if not is_csv(data):
        if weight:
            raise ValueError(
                f"--weight-column applies to CSV files; data set {data!r} has no weight column. "
                "Drop --weight-column, or give a .csv file that has a column of weights."
            )
        ds = load(data, seed=seed, test_size=test_size)
        if task is not None and task != ds.task:
            raise ValueError(f"--task {task} applies to CSV files; data set {data!r} is {ds.task}.")
        return ds, None
    if not target:
        raise ValueError(
            f"--data {data} is a CSV file; name its target column with --target COLUMN."
        )
    ds = load(data, seed=seed, test_size=test_size, target=_column(target), task=task,
              weight=None if not weight else _column(weight), **(csv or {}))  # fmt: skip
    if ds.w_train is None or ds.w_test is None:
        return ds, None
    return ds, SampleWeights(str(ds.weight_name), ds.w_train, ds.w_test)


def apply_scaling(X: np.ndarray, info: dict[str, Any], in_place: bool = False) -> np.ndarray:
    r"""Prepare inputs as in training: missing values (NaN) replaced by the training columns'
    means when the model imputes (``info["impute"]``), then :math:`(X - \mu) / \sigma`, or
    unchanged without a scaler. ``in_place`` overwrites a float ``X`` the caller owns instead
    of making a second array as large (the train command's data).

    Examples
    --------
    >>> apply_scaling(np.array([[4.0]]), {"standardizer": {"mean": [2.0], "scale": [2.0]}})
    array([[1.]])
    >>> info = {"impute": {"strategy": "mean", "means": [3.0]}, "standardizer": None}
    >>> apply_scaling(np.array([[np.nan], [1.0]]), info).tolist()
    [[3.0], [1.0]]
    """
    from glassnet.datasets.csv_encode import fill_missing

    impute = info.get("impute")
    if impute:
        X = X if in_place else X.copy()
        fill_missing(X, impute["means"])
        in_place = True  # the copy is ours
    st = info.get("standardizer")
    if not st:
        return X
    scaler = Standardizer.from_state(st)
    d = scaler.mean_.shape[0]
    if X.shape[1] != d:
        raise ValueError(f"the model was trained on {d} features; the data has {X.shape[1]}.")
    return scaler.transform(X, copy=not in_place)  # (N, d)


def _as_columns(y: np.ndarray) -> np.ndarray:
    """Targets as columns: (N,) -> (N, 1); (N, k) unchanged."""
    return y.reshape(len(y), -1)


def scale_targets(y: np.ndarray, info: dict[str, Any]) -> np.ndarray:
    r"""Regression targets in the units the network trains on: :math:`(y - \mu) / \sigma` with
    the training targets' mean and standard deviation (``info["target_scaler"]``), or y
    unchanged without one. The shape and a float dtype are kept.

    Examples
    --------
    >>> info = {"target_scaler": {"mean": [2e5], "scale": [5e4]}}
    >>> scale_targets(np.array([[1.5e5], [3e5]], dtype=np.float32), info)
    array([[-1.],
           [ 2.]], dtype=float32)
    """
    st = info.get("target_scaler")
    if not st:
        return y
    return Standardizer.from_state(st).transform(_as_columns(y)).reshape(y.shape)


def unscale_targets(values: np.ndarray, info: dict[str, Any]) -> np.ndarray:
    r"""Network outputs (N, k) back in the targets' units: :math:`z \sigma + \mu`, undoing
    :func:`scale_targets` (unchanged without a target scaler).

    Examples
    --------
    >>> info = {"target_scaler": {"mean": [2e5], "scale": [5e4]}}
    >>> unscale_targets(np.array([[-1.0], [2.0]]), info)
    array([[150000.],
           [300000.]])
    """
    st = info.get("target_scaler")
    if not st:
        return values
    return Standardizer.from_state(st).inverse_transform(values)  # (N, k)


def impute_means(X_train: np.ndarray, names: list[str] | None) -> dict[str, Any]:
    """The ``info["impute"]`` entry of ``--impute mean``: each training column's mean over its
    present values (scikit-learn's ``SimpleImputer(strategy="mean")`` fitted on the training
    rows only).

    Examples
    --------
    >>> impute_means(np.array([[1.0], [np.nan], [3.0]]), ["a"])
    {'strategy': 'mean', 'means': [2.0]}
    """
    from glassnet.datasets.csv_encode import column_means

    names = names or [str(j) for j in range(X_train.shape[1])]
    return {"strategy": "mean", "means": column_means(X_train, names).tolist()}
