"""IDX files (plain and gzipped) and CSV files, including every bad input's message."""

import gzip
import struct

import numpy as np
import pytest

from glassnet import datasets as D
from glassnet.datasets import load_csv, load_idx_folder, read_csv, read_idx, write_idx

# --- IDX ---------------------------------------------------------------------------------------


def _idx_bytes(code: int, array: np.ndarray, big_endian_dtype: str) -> bytes:
    """An IDX file built by hand, independently of write_idx."""
    header = struct.pack(">BBBB", 0, 0, code, array.ndim)
    header += b"".join(struct.pack(">I", s) for s in array.shape)
    return header + array.astype(big_endian_dtype).tobytes()


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_of_a_hand_made_file(tmp_path, gz):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = _idx_bytes(0x08, images, ">u1")
    path = tmp_path / ("x-idx3-ubyte" + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(raw) if gz else raw)
    out = read_idx(path)
    assert out.dtype == np.uint8 and np.array_equal(out, images)
    out[0, 0, 0] = 9  # writable


def test_read_idx_big_endian_values(tmp_path):
    values = np.array([[-2, 300], [7, -32768]], dtype=np.int16)
    (tmp_path / "s.idx").write_bytes(_idx_bytes(0x0B, values, ">i2"))
    out = read_idx(tmp_path / "s.idx")
    assert out.dtype == np.dtype("int16") and out.dtype.isnative and out.tolist() == values.tolist()


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("name", ["a-idx", "a-idx.gz"])
def test_write_read_round_trip(tmp_path, dtype, name):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    write_idx(tmp_path / name, array)
    assert ((tmp_path / name).read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    out = read_idx(tmp_path / name)
    assert out.dtype == array.dtype and np.array_equal(out, array)


def test_truncated_and_corrupt_idx_files(tmp_path):
    good = _idx_bytes(0x08, np.zeros((10, 28, 28), np.uint8), ">u1")
    cases = {
        "short": (good[:-100], r"truncated: the header's shape \(10, 28, 28\).*needs 7840 bytes"),
        "long": (good + b"\0", r"too long"),
        "magic": (b"\x01\x02" + good[2:], r"bad magic number 0102"),
        "code": (good[:2] + b"\x07" + good[3:], r"unknown IDX dtype code 0x07"),
        "header": (good[:10], r"truncated IDX header"),
        "empty": (b"", r"\(empty file\)"),
        "gzip": (gzip.compress(good)[:-50], r"corrupt or truncated gzip data"),
    }
    for name, (data, match) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match=match):
            read_idx(tmp_path / name)
    with pytest.raises(FileNotFoundError, match="IDX file not found"):
        read_idx(tmp_path / "nothing")


def test_write_idx_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(TypeError, match=r"write_idx supports dtypes .*got int64"):
        write_idx(tmp_path / "x", np.arange(3))


def test_load_idx_folder(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.ones((5, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.arange(5, dtype=np.uint8))
    write_idx(tmp_path / "t10k-images.idx3-ubyte", np.ones((2, 28, 28), np.uint8))  # '.' variant
    write_idx(tmp_path / "t10k-labels.idx1-ubyte", np.array([7, 8], np.uint8))
    out = load_idx_folder(tmp_path)
    assert set(out) == {"train", "test"}
    X, y = out["test"]
    assert X.shape == (2, 28, 28) and X.dtype == np.uint8 and y.dtype == np.int64
    assert y.tolist() == [7, 8] and out["train"][1].tolist() == [0, 1, 2, 3, 4]


def test_load_idx_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="IDX folder not found"):
        load_idx_folder(tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match=r"no IDX files in .*train-images-idx3-ubyte"):
        load_idx_folder(tmp_path)
    write_idx(tmp_path / "train-images-idx3-ubyte", np.ones((5, 2, 2), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match=r"holds 5 images but .* labels of shape \(4,\)"):
        load_idx_folder(tmp_path)


# --- CSV ---------------------------------------------------------------------------------------


def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_numeric_class_target_by_name_and_index(tmp_path):
    path = _csv(tmp_path, "a,b,label\n1,2,0\n3,4,1\n\n5,6,2\n7,8,1\n")
    X, y = load_csv(path, target="label")
    assert X.dtype == np.float32 and X.shape == (4, 2) and X[2].tolist() == [5, 6]
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 2, 1]
    assert np.array_equal(load_csv(path, target=-1)[1], y)
    X, y = load_csv(path, target=0)  # 'a' holds 4 distinct integers: classes too
    assert X[:, 0].tolist() == [2, 4, 6, 8] and y.tolist() == [0, 1, 2, 3]


def test_string_labels_map_to_sorted_classes(tmp_path):
    text = 'x1;x2;kind\n0.5;1;"dog"\n1.5;2;cat\n2.5;3;bird\n3.5;4;cat\n'
    t = read_csv(_csv(tmp_path, text), target="kind", delimiter=";")
    assert t.task == "classification" and t.class_names == ["bird", "cat", "dog"]
    assert t.y.tolist() == [2, 1, 0, 1] and t.feature_names == ["x1", "x2"]
    assert t.target_name == "kind"


def test_numeric_labels_are_relabelled_in_numeric_order(tmp_path):
    path = _csv(tmp_path, "x,y\n0,10\n1,2\n2,10\n3,-1\n")
    t = read_csv(path, target="y", task="classification")
    assert t.y.tolist() == [2, 1, 2, 0] and t.class_names == ["-1", "2", "10"]


def test_regression_is_inferred_and_forced(tmp_path):
    path = _csv(tmp_path, "x,y\n" + "".join(f"{i},{i * 0.5}\n" for i in range(5)))
    X, y = load_csv(path, target="y")
    assert y.dtype == np.float32 and y.shape == (5, 1) and y[3, 0] == 1.5
    many = _csv(tmp_path, "x,y\n" + "".join(f"{i},{i}\n" for i in range(21)), "many.csv")
    assert read_csv(many, "y").task == "regression"  # 21 distinct integers
    assert read_csv(many, "y", task="classification").class_names[-1] == "20"
    few = _csv(tmp_path, "x,y\n1,0\n2,1\n", "few.csv")
    assert read_csv(few, "y", task="regression").y.tolist() == [[0.0], [1.0]]


def test_no_header_names_columns_by_index(tmp_path):
    path = _csv(tmp_path, "1,2,0\n3,4,1\n")
    t = read_csv(path, target="2", header=False)
    assert t.feature_names == ["0", "1"] and t.y.tolist() == [0, 1]
    assert read_csv(path, target=2, header=False).X.shape == (2, 2)


@pytest.mark.parametrize(
    "text, kwargs, error, match",
    [
        ("", {}, ValueError, r"is empty; expected a header line"),
        ("\n\n", {}, ValueError, r"is empty"),
        ("a,b,t\n", {}, ValueError, r"has a header but no data rows"),
        ("a,b,t\n1,2,0\n", {"target": "z"}, ValueError, r"'z' not found .*columns are: a, b, t"),
        ("a,b,t\n1,2,0\n", {"target": 3}, ValueError, r"index 3 is out of range .* a, b, t"),
        ("a,b,t\n1,2,0\n", {"target": True}, TypeError, r"target must be a column name"),
        (
            "a,b,t\n1,2,0\n3,x,1\n",
            {},
            ValueError,
            r"non-numeric value 'x' in row 2 \(line 3\), "
            r"column 'b'",
        ),
        (
            "a,b,t\n1,nan,0\n",
            {},
            ValueError,
            r"non-finite value 'nan' \(NaN or inf\) in row 1 "
            r"\(line 2\), column 'b'",
        ),
        ("a,b,t\n1,,0\n", {}, ValueError, r"missing value \(empty field\) in row 1 .* column 'b'"),
        ("a,b,t\n1,2,0\n1,2,NaN\n", {}, ValueError, r"non-finite target value 'NaN' in row 2"),
        ("a,b,t\n1,2,0\n1,2,\n", {}, ValueError, r"missing or non-finite target value '' in row 2"),
        ("a,b,t\n1,2,0\n1,2\n", {}, ValueError, r"line 3: 2 fields; expected 3 like the header"),
        ("t\n1\n", {}, ValueError, r"has only the target column"),
        (
            "a,b,t\n1,2,x\n",
            {"task": "regression"},
            ValueError,
            r"non-numeric target value 'x'.*"
            r"regression target must be numeric",
        ),
        ("a,b,t\n1,2,0\n", {"task": "ranking"}, ValueError, r"task must be None, .*got 'ranking'"),
    ],
)
def test_bad_csv_inputs(tmp_path, text, kwargs, error, match):
    path = _csv(tmp_path, text)
    kwargs = {"target": "t", **kwargs}
    with pytest.raises(error, match=match):
        load_csv(path, **kwargs)


def test_missing_csv_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"CSV file not found: .*nope\.csv"):
        load_csv(tmp_path / "nope.csv", target="y")


def test_load_a_csv_path_as_a_dataset(tmp_path):
    rows = "".join(f"{i},{i % 3},{'abc'[i % 3]}\n" for i in range(30))
    path = _csv(tmp_path, "u,v,species\n" + rows, "plants.csv")
    ds = D.load(str(path), target="species", seed=0)
    assert ds.name == "plants" and ds.class_names == ["a", "b", "c"] and ds.n_classes == 3
    assert ds.X_test.shape == (6, 2) and np.bincount(ds.y_test).tolist() == [2, 2, 2]
    assert ds.feature_names == ["u", "v"] and "species" in ds.description
    assert D.load(path, target="species").X_train.shape == (24, 2)  # a Path works too
    with pytest.raises(TypeError, match=r"needs target=<column>"):
        D.load(str(path))
