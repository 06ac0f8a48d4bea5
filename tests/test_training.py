"""fit: learning XOR, reproducibility, validation, early stopping, checkpoints and resuming,
interruption, and the gradient hook."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_T = np.array([[0], [1], [1], [0]], dtype=float)


def xor_net(seed: int) -> gn.Sequential:
    return gn.Sequential([gn.Dense(2, 4), gn.Tanh(), gn.Dense(4, 1), gn.Sigmoid()], seed=seed)


def fit_xor(net: gn.Sequential, seed: int = 0, **kwargs) -> gn.History:
    args = dict(loss="binary_cross_entropy", optimizer="adam", lr=0.05, epochs=300,
                batch_size=4, seed=seed, verbose=0)  # fmt: skip
    return net.fit(XOR_X, XOR_T, **{**args, **kwargs})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_xor_2_4_1_reaches_zero_errors(seed):
    net = xor_net(seed)
    history = fit_xor(net, seed)
    assert net.predict_classes(XOR_X).tolist() == [0, 1, 1, 0]
    assert history.history["accuracy"][-1] == 1.0
    assert history.history["loss"][-1] < 0.1 < history.history["loss"][0]


def test_xor_with_plain_sgd_and_mse_as_in_the_article():
    net = xor_net(0)
    net.fit(XOR_X, XOR_T, loss="mse", optimizer="sgd", lr=2.0, epochs=1500, batch_size=4,
            seed=0, verbose=0)  # fmt: skip
    assert net.predict_classes(XOR_X).tolist() == [0, 1, 1, 0]


def test_same_seed_same_loss_curve_bit_for_bit():
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(64, 3)), rng.integers(0, 3, size=64)

    def run(net_seed: int, fit_seed: int) -> list[float]:
        net = gn.Sequential(
            [gn.Dense(3, 8), gn.ReLU(), gn.Dropout(0.3), gn.Dense(8, 3)], seed=net_seed
        )
        h = net.fit(X, T, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=5,
                    batch_size=8, seed=fit_seed, verbose=0)  # fmt: skip
        return h.history["loss"]

    first = run(1, 2)
    assert run(1, 2) == first  # exact equality of floats
    assert run(1, 3) != first  # another shuffle and other dropout masks
    assert run(4, 2) != first  # other initial weights


def test_sequential_seed_reproduces_initial_weights():
    def weights(seed):
        net = gn.Sequential(
            [gn.Dense(3, 5), gn.Tanh(), gn.Dense(5, 2, init="he_normal")], seed=seed
        )
        return [p.value.copy() for p in net.parameters()]

    a, b, c = weights(5), weights(5), weights(6)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    assert gn.mlp("3,5,2", seed=5).layers[0].params["W"].tolist() == (
        gn.mlp("3,5,2", seed=5).layers[0].params["W"].tolist()
    )


# -- validation -----------------------------------------------------------------------------
def blobs(n: int = 120, seed: int = 0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    X = rng.normal(size=(n, 2)) + 2.5 * labels[:, None]
    return X, labels


def test_validation_data_gives_val_loss_and_val_accuracy():
    X, y = blobs()
    net = gn.mlp("2,6,2", activation="tanh", seed=0)
    h = net.fit(X[:80], y[:80], loss="cross_entropy", optimizer="adam", lr=0.05, epochs=4,
                validation_data=(X[80:], y[80:]), seed=0, verbose=0)  # fmt: skip
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert all(len(v) == 4 for v in h.history.values())
    final = net.evaluate(X[80:], y[80:])
    assert h.history["val_loss"][-1] == pytest.approx(final["loss"], rel=1e-6)
    assert h.history["val_accuracy"][-1] == final["accuracy"]
    assert final["accuracy"] > 0.8


def test_validation_split_holds_out_the_last_samples():
    X, y = blobs()
    net = gn.mlp("2,6,2", activation="tanh", seed=0)
    h = net.fit(X, y, loss="cross_entropy", validation_split=0.25, epochs=2, seed=0, verbose=0)
    assert h.params["n_samples"] == 90
    assert "val_loss" in h.history and "val_accuracy" in h.history
    assert h.history["val_loss"][-1] == pytest.approx(
        net.evaluate(X[90:], y[90:])["loss"], rel=1e-6
    )


def test_validation_for_regression_reports_val_loss_without_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    T = X @ np.array([[1.0], [-2.0]])
    h = gn.mlp("2,4,1", activation="tanh", seed=0).fit(
        X, T, validation_split=0.2, epochs=2, seed=0, verbose=0
    )
    assert (
        "val_loss" in h.history and "val_accuracy" not in h.history and "accuracy" not in h.history
    )


# -- callbacks ------------------------------------------------------------------------------
class Recorder(gn.Callback):
    """Keeps a copy of the weights at the end of every epoch."""

    def on_train_begin(self, net):
        super().on_train_begin(net)
        self.weights = []

    def on_epoch_end(self, epoch, logs):
        self.weights.append([p.value.copy() for p in self.net.parameters()])


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y = blobs()
    rec = Recorder()
    stop = gn.EarlyStopping(monitor="loss", patience=2, min_delta=1e9)  # nothing improves by 1e9
    net = gn.mlp("2,6,2", activation="tanh", seed=0)
    h = net.fit(X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=20,
                callbacks=[rec, stop], seed=0, verbose=0)  # fmt: skip
    assert h.stopped == "early_stopping"
    assert len(h.history["loss"]) == 3 and stop.best_epoch == 0  # epoch 0, then 2 patient ones
    for p, best in zip(net.parameters(), rec.weights[0], strict=True):
        np.testing.assert_array_equal(p.value, best)
    assert not np.array_equal(rec.weights[2][0], rec.weights[0][0])


def test_early_stopping_on_val_loss_keeps_the_best_epoch():
    X, y = blobs(200, seed=1)
    flipped = 1 - y[100:]  # validation labels opposite to training: val_loss rises as it learns
    rec = Recorder()
    stop = gn.EarlyStopping(monitor="val_loss", patience=3)
    net = gn.mlp("2,6,2", activation="tanh", seed=0)
    h = net.fit(X[:100], y[:100], loss="cross_entropy", optimizer="adam", lr=0.05, epochs=50,
                validation_data=(X[100:], flipped), callbacks=[rec, stop], seed=0, verbose=0)  # fmt: skip
    assert h.stopped == "early_stopping" and len(h.history["loss"]) < 50
    best = int(np.argmin(h.history["val_loss"]))
    assert stop.best_epoch == best and len(h.history["loss"]) == best + 1 + 3
    for p, w in zip(net.parameters(), rec.weights[best], strict=True):
        np.testing.assert_array_equal(p.value, w)


def test_early_stopping_with_a_missing_metric():
    with pytest.raises(
        ValueError, match="EarlyStopping monitors 'val_loss' but the logs have only"
    ):
        gn.mlp("2,1", seed=0).fit(XOR_X, XOR_T, callbacks=[gn.EarlyStopping()], verbose=0)


@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_resuming_from_a_checkpoint_is_bit_identical(tmp_path, optimizer):
    X, y = blobs(100)

    def new_net():
        return gn.Sequential([gn.Dense(2, 8), gn.ReLU(), gn.Dropout(0.2), gn.Dense(8, 2)], seed=11)

    args = dict(loss="cross_entropy", batch_size=16, seed=7, verbose=0)
    whole = new_net()
    whole.fit(X, y, optimizer=gn.get_optimizer(optimizer, lr=0.02), epochs=6, **args)

    path = tmp_path / "ckpt.npz"
    first = new_net()
    first.fit(X, y, optimizer=gn.get_optimizer(optimizer, lr=0.02), epochs=3,
              callbacks=[gn.ModelCheckpoint(path)], **args)  # fmt: skip
    net, opt, state = gn.load_checkpoint(path)
    assert (
        state["epoch"] == 3 and state["seed"] == 7 and len(state["history"]["history"]["loss"]) == 3
    )
    h = net.fit(X, y, optimizer=opt, epochs=6, initial_epoch=state["epoch"],
                **{**args, "seed": state["seed"]})  # fmt: skip
    assert h.epochs == [3, 4, 5]
    for p, q in zip(whole.parameters(), net.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_checkpoint_save_best_only(tmp_path):
    X, y = blobs()
    path = tmp_path / "best.npz"
    ckpt = gn.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)
    rec = Recorder()
    h = gn.mlp("2,4,2", seed=0).fit(X, y, loss="cross_entropy", validation_split=0.3, epochs=5,
                                    callbacks=[rec, ckpt], seed=0, verbose=0)  # fmt: skip
    best = int(np.argmin(h.history["val_loss"]))
    net, _, state = gn.load_checkpoint(path)
    assert state["epoch"] == best + 1
    for p, w in zip(net.parameters(), rec.weights[best], strict=True):
        np.testing.assert_array_equal(p.value, w)


class Interrupter(gn.Callback):
    def __init__(self, at_epoch: int):
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt


class BatchInterrupter(gn.Callback):
    def on_batch_end(self, batch, size, loss):
        if batch == 1:
            raise KeyboardInterrupt


def test_keyboard_interrupt_stops_cleanly(tmp_path):
    X, y = blobs()
    net = gn.mlp("2,4,2", seed=0)
    path = tmp_path / "ckpt.npz"
    h = net.fit(X, y, loss="cross_entropy", epochs=10, seed=0, verbose=0,
                callbacks=[gn.ModelCheckpoint(path), Interrupter(2)])  # fmt: skip
    assert h.stopped == "interrupted"
    assert len(h.history["loss"]) == 3  # epochs 0, 1, 2 were logged
    assert all(not layer.training and not layer.reuse_buffers for layer in net.layers)
    assert gn.load_checkpoint(path)[2]["epoch"] == 3
    out = net.predict(X[:3])
    assert out.shape == (3, 2) and np.isfinite(out).all()
    h2 = net.fit(X, y, loss="cross_entropy", epochs=3, batch_size=16, seed=0, verbose=0,
                 callbacks=[gn.ModelCheckpoint(path), BatchInterrupter()])  # fmt: skip
    assert h2.stopped == "interrupted" and h2.history == {}
    assert gn.load_checkpoint(path)[2]["epoch"] == 0  # epoch 0 was cut short: resume there


@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_ctrl_c_inside_an_epoch_saves_its_start_so_a_resume_is_bit_identical(tmp_path, optimizer):
    X, y = blobs()
    args = dict(loss="cross_entropy", epochs=4, batch_size=16, seed=0, verbose=0)

    class CutInEpoch2(gn.Callback):
        def on_epoch_begin(self, epoch):
            self.epoch = epoch

        def on_batch_end(self, batch, size, loss):
            if self.epoch == 2 and batch == 3:
                raise KeyboardInterrupt

    whole = gn.mlp("2,4,2", seed=0)
    whole.fit(X, y, optimizer=gn.get_optimizer(optimizer, lr=0.05), **args)
    cut, path = gn.mlp("2,4,2", seed=0), tmp_path / "ckpt.npz"
    h = cut.fit(X, y, optimizer=gn.get_optimizer(optimizer, lr=0.05),
                callbacks=[gn.ModelCheckpoint(path), CutInEpoch2()], **args)  # fmt: skip
    assert h.stopped == "interrupted"
    in_memory = [p.value.copy() for p in cut.parameters()]  # 4 batches into epoch 2
    net, opt, state = gn.load_checkpoint(path)
    assert state["epoch"] == 2 and opt.t == 2 * len(range(0, len(X), 16))  # two whole epochs
    saved = [p.value for p in net.parameters()]
    assert any(not np.array_equal(a, b) for a, b in zip(in_memory, saved, strict=True))
    net.fit(X, y, optimizer=opt, initial_epoch=state["epoch"], **args)
    for a, b in zip(net.parameters(), whole.parameters(), strict=True):
        np.testing.assert_array_equal(a.value, b.value)


# -- early stopping across a resume ---------------------------------------------------------
def early_fit(net, epochs, callbacks, optimizer=None, initial_epoch=0, seed=0):
    """Adam at lr 0.1 on blobs: the loss bounces, so patience 2 stops it after a few epochs."""
    X, y = blobs()
    optimizer = optimizer or gn.get_optimizer("adam", lr=0.1)
    return net.fit(X, y, loss="cross_entropy", optimizer=optimizer, epochs=epochs, batch_size=16,
                   seed=seed, callbacks=callbacks, verbose=0, initial_epoch=initial_epoch)  # fmt: skip


def early_stopped_run(path=None):
    """(network, history, EarlyStopping) of the uninterrupted run, checkpointed to ``path``."""
    stop, net = gn.EarlyStopping(monitor="loss", patience=2), gn.mlp("2,6,2", "tanh", seed=0)
    callbacks = [stop] if path is None else [stop, gn.ModelCheckpoint(path)]
    return net, early_fit(net, 60, callbacks), stop


def resume_early_fit(path, load_state=True):
    """Continue the checkpoint at ``path`` for up to 60 epochs; (network, history, stopper)."""
    net, opt, state = gn.load_checkpoint(path)
    stop = gn.EarlyStopping(monitor="loss", patience=2)
    if load_state:
        stop.load_state_dict(*state["early_stopping"])
    h = early_fit(net, 60, [stop], opt, initial_epoch=state["epoch"], seed=state["seed"])
    return net, h, stop


def assert_same_weights(a, b):
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


@pytest.mark.parametrize("cut", ["fewer_epochs", "ctrl_c"])
def test_a_resumed_run_early_stops_at_the_same_epoch_with_the_same_weights(tmp_path, cut):
    whole, h, whole_stop = early_stopped_run()
    stop_epoch = h.epochs[-1]  # patience 2: epochs stop_epoch - 1 and stop_epoch did not improve
    assert h.stopped == "early_stopping" and whole_stop.best_epoch == stop_epoch - 2 > 0

    path = tmp_path / "ckpt.npz"  # cut after stop_epoch - 1: one epoch waited, one to go
    stop = gn.EarlyStopping(monitor="loss", patience=2)
    if cut == "fewer_epochs":  # checkpoint listed first: fit lets EarlyStopping see each epoch
        early_fit(gn.mlp("2,6,2", "tanh", seed=0), stop_epoch, [gn.ModelCheckpoint(path), stop])
    else:  # the checkpoint saved on Ctrl-C has the last weights, not the best ones put back
        callbacks = [stop, gn.ModelCheckpoint(path), Interrupter(stop_epoch - 1)]
        assert early_fit(gn.mlp("2,6,2", "tanh", seed=0), 60, callbacks).stopped == "interrupted"
    state = gn.load_checkpoint(path)[2]
    meta, arrays = state["early_stopping"]
    assert state["epoch"] == stop_epoch and meta["wait"] == 1
    assert meta["best_epoch"] == whole_stop.best_epoch and len(arrays) == 4  # W, b of 2 layers

    net, h2, stop = resume_early_fit(path)
    assert h2.epochs == [stop_epoch] and h2.stopped == "early_stopping"
    assert (stop.best, stop.best_epoch) == (whole_stop.best, whole_stop.best_epoch)
    assert state["history"]["epochs"] + h2.epochs == h.epochs
    for key, values in h.history.items():
        assert state["history"]["history"][key] + h2.history[key] == values  # exact floats
    assert_same_weights(whole, net)  # the best epoch's, bit for bit
    # without the saved state the resumed run would have started early stopping afresh
    assert resume_early_fit(path, load_state=False)[1].epochs[-1] > stop_epoch


def test_resuming_a_run_that_early_stopped_trains_no_further(tmp_path):
    path = tmp_path / "ckpt.npz"
    whole, h, _ = early_stopped_run(path)
    assert gn.load_checkpoint(path)[2]["epoch"] == h.epochs[-1] + 1
    net, h2, stop = resume_early_fit(path)
    assert h2.epochs == [] and h2.stopped == "early_stopping" and stop.wait == 2
    assert_same_weights(whole, net)  # the saved last weights, replaced by the best ones


def test_checkpoints_without_early_stopping_state_still_resume(tmp_path):
    path = tmp_path / "old.npz"  # as written before early stopping was saved, or without it
    early_fit(gn.mlp("2,6,2", "tanh", seed=0), 2, [gn.ModelCheckpoint(path)])
    net, opt, state = gn.load_checkpoint(path)
    assert "early_stopping" not in state
    h = early_fit(net, 60, [gn.EarlyStopping(monitor="loss", patience=2)], opt, initial_epoch=2)
    assert h.epochs[0] == 2 and h.stopped == "early_stopping"


@pytest.mark.parametrize(
    ("saved", "message"),
    [
        (
            gn.EarlyStopping(monitor="loss"),
            "the early-stopping state was saved with monitor='loss', mode='min' but this "
            "EarlyStopping has monitor='val_loss', mode='min'. Use EarlyStopping("
            "monitor='loss', mode='min') to continue that run, or do not load the state",
        ),
        (
            gn.EarlyStopping(monitor="val_loss", mode="max"),
            "saved with monitor='val_loss', mode='max' but this EarlyStopping has "
            "monitor='val_loss', mode='min'",
        ),
    ],
    ids=["monitor", "mode"],
)
def test_early_stopping_state_of_another_monitor_or_mode_is_refused(saved, message):
    stop = gn.EarlyStopping(monitor="val_loss", patience=2)
    with pytest.raises(ValueError) as info:
        stop.load_state_dict(*saved.state_dict())
    assert message in str(info.value)


def test_early_stopping_state_of_another_network_is_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    early_stopped_run(path)
    stop = gn.EarlyStopping(monitor="loss", patience=2)
    stop.load_state_dict(*gn.load_checkpoint(path)[2]["early_stopping"])
    with pytest.raises(ValueError, match="holds best weights of shapes .* network's are"):
        early_fit(gn.mlp("2,4,2", seed=0), 3, [stop])


def test_grad_hook_runs_once_per_batch_before_the_step():
    X, y = blobs(50)
    net = gn.mlp("2,4,2", seed=0)
    before = [p.value.copy() for p in net.parameters()]
    calls = []

    def hook(params):
        calls.append(sum(float(np.abs(p.grad).sum()) for p in params))
        for p in params:  # what an all-reduce would do: change the gradients in place
            p.grad[...] = 0

    net.fit(X, y, loss="cross_entropy", optimizer="sgd", lr=0.5, epochs=3, batch_size=16,
            seed=0, verbose=0, grad_hook=hook)  # fmt: skip
    assert len(calls) == 3 * 4  # ceil(50 / 16) = 4 batches per epoch
    assert all(c > 0 for c in calls)  # backward had filled the gradients
    for p, w in zip(net.parameters(), before, strict=True):  # zeroed before every step
        np.testing.assert_array_equal(p.value, w)


def test_fit_continues_with_the_same_optimizer():
    net = xor_net(0)
    opt = gn.Adam(lr=0.05)
    fit_xor(net, optimizer=opt, epochs=10)
    assert opt.t == 10
    fit_xor(net, optimizer=opt, epochs=5)
    assert opt.t == 15


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"patience": -1}, r"patience must be an integer >= 0; got -1"),
        ({"patience": 2.5}, r"patience must be an integer >= 0; got 2.5"),
        ({"min_delta": -0.1}, r"min_delta"),
    ],
)
def test_early_stopping_refuses_what_reduce_lr_on_plateau_refuses(kwargs, message):
    from glassnet.callbacks import ReduceLROnPlateau

    for callback in (gn.EarlyStopping, ReduceLROnPlateau):
        with pytest.raises(ValueError, match=message):
            callback(monitor="loss", **kwargs)
