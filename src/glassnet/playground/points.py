"""The playground's points, as CSV text too, and the targets a loss trains on.

Generated sets come from :mod:`glassnet.datasets.generated`; the output layer's width and the
target arrays follow from the loss and the number of classes.
"""

from __future__ import annotations

import numpy as np

from glassnet.datasets import generated
from glassnet.datasets.preprocess import one_hot
from glassnet.playground.surfaces import REGRESSION_SETS, make_surface
from glassnet.playground.validate import DataSpec


def make_points(spec: DataSpec) -> tuple[np.ndarray, np.ndarray]:
    """Generate the points of ``spec``: X (n, 2) float32, y (n,) int64 (the class), or for
    the regression sets (:mod:`glassnet.playground.surfaces`) y (n,) float32 (the value).

    Blobs are drawn with std ``5 * noise`` around centres at radius 5, then divided by 5,
    so every set lies roughly in [-1.5, 1.5].

    Examples
    --------
    >>> X, y = make_points(DataSpec("xor", 0.0, 8, 0.5, 0))
    >>> X.shape, sorted(set(y.tolist()))
    ((8, 2), [0, 1])
    """
    if spec.dataset in REGRESSION_SETS:
        return make_surface(spec.dataset, spec.n_points, spec.noise, spec.seed)
    if spec.dataset == "blobs":
        X, y = generated.blobs(spec.n_points, centers=3, std=5 * spec.noise, seed=spec.seed)
        return (X / 5).astype(np.float32), y  # (n, 2), (n,)
    fn = getattr(generated, spec.dataset)
    return fn(spec.n_points, noise=spec.noise, seed=spec.seed)


def out_width(loss: str, n_classes: int) -> int:
    """Output neurons: one probability for two classes (unless cross-entropy), else one per
    class; one value for a regression (``n_classes`` 0).

    Examples
    --------
    >>> out_width("binary_cross_entropy", 2), out_width("cross_entropy", 2), out_width("mse", 3)
    (1, 2, 3)
    >>> out_width("mse", 0)
    1
    """
    if n_classes == 0:
        return 1
    return 1 if n_classes == 2 and loss != "cross_entropy" else n_classes


def targets(y: np.ndarray, loss: str, n_classes: int) -> np.ndarray:
    """Targets for the loss: labels (N,) for cross-entropy, else (N, 1) or one-hot (N, k);
    for a regression (``n_classes`` 0) the values as a column (N, 1).

    Examples
    --------
    >>> targets(np.array([0, 1]), "mse", 2).tolist()
    [[0.0], [1.0]]
    >>> targets(np.array([0.5, -0.25]), "mse", 0).tolist()
    [[0.5], [-0.25]]
    """
    if n_classes == 0:
        return np.asarray(y, dtype=np.float32)[:, None]  # (N, 1)
    if loss == "cross_entropy":
        return y
    if out_width(loss, n_classes) == 1:
        return y[:, None].astype(np.float32)  # (N, 1)
    return one_hot(y, n_classes)  # (N, k)


def points_csv(X: np.ndarray, y: np.ndarray, test: np.ndarray, regression: bool = False) -> str:
    """The points as CSV text: x1, x2, label (or value, for a regression), split: what
    ``Session.data_csv`` returns and the page's upload reads back, split included.

    Examples
    --------
    >>> print(points_csv(np.array([[0.5, -1.0]]), np.array([1]), np.array([True])), end="")
    x1,x2,label,split
    0.5,-1,1,test
    >>> points_csv(np.array([[0.0, 1.0]]), np.array([0.25]), np.array([False]), True)
    'x1,x2,value,split\\n0,1,0.25,train\\n'
    """
    rows = [f"x1,x2,{'value' if regression else 'label'},split"]
    for (a, b), lab, t in zip(X.tolist(), y.tolist(), test.tolist(), strict=True):
        target = f"{lab:.6g}" if regression else f"{lab}"
        rows.append(f"{a:.6g},{b:.6g},{target},{'test' if t else 'train'}")
    return "\n".join(rows) + "\n"
