"""partial_fit of the scikit-learn estimators: one epoch a call, the model and its optimiser
continued (so n calls are the n epochs of one fit, bit for bit), and scikit-learn's counters,
lr rules and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import neural_network as sk

from glassnet.sklearn import MLPClassifier, MLPRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
Y = (X[:, 0] - X[:, 1] > 0).astype(int) + (X[:, 2] > 1)  # classes 0, 1, 2
R = X @ [1.0, -2.0, 0.5]


def quiet_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached
        return est.fit(X, y)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("Est, y", [(MLPClassifier, Y), (MLPRegressor, R)])
def test_n_partial_fits_are_the_n_epochs_of_one_fit(Est, y, solver):
    params = dict(hidden_layer_sizes=(5,), solver=solver, batch_size=16, random_state=3,
                  learning_rate_init=0.05, alpha=0.01)  # fmt: skip
    whole = quiet_fit(Est(max_iter=3, **params), X, y)
    parts = Est(**params)
    extra = {"classes": [0, 1, 2]} if Est is MLPClassifier else {}
    parts.partial_fit(X, y, **extra)
    for _ in range(2):
        parts.partial_fit(X, y)
    assert parts.loss_curve_ == whole.loss_curve_  # the same floats: same shuffles, same steps
    for a, b in zip(parts.coefs_ + parts.intercepts_, whole.coefs_ + whole.intercepts_,
                    strict=True):  # fmt: skip
        np.testing.assert_array_equal(a, b)
    assert parts.n_iter_ == 1 and parts.t_ == whole.t_ == 3 * len(X)  # n_iter_: the last call's
    # and a partial_fit after a fit continues it: fit(2 epochs) + 1 = fit(3 epochs)
    two = quiet_fit(Est(max_iter=2, **params), X, y).partial_fit(X, y)
    assert two.loss_curve_ == whole.loss_curve_ and two.n_iter_ == 1


def test_counters_and_invscaling_lr_follow_scikit_learn():
    params = dict(hidden_layer_sizes=(4,), solver="sgd", learning_rate="invscaling",
                  learning_rate_init=0.1, power_t=0.5, batch_size=20, random_state=0)  # fmt: skip
    ours, theirs = MLPRegressor(**params), sk.MLPRegressor(**params)
    for size in (60, 40, 60):
        ours.partial_fit(X[:size], R[:size])
        theirs.partial_fit(X[:size], R[:size])
        assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_
        assert len(ours.loss_curve_) == len(theirs.loss_curve_)
    lrs = ours.model_.history_.history["lr"]  # the last call's: lr0 / sqrt(t_ before it + 1)
    assert lrs == [pytest.approx(0.1 / np.sqrt(100 + 1), rel=1e-12)]
    # scikit-learn's lr after the last epoch is the one our next call starts from
    ours.partial_fit(X, R)
    assert ours.model_.history_.history["lr"] == [
        pytest.approx(theirs._optimizer.learning_rate, rel=1e-12)
    ]


def test_adaptive_lr_drops_across_calls_as_scikit_learns():
    params = dict(hidden_layer_sizes=(4,), solver="sgd", learning_rate="adaptive",
                  learning_rate_init=0.1, tol=100.0, n_iter_no_change=1,
                  random_state=0)  # fmt: skip
    ours, theirs = MLPRegressor(**params), sk.MLPRegressor(**params)
    lrs = []
    for _ in range(5):
        ours.partial_fit(X, R)
        theirs.partial_fit(X, R)
        lrs.append(ours._optimizer.lr)
        assert ours._optimizer.lr == pytest.approx(theirs._optimizer.learning_rate, rel=1e-12)
    # no epoch improves by tol: the count passes n_iter_no_change at the 3rd call, then the 5th
    assert lrs == pytest.approx([0.1, 0.1, 0.02, 0.02, 0.004], rel=1e-12)


def test_a_classifier_may_see_some_classes_per_call():
    clf = MLPClassifier((6,), random_state=0, learning_rate_init=0.05)
    clf.partial_fit(X[Y == 0], Y[Y == 0], classes=np.array([2, 0, 1]))
    assert clf.classes_.tolist() == [0, 1, 2] and clf.predict_proba(X).shape == (60, 3)
    for _ in range(150):
        clf.partial_fit(X, Y)
    assert clf.score(X, Y) > 0.85
    assert (
        clf.n_iter_ == 1
        and len(clf.loss_curve_) == 151
        and clf.t_ == 150 * 60 + int((Y == 0).sum())
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: MLPClassifier().partial_fit(X, Y), "classes must be passed on the first call"),
        (
            lambda: MLPClassifier().partial_fit(X, Y, classes=[0, 1]),
            r"y has classes not in classes_ \[0, 1\]: \[2\]",
        ),
        (
            lambda: (
                MLPClassifier()
                .partial_fit(X, Y, classes=[0, 1, 2])
                .partial_fit(X, Y, classes=[0, 1, 2, 3])
            ),
            "is not the same as on the first call to partial_fit",
        ),
        (
            lambda: MLPClassifier(early_stopping=True).partial_fit(X, Y, classes=[0, 1, 2]),
            "partial_fit does not support early_stopping=True",
        ),
        (
            lambda: MLPRegressor().partial_fit(X, R).partial_fit(X, np.c_[R, R]),
            "y has 2 target columns but the model was trained with 1",
        ),
        (
            lambda: MLPRegressor().partial_fit(X, R).partial_fit(X[:, :2], R),
            "X has 2 features, but MLPRegressor is expecting 3 features",
        ),
    ],
)
def test_partial_fit_refuses_what_scikit_learn_refuses(call, message):
    with pytest.raises(ValueError, match=message):
        call()
