"""one_hot, Standardizer, the splits and the Dataset record."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from glassnet.datasets import (
    Dataset,
    Standardizer,
    one_hot,
    train_test_split,
    train_val_test_split,
)


def test_one_hot_basic_and_dtype():
    out = one_hot(np.array([2, 0, 1, 2]))
    assert out.dtype == np.float32 and out.shape == (4, 3)
    assert out.argmax(axis=1).tolist() == [2, 0, 1, 2] and out.sum() == 4
    assert one_hot(np.array([[1], [0]]), n_classes=4, dtype=np.float64).shape == (2, 4)
    assert one_hot(np.array([], dtype=np.int64), n_classes=3).shape == (0, 3)


@pytest.mark.parametrize(
    "y, n_classes, error, match",
    [
        (np.array([0.0, 1.0]), None, TypeError, r"integer labels; got dtype float64"),
        (np.array([0, -1]), None, ValueError, r"labels in 0\.\.0; got values from -1 to 0"),
        (np.array([0, 3]), 3, ValueError, r"labels in 0\.\.2; got values from 0 to 3"),
        (np.zeros((2, 2), dtype=int), None, ValueError, r"shape \(n,\) or \(n, 1\); got \(2, 2\)"),
        (np.array([], dtype=int), None, ValueError, r"pass n_classes="),
        (np.array([0, 1]), 0, ValueError, r"n_classes must be an int >= 1; got 0"),
    ],
)
def test_one_hot_rejects_bad_labels(y, n_classes, error, match):
    with pytest.raises(error, match=match):
        one_hot(y, n_classes=n_classes)


def test_standardizer_scales_and_inverts():
    rng = np.random.default_rng(0)
    X = (rng.standard_normal((200, 3)) * [1, 10, 100] + [5, -5, 0]).astype(np.float32)
    s = Standardizer()
    Z = s.fit_transform(X)
    assert Z.dtype == np.float32 and Z.shape == X.shape
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(Z.std(axis=0), 1, atol=1e-5)
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-5, atol=1e-4)
    assert s.mean_.shape == (3,) and s.scale_.shape == (3,)


def test_standardizer_constant_column_gets_scale_one():
    X = np.array([[1, 7], [3, 7], [5, 7]])  # integer input
    s = Standardizer().fit(X)
    assert s.scale_[1] == 1.0 and s.mean_[1] == 7.0
    Z = s.transform(X)
    assert Z.dtype == np.float32 and np.isfinite(Z).all() and (Z[:, 1] == 0).all()


def test_standardizer_errors():
    with pytest.raises(ValueError, match="before fit; call fit"):
        Standardizer().transform(np.zeros((2, 2)))
    s = Standardizer().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"expected 2 columns \(as in fit\); got 3"):
        s.transform(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"shape \(n, d\); got \(3,\)"):
        Standardizer().fit(np.zeros(3))
    with pytest.raises(ValueError, match="finite numbers"):
        Standardizer().fit(np.array([[1.0], [np.nan]]))


def _data(n=50):
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)  # row i holds 2i, 2i+1
    y = np.arange(n) % 3
    return X, y


def test_split_sizes_order_and_partition():
    X, y = _data(50)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, seed=0)
    assert X_tr.shape == (40, 2) and X_te.shape == (10, 2) and y_tr.shape == (40,)
    rows = np.concatenate([X_tr[:, 0], X_te[:, 0]]) // 2
    assert sorted(rows.tolist()) == list(range(50))
    assert np.array_equal(y_tr, (X_tr[:, 0] // 2).astype(int) % 3)  # rows stay paired
    assert train_test_split(X, y, test_size=0.25)[1].shape[0] == 13  # the fraction rounds up
    assert train_test_split(X, y, test_size=7)[1].shape[0] == 7


def test_split_is_reproducible_and_seeds_differ():
    X, y = _data()
    a = train_test_split(X, y, seed=5, stratify=True)
    b = train_test_split(X, y, seed=5, stratify=True)
    c = train_test_split(X, y, seed=6, stratify=True)
    assert all(p.tobytes() == q.tobytes() for p, q in zip(a, b, strict=True))
    assert not np.array_equal(a[1], c[1])


def test_stratified_split_keeps_class_shares():
    y = np.repeat([0, 1, 2], [30, 60, 90])
    X = np.zeros((180, 1))
    _, _, y_tr, y_te = train_test_split(X, y, test_size=0.2, seed=0, stratify=True)
    assert np.bincount(y_te).tolist() == [6, 12, 18]
    assert np.bincount(y_tr).tolist() == [24, 48, 72]
    _, _, _, y_te = train_test_split(X[:7], np.array(list("aabbbcc")), 3, seed=1, stratify=True)
    assert sorted(set(y_te)) == ["a", "b", "c"]


@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(2, 60),
    frac=st.floats(0.01, 0.99),
    k=st.integers(1, 5),
    seed=st.integers(0, 2**32),
    stratify=st.booleans(),
)
def test_split_partitions_every_row_once(n, frac, k, seed, stratify):
    X = np.arange(n)[:, None]
    y = np.arange(n) % k
    size = math.ceil(frac * n)
    assume(1 <= size <= n - 1)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, frac, seed=seed, stratify=stratify)
    assert len(X_te) == size and len(X_tr) == n - size
    assert sorted(np.concatenate([X_tr, X_te])[:, 0].tolist()) == list(range(n))
    if stratify:  # each class's test count is its share rounded down or up
        share = np.bincount(y, minlength=k) * size / n
        got = np.bincount(y_te, minlength=k)
        assert np.all(got >= np.floor(share)) and np.all(got <= np.ceil(share))


@pytest.mark.parametrize(
    "test_size, error, match",
    [
        (0.0, ValueError, r"test_size as a fraction must be in \(0, 1\); got 0.0"),
        (1.0, ValueError, r"must be in \(0, 1\); got 1.0"),
        (10, ValueError, r"test_size=10 leaves 10 of 10 samples for testing"),
        (0, ValueError, r"leaves 0 of 10"),
        ("0.2", TypeError, r"test_size must be a float in \(0, 1\) or an int; got '0.2'"),
        (True, TypeError, r"test_size must be"),
    ],
)
def test_split_rejects_bad_test_size(test_size, error, match):
    X, y = _data(10)
    with pytest.raises(error, match=match):
        train_test_split(X, y, test_size=test_size)


def test_split_rejects_mismatched_rows_and_2d_stratify():
    with pytest.raises(ValueError, match=r"same number of rows; got X \(10, 2\) and y \(9,\)"):
        train_test_split(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match=r"stratify=True needs labels of shape \(n,\)"):
        train_test_split(np.zeros((10, 2)), np.zeros((10, 1)), stratify=True)


def test_train_val_test_split():
    X, y = _data(100)
    X_tr, X_va, X_te, y_tr, y_va, y_te = train_val_test_split(X, y, 0.1, 0.2, seed=0, stratify=True)
    assert (len(X_tr), len(X_va), len(X_te)) == (70, 10, 20)
    rows = np.concatenate([X_tr, X_va, X_te])[:, 0] // 2
    assert sorted(rows.tolist()) == list(range(100))
    again = train_val_test_split(X, y, 0.1, 0.2, seed=0, stratify=True)
    assert np.array_equal(again[1], X_va)


def test_dataset_record_and_split_validation():
    X, y = _data(30)
    ds = Dataset(X[:20], y[:20], X[20:], y[20:], task="classification", n_classes=3, name="t")
    assert (
        repr(ds) == "Dataset(name='t', task='classification', n_classes=3, train=(20, 2), "
        "test=(10, 2))"
    )
    X_tr, X_va, y_tr, y_va = ds.split_validation(0.25, seed=0)
    assert len(X_tr) == 15 and len(X_va) == 5 and set(y_va.tolist()) == {0, 1, 2}
    with pytest.raises(ValueError, match=r"task must be one of .*got 'clustering'"):
        Dataset(X, y, X, y, task="clustering")
    with pytest.raises(ValueError, match=r"X_test and y_test must have the same number of rows"):
        Dataset(X, y, X, y[:3])


def test_standardizer_state_round_trip_and_bad_states():
    X = np.array([[1.0, 10.0], [3.0, 30.0]])  # (2, 2): mean [2, 20], std [1, 10]
    s = Standardizer().fit(X)
    assert s.state() == {"mean": [2.0, 20.0], "scale": [1.0, 10.0]}
    back = Standardizer.from_state(s.state())
    np.testing.assert_array_equal(back.transform(X), [[-1.0, -1.0], [1.0, 1.0]])
    assert back.mean_.dtype == np.float64
    with pytest.raises(ValueError, match="state called before fit"):
        Standardizer().state()
    with pytest.raises(ValueError, match="a dict with 'mean' and 'scale'; got"):
        Standardizer.from_state({"mean": [0.0]})
    with pytest.raises(
        ValueError, match=r"equal length .* got mean \[0.0\] and scale \[1.0, 1.0\]"
    ):
        Standardizer.from_state({"mean": [0.0], "scale": [1.0, 1.0]})
    with pytest.raises(ValueError, match="every scale > 0"):
        Standardizer.from_state({"mean": [0.0], "scale": [0.0]})
