"""Bad input gets an error of the right type whose message names the argument, what was
expected and what was received; a diverging run raises DivergedError and keeps finite weights."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.utils.validation import check_finite

RNG = np.random.default_rng(0)
X = RNG.normal(size=(10, 3))
T = RNG.normal(size=(10, 2))


def net32() -> gn.Sequential:
    return gn.Sequential([gn.Dense(3, 4), gn.Tanh(), gn.Dense(4, 2)], seed=0)


def fit(net=None, X=X, T=T, **kwargs):
    kwargs.setdefault("verbose", 0)
    kwargs.setdefault("epochs", 1)
    return (net or net32()).fit(X, T, **kwargs)


# -- shapes -------------------------------------------------------------------------------
def test_mismatched_layers():
    with pytest.raises(
        ValueError,
        match=r"Dense\(5, 2\) expected input of shape \(N, 5\); the previous layer gives \(N, 4\)",
    ):
        gn.Sequential([gn.Dense(3, 4), gn.Dense(5, 2)])


def test_input_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 3\); got \(N, 5\)"):
        net32().forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 3\); got \(N, 5\)"):
        fit(X=np.ones((10, 5)))
    with pytest.raises(ValueError, match=r"Dense\(3, 4\) expected input of shape \(N, 3\); got"):
        gn.Dense(3, 4).forward(np.ones((2, 2)))


def test_x_and_t_of_different_lengths():
    with pytest.raises(ValueError, match="X has 10 samples but T has 9; they must match"):
        fit(T=T[:9])
    with pytest.raises(ValueError, match="X has 10 samples but T has 7"):
        fit(T=np.zeros(7, dtype=int), loss="cross_entropy")


def test_targets_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"T has shape \(10, 3\) but the network outputs \(N, 2\)"):
        fit(T=np.zeros((10, 3)))
    with pytest.raises(ValueError, match=r"MSE expected target of shape \(4, 2\).*got \(4, 3\)"):
        gn.MSE().forward(np.zeros((4, 2)), np.zeros((4, 3)))


def test_three_dimensional_input():
    with pytest.raises(ValueError, match=r"X must be 2-D .* got shape \(10, 3, 1\).*Flatten"):
        fit(X=X[:, :, None])


# -- labels and values --------------------------------------------------------------------
@pytest.mark.parametrize("bad", [2, -1])
def test_labels_out_of_range(bad):
    labels = np.zeros(10, dtype=int)
    labels[4] = bad
    lo, hi = min(0, bad), max(0, bad)
    with pytest.raises(
        ValueError, match=rf"labels must be integers in \[0, 1\].*got labels in \[{lo}, {hi}\]"
    ):
        fit(T=labels, loss="cross_entropy")
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 1\]"):
        gn.CrossEntropy().forward(np.zeros((10, 2)), labels)


def test_fractional_labels_for_cross_entropy():
    with pytest.raises(
        ValueError, match="T must be integer class labels for cross_entropy; got floats"
    ):
        fit(T=np.full(10, 0.5), loss="cross_entropy")


@pytest.mark.parametrize("rows", [[[1.0, 1.0]] * 10, [[0.5, 0.1]] * 10, [[1.5, -0.5]] * 10])
def test_cross_entropy_rows_must_be_distributions(rows):
    with pytest.raises(ValueError, match="rows of class probabilities .* sum to 1"):
        fit(T=np.array(rows), loss="cross_entropy")


def test_cross_entropy_soft_rows_train():
    soft = np.tile([0.3, 0.7], (10, 1))
    assert np.isfinite(fit(T=soft, loss="cross_entropy").history["loss"]).all()


def test_bce_targets_outside_zero_one():
    with pytest.raises(
        ValueError, match=r"binary_cross_entropy targets must be in \[0, 1\]; got \[-"
    ):
        fit(T=T, loss="binary_cross_entropy")


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_x_or_t(value):
    Xb, Tb = X.copy(), T.copy()
    Xb[1, 2] = value
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first at index \(1, 2\)"):
        fit(X=Xb)
    Tb[3, 0] = value
    with pytest.raises(ValueError, match=r"T contains NaN or inf \(first at index \(3, 0\)"):
        fit(T=Tb)
    with pytest.raises(ValueError, match=r"X contains NaN or inf"):
        net32().predict(Xb)


def test_inf_and_minus_inf_together_and_a_sum_that_only_overflows():
    Xb = X.copy()
    Xb[0, 0], Xb[2, 1] = np.inf, -np.inf  # their sum is NaN: still caught, first one named
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first at index \(0, 0\)"):
        fit(X=Xb)
    big = np.full((4, 2), 3e38, np.float32)  # finite values whose float32 sum overflows
    check_finite(big, "X")  # no error: every value is finite


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])  # C: summed by the BLAS (where found); F: NumPy
def test_check_finite_on_a_large_array_finds_each_bad_value(dtype, order):
    from glassnet.fast.blas import MIN_SIZE

    big = np.ones((MIN_SIZE // 3, 3), dtype, order=order)  # above the BLAS's threshold
    check_finite(big, "X")
    for where in [(0, 0), (MIN_SIZE // 6, 1), (MIN_SIZE // 3 - 1, 2)]:
        for value in (np.nan, np.inf, -np.inf):
            bad = big.copy(order=order)
            bad[where] = value
            at = rf"\(first at index \({where[0]}, {where[1]}\)"
            with pytest.raises(ValueError, match=rf"X contains NaN or inf {at}"):
                check_finite(bad, "X")
    huge = np.full((MIN_SIZE, 2), np.finfo(dtype).max / 4, dtype)  # the sum overflows
    check_finite(huge, "X")  # every value finite: no error


def test_non_numeric_data():
    with pytest.raises(
        TypeError,
        match="X must be numeric array-like; could not convert it: could not convert string",
    ):
        fit(X=np.array([["a", "b", "c"]] * 10))
    with pytest.raises(TypeError, match="T must hold numbers; got dtype <U"):
        fit(T=np.array([["a", "b"]] * 10))


def test_empty_data():
    with pytest.raises(
        ValueError, match=r"X is empty \(shape \(0, 3\)\); give at least one sample"
    ):
        fit(X=np.empty((0, 3)), T=np.empty((0, 2)))
    with pytest.raises(ValueError, match="X is empty"):
        net32().predict(np.empty((0, 3)))


# -- hyperparameters ----------------------------------------------------------------------
@pytest.mark.parametrize("lr", [0, 0.0, -0.1, float("nan"), float("inf")])
def test_bad_learning_rate(lr):
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0; got"):
        fit(lr=lr)
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0"):
        gn.SGD(lr=lr)


@pytest.mark.parametrize("lr", ["0.1", True, [0.1]])
def test_learning_rate_of_the_wrong_type(lr):
    with pytest.raises(TypeError, match="lr must be a positive number; got"):
        fit(lr=lr)


@pytest.mark.parametrize("name", ["epochs", "batch_size"])
@pytest.mark.parametrize("value", [0, -3])
def test_non_positive_epochs_and_batch_size(name, value):
    with pytest.raises(ValueError, match=rf"{name} must be a positive integer; got {value}"):
        fit(**{name: value})


@pytest.mark.parametrize("name", ["epochs", "batch_size"])
@pytest.mark.parametrize("value", [True, 2.0, 2.5, "3"])
def test_epochs_and_batch_size_of_the_wrong_type(name, value):
    with pytest.raises(TypeError, match=rf"{name} must be a positive integer; got {value!r} \("):
        fit(**{name: value})


def test_other_bad_fit_arguments():
    with pytest.raises(ValueError, match=r"validation_split must be in \[0, 1\); got 1.0"):
        fit(validation_split=1.0)
    with pytest.raises(ValueError, match="initial_epoch must be an integer >= 0; got -1"):
        fit(initial_epoch=-1)
    softmax_net = gn.Sequential([gn.Dense(3, 2), gn.Softmax()])
    with pytest.raises(ValueError, match="remove the final Softmax layer"):
        fit(softmax_net, T=np.zeros(10, dtype=int), loss="cross_entropy")


# -- names --------------------------------------------------------------------------------
def test_unknown_names():
    with pytest.raises(
        ValueError, match=r"unknown activation 'mish'; expected one of: elu, gelu, identity, "
    ):
        gn.get_activation("mish")
    with pytest.raises(ValueError, match="unknown activation 'mish'"):
        gn.mlp("2,3,1", activation="mish")
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'; expected one of: binary_cross_"):
        fit(loss="hinge")
    with pytest.raises(ValueError, match=r"unknown optimiser 'lbfgs'; expected one of: adam, "):
        fit(optimizer="lbfgs")
    with pytest.raises(ValueError, match=r"unknown initialiser 'orthogonal'; expected one of: "):
        gn.Dense(2, 3, init="orthogonal")
    with pytest.raises(ValueError, match=r"unknown initialiser 'ones'"):
        gn.Dense(2, 3, bias_init="ones")


# -- construction -------------------------------------------------------------------------
def test_bad_construction():
    with pytest.raises(ValueError, match="Sequential needs at least one layer"):
        gn.Sequential([])
    with pytest.raises(TypeError, match="layer 1 must be a glassnet Layer.*got type"):
        gn.Sequential([gn.Dense(2, 2), gn.ReLU])
    with pytest.raises(ValueError, match="dtype must be float32 or float64; got 'int8'"):
        gn.Sequential([gn.Dense(2, 2)], dtype="int8")
    with pytest.raises(ValueError, match=r"in_features must be a positive integer; got 0"):
        gn.Dense(0, 3)
    with pytest.raises(TypeError, match=r"out_features must be a positive integer; got 2.5"):
        gn.Dense(3, 2.5)
    with pytest.raises(ValueError, match=r"Dropout p must be in \[0, 1\); got 1"):
        gn.Dropout(1.0)
    with pytest.raises(ValueError, match=r"expected W of shape \(2, 3\); got \(3, 2\)"):
        gn.Dense(2, 3, weights=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        gn.SGD(lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"betas must both be in \[0, 1\)"):
        gn.Adam(betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="SGD has no parameters; pass net.parameters()"):
        gn.SGD(lr=0.1).step()


def test_corrupt_or_foreign_model_file(tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.arange(3))
    with pytest.raises(
        ValueError, match=r"foreign\.npz' is an \.npz file but not a glassnet model"
    ):
        gn.load(foreign)
    corrupt = tmp_path / "corrupt.npz"
    net32().save(corrupt)
    corrupt.write_bytes(corrupt.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"corrupt\.npz' is not a readable glassnet model file"):
        gn.load(corrupt)


# -- divergence ---------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [1, 64])
def test_divergence_raises_and_keeps_finite_weights(batch_size):
    rng = np.random.default_rng(0)
    X = rng.normal(scale=100.0, size=(64, 3))  # unscaled inputs ...
    T = X @ rng.normal(size=(3, 1))
    net = gn.Sequential([gn.Dense(3, 8), gn.Dense(8, 1)], seed=0)
    with pytest.raises(
        gn.DivergedError, match=r"the loss became (nan|inf).*Lower the learning rate"
    ):
        net.fit(X, T, lr=10.0, epochs=50, batch_size=batch_size, verbose=0, seed=0)  # ... huge lr
    for p in net.parameters():
        assert np.isfinite(p.value).all(), p.name


def test_divergence_is_a_runtime_error():
    assert issubclass(gn.DivergedError, RuntimeError)


def test_divergence_with_overflowing_weights_restores_the_epoch_start():
    rng = np.random.default_rng(0)
    X, T = rng.normal(scale=10.0, size=(8, 3)), rng.normal(size=(8, 1))
    net = gn.Sequential([gn.Dense(3, 1)], seed=0)
    start = [p.value.copy() for p in net.parameters()]
    with pytest.raises(gn.DivergedError, match="loss became nan; the weights were restored"):
        net.fit(X, T, lr=1e38, epochs=3, batch_size=2, verbose=0, seed=0)
    for p, w in zip(net.parameters(), start, strict=True):
        np.testing.assert_array_equal(p.value, w)


def test_divergence_on_the_very_last_step_is_caught():
    """Regression: a step that overflowed the weights on the last batch used to end fit quietly."""
    rng = np.random.default_rng(0)
    X, T = rng.normal(scale=10.0, size=(8, 3)), rng.normal(size=(8, 1))
    net = gn.Sequential([gn.Dense(3, 1)], seed=0)
    with pytest.raises(gn.DivergedError, match="the loss became nan"):
        net.fit(X, T, lr=1e38, epochs=1, batch_size=8, verbose=0, seed=0)
    assert all(np.isfinite(p.value).all() for p in net.parameters())
