"""Small generated data sets for learning and pictures.

Classification sets return ``X`` float32 of shape (n, 2) and ``y`` int64 of shape (n,) with labels
``0 .. k-1`` whose counts differ by at most one, rows shuffled. ``noise`` is the standard deviation
of Gaussian noise added to the coordinates. Randomness comes from
``numpy.random.default_rng(seed)`` only: the same seed gives the same arrays bit for bit.
"""

from __future__ import annotations

import numpy as np

from .preprocess import Seed, _check_int, _check_real, _rng

XY = tuple[np.ndarray, np.ndarray]


def _counts(n: int, k: int) -> list[int]:
    """Split ``n`` samples into ``k`` groups whose sizes differ by at most one."""
    return [n // k + (i < n % k) for i in range(k)]


def _finish(
    parts: list[np.ndarray], noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Stack per-class point arrays, add noise, label by part, shuffle the rows."""
    X = np.concatenate(parts)  # (n, 2)
    y = np.concatenate([np.full(len(p), i, dtype=np.int64) for i, p in enumerate(parts)])  # (n,)
    if noise > 0:
        X = X + noise * rng.standard_normal(X.shape)  # (n, 2)
    order = rng.permutation(X.shape[0])  # (n,)
    return X[order].astype(np.float32), y[order]


def two_node() -> tuple[np.ndarray, np.ndarray]:
    """The article's single training point for the one-input, one-output network.

    Returns
    -------
    X : ndarray of float64, shape (1, 1)
        The input ``x = 1.0``.
    y : ndarray of float64, shape (1, 1)
        The target ``0.8``. float64 because the two-node walk-through prints exact numbers.

    Examples
    --------
    >>> X, y = two_node()
    >>> X.tolist(), y.tolist(), X.dtype
    ([[1.0]], [[0.8]], dtype('float64'))
    """
    return np.array([[1.0]]), np.array([[0.8]])  # (1, 1), (1, 1)


def xor(n_samples: int = 200, noise: float = 0.1, seed: Seed = None) -> XY:
    """Four noisy clusters at the corners (+-0.5, +-0.5); label 1 where the signs differ.

    Each coordinate is ``sign * |0.5 + noise * N(0, 1)|``: the noise is folded so that a point
    stays in its corner's quadrant and ``y == (sign(x0) != sign(x1))`` holds for every point.
    Values lie roughly in [-1, 1].

    Examples
    --------
    >>> X, y = xor(8, noise=0.0, seed=0)
    >>> X.shape, y.dtype, sorted(set(map(tuple, X.tolist())))
    ((8, 2), dtype('int64'), [(-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5)])
    >>> bool(np.all(y == (np.sign(X[:, 0]) != np.sign(X[:, 1]))))
    True
    """
    n = _check_int(n_samples, "n_samples", 2)
    noise = _check_real(noise, "noise")
    rng = _rng(seed)
    corners = np.array([[1, 1], [1, -1], [-1, -1], [-1, 1]], dtype=np.float64)  # (4, 2)
    which = np.repeat(np.arange(4), _counts(n, 4))  # (n,)
    signs = corners[which]  # (n, 2)
    X = signs * np.abs(0.5 + noise * rng.standard_normal((n, 2)))  # (n, 2)
    y = (which % 2).astype(np.int64)  # corners 1 and 3 have differing signs
    order = rng.permutation(n)
    return X[order].astype(np.float32), y[order]


def moons(n_samples: int = 200, noise: float = 0.1, seed: Seed = None) -> XY:
    """Two interleaving half circles of radius 1, centred so the set straddles the origin.

    Label 0 is the upper moon ``(cos t - 0.5, sin t - 0.25)``, label 1 the lower one
    ``(0.5 - cos t, 0.25 - sin t)``, for ``t`` evenly spaced in [0, pi].

    Examples
    --------
    >>> X, y = moons(100, seed=0)
    >>> X.shape, X.dtype, np.bincount(y).tolist()
    ((100, 2), dtype('float32'), [50, 50])
    """
    n = _check_int(n_samples, "n_samples", 2)
    noise = _check_real(noise, "noise")
    rng = _rng(seed)
    parts = []
    for i, m in enumerate(_counts(n, 2)):
        t = np.linspace(0.0, np.pi, m)  # (m,)
        sign = 1.0 if i == 0 else -1.0
        parts.append(sign * np.stack([np.cos(t) - 0.5, np.sin(t) - 0.25], axis=1))  # (m, 2)
    return _finish(parts, noise, rng)


def circles(
    n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed: Seed = None
) -> XY:
    """A circle of radius ``factor`` (label 1) inside a circle of radius 1 (label 0).

    Examples
    --------
    >>> X, y = circles(40, noise=0.0, seed=0)
    >>> r = np.hypot(X[:, 0], X[:, 1])  # (40,)
    >>> np.unique(r[y == 0].round(4)).tolist(), np.unique(r[y == 1].round(4)).tolist()
    ([1.0], [0.5])
    """
    n = _check_int(n_samples, "n_samples", 2)
    noise = _check_real(noise, "noise")
    factor = _check_real(factor, "factor")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be in (0, 1), the inner radius; got {factor}.")
    rng = _rng(seed)
    parts = []
    for radius, m in zip((1.0, factor), _counts(n, 2), strict=True):
        t = np.linspace(0.0, 2 * np.pi, m, endpoint=False)  # (m,)
        parts.append(radius * np.stack([np.cos(t), np.sin(t)], axis=1))  # (m, 2)
    return _finish(parts, noise, rng)


def spirals(n_samples: int = 200, noise: float = 0.1, n_classes: int = 2, seed: Seed = None) -> XY:
    """``n_classes`` interleaved spiral arms; arm ``k`` is rotated by ``2 pi k / n_classes``.

    Points have radius ``r`` evenly spaced in [0.1, 1] and angle ``2 pi k / n_classes + 3 pi r``
    (one and a half turns).

    Examples
    --------
    >>> X, y = spirals(90, n_classes=3, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((90, 2), [30, 30, 30])
    """
    k = _check_int(n_classes, "n_classes", 2)
    n = _check_int(n_samples, "n_samples", k)
    noise = _check_real(noise, "noise")
    rng = _rng(seed)
    parts = []
    for j, m in enumerate(_counts(n, k)):
        r = np.linspace(0.1, 1.0, m)  # (m,)
        angle = 2 * np.pi * j / k + 3 * np.pi * r  # (m,)
        parts.append(r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1))  # (m, 2)
    return _finish(parts, noise, rng)


def blobs(
    n_samples: int = 200,
    centers: int | np.ndarray = 3,
    std: float = 1.0,
    seed: Seed = None,
) -> XY:
    """Gaussian blobs, one class per centre.

    Parameters
    ----------
    centers : int or array of shape (k, 2), default 3
        Number of blobs, placed evenly on a circle of radius 5 (one blob sits at the origin),
        or their coordinates.
    std : float, default 1.0
        Standard deviation of each blob.

    Examples
    --------
    >>> X, y = blobs(7, centers=[[0, 0], [10, 10]], std=0.0, seed=0)
    >>> X.shape, np.bincount(y).tolist(), X[y == 1][0].tolist()
    ((7, 2), [4, 3], [10.0, 10.0])
    """
    std = _check_real(std, "std")
    if isinstance(centers, int | np.integer) and not isinstance(centers, bool):
        k = _check_int(centers, "centers", 1)
        angle = 2 * np.pi * np.arange(k) / k  # (k,)
        C = 5.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1) if k > 1 else np.zeros((1, 2))
    else:
        C = np.asarray(centers, dtype=np.float64)  # (k, 2)
        if C.ndim != 2 or C.shape[1] != 2 or C.shape[0] < 1 or not np.isfinite(C).all():
            raise ValueError(
                f"centers must be an int >= 1 or finite coordinates of shape (k, 2); "
                f"got {centers!r}."
            )
    n = _check_int(n_samples, "n_samples", C.shape[0])
    rng = _rng(seed)
    parts = [np.repeat(C[j : j + 1], m, axis=0) for j, m in enumerate(_counts(n, len(C)))]
    return _finish(parts, std, rng)


def curve(n_samples: int = 200, noise: float = 0.1, seed: Seed = None) -> XY:
    """A 1-D regression set: ``y = sin(2 x) + noise * N(0, 1)`` for ``x`` uniform in [-3, 3].

    Returns
    -------
    X : ndarray of float32, shape (n, 1)
    y : ndarray of float32, shape (n, 1)

    Examples
    --------
    >>> X, y = curve(50, noise=0.0, seed=0)
    >>> X.shape, y.shape, y.dtype
    ((50, 1), (50, 1), dtype('float32'))
    >>> bool(np.allclose(y, np.sin(2 * X), atol=1e-6))
    True
    """
    n = _check_int(n_samples, "n_samples")
    noise = _check_real(noise, "noise")
    rng = _rng(seed)
    x = rng.uniform(-3.0, 3.0, size=(n, 1))  # (n, 1)
    y = np.sin(2 * x) + noise * rng.standard_normal((n, 1))  # (n, 1)
    return x.astype(np.float32), y.astype(np.float32)
