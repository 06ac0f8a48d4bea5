"""glassnet.sklearn as a drop-in for sklearn.neural_network (issue 19, item 4): sparse input
without densifying the whole matrix, scikit-learn's verbose lines, n_iter_no_change=np.inf,
float32 predictions for float32 input, its divergence error and best weights, its validation
split and errors, one-class y, and its initial weights and shuffles under random_state, so that
whole runs agree with scikit-learn's to rounding."""

from __future__ import annotations

import re
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy
import scipy.sparse as sp
from sklearn import neural_network as sk
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline

from glassnet import mlp
from glassnet.sklearn import MLPClassifier, MLPRegressor
from glassnet.sklearn._init import init_weights
from glassnet.sklearn._lbfgs import _iprint

rng = np.random.default_rng(0)
X = rng.normal(size=(230, 4))  # (230, 4)
TARGETS = {
    "three classes": (MLPClassifier, sk.MLPClassifier, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)),
    "binary": (MLPClassifier, sk.MLPClassifier, np.where(X[:, 0] + X[:, 2] > 0, "yes", "no")),
    "multilabel": (MLPClassifier, sk.MLPClassifier, np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int)),
    "values": (MLPRegressor, sk.MLPRegressor, X @ [1.0, 2.0, 0.0, -1.0]),
    "two columns": (MLPRegressor, sk.MLPRegressor, np.c_[X[:, 0], np.sin(X[:, 1])]),
}  # fmt: skip


def quiet(est, *args, **kwargs):
    """Fit without the ConvergenceWarning of a few epochs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def assert_same_model(ours, theirs, rtol=1e-10, atol=1e-12):
    """Same learned weights and curves as scikit-learn's, to rounding."""
    assert ours.n_iter_ == theirs.n_iter_
    for mine, sk_w in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_,
                          strict=True):  # fmt: skip
        np.testing.assert_allclose(mine, sk_w, rtol=rtol, atol=atol)
    if hasattr(theirs, "loss_curve_"):
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=rtol)
    if getattr(theirs, "validation_scores_", None) is not None:
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=rtol)


# -- 8. scikit-learn's initial weights and shuffles: whole runs agree -------------------------
@pytest.mark.parametrize("activation", ["relu", "logistic", "tanh", "identity"])
def test_initial_weights_are_scikit_learns_draws(activation):
    net = mlp([5, 7, 3, 2], activation, dtype="float64")
    init_weights(net, activation, np.random.RandomState(42))
    theirs = sk.MLPClassifier(activation=activation)
    theirs._random_state = np.random.RandomState(42)
    drawn = [theirs._init_coef(a, b, np.float64) for a, b in [(5, 7), (7, 3), (3, 2)]]
    expected = [array for pair in drawn for array in pair]  # W0, b0, W1, b1, W2, b2
    for p, want in zip(net.parameters(), expected, strict=True):
        np.testing.assert_array_equal(p.value, want)  # the same draws, bit for bit
    # the bound: sqrt(6 / (in + out)), or sqrt(2 / (in + out)) for the logistic
    bound = np.sqrt((2.0 if activation == "logistic" else 6.0) / (5 + 7))
    assert np.abs(net.parameters()[0].value).max() <= bound


@pytest.mark.parametrize(
    "solver, early_stopping",
    [("sgd", False), ("sgd", True), ("adam", False), ("adam", True), ("lbfgs", False)],
)
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_whole_runs_from_the_same_random_state_are_scikit_learns(target, solver, early_stopping):
    """Same random_state: the same initial weights, validation split and shuffles, so the same
    loss_curve_, validation_scores_ and weights as scikit-learn's, to rounding."""
    Ours, Theirs, y = TARGETS[target]
    settings = dict(hidden_layer_sizes=(6, 3), solver=solver, max_iter=12, random_state=0,
                    learning_rate_init=0.01, alpha=0.01, early_stopping=early_stopping,
                    activation="logistic" if target == "binary" else "relu")  # fmt: skip
    ours, theirs = quiet(Ours(**settings), X, y), quiet(Theirs(**settings), X, y)
    assert_same_model(ours, theirs)
    np.testing.assert_allclose(ours.predict_proba(X) if Ours is MLPClassifier else ours.predict(X),
                               theirs.predict_proba(X) if Ours is MLPClassifier
                               else theirs.predict(X), rtol=1e-9, atol=1e-12)  # fmt: skip


def test_random_state_as_a_generator_or_none_draws_as_scikit_learns():
    y = TARGETS["three classes"][2]
    settings = dict(hidden_layer_sizes=(5,), max_iter=6, learning_rate_init=0.02)
    ours = quiet(MLPClassifier(random_state=np.random.RandomState(3), **settings), X, y)
    theirs = quiet(sk.MLPClassifier(random_state=np.random.RandomState(3), **settings), X, y)
    assert_same_model(ours, theirs)
    state = np.random.get_state()  # noqa: NPY002  (random_state=None: the global generator)
    try:
        np.random.seed(5)  # noqa: NPY002  (the legacy global generator is what is tested)
        ours = quiet(MLPClassifier(**settings), X, y)
        np.random.seed(5)  # noqa: NPY002
        theirs = quiet(sk.MLPClassifier(**settings), X, y)
    finally:
        np.random.set_state(state)  # noqa: NPY002
    assert_same_model(ours, theirs)


def test_warm_start_and_the_first_partial_fit_draw_as_scikit_learns():
    y = TARGETS["values"][2]
    settings = dict(hidden_layer_sizes=(5,), max_iter=4, random_state=1, learning_rate_init=0.02)
    ours, theirs = MLPRegressor(warm_start=True, **settings), sk.MLPRegressor(warm_start=True,
                                                                              **settings)  # fmt: skip
    for _ in range(2):  # a warm start shuffles from a generator seeded afresh, as scikit-learn's
        quiet(ours, X, y), quiet(theirs, X, y)
        assert_same_model(ours, theirs)
    ours, theirs = MLPRegressor(**settings), sk.MLPRegressor(**settings)
    ours.partial_fit(X, y), theirs.partial_fit(X, y)
    assert_same_model(ours, theirs)


# -- 1. sparse input ---------------------------------------------------------------------------
TOPICS = {
    "sport": "goal match team score coach league player ball win season",
    "food": "recipe bake flour sugar oven taste dinner salt spice soup",
    "tech": "code server laptop software chip network data cloud app bug",
}
COMMON = "the a of and today new my great really very".split()


def _texts(n, seed):
    """n short texts, each from one of three topics: 5 topic words among 3 common ones."""
    r = np.random.default_rng(seed)
    names = sorted(TOPICS)
    labels = r.integers(0, 3, n)
    texts = [" ".join(r.permutation(list(r.choice(TOPICS[names[k]].split(), 5))
                                    + list(r.choice(COMMON, 3))))
             for k in labels]  # fmt: skip
    return texts, np.array(names)[labels]


def test_a_tfidf_pipeline_classifies_short_texts_as_scikit_learns():
    texts, labels = _texts(400, seed=0)
    test_texts, test_labels = _texts(100, seed=1)
    settings = dict(hidden_layer_sizes=(16,), max_iter=30, random_state=0, learning_rate_init=0.01)
    ours = quiet(make_pipeline(TfidfVectorizer(), MLPClassifier(**settings)), texts, labels)
    theirs = quiet(make_pipeline(TfidfVectorizer(), sk.MLPClassifier(**settings)), texts, labels)
    assert sp.issparse(ours[0].transform(texts))  # the MLP gets the sparse TF-IDF matrix
    assert ours.score(test_texts, test_labels) > 0.9
    proba = ours.predict_proba(test_texts)
    assert proba.shape == (100, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba, theirs.predict_proba(test_texts), rtol=1e-9, atol=1e-12)
    assert (ours.predict(test_texts) == theirs.predict(test_texts)).all()


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize(
    "solver, early_stopping", [("sgd", False), ("adam", True), ("lbfgs", False)]
)
@pytest.mark.parametrize("target", ["three classes", "values"])
def test_sparse_x_trains_and_predicts_as_its_dense_form(target, solver, early_stopping, fmt):
    Ours, Theirs, y = TARGETS[target]
    Xs = sp.random(230, 30, density=0.1, format=fmt, random_state=0)  # (230, 30)
    Xs = Xs + sp.csr_matrix(np.c_[X, np.zeros((230, 26))])  # the targets' four columns
    Xs = Xs.asformat(fmt)
    settings = dict(hidden_layer_sizes=(8,), solver=solver, max_iter=10, random_state=0,
                    learning_rate_init=0.02, early_stopping=early_stopping)  # fmt: skip
    sparse, dense = quiet(Ours(**settings), Xs, y), quiet(Ours(**settings), Xs.toarray(), y)
    assert_same_model(sparse, dense, rtol=1e-12)
    np.testing.assert_allclose(sparse.predict(Xs), dense.predict(Xs.toarray()), rtol=1e-12)
    assert sparse.score(Xs, y) == pytest.approx(dense.score(Xs.toarray(), y), rel=1e-12)
    if Ours is MLPClassifier:
        np.testing.assert_allclose(sparse.predict_proba(Xs), dense.predict_proba(Xs.toarray()),
                                   rtol=1e-12)  # fmt: skip
    # and scikit-learn's, which multiplies the sparse matrix as it is
    assert_same_model(sparse, quiet(Theirs(**settings), Xs, y), rtol=1e-9, atol=1e-12)
    if solver != "lbfgs":  # partial_fit takes sparse rows too
        extra = {"classes": [0, 1, 2]} if Ours is MLPClassifier else {}
        a = Ours(**{**settings, "early_stopping": False}).partial_fit(Xs, y, **extra)
        b = Ours(**{**settings, "early_stopping": False}).partial_fit(Xs.toarray(), y, **extra)
        assert_same_model(a, b, rtol=1e-12)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_sparse_matrix_is_never_densified_whole(solver):
    """Peak memory while fitting, predicting and scoring a sparse X stays far below its dense
    form: only a batch, or a chunk of rows, is dense at a time."""
    n, d = 10_000, 4_000
    Xs = sp.random(n, d, density=0.001, format="csr", random_state=0, dtype=np.float64)
    dense_bytes = n * d * 8  # 320 MB, never allocated
    y = np.asarray(Xs[:, :50].sum(axis=1)).ravel() > 0.1  # (n,) two classes
    clf = MLPClassifier((4,), solver=solver, max_iter=1, random_state=0)
    quiet(clone(clf), Xs[:300], y[:300]).predict(Xs[:300])  # numba compiles outside the count
    tracemalloc.start()
    try:
        quiet(clf, Xs, y)
        clf.predict(Xs), clf.predict_proba(Xs), clf.score(Xs, y)
        if solver == "adam":
            clf.partial_fit(Xs.tocsc(), y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < dense_bytes / 10, f"peak {peak / 1e6:.0f} MB"  # about 8-17 MB


# -- 2. verbose: scikit-learn's lines, on stdout ----------------------------------------------
@pytest.mark.parametrize(
    "Ours, Theirs, settings",
    [
        (MLPClassifier, sk.MLPClassifier, dict(solver="sgd", learning_rate="adaptive", tol=10.0,
                                               n_iter_no_change=1, max_iter=40)),
        (MLPClassifier, sk.MLPClassifier, dict(early_stopping=True, n_iter_no_change=2, tol=0.5,
                                               max_iter=20)),
        (MLPRegressor, sk.MLPRegressor, dict(tol=10.0, n_iter_no_change=3, max_iter=20)),
        (MLPRegressor, sk.MLPRegressor, dict(max_iter=3)),
    ],
)  # fmt: skip
def test_verbose_prints_scikit_learns_lines_to_stdout(Ours, Theirs, settings, capsys):
    y = TARGETS["binary" if Ours is MLPClassifier else "values"][2]
    common = dict(hidden_layer_sizes=(5,), random_state=0, verbose=True, learning_rate_init=0.01)
    quiet(Theirs(**common, **settings), X, y)
    theirs = capsys.readouterr()
    quiet(Ours(**common, **settings), X, y)
    ours = capsys.readouterr()
    assert ours.out == theirs.out and ours.err == ""
    assert re.match(r"Iteration 1, loss = \d+\.\d{8}\n", ours.out)
    quiet(Ours(**{**common, "verbose": False}, **settings), X, y)
    assert capsys.readouterr().out == ""


def test_verbose_lines_by_hand(capsys):
    """What the lines say: each epoch's loss, the validation score, the rule's action."""
    reg = quiet(MLPRegressor(hidden_layer_sizes=(4,), early_stopping=True, n_iter_no_change=1, tol=100.0,
                             random_state=0, verbose=True, max_iter=50), X, X[:, 0])  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert reg.n_iter_ == 3 and len(lines) == 2 * 3 + 1
    for k in range(3):
        assert lines[2 * k] == f"Iteration {k + 1}, loss = {reg.loss_curve_[k]:.8f}"
        assert lines[2 * k + 1] == f"Validation score: {reg.validation_scores_[k]:f}"
    assert lines[-1] == ("Validation score did not improve more than tol=100.000000 for 1 "
                         "consecutive epochs. Stopping.")  # fmt: skip


def test_lbfgs_verbose_is_scikit_learns(capfd, monkeypatch):
    """scikit-learn hands verbose to SciPy's L-BFGS-B as iprint, which prints nothing since
    SciPy 1.15 (and is then left out): glassnet does the same, and prints nothing of its own."""
    y = TARGETS["values"][2]
    settings = dict(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5, random_state=0,
                    verbose=True)  # fmt: skip
    quiet(sk.MLPRegressor(**settings), X, y)
    theirs = capfd.readouterr()
    quiet(MLPRegressor(**settings), X, y)
    ours = capfd.readouterr()
    assert (ours.out, ours.err) == (theirs.out, theirs.err)
    monkeypatch.setattr(scipy, "__version__", "1.14.1")
    assert _iprint(True) == {"iprint": 1} and _iprint(False) == {"iprint": -1}
    monkeypatch.setattr(scipy, "__version__", "1.15.0")
    assert _iprint(True) == {}


# -- 3. n_iter_no_change=np.inf ----------------------------------------------------------------
@pytest.mark.parametrize("inf", [np.inf, float("inf")])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_n_iter_no_change_inf_never_stops_for_want_of_progress(inf, early_stopping):
    y = TARGETS["values"][2]
    settings = dict(hidden_layer_sizes=(4,), tol=10.0, max_iter=9, random_state=0,
                    early_stopping=early_stopping)  # fmt: skip
    finite = quiet(MLPRegressor(n_iter_no_change=1, **settings), X, y)
    assert finite.n_iter_ == 3  # tol=10: no epoch after the first improves
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(9\) reached"):
        ours = MLPRegressor(n_iter_no_change=inf, **settings).fit(X, y)
    assert ours.n_iter_ == 9
    assert_same_model(ours, quiet(sk.MLPRegressor(n_iter_no_change=inf, **settings), X, y))


@pytest.mark.parametrize("bad", [-np.inf, np.nan, 0, 2.5, True])
def test_n_iter_no_change_other_than_an_integer_or_inf_is_refused(bad):
    with pytest.raises(ValueError, match=r"n_iter_no_change must be an integer >= 1 or np\.inf"):
        MLPRegressor(n_iter_no_change=bad).fit(X, X[:, 0])


# -- 4. float32 in, float32 out ----------------------------------------------------------------
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("target", ["three classes", "binary", "multilabel", "values"])
def test_dtypes_of_predictions_and_weights_are_scikit_learns(target, solver):
    Ours, Theirs, y = TARGETS[target]
    settings = dict(hidden_layer_sizes=(4,), solver=solver, max_iter=3, random_state=0)
    X32 = X.astype(np.float32)
    ours, theirs = quiet(Ours(**settings), X32, y), quiet(Theirs(**settings), X32, y)
    methods = ["predict"] + (["predict_proba", "predict_log_proba"] * (Ours is MLPClassifier))
    for inputs in (X32, X, sp.csr_matrix(X32)):  # float32, float64, sparse float32
        for method in methods:
            got, want = getattr(ours, method)(inputs), getattr(theirs, method)(inputs)
            assert got.dtype == want.dtype, (method, inputs.dtype)
    for mine, sk_w in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_,
                          strict=True):  # fmt: skip
        assert mine.dtype == sk_w.dtype  # float32, but float64 after L-BFGS (SciPy's)
    assert ours.coefs_[0].dtype == (np.float64 if solver == "lbfgs" else np.float32)
    assert type(ours.loss_) is float


def test_float32_regression_predicts_float32_close_to_float64():
    y = TARGETS["values"][2]
    settings = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    r32 = quiet(MLPRegressor(**settings), X.astype(np.float32), y)
    r64 = quiet(MLPRegressor(**settings), X, y)
    assert r32.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(r32.predict(X.astype(np.float32)), r64.predict(X), rtol=1e-3,
                               atol=1e-4)  # fmt: skip


# -- 5. divergence ----------------------------------------------------------------------------
NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain large values "
    "and need to be preprocessed."
)
BLOW_UP = dict(hidden_layer_sizes=(5,), solver="sgd", learning_rate_init=1.0, max_iter=30,
               random_state=0)  # fmt: skip


def test_divergence_raises_scikit_learns_value_error():
    y = X @ [100.0, 200.0, 300.0, 0.0]
    ours = MLPRegressor(**BLOW_UP)
    for est in (sk.MLPRegressor(**BLOW_UP), ours):  # scikit-learn's, then glassnet's
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's overflows, scikit-learn's max_iter
            with pytest.raises(ValueError, match=f"^{re.escape(NON_FINITE)}$"):
                est.fit(X * 10, y)
    # the network keeps the last finite weights
    assert all(np.isfinite(w).all() for w in ours.coefs_ + ours.intercepts_)
    assert not np.isfinite(ours.loss_curve_[-1])


def test_divergence_under_early_stopping_keeps_scikit_learns_best_weights():
    y = X @ [100.0, 200.0, 300.0, 0.0]
    settings = dict(BLOW_UP, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sk.MLPRegressor(**settings).fit(X * 10, y)
    with pytest.warns(ConvergenceWarning, match="weights became non-finite at iteration"):
        ours = MLPRegressor(**settings).fit(X * 10, y)
    assert ours.best_validation_score_ == pytest.approx(theirs.best_validation_score_, rel=1e-9)
    for mine, sk_w in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_,
                          strict=True):  # fmt: skip
        np.testing.assert_allclose(mine, sk_w, rtol=1e-9)  # the best epoch's, finite
    # scikit-learn runs its 30 epochs on NaN; glassnet stops at the first non-finite weights
    k = ours.n_iter_
    assert k < theirs.n_iter_ == 30 and np.isnan(ours.validation_scores_[-1])
    np.testing.assert_allclose(ours.validation_scores_[: k - 1], theirs.validation_scores_[: k - 1],
                               rtol=1e-9)  # fmt: skip


def test_divergence_of_a_classifier_under_early_stopping_is_scikit_learns_run():
    """A classifier's validation accuracy is a number even for NaN outputs (scikit-learn
    scores the labels), so its no-improvement rule stops both runs at the same epoch."""
    y = (X[:, 0] > 0).astype(int)
    settings = dict(BLOW_UP, learning_rate_init=1e3, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = MLPClassifier(**settings).fit(X * 1e3, y)
        theirs = sk.MLPClassifier(**settings).fit(X * 1e3, y)
    assert ours.n_iter_ == theirs.n_iter_ and ours.validation_scores_ == theirs.validation_scores_
    for mine, sk_w in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(mine, sk_w, rtol=1e-9)


# -- 6. the validation split -------------------------------------------------------------------
def _message(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError) as caught:
            call()
    return str(caught.value)


@pytest.mark.parametrize(
    "kind, n, y_of, fraction",
    [
        ("regressor", 10, lambda x: x[:, 0], 0.1),  # 1 row held out
        ("regressor", 19, lambda x: x[:, 0], 0.05),  # 1 row
        ("classifier", 40, lambda x: np.r_[np.zeros(39), 1], 0.2),  # a class of one member
        ("classifier", 40, lambda x: (x[:, 0] > 0).astype(int), 0.0),  # test_size=0.0
        ("regressor", 40, lambda x: x[:, 0], 0.0),
    ],
)
def test_a_validation_set_scikit_learn_refuses_is_refused_with_its_message(kind, n, y_of,
                                                                           fraction):  # fmt: skip
    Ours, Theirs = (MLPClassifier, sk.MLPClassifier) if kind == "classifier" else (
        MLPRegressor, sk.MLPRegressor)  # fmt: skip
    settings = dict(early_stopping=True, validation_fraction=fraction, max_iter=3,
                    random_state=0)  # fmt: skip
    Xn, y = X[:n], y_of(X[:n])
    theirs = _message(lambda: Theirs(**settings).fit(Xn, y))
    assert _message(lambda: Ours(**settings).fit(Xn, y)) == theirs
    assert any(words in theirs for words in ("validation set is too small", "least populated",
                                             "test_size=0.0"))  # fmt: skip


def test_the_split_stratifies_two_classes_only_as_scikit_learns():
    """scikit-learn stratifies by its binarised y where it has one column: one or two classes.
    Three classes on 30 rows with 2 held out cannot be stratified, and are not."""
    y = np.array([0, 1, 2] * 10)
    settings = dict(hidden_layer_sizes=(4,), early_stopping=True, validation_fraction=0.05,
                    max_iter=4, random_state=0)  # fmt: skip
    ours, theirs = quiet(MLPClassifier(**settings), X[:30], y), quiet(sk.MLPClassifier(**settings),
                                                                      X[:30], y)  # fmt: skip
    assert_same_model(ours, theirs)
    # validation_fraction=0 is allowed when nothing is held out
    assert quiet(MLPClassifier(validation_fraction=0.0, max_iter=2), X, X[:, 0] > 0).n_iter_ == 2


# -- 7. one class ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "settings",
    [dict(solver="adam"), dict(solver="sgd", early_stopping=True), dict(solver="lbfgs")],
)
def test_one_class_is_fitted_and_predicted_as_scikit_learns(settings):
    y = np.array(["only"] * len(X))
    params = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0, **settings)
    ours, theirs = quiet(MLPClassifier(**params), X, y), quiet(sk.MLPClassifier(**params), X, y)
    assert ours.classes_.tolist() == theirs.classes_.tolist() == ["only"]
    assert ours.n_outputs_ == theirs.n_outputs_ == 1
    assert ours.out_activation_ == theirs.out_activation_ == "logistic"
    assert (ours.predict(X) == "only").all() and ours.score(X, y) == 1.0
    proba = ours.predict_proba(X)
    assert proba.shape == (len(X), 2)  # [1 - p, p], as scikit-learn's
    np.testing.assert_allclose(proba, theirs.predict_proba(X), rtol=1e-9)
    assert_same_model(ours, theirs)
    if settings.get("early_stopping"):
        assert ours.validation_scores_ == [1.0] * ours.n_iter_


def test_one_class_with_partial_fit():
    ours = MLPClassifier((4,), random_state=0).partial_fit(X, np.zeros(len(X)), classes=[0.0])
    theirs = sk.MLPClassifier((4,), random_state=0).partial_fit(X, np.zeros(len(X)),
                                                                 classes=[0.0])  # fmt: skip
    assert_same_model(ours, theirs)
    assert (ours.predict(X) == 0.0).all()


def test_a_batch_larger_than_the_data_warns_as_scikit_learn():
    with pytest.warns(UserWarning, match="Got `batch_size` less than 1 or larger than sample"):
        quiet(MLPRegressor(batch_size=500, max_iter=1), X, X[:, 0])
