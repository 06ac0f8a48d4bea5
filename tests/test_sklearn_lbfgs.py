"""solver="lbfgs": from the same weights it takes scikit-learn's iterations (same losses and
weights to rounding) for every loss, with and without sample weights; it converges on real
data, warns at its bounds, and has no partial_fit, as scikit-learn's."""

import warnings

import numpy as np
import pytest
from sklearn import neural_network as sk
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from glassnet.sklearn import MLPClassifier, MLPRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(50, 3))
CASES = {
    "squared error, 2 outputs": (MLPRegressor, sk.MLPRegressor, {},
                                 np.c_[X[:, 0] - X[:, 1], np.sin(X[:, 2])]),
    "poisson, 2 outputs": (MLPRegressor, sk.MLPRegressor, {"loss": "poisson"},
                           rng.poisson(np.exp(0.5 * X[:, :2]))),
    "log loss, 3 classes": (MLPClassifier, sk.MLPClassifier, {},
                            (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)),
    "logistic, binary": (MLPClassifier, sk.MLPClassifier, {}, (X[:, 0] + X[:, 2] > 0).astype(int)),
    "logistic, multilabel 3": (MLPClassifier, sk.MLPClassifier, {},
                               np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0.3].astype(int)),
}  # fmt: skip


def _quietly(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit(*args, **kwargs)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", sorted(CASES))
def test_iterations_are_scikit_learns(case, weighted):
    Ours, Theirs, extra, y = CASES[case]
    w = np.linspace(0.5, 2.0, len(X)) if weighted else None
    settings = dict(hidden_layer_sizes=(5,), solver="lbfgs", alpha=0.05, random_state=0, **extra)
    ours, theirs = Ours(**settings), Theirs(**settings)
    for est in (ours, theirs):  # one iteration, to build the weights
        _quietly(est.set_params(max_iter=1).fit, X, y, sample_weight=w)
    for mine, sk_w in zip((*ours.coefs_, *ours.intercepts_),
                          (*theirs.coefs_, *theirs.intercepts_), strict=True):  # fmt: skip
        sk_w[...] = mine  # scikit-learn from glassnet's weights
    for est in (ours, theirs):
        _quietly(est.set_params(warm_start=True, max_iter=8).fit, X, y, sample_weight=w)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-9)
    for mine, sk_w in zip((*ours.coefs_, *ours.intercepts_),
                          (*theirs.coefs_, *theirs.intercepts_), strict=True):  # fmt: skip
        np.testing.assert_allclose(mine, sk_w, rtol=1e-7, atol=1e-9)
    assert not hasattr(ours, "loss_curve_") and not hasattr(theirs, "loss_curve_")


def test_converges_on_iris_like_scikit_learns_first_example():
    X_iris, y_iris = load_iris(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(solver="lbfgs", alpha=1e-5, hidden_layer_sizes=(5, 2), random_state=1,
                      max_iter=500),
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # it converges: no warning
        pipe.fit(X_iris, y_iris)
    clf = pipe[-1]
    assert pipe.score(X_iris, y_iris) >= 0.97
    assert 1 < clf.n_iter_ < 500 and clf.t_ == 0
    assert clf.loss_ < 0.1


@pytest.mark.parametrize(("bound", "value"), [("max_iter", 3), ("max_fun", 4)])
def test_stopping_at_a_bound_warns(bound, value):
    y = (X[:, 0] > 0).astype(int)
    clf = MLPClassifier((5,), solver="lbfgs", random_state=0, **{bound: value})
    with pytest.warns(ConvergenceWarning, match=r"lbfgs failed to converge after \d+ iteration"):
        clf.fit(X, y)
    assert clf.n_iter_ <= 3 if bound == "max_iter" else clf.n_iter_ < 10


def test_no_partial_fit_and_bad_max_fun():
    clf = MLPClassifier(solver="lbfgs")
    assert not hasattr(clf, "partial_fit") and hasattr(MLPClassifier(), "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as exc:
        MLPRegressor(solver="lbfgs").partial_fit(X, X[:, 0])
    assert "only available for stochastic solvers; lbfgs is not" in str(exc.value.__cause__)
    with pytest.raises(ValueError, match="max_fun must be an integer >= 1; got 0"):
        MLPRegressor(solver="lbfgs", max_fun=0).fit(X, X[:, 0])
    with pytest.raises(ValueError, match=r"solver must be one of \['lbfgs', 'sgd', 'adam'"):
        MLPRegressor(solver="newton").fit(X, X[:, 0])
