"""read_csv(..., weight=COLUMN): a column of sample weights, out of the features, checked."""

import numpy as np
import pytest

from glassnet.datasets import load_csv, read_csv


def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


TINY = "a,w,b,kind\n1,2,10,cat\n2,0,20,dog\n3,0.5,30,cat\n"


def test_weight_column_by_name_leaves_the_features(tmp_path):
    t = read_csv(_csv(tmp_path, TINY), target="kind", weight="w")
    assert t.feature_names == ["a", "b"] and t.weight_name == "w"
    assert t.X.tolist() == [[1, 10], [2, 20], [3, 30]]  # w is not a feature
    assert t.w.dtype == np.float64 and t.w.shape == (3,) and t.w.tolist() == [2.0, 0.0, 0.5]
    assert t.y.tolist() == [0, 1, 0] and t.class_names == ["cat", "dog"]  # target untouched


def test_weight_column_by_index_and_without_header(tmp_path):
    path = _csv(tmp_path, TINY)
    by_name = read_csv(path, target="kind", weight="w")
    for key in (1, -3):
        t = read_csv(path, target=-1, weight=key)
        assert t.weight_name == "w" and np.array_equal(t.w, by_name.w)
        assert np.array_equal(t.X, by_name.X)
    bare = _csv(tmp_path, "1,4,0\n2,1,1\n", "bare.csv")
    t = read_csv(bare, target=2, header=False, weight="1")
    assert t.feature_names == ["0"] and t.w.tolist() == [4.0, 1.0] and t.weight_name == "1"


def test_without_weight_nothing_changes(tmp_path):
    path = _csv(tmp_path, TINY)
    t = read_csv(path, target="kind")
    assert t.w is None and t.weight_name is None
    assert t.feature_names == ["a", "w", "b"]  # then w is an ordinary feature
    X, y = load_csv(path, target="kind")  # load_csv still returns (X, y)
    assert np.array_equal(X, t.X) and np.array_equal(y, t.y)


@pytest.mark.parametrize(
    ("text", "weight", "error", "match"),
    [
        (TINY, "z", ValueError, r"weight column 'z' not found in .*columns are: a, w, b, kind"),
        (TINY, 9, ValueError, r"weight column index 9 is out of range .* 4 columns: a, w, b, kind"),
        (TINY, 1.5, TypeError, r"weight must be a column name \(str\) or index \(int\); got 1.5"),
        (TINY, "kind", ValueError, r"weight column 'kind' of .* is the target column"),
        (TINY, -1, ValueError, r"weight column 'kind' of .* is the target column"),
        (
            "a,w,kind\n1,2,cat\n2,x,dog\n",
            "w",
            ValueError,
            r"non-numeric sample weight 'x' in row 2 \(line 3\), column 'w' of .*; the weight "
            r"column 'w' must hold a finite number >= 0 on every row \(0 leaves the row out\)",
        ),
        (
            "a,w,kind\n1,-0.5,cat\n2,1,dog\n",
            "w",
            ValueError,
            r"negative sample weight '-0.5' in row 1 \(line 2\), column 'w'.* number >= 0",
        ),
        (
            "a,w,kind\n1,1,cat\n2,nan,dog\n",
            "w",
            ValueError,
            r"non-finite sample weight 'nan' in row 2 \(line 3\), column 'w'.* finite number",
        ),
        (
            "a,w,kind\n1,inf,cat\n2,1,dog\n",
            "w",
            ValueError,
            r"non-finite sample weight 'inf' in row 1 \(line 2\), column 'w'",
        ),
        (
            "a,w,kind\n1,1,cat\n2,,dog\n",
            "w",
            ValueError,
            r"missing sample weight \(empty field\) in row 2 \(line 3\), column 'w'",
        ),
        (
            "a,w,kind\n1,0,cat\n2,0.0,dog\n",
            "w",
            ValueError,
            r"the weight column 'w' of .* is all zeros: no sample would count. "
            r"Give some weight > 0",
        ),
        ("w,kind\n1,cat\n2,dog\n", "w", ValueError, r"has only the target and weight columns"),
    ],
)
def test_bad_weight_columns(tmp_path, text, weight, error, match):
    with pytest.raises(error, match=match):
        read_csv(_csv(tmp_path, text), target="kind", weight=weight)


def test_load_splits_the_weights_with_their_rows(tmp_path):
    from glassnet.datasets import Dataset, load

    rows = "".join(f"{i},{i % 2},{i + 1}\n" for i in range(20))  # x = row, weight = row + 1
    path = _csv(tmp_path, "x,y,w\n" + rows)
    ds = load(path, target="y", weight="w", seed=3, test_size=0.25)
    assert ds.weight_name == "w" and ds.feature_names == ["x"] and "weights 'w'" in ds.description
    assert ds.w_train.shape == (15,) and ds.w_test.shape == (5,)
    np.testing.assert_array_equal(ds.w_train, ds.X_train[:, 0] + 1)  # each weight on its row
    np.testing.assert_array_equal(ds.w_test, ds.X_test[:, 0] + 1)
    plain = load(path, target="y", seed=3, test_size=0.25)  # the same split without weights
    assert plain.w_train is None and plain.w_test is None
    np.testing.assert_array_equal(plain.y_test, ds.y_test)
    np.testing.assert_array_equal(plain.X_test[:, 0], ds.X_test[:, 0])
    X = np.zeros((2, 1))
    with pytest.raises(ValueError, match=r"w_train must hold one weight per row of X_train"):
        Dataset(X, np.zeros(2), X, np.zeros(2), w_train=np.ones(3))
