"""Data sets: generated toys, real sets read from installed packages, CSV and IDX files.

``load(name)`` returns a :class:`Dataset` with a train and a test part; the functions it calls
return plain ``(X, y)`` arrays. Nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .csv import CSVTable, load_csv, read_csv
from .dataset import Dataset
from .generated import blobs, circles, curve, moons, spirals, two_node, xor
from .idx import load_idx_folder, read_idx, write_idx
from .preprocess import Standardizer, one_hot, train_test_split, train_val_test_split
from .real import (
    BREAST_CANCER_FEATURES,
    DIGITS_FEATURES,
    FASHION_CLASSES,
    IRIS_FEATURES,
    load_breast_cancer,
    load_digits,
    load_fashion_mnist,
    load_iris,
    load_mnist,
    sklearn_class_names,
)

__all__ = [
    "CSVTable",
    "Dataset",
    "Standardizer",
    "blobs",
    "circles",
    "curve",
    "load",
    "load_breast_cancer",
    "load_csv",
    "load_digits",
    "load_fashion_mnist",
    "load_idx_folder",
    "load_iris",
    "load_mnist",
    "moons",
    "names",
    "one_hot",
    "read_csv",
    "read_idx",
    "spirals",
    "train_test_split",
    "train_val_test_split",
    "two_node",
    "write_idx",
    "xor",
]

_GENERATED = {"xor": xor, "moons": moons, "circles": circles, "spirals": spirals}
_GENERATED |= {"blobs": blobs, "curve": curve}
_DESCRIPTIONS = {
    "xor": "Four noisy clusters at the corners of a square; class 1 where the signs differ.",
    "two-node": "The article's single point: x = 1.0, target 0.8 (train and test alike).",
    "moons": "Two interleaving half circles.",
    "circles": "A small circle inside a large one.",
    "spirals": "Interleaved spiral arms, one class per arm.",
    "blobs": "Gaussian blobs, one class per centre.",
    "curve": "1-D regression: y = sin(2x) + noise, x in [-3, 3].",
    "digits": "8x8 handwritten digits (UCI), values 0..16, from scikit-learn's CSV.",
    "iris": "Fisher's iris: 4 measurements in cm, 3 species.",
    "breast-cancer": "Wisconsin diagnostic breast cancer: 30 unscaled features, 2 classes.",
    "mnist": "MNIST handwritten digits, 28x28, official 60000/10000 split.",
    "fashion-mnist": "Fashion-MNIST (Zalando) clothes, 28x28, official 60000/10000 split.",
}
_REAL = {"digits": load_digits, "iris": load_iris, "breast-cancer": load_breast_cancer}
_REAL_FEATURES = {
    "digits": DIGITS_FEATURES,
    "iris": IRIS_FEATURES,
    "breast-cancer": BREAST_CANCER_FEATURES,
}


def names() -> list[str]:
    """The names :func:`load` knows (a path ending in ``.csv`` is accepted too).

    Examples
    --------
    >>> names()[:3]
    ['xor', 'two-node', 'moons']
    """
    return list(_DESCRIPTIONS)


def _split(
    name: str, X: np.ndarray, y: np.ndarray, task: str, seed: int | None, test_size: Any
) -> Dataset:
    classification = task == "classification"
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size, seed, stratify=classification)
    n_classes = int(y.max()) + 1 if classification else None
    return Dataset(X_tr, y_tr, X_te, y_te, task, n_classes, name)


def load(
    name: str | Path, *, seed: int | None = 0, test_size: float | int = 0.2, **kwargs: Any
) -> Dataset:
    """Load a data set by name as a :class:`Dataset` with a train and a test part.

    Parameters
    ----------
    name : str or Path
        One of :func:`names` (``_`` may stand for ``-``), or the path of a ``.csv`` file, which
        :func:`read_csv` reads (pass ``target=`` and its other options as keywords; with
        ``weight=<column>`` the Dataset carries the sample weights as ``w_train``/``w_test``).
    seed : int or None, default 0
        Seed of the generator (generated sets) and of the train/test split.
    test_size : float in (0, 1) or int, default 0.2
        Held out for testing, stratified by class for classification. MNIST and Fashion-MNIST
        keep their official split and two-node uses its single point for both parts.
    **kwargs
        Passed on: e.g. ``n_samples``/``noise`` for generated sets, ``scale`` for digits,
        ``flatten``/``normalize`` for MNIST, ``path`` for Fashion-MNIST.

    Examples
    --------
    >>> load("moons", n_samples=100, seed=0)
    Dataset(name='moons', task='classification', n_classes=2, train=(80, 2), test=(20, 2))
    >>> load("iris").class_names
    ['setosa', 'versicolor', 'virginica']
    """
    if isinstance(name, Path) or str(name).lower().endswith(".csv"):
        if "target" not in kwargs:
            raise TypeError(f"load({str(name)!r}) reads a CSV file and needs target=<column>.")
        t = read_csv(name, **kwargs)
        classification = t.task == "classification"
        rows = np.arange(len(t.y))  # split row numbers, then take X, y and the weights alike
        train, test, y_tr, y_te = train_test_split(
            rows, t.y, test_size, seed, stratify=classification
        )
        weights = f", weights {t.weight_name!r}" if t.w is not None else ""
        ds = Dataset(
            t.X[train],
            y_tr,
            t.X[test],
            y_te,
            t.task,
            int(t.y.max()) + 1 if classification else None,
            Path(name).stem,
            t.feature_names,
            t.class_names,
            f"CSV file {name}, target column {t.target_name!r}{weights}.",
            None if t.w is None else t.w[train],
            None if t.w is None else t.w[test],
            t.weight_name,
            {"columns": t.columns, "categories": t.categories, "delimiter": t.delimiter},
        )
        return ds
    key = str(name).lower().replace("_", "-")
    if key not in _DESCRIPTIONS:
        raise ValueError(
            f"unknown data set {name!r}; expected one of {', '.join(names())} "
            "or a path ending in .csv."
        )
    if key == "two-node":
        X, y = two_node(**kwargs)
        ds = Dataset(X, y, X.copy(), y.copy(), "regression", None, key)
    elif key in _GENERATED:
        X, y = _GENERATED[key](seed=seed, **kwargs)
        ds = _split(
            key, X, y, "regression" if key == "curve" else "classification", seed, test_size
        )
        ds.feature_names = ["x"] if key == "curve" else ["x0", "x1"]
    elif key in _REAL:
        X, y = _REAL[key](**kwargs)
        ds = _split(key, X, y, "classification", seed, test_size)
        ds.feature_names = list(_REAL_FEATURES[key])
        ds.class_names = sklearn_class_names(key)  # from the file's header line
    else:
        loader = load_mnist if key == "mnist" else load_fashion_mnist
        X_tr, y_tr = loader("train", **kwargs)
        X_te, y_te = loader("test", **kwargs)
        classes = [str(d) for d in range(10)] if key == "mnist" else list(FASHION_CLASSES)
        ds = Dataset(X_tr, y_tr, X_te, y_te, "classification", 10, key, class_names=classes)
    ds.description = _DESCRIPTIONS[key]
    return ds
