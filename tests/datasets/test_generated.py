"""Generated data sets and load() on them: shapes, balance, geometry, seeds, validation."""

import numpy as np
import pytest

from glassnet import datasets as D
from glassnet.datasets import blobs, circles, curve, moons, spirals, two_node, xor

CLASSIFIERS = {
    "xor": (xor, 2),
    "moons": (moons, 2),
    "circles": (circles, 2),
    "spirals": (spirals, 2),
    "blobs": (blobs, 3),
}


@pytest.mark.parametrize("name", CLASSIFIERS)
@pytest.mark.parametrize("n", [2 * 3 * 5, 101])
def test_classification_shapes_dtypes_and_balance(name, n):
    fn, k = CLASSIFIERS[name]
    if n < k:
        pytest.skip("too few samples")
    X, y = fn(n_samples=n, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == k and counts.max() - counts.min() <= 1
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_same_seed_same_bits_and_different_seeds_differ(name):
    fn, _ = CLASSIFIERS[name]
    X1, y1 = fn(seed=7)
    X2, y2 = fn(seed=7)
    assert X1.tobytes() == X2.tobytes() and y1.tobytes() == y2.tobytes()
    X3, _ = fn(seed=8)
    assert not np.array_equal(X1, X3)


def test_seed_accepts_a_generator():
    X1, _ = moons(seed=np.random.default_rng(3))
    X2, _ = moons(seed=3)
    assert np.array_equal(X1, X2)


def test_rows_are_shuffled():
    _, y = moons(100, seed=0)
    assert not (np.all(y[:50] == 0) and np.all(y[50:] == 1))


def test_xor_label_rule_and_range():
    X, y = xor(400, noise=0.2, seed=1)
    assert np.array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(np.int64))
    assert np.abs(X).max() < 1.6 and np.abs(X).mean() == pytest.approx(0.5, abs=0.1)


def test_xor_without_noise_is_the_four_corners():
    X, y = xor(8, noise=0.0, seed=0)
    assert np.array_equal(np.abs(X), np.full((8, 2), 0.5, dtype=np.float32))
    assert sorted(map(tuple, X.tolist())) == sorted(
        [(a, b) for a in (-0.5, 0.5) for b in (-0.5, 0.5)] * 2
    )


def test_circles_without_noise_have_exact_radii():
    X, y = circles(200, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[:, 0].astype(np.float64), X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-6)


def test_moons_without_noise_lie_on_their_unit_circles():
    X, y = moons(100, noise=0.0, seed=0)
    X = X.astype(np.float64)
    centre = {0: (-0.5, -0.25), 1: (0.5, 0.25)}
    for label, (cx, cy) in centre.items():
        P = X[y == label]
        np.testing.assert_allclose(np.hypot(P[:, 0] - cx, P[:, 1] - cy), 1.0, atol=1e-6)
    assert (X[y == 0, 1] >= -0.25 - 1e-6).all() and (X[y == 1, 1] <= 0.25 + 1e-6).all()


def test_spirals_geometry_and_classes():
    X, y = spirals(300, noise=0.0, n_classes=3, seed=0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() == pytest.approx(0.1, abs=1e-6) and r.max() == pytest.approx(1.0, abs=1e-6)


def test_blobs_centres_and_spread():
    X, y = blobs(3000, centers=[[0, 0], [10, 0]], std=0.5, seed=0)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [10, 0], atol=0.05)
    np.testing.assert_allclose(X[y == 0].std(axis=0), [0.5, 0.5], atol=0.05)
    X, y = blobs(40, centers=4, std=0.0, seed=0)
    assert len(np.unique(X, axis=0)) == 4 and np.bincount(y).tolist() == [10] * 4


def test_curve_is_sine_regression():
    X, y = curve(500, noise=0.0, seed=0)
    assert X.shape == (500, 1) and y.shape == (500, 1)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert X.min() >= -3 and X.max() <= 3
    np.testing.assert_allclose(y, np.sin(2 * X.astype(np.float64)), atol=1e-6)
    _, noisy = curve(2000, noise=0.1, seed=0)
    X2, _ = curve(2000, noise=0.1, seed=0)
    assert np.std(noisy - np.sin(2 * X2)) == pytest.approx(0.1, rel=0.1)


def test_two_node_is_the_articles_point():
    X, y = two_node()
    assert X.shape == (1, 1) and y.shape == (1, 1) and X.dtype == np.float64
    assert X[0, 0] == 1.0 and y[0, 0] == 0.8


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: xor(n_samples=0), ValueError, r"n_samples must be an int >= 2; got 0"),
        (lambda: moons(n_samples=2.5), TypeError, r"n_samples must be an int >= 2; got 2.5"),
        (lambda: circles(n_samples="10"), TypeError, r"n_samples .* got '10'"),
        (lambda: curve(n_samples=True), TypeError, r"n_samples"),
        (lambda: spirals(n_samples=2, n_classes=3), ValueError, r"n_samples must be an int >= 3"),
        (lambda: spirals(n_classes=1), ValueError, r"n_classes must be an int >= 2; got 1"),
        (lambda: xor(noise=-0.1), ValueError, r"noise must be a finite number >= 0; got -0.1"),
        (lambda: moons(noise=float("nan")), ValueError, r"noise must be a finite number"),
        (lambda: moons(noise="big"), TypeError, r"noise must be a number >= 0; got 'big'"),
        (lambda: circles(factor=1.0), ValueError, r"factor must be in \(0, 1\).*got 1.0"),
        (lambda: blobs(std=-1), ValueError, r"std must be a finite number >= 0; got -1"),
        (lambda: blobs(centers=0), ValueError, r"centers must be an int >= 1; got 0"),
        (lambda: blobs(centers=[1, 2, 3]), ValueError, r"centers must be .* shape \(k, 2\)"),
        (lambda: xor(seed=-1), ValueError, r"seed must be an int >= 0.*got -1"),
        (lambda: xor(seed=1.5), TypeError, r"seed must be an int >= 0.*got 1.5"),
    ],
)
def test_bad_arguments_name_what_was_expected_and_received(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("name", ["xor", "moons", "circles", "spirals", "blobs", "curve"])
def test_load_generated_sets(name):
    ds = D.load(name, seed=3, n_samples=100)
    assert ds.name == name and ds.X_train.shape[0] == 80 and ds.X_test.shape[0] == 20
    again = D.load(name, seed=3, n_samples=100)
    assert ds.X_train.tobytes() == again.X_train.tobytes()
    if name == "curve":
        assert ds.task == "regression" and ds.n_classes is None and ds.y_train.shape == (80, 1)
    else:
        assert ds.task == "classification" and ds.n_classes == len(np.unique(ds.y_train))
        # stratified: the test part keeps the balance
        counts = np.bincount(ds.y_test)
        assert counts.max() - counts.min() <= 1
    assert ds.description


def test_load_two_node_uses_its_point_for_both_parts():
    ds = D.load("two_node")
    assert ds.name == "two-node" and ds.task == "regression"
    assert ds.X_train.tolist() == ds.X_test.tolist() == [[1.0]]
    assert ds.y_test.tolist() == [[0.8]]


def test_load_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown data set 'mnits'; expected one of xor, "):
        D.load("mnits")
    assert set(D.names()) == {
        "xor",
        "two-node",
        "moons",
        "circles",
        "spirals",
        "blobs",
        "curve",
        "digits",
        "iris",
        "breast-cancer",
        "mnist",
        "fashion-mnist",
    }


def test_load_passes_keywords_and_test_size():
    ds = D.load("spirals", n_samples=90, n_classes=3, test_size=30, seed=0)
    assert ds.n_classes == 3 and ds.X_test.shape == (30, 2)
    with pytest.raises(TypeError, match="unexpected keyword"):
        D.load("moons", colour="red")
