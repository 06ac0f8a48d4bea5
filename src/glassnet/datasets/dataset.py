"""The ``Dataset`` record that :func:`glassnet.datasets.load` returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .preprocess import Seed, train_test_split

TASKS = ("classification", "regression")


@dataclass(repr=False)
class Dataset:
    """A train/test pair of arrays with what is needed to read them.

    Parameters
    ----------
    X_train, y_train, X_test, y_test : ndarray
        Rows are samples. Classification labels are int64 of shape (n,) in
        ``0 .. n_classes - 1``; regression targets are float of shape (n, 1).
    task : {"classification", "regression"}
    n_classes : int or None
        Number of classes (None for regression).
    name : str
    feature_names, class_names : list of str or None
        ``class_names[k]`` names label ``k``.
    description : str
    w_train, w_test : ndarray of float64, shape (n,), or None
        Sample weights, split with their rows: a CSV file's weight column
        (``load(path, target=..., weight=...)``); None when the data has none. Pass
        ``sample_weight=ds.w_train`` to ``fit``.
    weight_name : str or None
        The weight column's name.
    csv_schema : dict or None
        How a CSV file's features were read, to read new rows alike: ``columns`` (the file's
        feature columns), ``categories`` (one-hot encoded column -> its categories) and
        ``delimiter``; None for other data.

    Examples
    --------
    >>> X = np.zeros((4, 2), dtype=np.float32)  # (4, 2)
    >>> y = np.array([0, 1, 0, 1])  # (4,)
    >>> ds = Dataset(X[:3], y[:3], X[3:], y[3:], task="classification", n_classes=2, name="toy")
    >>> ds
    Dataset(name='toy', task='classification', n_classes=2, train=(3, 2), test=(1, 2))
    >>> ds.n_features
    2
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str = "classification"
    n_classes: int | None = None
    name: str = ""
    feature_names: list[str] | None = None
    class_names: list[str] | None = None
    description: str = field(default="")
    w_train: np.ndarray | None = None
    w_test: np.ndarray | None = None
    weight_name: str | None = None
    csv_schema: dict | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}; got {self.task!r}.")
        for part in ("train", "test"):
            X, y = getattr(self, f"X_{part}"), getattr(self, f"y_{part}")
            if X.shape[0] != y.shape[0]:
                raise ValueError(
                    f"X_{part} and y_{part} must have the same number of rows; "
                    f"got {X.shape} and {y.shape}."
                )
            w = getattr(self, f"w_{part}")
            if w is not None and w.shape != (X.shape[0],):
                raise ValueError(
                    f"w_{part} must hold one weight per row of X_{part}, shape "
                    f"({X.shape[0]},); got {w.shape}."
                )

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, task={self.task!r}, n_classes={self.n_classes}, "
            f"train={self.X_train.shape}, test={self.X_test.shape})"
        )

    @property
    def n_features(self) -> int:
        """Number of input features: the size of one flattened sample of ``X_train``."""
        return int(np.prod(self.X_train.shape[1:], dtype=np.int64))

    def split_validation(
        self, fraction: float | int = 0.1, seed: Seed = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Hold out part of the training set for validation; the test set is not touched.

        Parameters
        ----------
        fraction : float in (0, 1) or int, default 0.1
            Share (or count) of the training samples that go to validation.
        seed : int, Generator or None, default 0
            Stratified by class for classification.

        Returns
        -------
        X_train, X_val, y_train, y_val : ndarray

        Examples
        --------
        >>> X = np.zeros((10, 2), dtype=np.float32)  # (10, 2)
        >>> y = np.arange(10) % 2  # (10,)
        >>> ds = Dataset(X, y, X[:2], y[:2], n_classes=2)
        >>> [a.shape[0] for a in ds.split_validation(0.2, seed=0)]
        [8, 2, 8, 2]
        """
        return train_test_split(
            self.X_train,
            self.y_train,
            test_size=fraction,
            seed=seed,
            stratify=self.task == "classification",
        )
