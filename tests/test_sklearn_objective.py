"""The estimators minimise scikit-learn's objective: from the same weights, on the same batches,
they report the same losses and take the same steps as sklearn.neural_network, for every loss
and output count, with an L2 term and a last batch smaller than the others."""

import warnings

import numpy as np
import pytest
from sklearn import neural_network as sk
from sklearn.exceptions import ConvergenceWarning

from glassnet.losses import MSE, BinaryCrossEntropy, PoissonNLL
from glassnet.sklearn import MLPClassifier, MLPRegressor
from glassnet.sklearn._objective import objective

rng = np.random.default_rng(0)
X = rng.normal(size=(50, 3))  # 50 rows in batches of 16: the last has 2
Y2 = np.c_[X[:, 0] - X[:, 1], np.sin(X[:, 2])]  # (50, 2)
COUNTS = rng.poisson(np.exp(0.5 * X[:, :2]))  # (50, 2) counts
LABELS = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)  # three classes
MULTI = np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0.3].astype(int)  # multilabel (50, 3)
BINARY = (X[:, 0] + X[:, 2] > 0).astype(int)

CASES = {
    "squared error, 2 outputs": (MLPRegressor, sk.MLPRegressor, {}, Y2),
    "poisson, 2 outputs": (MLPRegressor, sk.MLPRegressor, {"loss": "poisson"}, COUNTS),
    "log loss, 3 classes": (MLPClassifier, sk.MLPClassifier, {}, LABELS),
    "logistic, binary": (MLPClassifier, sk.MLPClassifier, {}, BINARY),
    "logistic, multilabel 3": (MLPClassifier, sk.MLPClassifier, {}, MULTI),
}


def _quietly(fit, *args, **kwargs):
    """Run a fit whose few epochs do not converge, without the ConvergenceWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit(*args, **kwargs)


def _same_start(ours, theirs, y, **fit_kwargs):
    """Fit both once (to build the weights), then give scikit-learn glassnet's weights."""
    _quietly(ours.set_params(max_iter=1).fit, X, y, **fit_kwargs)
    _quietly(theirs.set_params(max_iter=1).fit, X, y, **fit_kwargs)
    for mine, sk_w in zip((*ours.coefs_, *ours.intercepts_),
                          (*theirs.coefs_, *theirs.intercepts_), strict=True):  # fmt: skip
        sk_w[...] = mine


def _assert_same_weights(ours, theirs):
    for mine, sk_w in zip((*ours.coefs_, *ours.intercepts_),
                          (*theirs.coefs_, *theirs.intercepts_), strict=True):  # fmt: skip
        np.testing.assert_allclose(mine, sk_w, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_losses_and_steps_are_scikit_learns(case, solver):
    Ours, Theirs, extra, y = CASES[case]
    settings = dict(hidden_layer_sizes=(5,), solver=solver, alpha=0.05, batch_size=16,
                    learning_rate_init=0.05, shuffle=False, n_iter_no_change=100,
                    random_state=0, **extra)  # fmt: skip
    ours, theirs = Ours(**settings), Theirs(**settings)
    _same_start(ours, theirs, y)
    for est in (ours, theirs):  # 4 epochs more from the same weights, a new optimiser each
        _quietly(est.set_params(warm_start=True, max_iter=4).fit, X, y)
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-9)
    _assert_same_weights(ours, theirs)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-8, atol=1e-10)


def test_sample_weights_enter_the_l2_term_as_scikit_learns():
    w = np.linspace(0.5, 2.0, len(X))
    settings = dict(hidden_layer_sizes=(4,), solver="sgd", alpha=0.1, batch_size=16,
                    learning_rate_init=0.05, shuffle=False, n_iter_no_change=100,
                    random_state=0)  # fmt: skip
    ours, theirs = MLPRegressor(**settings), sk.MLPRegressor(**settings)
    _same_start(ours, theirs, Y2, sample_weight=w)
    for est in (ours, theirs):
        _quietly(est.set_params(warm_start=True, max_iter=3).fit, X, Y2, sample_weight=w)
    _assert_same_weights(ours, theirs)
    # the epoch's loss: glassnet weighs each batch's loss by its weight, scikit-learn by its rows
    assert ours.loss_curve_[1:] == pytest.approx(theirs.loss_curve_[1:], rel=0.05)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_steps_are_scikit_learns(solver):
    """From the same weights (and Adam's moments) after a first call, the next calls of
    partial_fit take scikit-learn's steps, the optimiser going on from call to call."""
    settings = dict(hidden_layer_sizes=(4,), solver=solver, alpha=0.02, batch_size=16,
                    learning_rate_init=0.05, momentum=0.0, shuffle=False,
                    random_state=0)  # fmt: skip
    ours, theirs = MLPClassifier(**settings), sk.MLPClassifier(**settings)
    for est in (ours, theirs):
        est.partial_fit(X, LABELS, classes=[0, 1, 2])
    for mine, sk_w in zip((*ours.coefs_, *ours.intercepts_),
                          (*theirs.coefs_, *theirs.intercepts_), strict=True):  # fmt: skip
        sk_w[...] = mine
    if solver == "adam":  # and the same moments: glassnet's (W0, b0, W1, b1), in its order
        state = ours._optimizer.state
        order = [0, 2, 1, 3]  # scikit-learn's: coefs_, then intercepts_
        theirs._optimizer.ms = [state[i]["exp_avg"].copy() for i in order]
        theirs._optimizer.vs = [state[i]["exp_avg_sq"].copy() for i in order]
        assert theirs._optimizer.t == ours._optimizer.t == 4  # four batches
    for _ in range(3):
        for est in (ours, theirs):
            est.partial_fit(X, LABELS)
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-9)
    _assert_same_weights(ours, theirs)


def test_objective_by_hand():
    y, t = np.array([[1.0, 3.0], [0.0, 1.0]]), np.zeros((2, 2))
    W = [np.array([[1.0, 2.0]]), np.array([[2.0]])]  # sum of squares 9

    class Opt:
        weight_decay = 0.0

    opt = Opt()
    loss = objective("mse", 2, alpha=0.4, coefs=W, optimizer=opt)
    # D = (1 + 9 + 0 + 1) / 4 / 2 = 1.375; L2 = 0.4 / (2 * 2) * 9 = 0.9
    assert loss.forward(y, t) == pytest.approx(1.375 + 0.9)
    np.testing.assert_allclose(loss.backward(), y / 2)  # (y - t) / n, whatever K
    assert opt.weight_decay == pytest.approx(0.4 / 2)
    # the weighted batch: s = sum of weights 4, D = (3 * 10 / 4 + 1 * 1 / 4) / 4
    assert loss.weighted_forward(y, t, [3.0, 1.0]) == pytest.approx(31 / 16 + 0.4 / 8 * 9)
    assert opt.weight_decay == pytest.approx(0.4 / 4)
    assert loss.weighted_forward(y, t, [0.0, 0.0]) == 0.0 and opt.weight_decay == 0.0
    # multilabel: the sum over K of the mean binary cross-entropy, gradient (y - t) / n
    p, labels = np.array([[0.5, 0.8]]), np.array([[1.0, 1.0]])
    bce = objective("binary_cross_entropy", 2, 0.0, [], None)
    assert bce.forward(p, labels) == pytest.approx(-np.log(0.5) - np.log(0.8))
    assert bce.forward(p, labels) == pytest.approx(2 * BinaryCrossEntropy().forward(p, labels))
    # Poisson: K x glassnet's + sum_k (t log t - t), per row
    z, counts = np.array([[0.0, 1.0]]), np.array([[2.0, 0.0]])
    half_dev = objective("poisson", 2, 0.0, [], None)
    model_free = 2 * np.log(2) - 2
    assert half_dev.forward(z, counts) == pytest.approx(
        2 * PoissonNLL().forward(z, counts) + model_free
    )
    np.testing.assert_allclose(half_dev.backward(), np.exp(z) - counts)
    # adamw (optimizer None): no L2 term in the loss
    plain = objective("mse", 2, alpha=0.4, coefs=W, optimizer=None)
    assert plain.forward(y, t) == pytest.approx(MSE().forward(y, t) / 2)


def test_the_fitted_network_keeps_glassnets_own_loss():
    reg = MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, Y2)
    assert type(reg.model_.loss_) is MSE
