"""Fashion-MNIST (Zalando) from IDX files, by default those of Debian's ``dataset-fashion-mnist``.

Like the other real data sets (:mod:`.real` re-exports this loader), nothing is downloaded; a
folder's decoded splits are cached and every call returns fresh arrays.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from .idx import _PREFIX, _check_split, _read_split

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"]
FASHION_CLASSES += ["Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _images(
    X: np.ndarray, y: np.ndarray, flatten: bool, normalize: bool
) -> tuple[np.ndarray, np.ndarray]:
    if flatten:
        X = X.reshape(X.shape[0], -1)  # (n, 784)
    X = np.divide(X, np.float32(255), dtype=np.float32) if normalize else X.copy()
    return X, y.astype(np.int64)


@lru_cache(maxsize=4)
def _idx_split(folder: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    return _read_split(folder, split)


def load_fashion_mnist(
    split: str = "train",
    path: str | Path | None = None,
    flatten: bool = True,
    normalize: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Zalando): 28x28 grey images of clothes, 60000 train and 10000 test,
    labels 0..9 (names in ``FASHION_CLASSES``). Read from IDX files (plain or ``.gz``) in
    ``path``, by default /usr/share/datasets/fashion-mnist (``apt-get install
    dataset-fashion-mnist``). ``flatten`` and ``normalize`` as in
    :func:`~glassnet.datasets.real.load_mnist`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from glassnet.datasets.idx import write_idx
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d)
    ...     write_idx(p / "t10k-images-idx3-ubyte.gz", np.zeros((2, 28, 28), np.uint8))
    ...     write_idx(p / "t10k-labels-idx1-ubyte.gz", np.array([9, 0], np.uint8))
    ...     X, y = load_fashion_mnist("test", path=d)
    >>> X.shape, y.tolist()
    ((2, 784), [9, 0])
    """
    split = _check_split(split)
    folder = (Path(path) if path is not None else FASHION_DIR).resolve()
    try:
        X, y = _idx_split(str(folder), split)
    except FileNotFoundError as e:
        prefix = _PREFIX[split]
        raise FileNotFoundError(
            f"Fashion-MNIST {split} files not found in {folder}: expected "
            f"{prefix}-images-idx3-ubyte(.gz) and {prefix}-labels-idx1-ubyte(.gz). Install "
            "them with: apt-get install dataset-fashion-mnist, or pass path= to a folder "
            "that holds them."
        ) from e
    return _images(X, y, flatten, normalize)
