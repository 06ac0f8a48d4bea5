"""glassnet.sklearn: the scikit-learn estimator contract, pipelines, labels, errors."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from glassnet import Sequential
from glassnet.sklearn import MLPClassifier, MLPRegressor


@pytest.mark.parametrize(
    "estimator",
    [
        MLPClassifier(max_iter=40),
        MLPRegressor(max_iter=100),
        MLPClassifier(solver="lbfgs", max_iter=100),
        MLPRegressor(solver="lbfgs", max_iter=200),
    ],
)
def test_check_estimator_passes(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None)
    failed = [(r["check_name"], r["exception"]) for r in results if r["status"] == "failed"]
    assert failed == []
    assert sum(r["status"] == "passed" for r in results) >= 50


def test_pipeline_cross_val_score_on_iris():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier((32,), learning_rate_init=0.01, max_iter=200, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() >= 0.9


def test_string_labels_binary_and_probabilities():
    X, y_int = make_blobs(n_samples=120, centers=2, random_state=0)
    y = np.where(y_int == 1, "spam", "ham")
    clf = MLPClassifier((8,), learning_rate_init=0.02, max_iter=300, random_state=0).fit(X, y)
    assert clf.classes_.tolist() == ["ham", "spam"]
    proba = clf.predict_proba(X)
    assert proba.shape == (120, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    pred = clf.predict(X)
    assert set(pred) <= {"ham", "spam"}
    assert (pred == clf.classes_[proba.argmax(axis=1)]).all()
    assert clf.score(X, y) >= 0.95
    # two classes: one sigmoid output, the probability of classes_[1], as scikit-learn's
    assert isinstance(clf.model_, Sequential) and clf.model_.out_features == 1
    assert clf.out_activation_ == "logistic" and clf.coefs_[-1].shape == (8, 1)
    assert clf.model_.loss_.name == "binary_cross_entropy"


def test_integer_labels_multiclass_and_learned_attributes():
    X, y = make_blobs(n_samples=150, centers=3, random_state=1)
    y = y * 10 + 5  # labels 5, 15, 25
    clf = MLPClassifier((16,), learning_rate_init=0.02, max_iter=60, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    assert clf.classes_.tolist() == [5, 15, 25]
    assert clf.n_features_in_ == 2
    assert clf.n_iter_ == len(clf.loss_curve_) >= 1
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.score(X, y) >= 0.95


def test_same_random_state_same_model_and_clone_round_trip():
    X, y = make_blobs(n_samples=60, centers=2, random_state=2)
    params = dict(hidden_layer_sizes=(5, 3), alpha=0.01, max_iter=5, random_state=7)
    a = MLPClassifier(**params)
    b = clone(a)
    assert b.get_params() == a.get_params()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pa, pb = a.fit(X, y).predict_proba(X), b.fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(pa, pb)
    assert a.set_params(max_iter=9).max_iter == 9


def test_not_fitted_and_bad_parameters():
    with pytest.raises(NotFittedError, match="not fitted"):
        MLPClassifier().predict(np.zeros((2, 2)))
    X, y = make_blobs(n_samples=20, centers=2, random_state=0)
    with pytest.raises(ValueError, match="solver must be one of .* got 'lbgfs'"):
        MLPClassifier(solver="lbgfs").fit(X, y)  # a typo
    with pytest.raises(ValueError, match="hidden_layer_sizes must be positive integers"):
        MLPClassifier(hidden_layer_sizes=(0,)).fit(X, y)
    # one class is scikit-learn's too: fitted, and predicted (tests/test_sklearn_dropin.py)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached
        one = MLPClassifier(max_iter=2).fit(X, np.zeros(20))
    assert (one.predict(X) == 0).all()
    with pytest.raises(ValueError, match="batch_size must be 'auto'"):
        MLPRegressor(batch_size="big").fit(X, y)


def test_dtype_follows_input_and_early_stopping():
    X, y = make_blobs(n_samples=200, centers=2, random_state=3)
    clf = MLPClassifier(
        (8,),
        max_iter=500,
        early_stopping=True,
        n_iter_no_change=3,
        learning_rate_init=0.05,
        random_state=0,
    ).fit(X.astype(np.float32), y)
    assert clf.model_.dtype == np.float32
    assert clf.n_iter_ < 500  # stopped by the validation loss, not by max_iter
    assert len(clf.validation_scores_) == clf.n_iter_
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.fit(X, np.c_[X[:, 0], X[:, 1]])
    assert reg.model_.dtype == np.float64
    assert reg.predict(X).shape == (200, 2) and reg.n_outputs_ == 2


def test_regressor_fits_a_line_and_warns_when_not_converged():
    X = np.linspace(-1, 1, 80).reshape(-1, 1)
    y = 2.0 * X[:, 0] - 0.5
    reg = MLPRegressor(
        hidden_layer_sizes=(16,),
        learning_rate_init=0.01,
        batch_size=10,
        max_iter=300,
        random_state=0,
    )
    reg.fit(X, y)
    assert reg.score(X, y) > 0.99
    assert reg.predict(X).dtype == np.float64 and reg.predict(X).shape == (80,)
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(2\) reached"):
        MLPRegressor(max_iter=2, random_state=0).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # few epochs
def test_predict_proba_is_the_softmax_of_the_logits():
    X, y = make_blobs(n_samples=60, centers=3, random_state=2)
    clf = MLPClassifier((8,), max_iter=20, random_state=0).fit(X, y)
    z = clf.model_.predict(X)  # (60, 3) logits, float64
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)  # (60, 3)
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, expected, rtol=1e-12)
    clf32 = MLPClassifier((8,), max_iter=5, random_state=0).fit(X.astype(np.float32), y)
    assert clf32.predict_proba(X.astype(np.float32)).dtype == np.float32  # scikit-learn's
