"""MLPClassifier on multilabel y (a 0/1 indicator matrix, several classes per row), as
scikit-learn's: K sigmoid outputs with binary cross-entropy, 0/1 predictions, per-class
probabilities, and fit, warm start, partial_fit and early stopping on it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import neural_network as sk
from sklearn.datasets import make_multilabel_classification

from glassnet.sklearn import MLPClassifier

X, Y = make_multilabel_classification(n_samples=300, n_features=8, n_classes=4, random_state=0)


def quiet(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached
        return est.fit(*args, **kwargs)


def test_multilabel_fit_predicts_rows_of_labels_as_scikit_learn():
    params = dict(hidden_layer_sizes=(32,), max_iter=300, learning_rate_init=0.01, random_state=0)
    ours, theirs = quiet(MLPClassifier(**params), X, Y), quiet(sk.MLPClassifier(**params), X, Y)
    pred, proba = ours.predict(X), ours.predict_proba(X)
    assert pred.shape == proba.shape == Y.shape == theirs.predict(X).shape
    assert set(np.unique(pred)) <= {0, 1} and pred.dtype.kind == "i"
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))  # a class when p > 0.5
    assert not np.allclose(proba.sum(axis=1), 1)  # independent classes, not a softmax
    assert ours.classes_.tolist() == theirs.classes_.tolist() == [0, 1, 2, 3]
    assert ours.out_activation_ == theirs.out_activation_ == "logistic"
    assert ours.model_.loss_.name == "binary_cross_entropy"
    # the score is subset accuracy (every label of a row right), near scikit-learn's
    assert ours.score(X, Y) > 0.5 and ours.score(X, Y) > theirs.score(X, Y) - 0.1  # 0.57, 0.62


def test_multilabel_early_stopping_warm_start_and_partial_fit():
    stop = quiet(MLPClassifier((16,), early_stopping=True, max_iter=50, random_state=0), X, Y)
    assert 0 <= stop.best_validation_score_ <= 1 and len(stop.validation_scores_) == stop.n_iter_
    warm = quiet(MLPClassifier((16,), max_iter=5, warm_start=True, random_state=0), X, Y)
    quiet(warm, X, Y)
    assert len(warm.loss_curve_) == 10
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same"):
        warm.fit(X, Y[:, :3])
    parts = MLPClassifier((16,), random_state=0).partial_fit(X, Y, classes=[0, 1, 2, 3])
    parts.partial_fit(X, Y)
    assert parts.predict(X).shape == Y.shape and len(parts.loss_curve_) == 2
    with pytest.raises(ValueError, match="y must have the form of the first partial_fit"):
        parts.partial_fit(X, Y[:, 0])


def test_a_column_of_labels_warns_and_other_2d_targets_are_refused():
    from sklearn.exceptions import DataConversionWarning

    y = Y[:, 0]
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(DataConversionWarning), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)  # max_iter=2
        MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y[:, None])
    with pytest.raises(ValueError, match="multiclass-multioutput"):
        MLPClassifier().fit(X, np.c_[y * 2, y])  # classes 0, 2 in a column: not 0/1 labels
