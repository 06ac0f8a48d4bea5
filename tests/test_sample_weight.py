"""Sample weights: the weighted-mean losses by hand, by finite differences and against PyTorch;
``fit`` with weights against the unweighted and the duplicated-sample runs; bad weights;
the scikit-learn estimators."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.losses import MAE, MSE, BinaryCrossEntropy, CrossEntropy, Huber


# -- the losses -----------------------------------------------------------------------------
def test_weighted_mse_worked_by_hand():
    # l = [1, 9]; E_w = (3*1 + 1*9) / 4 = 3; dE_w/dy_n = 2 w_n (y_n - t_n) / sum(w)
    loss = MSE()
    y, t = np.array([[1.0], [3.0]]), np.zeros((2, 1))
    assert loss.weighted_forward(y, t, [3.0, 1.0]) == 3.0
    np.testing.assert_array_equal(loss.weighted_backward(), [[1.5], [1.5]])


def test_weighted_cross_entropy_worked_by_hand():
    # sample 0: logits (0, 0), label 1: l = log 2, p = (1/2, 1/2)
    # sample 1: logits (0, log 3), label 0: p = (1/4, 3/4), l = log 4
    loss = CrossEntropy()
    z = np.array([[0.0, 0.0], [0.0, np.log(3.0)]])
    E = loss.weighted_forward(z, np.array([1, 0]), [1.0, 3.0])
    assert E == pytest.approx((np.log(2) + 3 * np.log(4)) / 4, rel=1e-14)
    # dE_w/dz_n = w_n (p_n - onehot_n) / sum(w)
    expected = np.array([[0.5, -0.5], [3 * -0.75 / 4, 3 * 0.75 / 4]]) * [[1 / 4], [1]]
    np.testing.assert_allclose(loss.weighted_backward(), expected, rtol=1e-14)


def test_weights_of_one_give_the_plain_mean_and_gradient():
    rng = np.random.default_rng(0)
    z, t = rng.standard_normal((6, 3)), rng.integers(0, 3, 6)
    plain = CrossEntropy()
    E = plain.forward(z, t)
    g = plain.backward().copy()
    weighted = CrossEntropy()
    assert weighted.weighted_forward(z, t, np.ones(6)) == pytest.approx(E, rel=1e-14)
    np.testing.assert_array_equal(weighted.weighted_backward(), g)
    assert weighted(z, t, np.ones(6)) == pytest.approx(E, rel=1e-14)  # __call__ takes them too


def test_weights_summing_to_zero_give_zero_error_and_gradient():
    loss = MSE()
    assert loss.weighted_forward(np.ones((2, 1)), np.zeros((2, 1)), [0.0, 0.0]) == 0.0
    np.testing.assert_array_equal(loss.weighted_backward(), np.zeros((2, 1)))


def _cases():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((5, 3))
    probs = rng.dirichlet(np.ones(3), 5)
    return [
        ("mse", MSE(), rng.standard_normal((5, 2)), rng.standard_normal((5, 2))),
        ("mae", MAE(), rng.standard_normal((5, 2)), rng.standard_normal((5, 2))),
        ("huber", Huber(0.5), 2 * rng.standard_normal((5, 2)), rng.standard_normal((5, 2))),
        ("bce", BinaryCrossEntropy(), rng.uniform(0.05, 0.95, (5, 2)), rng.integers(0, 2, (5, 2))),
        ("bce_logits", BinaryCrossEntropy(from_logits=True), logits, rng.integers(0, 2, (5, 3))),
        ("ce_labels", CrossEntropy(), logits, rng.integers(0, 3, 5)),
        ("ce_probs", CrossEntropy(), logits, probs),
    ]


@pytest.mark.parametrize("name,loss,y,t", _cases(), ids=[c[0] for c in _cases()])
def test_weighted_gradient_matches_finite_differences(name, loss, y, t):
    w = np.array([0.5, 2.0, 0.0, 1.0, 3.0])
    loss.weighted_forward(y, t, w)
    grad = loss.weighted_backward()
    numeric = np.zeros_like(y)
    h = 1e-6
    for idx in np.ndindex(*y.shape):
        up, down = y.copy(), y.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (loss.weighted_forward(up, t, w) - loss.weighted_forward(down, t, w)) / (
            2 * h
        )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    assert np.all(grad[2] == 0)  # the sample of weight 0 gets no gradient


@pytest.mark.parametrize("name,loss,y,t", _cases(), ids=[c[0] for c in _cases()])
def test_per_sample_errors_average_to_forward(name, loss, y, t):
    per = loss.per_sample(y, t)
    assert per.shape == (5,)
    assert per.mean() == pytest.approx(loss.forward(y, t), rel=1e-12)


def test_weighted_losses_match_pytorch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(2)
    w = rng.uniform(0, 2, 6)
    wt = torch.tensor(w)

    def weighted_mean(per_sample):
        return (per_sample * wt).sum() / wt.sum()

    z, labels = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    y, t = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    p, b = rng.uniform(0.05, 0.95, (6, 1)), rng.integers(0, 2, (6, 1)).astype(float)
    cases = [
        (CrossEntropy(), z, labels, lambda a: F.cross_entropy(a, torch.tensor(labels), reduction="none")),
        (MSE(), y, t, lambda a: ((a - torch.tensor(t)) ** 2).mean(dim=1)),
        (MAE(), y, t, lambda a: F.l1_loss(a, torch.tensor(t), reduction="none").mean(dim=1)),
        (Huber(0.7), 2 * y, t, lambda a: F.huber_loss(a, torch.tensor(t), reduction="none", delta=0.7).mean(dim=1)),
        (BinaryCrossEntropy(), p, b, lambda a: F.binary_cross_entropy(a, torch.tensor(b), reduction="none")[:, 0]),
    ]  # fmt: skip
    for loss, out, target, per_sample in cases:
        a = torch.tensor(out, requires_grad=True)
        E = weighted_mean(per_sample(a))
        E.backward()
        assert loss.weighted_forward(out, target, w) == pytest.approx(E.item(), rel=1e-12)
        np.testing.assert_allclose(loss.weighted_backward(), a.grad.numpy(), rtol=1e-10)
    # PyTorch's class weights are the same weighted mean, with w_n = weight[t_n]
    cw = np.array([1.0, 2.0, 0.5, 3.0])
    E = F.cross_entropy(torch.tensor(z), torch.tensor(labels), weight=torch.tensor(cw))
    assert CrossEntropy().weighted_forward(z, labels, cw[labels]) == pytest.approx(
        E.item(), rel=1e-12
    )


# -- fit ---------------------------------------------------------------------------------------
def _data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    return X, y


def _net():
    return gn.mlp([3, 6, 2], "tanh", dtype="float64", seed=0)


def _train(X, y, **kw):
    net = _net()
    h = net.fit(
        X, y, loss="cross_entropy", optimizer="sgd", lr=0.3, epochs=5, seed=1, verbose=0, **kw
    )
    return net, h


@pytest.mark.parametrize("scale", [1.0, 4.0])
def test_uniform_weights_train_exactly_as_no_weights(scale):
    X, y = _data()
    plain, h0 = _train(X, y, batch_size=8)
    weighted, h1 = _train(X, y, batch_size=8, sample_weight=np.full(len(X), scale))
    for a, b in zip(plain.parameters(), weighted.parameters(), strict=True):
        np.testing.assert_array_equal(a.value, b.value)
    np.testing.assert_allclose(h1.history["loss"], h0.history["loss"], rtol=1e-13)
    assert h1.params["sample_weight"] is True and h0.params["sample_weight"] is False


def test_weights_of_one_on_the_compiled_float32_path_change_nothing():
    # batches of 64 x 10 logits go through the fused softmax-CE kernel when numba is there
    rng = np.random.default_rng(5)
    X = rng.standard_normal((256, 20), dtype=np.float32)
    y = rng.integers(0, 10, 256)
    nets = [gn.mlp([20, 32, 10], "relu", seed=0) for _ in range(2)]
    for net, w in zip(nets, [None, np.ones(256)], strict=True):
        net.fit(X, y, loss="cross_entropy", lr=0.1, epochs=2, batch_size=64, seed=0, verbose=0,
                sample_weight=w)  # fmt: skip
    for a, b in zip(*(net.parameters() for net in nets), strict=True):
        np.testing.assert_array_equal(a.value, b.value)


def test_integer_weights_equal_repeated_samples_in_full_batch_training():
    X, y = _data()
    w = np.array([2, 1, 3] * 8)
    rows = np.repeat(np.arange(len(X)), w)
    weighted, hw = _train(X, y, batch_size=len(X), sample_weight=w)
    repeated, hr = _train(X[rows], y[rows], batch_size=len(rows))
    for a, b in zip(weighted.parameters(), repeated.parameters(), strict=True):
        np.testing.assert_allclose(a.value, b.value, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hw.history["loss"], hr.history["loss"], rtol=1e-12)


def test_zero_weights_equal_leaving_the_samples_out_in_full_batch_training():
    X, y = _data()
    w = np.ones(len(X))
    w[::3] = 0
    weighted, _ = _train(X, y, batch_size=len(X), sample_weight=w)
    kept, _ = _train(X[w > 0], y[w > 0], batch_size=len(X))
    for a, b in zip(weighted.parameters(), kept.parameters(), strict=True):
        np.testing.assert_allclose(a.value, b.value, rtol=1e-12, atol=1e-14)


def test_epoch_loss_is_the_weighted_mean_and_accuracy_counts_every_sample():
    X, y = _data()
    w = np.linspace(0.1, 2, len(X))
    net, h = _train(X, y, batch_size=len(X), sample_weight=w, shuffle=False)
    # one more epoch with lr 0 scores the weights as they are
    h = net.fit(X, y, loss="cross_entropy", optimizer="sgd", lr=1e-300, epochs=1,
                batch_size=len(X), sample_weight=w, seed=0, verbose=0)  # fmt: skip
    out = net.predict(X)
    per = CrossEntropy().per_sample(out, y)
    assert h.history["loss"][0] == pytest.approx(per @ w / w.sum(), rel=1e-12)
    assert h.history["accuracy"][0] == pytest.approx(np.mean(out.argmax(1) == y))


def test_weighted_validation_loss_and_split():
    X, y = _data(30)
    w = np.arange(1.0, 31.0)
    net, h = _train(X[:20], y[:20], batch_size=10, validation_data=(X[20:], y[20:], w[20:]))
    out = net.predict(X[20:])
    expected = CrossEntropy().per_sample(out, y[20:]) @ w[20:] / w[20:].sum()
    assert h.history["val_loss"][-1] == pytest.approx(expected, rel=1e-12)
    # validation_split holds out the last samples together with their weights
    split, h2 = _train(X, y, batch_size=10, sample_weight=w, validation_split=1 / 3)
    first, _ = _train(X[:20], y[:20], batch_size=10, sample_weight=w[:20])
    for a, b in zip(split.parameters(), first.parameters(), strict=True):
        np.testing.assert_array_equal(a.value, b.value)
    out = split.predict(X[20:])
    expected = CrossEntropy().per_sample(out, y[20:]) @ w[20:] / w[20:].sum()
    assert h2.history["val_loss"][-1] == pytest.approx(expected, rel=1e-12)


def test_weights_shift_the_decision_towards_the_heavy_class():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 1))
    y = (X[:, 0] + 0.8 * rng.standard_normal(200) > 0).astype(np.int64)  # overlapping classes
    heavy = np.where(y == 1, 10.0, 1.0)
    kw = dict(loss="cross_entropy", optimizer="adam", lr=0.05, epochs=60, batch_size=50,
              seed=0, verbose=0)  # fmt: skip
    plain = gn.mlp([1, 8, 2], "tanh", seed=0)
    plain.fit(X, y, **kw)
    weighted = gn.mlp([1, 8, 2], "tanh", seed=0)
    weighted.fit(X, y, sample_weight=heavy, **kw)
    ones_plain = (plain.predict_classes(X) == 1).sum()
    ones_weighted = (weighted.predict_classes(X) == 1).sum()
    assert ones_weighted > ones_plain + 20  # class 1 now wins most of the overlap


@pytest.mark.parametrize(
    "weights,error,message",
    [
        (np.ones(5), ValueError, r"sample_weight must have shape \(24,\)"),
        (np.ones((24, 1)), ValueError, r"got shape \(24, 1\)"),
        (np.r_[-1.0, np.ones(23)], ValueError, r"must be >= 0; got -1.0 at index 0"),
        (np.r_[np.nan, np.ones(23)], ValueError, r"sample_weight contains NaN or inf"),
        (np.zeros(24), ValueError, r"sample_weight is all zeros"),
        (np.array(["a"] * 24), TypeError, r"sample_weight must hold numbers"),
    ],
)
def test_bad_weights_are_refused_with_the_fix(weights, error, message):
    X, y = _data()
    with pytest.raises(error, match=message):
        _train(X, y, batch_size=8, sample_weight=weights)


def test_bad_validation_weights_and_tuples_are_refused():
    X, y = _data()
    with pytest.raises(ValueError, match=r"validation_data\[2\] must be >= 0"):
        _train(X, y, batch_size=8, validation_data=(X, y, -np.ones(24)))
    with pytest.raises(ValueError, match=r"validation_data must be a tuple \(X_val, T_val\)"):
        _train(X, y, batch_size=8, validation_data=(X,))


# -- class_weight ------------------------------------------------------------------------------
def _same_weights(a, b):
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_class_weight_dict_is_the_per_sample_weight_of_each_class():
    X, y = _data()
    by_class, _ = _train(X, y, batch_size=8, class_weight={1: 3.0})
    by_sample, _ = _train(X, y, batch_size=8, sample_weight=np.where(y == 1, 3.0, 1.0))
    _same_weights(by_class, by_sample)


def test_balanced_class_weight_matches_scikit_learn_and_multiplies_sample_weight():
    from sklearn.utils.class_weight import compute_sample_weight

    X, y = _data()
    y[:4] = 1  # uneven classes
    w = np.linspace(0.5, 1.5, len(X))
    ours, _ = _train(X, y, batch_size=8, class_weight="balanced", sample_weight=w)
    theirs, _ = _train(X, y, batch_size=8, sample_weight=w * compute_sample_weight("balanced", y))
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p.value, q.value, rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"class_weight": "even"}, ValueError, r'class_weight must be a dict \{class: weight\} or "balanced"'),
        ({"class_weight": [1, 2]}, TypeError, r"got list"),
        ({"class_weight": {"a": 2}}, ValueError, r"keys must be class indices >= 0; got 'a'"),
        ({"class_weight": {0: 0, 1: 0}}, ValueError, r"sample weights times class_weight is all zeros"),
        ({"class_weight": {0: -1}}, ValueError, r"times class_weight must be >= 0"),
    ],
)  # fmt: skip
def test_bad_class_weight_is_refused_with_the_fix(kwargs, error, message):
    X, y = _data()
    with pytest.raises(error, match=message):
        _train(X, y, batch_size=8, **kwargs)


def test_class_weight_needs_a_classifier_loss():
    X, y = _data()
    net = gn.mlp([3, 4, 1], "tanh", dtype="float64", seed=0)
    with pytest.raises(ValueError, match="class_weight applies to a classifier's loss.*mse"):
        net.fit(X, y[:, None].astype(float), loss="mse", class_weight={1: 2}, verbose=0)


# -- scikit-learn ------------------------------------------------------------------------------
def test_sklearn_estimators_take_sample_weight():
    from sklearn.utils.class_weight import compute_sample_weight

    from glassnet.sklearn import MLPClassifier, MLPRegressor

    X, y = _data(120, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw = dict(hidden_layer_sizes=(8,), max_iter=30, random_state=0, batch_size=32)
        a = MLPClassifier(**kw).fit(X, y)
        b = MLPClassifier(**kw).fit(X, y, sample_weight=np.ones(len(X)))
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
        balanced = compute_sample_weight("balanced", y)
        c = MLPClassifier(**kw).fit(X, y, sample_weight=balanced)
        assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
        # early stopping splits the weights with the samples
        d = MLPClassifier(early_stopping=True, **kw).fit(X, y, sample_weight=balanced)
        assert len(d.validation_scores_) == d.n_iter_
        r = MLPRegressor(
            hidden_layer_sizes=(8,), learning_rate_init=0.02, max_iter=200, random_state=0
        )
        r.fit(X, X[:, 0], sample_weight=np.arange(1.0, 121.0))
        assert r.score(X, X[:, 0], sample_weight=np.arange(1.0, 121.0)) > 0.5
        with pytest.raises(ValueError, match="sample_weight"):
            MLPRegressor(**kw).fit(X, X[:, 0], sample_weight=np.ones(3))
