"""The inputs the playground's network sees: x1 and x2, or functions of them.

As in TensorFlow Playground, each chosen feature is one input node. With x1^2 and x2^2 the
circles are separable by a network without a hidden layer (a circle is a line in those
two inputs); with x1*x2, xor is. The sines take pi*x so that they bend within the data's
range (about -1.5 to 1.5), where sin(x) would be almost x itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from glassnet.playground.brief import brief

#: name -> the feature of points X (N, 2), in the order the page lists them
FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(pi*x1)": lambda X: np.sin(np.pi * X[:, 0]),
    "sin(pi*x2)": lambda X: np.sin(np.pi * X[:, 1]),
}
DEFAULT = ["x1", "x2"]


def expand(X: np.ndarray, names: Sequence[str], dtype: object = np.float32) -> np.ndarray:
    """The chosen features of points X (N, 2), as columns (N, len(names)) of ``dtype``
    (float32 to train on; float64 keeps a preset's inputs exact).

    Examples
    --------
    >>> expand(np.array([[0.5, -2.0]]), ["x1", "x1^2", "x1*x2"]).tolist()
    [[0.5, 0.25, -1.0]]
    """
    X = np.asarray(X, dtype=np.float64)  # (N, 2)
    cols = [FEATURES[name](X) for name in names]  # each (N,)
    return np.stack(cols, axis=1).astype(dtype)  # (N, k)


def check(names: object) -> list[str]:
    """Check a list of feature names; return them in the page's order, each once.

    Raises
    ------
    TypeError, ValueError
        Naming what was wrong: not a list, an unknown name, or no feature at all.

    Examples
    --------
    >>> check(["x2^2", "x1^2"])
    ['x1^2', 'x2^2']
    >>> check([])
    Traceback (most recent call last):
    ...
    ValueError: features needs at least one input, e.g. ['x1', 'x2'].
    """
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"features must be a list of names; got {brief(names)}.")
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(
            f"unknown feature {brief(unknown[0])}; the features are {', '.join(FEATURES)}."
        )
    if not names:
        raise ValueError("features needs at least one input, e.g. ['x1', 'x2'].")
    return [n for n in FEATURES if n in names]
