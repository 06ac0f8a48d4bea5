"""Preprocessing: one-hot labels, standardisation and seeded train/test splits.

The splits (and ``Seed``, the seed they take) live in :mod:`.split` and are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np

from .split import Seed as Seed
from .split import _rng as _rng
from .split import train_test_split as train_test_split
from .split import train_val_test_split as train_val_test_split


def _check_int(value: object, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise naming ``name``, what was expected and what came."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int >= {minimum}; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value}.")
    return int(value)


def _check_real(value: object, name: str, low: float = 0.0) -> float:
    """Return ``value`` as a finite float >= ``low``, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number >= {low:g}; got {value!r}.")
    if not math.isfinite(value) or value < low:
        raise ValueError(f"{name} must be a finite number >= {low:g}; got {value}.")
    return float(value)


def one_hot(y: np.ndarray, n_classes: int | None = None, dtype: type = np.float32) -> np.ndarray:
    """Encode integer labels as one-hot rows.

    Parameters
    ----------
    y : array of int, shape (n,) or (n, 1)
        Class labels in ``0 .. n_classes - 1``.
    n_classes : int, optional
        Number of columns; ``max(y) + 1`` when omitted.
    dtype : numpy dtype, default float32

    Returns
    -------
    ndarray of shape (n, n_classes)
        Row ``i`` is 1 in column ``y[i]`` and 0 elsewhere.

    Examples
    --------
    >>> one_hot(np.array([0, 2, 1])).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    >>> one_hot([1], n_classes=2, dtype=np.int64).tolist()
    [[0, 1]]
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]  # (n,)
    if y.ndim != 1:
        raise ValueError(f"one_hot expected labels of shape (n,) or (n, 1); got {y.shape}.")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        raise TypeError(
            f"one_hot expected integer labels; got dtype {y.dtype}. "
            "Convert class labels with y.astype(np.int64)."
        )
    if n_classes is None:
        if y.size == 0:
            raise ValueError("one_hot got no labels; pass n_classes= to encode an empty array.")
        n_classes = int(y.max()) + 1
    n_classes = _check_int(n_classes, "n_classes")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"one_hot expected labels in 0..{n_classes - 1}; got values from {y.min()} to "
            f"{y.max()}. Pass a larger n_classes or relabel to 0..k-1."
        )
    out = np.zeros((y.shape[0], n_classes), dtype=dtype)  # (n, n_classes)
    out[np.arange(y.shape[0]), y] = 1
    return out


def _block_rows(X: np.ndarray) -> int:
    """Rows per block: about a million numbers (8 MB in float64)."""
    return max(1, 2**20 // max(1, X.shape[1]))


def _row_blocks(X: np.ndarray):  # noqa: ANN202 - a generator of arrays
    """Consecutive blocks of rows of a 2-D ``X`` (views)."""
    rows = _block_rows(X)
    for start in range(0, X.shape[0], rows):
        yield X[start : start + rows]


class Standardizer:
    """Scale each column to mean 0 and standard deviation 1.

    ``transform(X) = (X - mean_) / scale_``; a constant column gets ``scale_ = 1`` so nothing is
    divided by zero. Statistics are computed in float64; the output keeps a float input's dtype
    (float32 for integer input).

    Attributes
    ----------
    mean_ : ndarray of shape (d,)
    scale_ : ndarray of shape (d,)

    Examples
    --------
    >>> X = np.array([[1.0, 5.0], [3.0, 5.0]], dtype=np.float32)  # (2, 2)
    >>> s = Standardizer().fit(X)
    >>> s.mean_.tolist(), s.scale_.tolist()
    ([2.0, 5.0], [1.0, 1.0])
    >>> s.transform(X).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    >>> s.inverse_transform(s.transform(X)).tolist()
    [[1.0, 5.0], [3.0, 5.0]]
    >>> s.state()
    {'mean': [2.0, 5.0], 'scale': [1.0, 1.0]}
    >>> Standardizer.from_state(s.state()).transform(X).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    @staticmethod
    def _check(X: np.ndarray, what: str) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"Standardizer.{what} expected X of shape (n, d); got {X.shape}.")
        if not np.issubdtype(X.dtype, np.number) or not all(
            np.isfinite(block).all() for block in _row_blocks(X)
        ):
            raise ValueError(f"Standardizer.{what} expected finite numbers; got NaN, inf or text.")
        return X

    def fit(self, X: np.ndarray) -> Standardizer:
        """Learn ``mean_`` and ``scale_`` from ``X`` of shape (n, d); returns self.

        Two passes over blocks of rows (the sum, then the squared deviations from the mean)
        in float64: no float64 copy of the whole X (MNIST's would be 376 MB).
        """
        X = self._check(X, "fit")
        if X.shape[0] == 0:
            raise ValueError("Standardizer.fit expected at least one row; got 0.")
        n, d = X.shape
        total = np.zeros(d)  # (d,)
        for block in _row_blocks(X):
            total += block.sum(axis=0, dtype=np.float64)
        self.mean_ = total / n  # (d,)
        squares = np.zeros(d)  # (d,)
        for block in _row_blocks(X):
            deviation = block - self.mean_  # (rows, d) float64
            squares += np.einsum("ij,ij->j", deviation, deviation)
        std = np.sqrt(squares / n)  # (d,)
        self.scale_ = np.where(std > 0, std, 1.0)  # (d,)
        return self

    def _fitted(self, X: np.ndarray, what: str) -> tuple[np.ndarray, np.dtype]:
        if self.mean_ is None or self.scale_ is None:
            raise ValueError(f"Standardizer.{what} called before fit; call fit(X) first.")
        X = self._check(X, what)
        if X.shape[1] != self.mean_.shape[0]:
            raise ValueError(
                f"Standardizer.{what} expected {self.mean_.shape[0]} columns (as in fit); "
                f"got {X.shape[1]}."
            )
        dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.dtype(np.float32)
        return X, dtype

    def transform(self, X: np.ndarray, copy: bool = True) -> np.ndarray:
        """Return ``(X - mean_) / scale_`` (shape (n, d)), computed in float64 block by block.

        ``copy=False`` scales a float ``X`` in place (as scikit-learn's
        ``StandardScaler(copy=False)``), so no second array as large as X is made; the
        numbers are the same either way.

        Examples
        --------
        >>> X = np.array([[1.0], [3.0]], dtype=np.float32)
        >>> Z = Standardizer().fit(X).transform(X, copy=False); Z is X, X.ravel().tolist()
        (True, [-1.0, 1.0])
        """
        X, dtype = self._fitted(X, "transform")
        in_place = not copy and X.dtype == dtype and X.flags.writeable
        out = X if in_place else np.empty(X.shape, dtype=dtype)  # (n, d)
        for start, block in zip(range(0, len(X), _block_rows(X)), _row_blocks(X), strict=True):
            out[start : start + len(block)] = (block - self.mean_) / self.scale_
        return out

    def state(self) -> dict[str, list[float]]:
        """``{"mean": [...], "scale": [...]}`` as JSON-able lists (what model files store)."""
        if self.mean_ is None or self.scale_ is None:
            raise ValueError("Standardizer.state called before fit; call fit(X) first.")
        return {"mean": self.mean_.tolist(), "scale": self.scale_.tolist()}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Standardizer:
        """A fitted Standardizer from :meth:`state`'s dict: equal-length lists, scales > 0."""
        if not isinstance(state, Mapping) or not {"mean", "scale"} <= set(state):
            raise ValueError(
                f"Standardizer.from_state expected a dict with 'mean' and 'scale'; got {state!r}."
            )
        mean = np.asarray(state["mean"], dtype=np.float64)  # (d,)
        scale = np.asarray(state["scale"], dtype=np.float64)  # (d,)
        if mean.ndim != 1 or mean.shape != scale.shape or not (scale > 0).all():
            raise ValueError(
                "Standardizer.from_state expected 'mean' and 'scale' as lists of equal length "
                f"with every scale > 0; got mean {mean.tolist()} and scale {scale.tolist()}."
            )
        s = cls()
        s.mean_, s.scale_ = mean, scale
        return s

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Return ``Z * scale_ + mean_``, undoing :meth:`transform`."""
        Z, dtype = self._fitted(Z, "inverse_transform")
        return (Z * self.scale_ + self.mean_).astype(dtype)  # (n, d)
