"""The playground's regression sets, as in TensorFlow Playground: points of the square
[-1, 1]^2 whose target is a value in [-1, 1], not a class.

- ``plane``: t = (x1 + x2) / 2, a tilted plane, which a network without a hidden layer fits;
- ``gaussian``: six bumps, up and down in turn, two rows of three, which needs hidden units.

Noise adds ``noise * N(0, 1)`` to each target (then clipped to [-1, 1]).
"""

from __future__ import annotations

import numpy as np

#: the regression sets (every other playground set is a classification)
REGRESSION_SETS = ("plane", "gaussian")

#: the bumps of ``gaussian``: centre x1, centre x2, sign
_BUMPS = [(-0.65, 0.4, 1), (0.0, 0.4, -1), (0.65, 0.4, 1),
          (-0.65, -0.4, -1), (0.0, -0.4, 1), (0.65, -0.4, -1)]  # fmt: skip
_WIDTH = 0.18  # the bumps' standard deviation


def surface(name: str, X: np.ndarray) -> np.ndarray:
    """The noiseless target of points X (N, 2) for the set ``name``, shape (N,).

    Examples
    --------
    >>> surface("plane", np.array([[1.0, 0.0], [0.5, -0.5]])).tolist()
    [0.5, 0.0]
    >>> round(float(surface("gaussian", np.array([[0.0, 0.4]]))[0]), 2)  # on a bump going down
    -1.0
    """
    X = np.asarray(X, dtype=np.float64)
    if name == "plane":
        return (X[:, 0] + X[:, 1]) / 2
    if name != "gaussian":
        raise ValueError(f"unknown regression set {name!r}; choose one of {REGRESSION_SETS}.")
    t = np.zeros(len(X))
    for cx, cy, sign in _BUMPS:
        t += sign * np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / (2 * _WIDTH**2))
    return np.clip(t, -1.0, 1.0)


def make_surface(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform in [-1, 1]^2 and their noisy targets: X (n, 2), t (n,), float32.

    Examples
    --------
    >>> X, t = make_surface("plane", 5, 0.0, 0)
    >>> X.shape, t.dtype, bool(np.allclose(t, X.sum(axis=1) / 2, atol=1e-6))
    ((5, 2), dtype('float32'), True)
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))  # (n, 2)
    t = np.clip(surface(name, X) + noise * rng.standard_normal(n), -1.0, 1.0)  # (n,)
    return X.astype(np.float32), t.astype(np.float32)
