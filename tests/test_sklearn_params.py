"""glassnet.sklearn: scikit-learn's solver, schedule and warm-start parameters, checked against
scikit-learn's own MLP, its optimisers, and sequences worked out by hand."""

import inspect
import math
import warnings

import numpy as np
import pytest
from sklearn import neural_network as sk
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from glassnet.callbacks.base import snapshot
from glassnet.optimizers import SGD, Adam, Parameter
from glassnet.sklearn import MLPClassifier, MLPRegressor
from glassnet.sklearn._rules import NoImprovement, set_lr

NEW = {
    "learning_rate",
    "power_t",
    "warm_start",
    "momentum",
    "nesterovs_momentum",
    "beta_1",
    "beta_2",
    "epsilon",
}
X8 = np.linspace(-1, 1, 8).reshape(-1, 1)  # (8, 1)
Y8 = X8[:, 0]  # (8,)


def _fit(est, X=X8, y=Y8):
    """Fit without the ConvergenceWarning of a few epochs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(MLPClassifier, sk.MLPClassifier), (MLPRegressor, sk.MLPRegressor)],
)
def test_get_params_has_scikit_learns_names_and_defaults(ours, theirs):
    mine, sklearns = ours().get_params(), theirs().get_params()
    assert NEW <= set(mine)
    assert set(mine) - set(sklearns) == {"dtype"}  # glassnet's own
    assert set(sklearns) <= set(mine)  # every one of scikit-learn's, max_fun included
    for key in set(mine) & set(sklearns):
        assert mine[key] == sklearns[key], key
    assert mine["momentum"] == 0.9 and mine["learning_rate"] == "constant"

    # the same positional parameters, in the same order; the rest keyword-only
    def positional(cls):
        params = inspect.signature(cls).parameters.values()
        return [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]

    assert positional(ours) == positional(theirs)


@pytest.mark.parametrize(  # weight_decay = alpha / batch: 0.0001 / 8 (adamw: alpha itself)
    ("params", "built"),
    [
        (
            dict(solver="sgd", momentum=0.5, nesterovs_momentum=False, learning_rate_init=0.1),
            "SGD(lr=0.1, momentum=0.5, nesterov=False, weight_decay=1.25e-05, decay_biases=False)",
        ),
        (
            dict(solver="sgd"),
            "SGD(lr=0.001, momentum=0.9, nesterov=True, weight_decay=1.25e-05, decay_biases=False)",
        ),
        (  # scikit-learn: Nesterov only with momentum > 0
            dict(solver="sgd", momentum=0, alpha=0.0),
            "SGD(lr=0.001, momentum=0.0, nesterov=False, weight_decay=0.0, decay_biases=False)",
        ),
        (
            dict(beta_1=0.8, beta_2=0.99, epsilon=1e-6, momentum=0.1),
            "Adam(lr=0.001, betas=[0.8, 0.99], eps=1e-06, weight_decay=1.25e-05, decay_biases=False)",
        ),
        (
            dict(solver="adamw", beta_1=0.5, alpha=0.01),
            "AdamW(lr=0.001, betas=[0.5, 0.999], eps=1e-08, weight_decay=0.01, decay_biases=False)",
        ),
        (  # glassnet's shortcut keeps its own momentum
            dict(solver="momentum", momentum=0.3, beta_1=0.2),
            "SGD(lr=0.001, momentum=0.9, nesterov=False, weight_decay=1.25e-05, decay_biases=False)",
        ),
    ],
)
def test_solver_parameters_reach_the_optimiser(params, built):
    reg = _fit(MLPRegressor(hidden_layer_sizes=(3,), max_iter=1, random_state=0, **params))
    assert reg.model_.history_.params["optimizer"] == built


@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_steps_are_scikit_learns_even_when_the_lr_changes(nesterov):
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(8, 5))  # one gradient per step
    lrs = [0.1, 0.1, 0.1, 0.02, 0.02, 0.05, 0.004, 0.004]  # drops and a rise
    w0 = rng.normal(size=5)
    theirs = w0.copy()
    sgd_sk = SGDOptimizer([theirs], learning_rate_init=lrs[0], momentum=0.9, nesterov=nesterov)
    p = Parameter("w", w0.copy(), np.zeros(5))
    ours = SGD([p], lr=lrs[0], momentum=0.9, nesterov=nesterov)
    for g, lr in zip(grads, lrs, strict=True):
        sgd_sk.learning_rate = lr
        sgd_sk.update_params([theirs], [g.copy()])
        set_lr(ours, lr)
        p.grad[...] = g
        ours.step()
        np.testing.assert_allclose(p.value, theirs, rtol=1e-12, atol=1e-14)
    # without the rescaling the lr drop would also shrink the velocity: not scikit-learn's steps
    q = Parameter("w", w0.copy(), grads[0].copy())
    plain = SGD([q], lr=0.1, momentum=0.9, nesterov=nesterov)
    plain.step()
    plain.lr, q.grad[...] = 0.02, grads[1]
    plain.step()
    sgd_sk2 = w0.copy()
    ref = SGDOptimizer([sgd_sk2], learning_rate_init=0.1, momentum=0.9, nesterov=nesterov)
    ref.update_params([sgd_sk2], [grads[0].copy()])
    ref.learning_rate = 0.02
    ref.update_params([sgd_sk2], [grads[1].copy()])
    assert not np.allclose(q.value, sgd_sk2, rtol=1e-6)


def test_adam_differs_from_scikit_learns_only_where_epsilon_sits():
    # documented: scikit-learn's step is glassnet's with eps = epsilon / sqrt(1 - beta_2**t)
    rng = np.random.default_rng(1)
    epsilon, b1, b2 = 0.05, 0.9, 0.999  # a large epsilon, to see the difference
    w0 = rng.normal(size=4)
    theirs = w0.copy()
    adam_sk = AdamOptimizer([theirs], 0.01, b1, b2, epsilon)
    p = Parameter("w", w0.copy(), np.zeros(4))
    ours = Adam([p], lr=0.01, betas=(b1, b2), eps=epsilon)
    same_eps = Parameter("w", w0.copy(), np.zeros(4))
    naive = Adam([same_eps], lr=0.01, betas=(b1, b2), eps=epsilon)
    for t in range(1, 6):
        g = rng.normal(size=4) * 0.1
        adam_sk.update_params([theirs], [g.copy()])
        ours.eps = epsilon / math.sqrt(1 - b2**t)
        p.grad[...] = same_eps.grad[...] = g
        ours.step()
        naive.step()
        np.testing.assert_allclose(p.value, theirs, rtol=1e-12)
    assert not np.allclose(same_eps.value, theirs, rtol=1e-3)


def test_invscaling_lrs_by_hand_and_continued_by_a_warm_start():
    params = dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.1, batch_size=8)
    reg = _fit(
        MLPRegressor(
            hidden_layer_sizes=(3,),
            power_t=0.5,
            max_iter=3,
            warm_start=True,
            random_state=0,
            **params,
        )
    )
    # epoch 0: 0.1; epoch e: 0.1 / sqrt(8 e + 1)
    np.testing.assert_allclose(reg.model_.history_.history["lr"], [0.1, 0.1 / 3, 0.1 / 17**0.5])
    assert reg.t_ == 24
    _fit(reg)  # every fit starts at learning_rate_init, then goes on from t_ = 24
    lrs = reg.model_.history_.history["lr"]
    np.testing.assert_allclose(lrs, [0.1, 0.1 / 33**0.5, 0.1 / 41**0.5])
    assert reg.t_ == 48
    theirs = _fit(
        sk.MLPRegressor(
            hidden_layer_sizes=(3,), max_iter=3, warm_start=True, random_state=0, **params
        )
    )
    _fit(theirs)
    assert theirs.t_ == reg.t_
    # theirs sets lr after each epoch: after the 3rd of the 2nd fit it is 0.1 / sqrt(48 + 1)
    assert theirs._optimizer.learning_rate == pytest.approx(0.1 / 7)
    # other solvers ignore learning_rate, as in scikit-learn
    adam = _fit(
        MLPRegressor(
            hidden_layer_sizes=(3,), max_iter=3, random_state=0, learning_rate="invscaling"
        )
    )
    assert adam.model_.history_.history["lr"] == [0.001] * 3


@pytest.mark.parametrize("early_stopping", [False, True])
def test_adaptive_divides_by_5_then_stops_at_1e_6_like_scikit_learn(early_stopping):
    # tol=10: no epoch after the first improves, so with n_iter_no_change=1 the lr drops
    # after every second epoch: 0.01 / 5**k, and the run stops once it is <= 1e-6
    params = dict(
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.01,
        tol=10.0,
        n_iter_no_change=1,
        max_iter=100,
        random_state=0,
        early_stopping=early_stopping,
        validation_fraction=0.25,
    )
    reg = _fit(MLPRegressor(hidden_layer_sizes=(3,), **params))
    expected = [0.01] * 3 + [0.01 / 5**k for k in range(1, 7) for _ in range(2)]
    np.testing.assert_allclose(reg.model_.history_.history["lr"], expected, rtol=1e-12)
    assert reg.n_iter_ == 15 and 0.01 / 5**6 <= 1e-6 < 0.01 / 5**5
    theirs = _fit(sk.MLPRegressor(hidden_layer_sizes=(3,), **params))
    assert theirs.n_iter_ == 15
    assert theirs._optimizer.learning_rate == pytest.approx(expected[-1])
    # adam ignores "adaptive": it stops where the lr would have dropped
    assert _fit(MLPRegressor(hidden_layer_sizes=(3,), **{**params, "solver": "adam"})).n_iter_ == 3


@pytest.mark.parametrize("n_iter_no_change", [1, 3])
def test_stops_after_n_iter_no_change_plus_one_bad_epochs_as_scikit_learn(n_iter_no_change):
    params = dict(tol=10.0, n_iter_no_change=n_iter_no_change, max_iter=50, random_state=0)
    ours = _fit(MLPRegressor(hidden_layer_sizes=(3,), **params))
    assert ours.n_iter_ == n_iter_no_change + 2  # the first epoch improves on +inf
    assert ours.n_iter_ == _fit(sk.MLPRegressor(hidden_layer_sizes=(3,), **params)).n_iter_


class _Net:
    """Stands in for a network: one weight, and a stop flag."""

    def __init__(self):
        self.w = Parameter("w", np.zeros(1), np.zeros(1))
        self.stop_training = False

    def parameters(self):
        return [self.w]


def _run(rule, values, lr):
    """Feed ``rule`` the monitored values; return (lr, count, best) after each epoch."""
    net, seen = _Net(), []
    rule.optimizer = SGD([net.w], lr=lr)
    rule.on_train_begin(net)
    for epoch, v in enumerate(values):
        net.w.value[...] = epoch  # the weights of this epoch
        rule.on_epoch_end(epoch, {rule.monitor: v, "other": -1.0})
        seen.append((rule.optimizer.lr, rule.count, rule.best))
        if net.stop_training:
            break
    rule.on_train_end({})
    return seen, net


def test_no_improvement_rule_step_by_step():
    rule = NoImprovement("val_loss", tol=0.1, n_iter_no_change=2, adaptive=True, restore_best=True)
    seen, net = _run(rule, [1.0, 0.95, 0.95, 0.92, 0.5, 0.6, 0.7, 0.8], lr=1.0)
    # 0.95 and 0.92 improve by less than tol: counted as bad, yet best follows them;
    # the third bad epoch in a row (count 3 > 2) divides the lr by 5 and restarts the count
    assert seen == [
        (1.0, 0, 1.0),
        (1.0, 1, 0.95),
        (1.0, 2, 0.95),
        (0.2, 0, 0.92),
        (0.2, 0, 0.5),
        (0.2, 1, 0.5),
        (0.2, 2, 0.5),
        (0.04, 0, 0.5),
    ]
    assert not net.stop_training
    assert net.w.value[0] == 4.0  # the weights of the best epoch (val_loss 0.5) are back


def test_no_improvement_stops_once_the_lr_is_1e_6_or_less():
    # n_iter_no_change=0: every bad epoch acts; an lr of exactly 1e-6 is not divided
    rule = NoImprovement("loss", tol=0.01, n_iter_no_change=0, adaptive=True)
    seen, net = _run(rule, [1.0, 1.0, 1.0], lr=1e-6)
    assert seen == [(1e-6, 0, 1.0), (1e-6, 1, 1.0)]
    assert net.stop_training and net.stop_reason == "early_stopping"
    rule = NoImprovement("loss", tol=0.01, n_iter_no_change=0, adaptive=True)
    seen, net = _run(rule, [1.0, 1.0, 1.0, 1.0], lr=2e-6)
    assert [lr for lr, _, _ in seen] == [2e-6, pytest.approx(4e-7, rel=1e-12), 4e-7]
    assert net.stop_training and len(seen) == 3
    rule = NoImprovement("loss", tol=0.25, n_iter_no_change=0)  # not adaptive: stop at once
    seen, net = _run(rule, [1.0, 0.75, 0.75, 0.5], lr=0.1)  # improving by exactly tol counts
    assert seen == [(0.1, 0, 1.0), (0.1, 0, 0.75), (0.1, 1, 0.75)] and net.stop_training


def test_warm_start_continues_the_fit():
    X = np.random.default_rng(0).normal(size=(40, 2))  # (40, 2)
    y = (X[:, 0] > 0).astype(int)  # (40,)
    clf = _fit(MLPClassifier((4,), max_iter=5, warm_start=True, random_state=0), X, y)
    first_curve, first_weights = list(clf.loss_curve_), snapshot(clf.model_)
    barely = MLPClassifier((4,), max_iter=1, random_state=0, learning_rate_init=1e-12)
    init = snapshot(_fit(barely, X, y).model_)  # the initial weights, to within 1e-12
    assert not np.allclose(first_weights[0], init[0], atol=1e-3)  # 5 epochs moved them
    clf.set_params(max_iter=2, learning_rate_init=1e-12)  # steps too small to move them
    _fit(clf, X, y)
    assert clf.n_iter_ == 2 and clf.t_ == 7 * 40  # n_iter_ counts this fit, as scikit-learn's
    assert len(clf.loss_curve_) == 7 and clf.loss_curve_[:5] == first_curve
    for now, before in zip(snapshot(clf.model_), first_weights, strict=True):
        np.testing.assert_allclose(now, before, atol=1e-8)  # started from the first fit's
    theirs = _fit(sk.MLPClassifier((4,), max_iter=5, warm_start=True, random_state=0), X, y)
    _fit(theirs.set_params(max_iter=2), X, y)
    assert (theirs.n_iter_, len(theirs.loss_curve_), theirs.t_) == (2, 7, 280)


def test_without_warm_start_a_second_fit_starts_afresh():
    # 2 of the 8 rows held out: scikit-learn refuses a validation set of fewer than 2
    params = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0, early_stopping=True,
                  validation_fraction=0.25)  # fmt: skip
    reg = _fit(MLPRegressor(**params), np.c_[X8, X8**2], Y8)
    curve, weights = list(reg.loss_curve_), snapshot(reg.model_)
    _fit(reg, np.c_[X8, X8**2], Y8)
    assert reg.loss_curve_ == curve and reg.n_iter_ == 3 and reg.t_ == 3 * 6
    for now, before in zip(snapshot(reg.model_), weights, strict=True):
        np.testing.assert_array_equal(now, before)  # the same fit again, not a continuation
    assert len(reg.validation_scores_) == 3
    reg.set_params(early_stopping=False)
    assert _fit(reg, np.c_[X8, X8**2], Y8).validation_scores_ is None


def test_warm_start_refuses_other_classes_features_or_layers():
    X = np.random.default_rng(1).normal(size=(30, 2))  # (30, 2)
    y = np.array([0, 1, 2] * 10)  # (30,)
    clf = _fit(MLPClassifier((4,), max_iter=2, warm_start=True, random_state=0), X, y)
    with pytest.raises(ValueError, match=r"same classes .* Previously got \[0 1 2\], `y` has"):
        clf.fit(X, y % 2)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 2"):
        clf.fit(np.c_[X, X[:, 0]], y)
    with pytest.raises(ValueError, match=r"warm_start=True continues .*\(2, 4\).*\(2, 5\)"):
        clf.set_params(hidden_layer_sizes=(5,)).fit(X, y)
    reg = _fit(
        MLPRegressor(hidden_layer_sizes=(4,), max_iter=2, warm_start=True, random_state=0), X, X
    )
    with pytest.raises(ValueError, match="number of outputs changed"):
        reg.fit(X, X[:, 0])
    assert reg.n_outputs_ == 2 and reg.predict(X).shape == (30, 2)  # the last fit is kept


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("momentum", 1.5, r"momentum must be a number in \[0, 1\] .*default 0.9\); got 1.5"),
        ("momentum", -0.1, r"momentum must be a number in \[0, 1\]"),
        ("momentum", "high", r"momentum must be a number in \[0, 1\] .* got 'high'"),
        ("beta_1", 1.0, r"beta_1 must be a number in \[0, 1\) .*default 0.9\); got 1.0"),
        ("beta_2", float("nan"), r"beta_2 must be a number in \[0, 1\) .* got nan"),
        ("epsilon", 0.0, r"epsilon must be a number > 0 .*default 1e-08\); got 0.0"),
        ("power_t", -0.5, r"power_t must be a number >= 0 .*default 0.5\); got -0.5"),
        ("learning_rate", "cosine", "learning_rate must be one of 'constant', 'invscaling', "),
        ("nesterovs_momentum", "yes", "nesterovs_momentum must be True or False; got 'yes'"),
        ("warm_start", 1, "warm_start must be True or False; got 1"),
    ],
)
def test_bad_values_are_refused_whatever_the_solver(param, value, message):
    for solver in ("sgd", "adam"):
        with pytest.raises(ValueError, match=message):
            MLPRegressor(solver=solver, **{param: value}).fit(X8, Y8)


def test_alpha_is_scikit_learns_penalty_per_sample():
    """scikit-learn's coef gradient is (X^T delta + alpha W) / n: its penalty part alpha W / n
    is glassnet's weight decay wd W with wd = alpha / batch."""
    from sklearn.neural_network import MLPRegressor as SkRegressor

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.normal(size=16)
    sk = SkRegressor(hidden_layer_sizes=(4,), alpha=0.3, batch_size=16, max_iter=1)
    _fit(sk, X, y)  # sets up coefs_ to differentiate at
    n, alpha = 16, 0.3
    coefs = [c.copy() for c in sk.coefs_]
    args = [np.empty((n, 4)), np.empty((n, 1))]
    grads = [np.zeros_like(c) for c in coefs], [np.zeros_like(b) for b in sk.intercepts_]
    with_alpha = sk._backprop(X, y[:, None], None, [X, *args], [np.empty_like(a) for a in args],
                              *[[g.copy() for g in gs] for gs in grads])  # fmt: skip
    sk.alpha = 0.0
    without = sk._backprop(X, y[:, None], None, [X, *args], [np.empty_like(a) for a in args],
                           *[[g.copy() for g in gs] for gs in grads])  # fmt: skip
    for c, g1, g0 in zip(coefs, with_alpha[1], without[1], strict=True):
        np.testing.assert_allclose(g1 - g0, alpha / n * c, rtol=1e-12)
    for g1, g0 in zip(with_alpha[2], without[2], strict=True):
        np.testing.assert_array_equal(g1, g0)  # the intercepts: no penalty in scikit-learn
    ours = _fit(
        MLPRegressor(
            hidden_layer_sizes=(4,), alpha=alpha, batch_size=n, max_iter=1, random_state=0
        ),
        X,
        y,
    )
    assert f"weight_decay={alpha / n}" in ours.model_.history_.params["optimizer"]
    assert "decay_biases=False" in ours.model_.history_.params["optimizer"]


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_alpha_spares_the_intercepts(solver):
    """One full-batch step from the same start: alpha changes the weights, not the biases."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.normal(size=16)

    def one_step(alpha):
        est = MLPRegressor(hidden_layer_sizes=(4,), solver=solver, alpha=alpha, batch_size=16, max_iter=1,
                           momentum=0.0, learning_rate_init=0.1, random_state=0)  # fmt: skip
        return _fit(est, X, y)

    plain, penalised = one_step(0.0), one_step(50.0)
    for a, b in zip(plain.intercepts_, penalised.intercepts_, strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(plain.coefs_, penalised.coefs_, strict=True):
        assert not np.allclose(a, b)


def test_learned_attributes_are_scikit_learns():
    """coefs_, intercepts_, n_layers_, out_activation_ and loss_ as scikit-learn has them."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 5)), rng.integers(0, 3, 60)
    theirs = _fit(sk.MLPClassifier((7, 4), max_iter=3, random_state=0), X, y)
    ours = MLPClassifier((7, 4), max_iter=3, random_state=0)
    for name in ("coefs_", "intercepts_", "n_layers_", "out_activation_", "loss_"):
        assert not hasattr(ours, name)  # learned attributes exist only once fitted
    _fit(ours, X, y)
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert ours.n_layers_ == theirs.n_layers_ == 4
    assert ours.out_activation_ == theirs.out_activation_ == "softmax"  # 3 classes
    assert ours.loss_ == ours.loss_curve_[-1] and np.isfinite(ours.loss_)
    before = ours.predict_proba(X[:3])
    ours.coefs_[-1][...] = 0  # the network's own arrays, as scikit-learn's
    ours.intercepts_[-1][...] = [0.0, 5.0, 0.0]
    assert not np.allclose(ours.predict_proba(X[:3]), before)
    assert (ours.predict(X) == ours.classes_[1]).all()
    reg = _fit(
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0),
        X,
        rng.normal(size=(60, 2)),
    )
    assert reg.out_activation_ == "identity" and reg.n_layers_ == 3
    assert [c.shape for c in reg.coefs_] == [(5, 3), (3, 2)]


def test_no_improvement_rule_for_a_score_is_scikit_learns():
    """mode="max" (early stopping's validation score): count when v < best + tol, keep the max,
    and a NaN restarts the count as scikit-learn's comparisons do."""
    rule = NoImprovement("val_score", tol=0.1, n_iter_no_change=5, restore_best=True, mode="max")
    seen, net = _run(rule, [0.5, 0.55, 0.7, float("nan"), 0.65, 0.9], lr=1.0)
    assert seen == [
        (1.0, 0, 0.5),  # up from -inf
        (1.0, 1, 0.55),  # better by less than tol: counted, yet the best
        (1.0, 0, 0.7),
        (1.0, 0, 0.7),  # NaN: no comparison holds
        (1.0, 1, 0.7),
        (1.0, 0, 0.9),
    ]
    assert net.w.value[0] == 5.0  # the best epoch's weights are back
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'; got 'up'"):
        NoImprovement("loss", 0.1, 2, mode="up")


def test_validation_score_is_the_estimators_score_or_nan():
    from sklearn.metrics import accuracy_score, r2_score

    from glassnet import mlp
    from glassnet.sklearn._rules import ValidationScore

    rng = np.random.default_rng(0)
    X, labels, w = rng.normal(size=(30, 2)), rng.integers(0, 3, 30), rng.random(30)
    net = mlp("2,4,3", seed=0, dtype="float64")
    cb = ValidationScore(X, labels, w, accuracy_score, lambda out: out.argmax(axis=1))
    cb.on_train_begin(net)
    logs: dict = {}
    cb.on_epoch_end(0, logs)
    expected = accuracy_score(labels, net.predict(X).argmax(axis=1), sample_weight=w)
    assert logs["val_score"] == expected and cb.scores == [expected]
    reg = mlp("2,4,1", seed=0, dtype="float64")
    y = rng.normal(size=30)
    cb = ValidationScore(X, y, None, r2_score, lambda out: out[:, 0])
    cb.on_train_begin(reg)
    cb.on_epoch_end(0, logs)
    assert logs["val_score"] == r2_score(y, reg.predict(X)[:, 0])
    reg.parameters()[0].value[...] = np.inf  # outputs no longer finite: NaN, as scikit-learn
    cb.on_epoch_end(1, logs)
    assert np.isnan(logs["val_score"]) and len(cb.scores) == 2


@pytest.mark.parametrize("Ours, Theirs", [(MLPClassifier, sk.MLPClassifier),
                                          (MLPRegressor, sk.MLPRegressor)])  # fmt: skip
def test_early_stopping_attributes_are_scikit_learns(Ours, Theirs):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) if Ours is MLPClassifier else X @ [1.0, 2, 0, -1]
    params = dict(hidden_layer_sizes=(8,), early_stopping=True, max_iter=80, random_state=0,
                  learning_rate_init=0.03, batch_size=32)  # fmt: skip
    ours, theirs = _fit(Ours(**params), X, y), _fit(Theirs(**params), X, y)
    for est in (ours, theirs):
        assert est.best_loss_ is None
        assert len(est.validation_scores_) == est.n_iter_
        assert est.best_validation_score_ == max(est.validation_scores_)
        assert all(s <= 1.0 for s in est.validation_scores_)  # accuracies or R^2
    assert ours.best_validation_score_ > 0.8 and theirs.best_validation_score_ > 0.8
    plain = _fit(Ours(**{**params, "early_stopping": False}), X, y)
    assert plain.best_validation_score_ is None and plain.validation_scores_ is None
    assert plain.best_loss_ == min(plain.loss_curve_)


def test_binary_problems_have_one_logistic_output_as_scikit_learns():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3))
    y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    ours = _fit(MLPClassifier((5,), max_iter=100, learning_rate_init=0.02, random_state=0), X, y)
    theirs = _fit(sk.MLPClassifier((5,), max_iter=100, learning_rate_init=0.02, random_state=0),
                  X, y)  # fmt: skip
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_] == [(3, 5), (5, 1)]
    assert ours.out_activation_ == theirs.out_activation_ == "logistic"
    proba = ours.predict_proba(X)
    p = ours.model_.predict(X)[:, 0]  # the sigmoid: P(classes_[1])
    np.testing.assert_allclose(proba, np.c_[1 - p, p])
    np.testing.assert_array_equal(ours.predict(X), ours.classes_[(p > 0.5).astype(int)])
    assert ours.score(X, y) > 0.9
    parts = MLPClassifier((5,), random_state=0).partial_fit(X, y, classes=["no", "yes"])
    assert parts.model_.out_features == 1 and parts.predict(X).dtype == y.dtype


@pytest.mark.parametrize(
    ("ours", "theirs"), [(MLPClassifier, sk.MLPClassifier), (MLPRegressor, sk.MLPRegressor)]
)
def test_every_public_method_of_scikit_learns_is_here(ours, theirs):
    public = lambda cls: {m for m in dir(cls) if not m.startswith("_")}  # noqa: E731
    assert public(theirs) - public(ours) == set()


def test_predict_log_proba_is_the_log_of_predict_proba():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    for y in ((X[:, 0] > 0).astype(int), (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)):
        clf = _fit(MLPClassifier((5,), max_iter=20, random_state=0), X, y)
        np.testing.assert_allclose(clf.predict_log_proba(X), np.log(clf.predict_proba(X)))
        assert clf.predict_log_proba(X).shape == (40, len(np.unique(y)))


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize(
    ("ours", "theirs", "target"),
    [(MLPClassifier, sk.MLPClassifier, "binary"), (MLPClassifier, sk.MLPClassifier, "three"),
     (MLPRegressor, sk.MLPRegressor, "values")],
)  # fmt: skip
def test_learned_attributes_have_scikit_learns_names_and_values(ours, theirs, target, solver):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = {"binary": (X[:, 0] > 0).astype(int),
         "three": (X[:, 0] > 0).astype(int) + (X[:, 1] > 0),
         "values": X[:, 0]}[target]  # fmt: skip
    settings = dict(hidden_layer_sizes=(4,), max_iter=5, solver=solver, random_state=0)
    a, b = _fit(theirs(**settings), X, y), _fit(ours(**settings), X, y)
    learned = lambda e: {k for k in dir(e) if k.endswith("_") and not k.startswith("_")}  # noqa: E731
    assert learned(a) <= learned(b) and learned(b) - learned(a) == {"model_"}
    for name in ("n_outputs_", "n_layers_", "out_activation_", "n_features_in_"):
        assert getattr(b, name) == getattr(a, name), name
    with pytest.raises(AttributeError):
        ours().n_outputs_  # noqa: B018  (not fitted)
