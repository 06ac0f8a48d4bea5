"""Seeded train/test (and train/validation/test) splits, optionally stratified by class.

Everything random takes a ``seed`` and draws from ``numpy.random.default_rng(seed)`` only, so the
same seed gives the same split bit for bit.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

Seed = int | np.random.Generator | None


def _rng(seed: Seed) -> np.random.Generator:
    """Return ``default_rng(seed)``, with a clear error for a bad seed."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise TypeError(f"seed must be an int >= 0, a numpy Generator or None; got {seed!r}.")
    if seed < 0:
        raise ValueError(f"seed must be an int >= 0, a numpy Generator or None; got {seed}.")
    return np.random.default_rng(int(seed))


def _n_test(test_size: float | int, n: int) -> int:
    if isinstance(test_size, bool) or not isinstance(test_size, Real):
        raise TypeError(f"test_size must be a float in (0, 1) or an int; got {test_size!r}.")
    if isinstance(test_size, Integral):
        k = int(test_size)
    elif 0.0 < test_size < 1.0:
        k = math.ceil(float(test_size) * n)
    else:
        raise ValueError(f"test_size as a fraction must be in (0, 1); got {test_size}.")
    if not 1 <= k <= n - 1:
        raise ValueError(
            f"test_size={test_size} leaves {k} of {n} samples for testing; "
            "both the train and the test part need at least one sample."
        )
    return k


def _test_indices(y: np.ndarray, k: int, stratify: bool, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``k`` test samples; with ``stratify`` each class gets its share of ``k``."""
    n = y.shape[0]
    perm = rng.permutation(n)  # (n,)
    if not stratify:
        return perm[:k]
    if y.ndim != 1:
        raise ValueError(f"stratify=True needs labels of shape (n,); got {y.shape}.")
    _, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    ideal = counts * (k / n)  # (k_classes,)
    share = np.floor(ideal).astype(np.int64)
    extra = np.argsort(-(ideal - share), kind="stable")[: k - int(share.sum())]
    share[extra] += 1  # largest remainders get the leftover test samples
    grouped = perm[np.argsort(inverse[perm], kind="stable")]  # shuffled within each class
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    picked = np.concatenate([grouped[s : s + c] for s, c in zip(starts, share, strict=True)])
    return rng.permutation(picked)


def train_test_split(
    X: np.ndarray,
    y: np.ndarray,
    test_size: float | int = 0.2,
    seed: Seed = None,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split ``(X, y)`` into a train and a test part.

    Parameters
    ----------
    X : ndarray of shape (n, ...)
    y : ndarray of shape (n, ...)
    test_size : float in (0, 1) or int, default 0.2
        Fraction of the samples (rounded up) or their number held out for testing.
    seed : int, Generator or None
        Seed for ``numpy.random.default_rng``; the same seed gives the same split.
    stratify : bool, default False
        Keep each class's share of ``y`` (labels of shape (n,)) in both parts.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        In scikit-learn's order.

    Examples
    --------
    >>> X = np.arange(20, dtype=np.float32).reshape(10, 2)  # (10, 2)
    >>> y = np.array([0, 1] * 5)  # (10,)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4, seed=0, stratify=True)
    >>> X_tr.shape, X_te.shape, np.bincount(y_te).tolist()
    ((6, 2), (4, 2), [2, 2])
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows; got X {X.shape} and y {y.shape}."
        )
    n = X.shape[0]
    k = _n_test(test_size, n)
    rng = _rng(seed)
    test = _test_indices(y, k, stratify, rng)  # (k,)
    mask = np.ones(n, dtype=bool)
    mask[test] = False
    train = rng.permutation(np.flatnonzero(mask))  # (n - k,)
    return X[train], X[test], y[train], y[test]


def train_val_test_split(
    X: np.ndarray,
    y: np.ndarray,
    val_size: float | int = 0.1,
    test_size: float | int = 0.2,
    seed: Seed = None,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split ``(X, y)`` three ways; sizes are fractions of the whole set (or counts).

    Returns
    -------
    X_train, X_val, X_test, y_train, y_val, y_test : ndarray

    Examples
    --------
    >>> X = np.zeros((20, 3), dtype=np.float32)  # (20, 3)
    >>> y = np.arange(20) % 2  # (20,)
    >>> parts = train_val_test_split(X, y, val_size=0.25, test_size=0.25, seed=1)
    >>> [p.shape[0] for p in parts[:3]]
    [10, 5, 5]
    """
    n = np.asarray(X).shape[0] if np.ndim(X) else 0
    k_val = _n_test(val_size, n)
    rng = _rng(seed)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size, rng, stratify)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, k_val, rng, stratify)
    return X_train, X_val, X_test, y_train, y_val, y_test
