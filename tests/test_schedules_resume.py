"""Learning-rate schedules across a resume: a run cut short (fewer epochs, Ctrl-C between
epochs, Ctrl-C inside one) and resumed from its checkpoint ends bit for bit like the
uninterrupted one, with every schedule; the checkpoint keeps the optimiser's lr, its initial
lr and ReduceLROnPlateau's state, and checkpoints written before any of that still load."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.saving import serialize

EPOCHS = 8


def blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    return rng.normal(size=(n, 2)) + 2.5 * labels[:, None], labels


SCHEDULES = {
    "step": lambda: gn.StepLR(2, 0.5),
    "exponential": lambda: gn.ExponentialLR(0.8),
    "cosine": lambda: gn.CosineAnnealingLR(EPOCHS, eta_min=0.01),
    "plateau": lambda: gn.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0),
    # Keras's form: each lr from the one before, so the checkpoint must hold the right one
    "keras": lambda: gn.LearningRateScheduler(lambda epoch, lr: lr * 0.7 if epoch % 2 else lr),
}


def run(callbacks, epochs=EPOCHS, net=None, optimizer=None, initial_epoch=0, seed=0):
    """Adam at lr 0.1 on blobs: the loss bounces, so the plateau schedule lowers the lr."""
    X, y = blobs()
    net = net or gn.mlp("2,6,2", "tanh", seed=0)
    optimizer = optimizer or gn.get_optimizer("adam", lr=0.1)
    h = net.fit(X, y, loss="cross_entropy", optimizer=optimizer, epochs=epochs, batch_size=16,
                seed=seed, callbacks=callbacks, verbose=0, initial_epoch=initial_epoch)  # fmt: skip
    return net, h


class StopAfter(gn.Callback):
    """Ctrl-C at the end of ``epoch`` (listed after the checkpoint: that epoch is saved)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs):
        if epoch == self.epoch:
            raise KeyboardInterrupt


class StopInside(gn.Callback):
    """Ctrl-C after the third batch of ``epoch``: its start is what the checkpoint saves."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_begin(self, epoch):
        self.current = epoch

    def on_batch_end(self, batch, size, loss):
        if self.current == self.epoch and batch == 2:
            raise KeyboardInterrupt


def resume(path, name):
    """Continue the checkpoint at ``path`` with a new schedule ``name``; (state, net, history)."""
    net, opt, state = gn.load_checkpoint(path)
    schedule = SCHEDULES[name]()
    if name == "plateau":
        schedule.load_state_dict(*state["reduce_lr_on_plateau"])
    _, h = run([schedule], net=net, optimizer=opt, initial_epoch=state["epoch"], seed=state["seed"])
    return state, net, h


@pytest.mark.parametrize("cut", ["fewer_epochs", "ctrl_c_between_epochs", "ctrl_c_inside"])
@pytest.mark.parametrize("name", list(SCHEDULES))
def test_a_resumed_run_is_bit_identical_to_the_uninterrupted_one(tmp_path, name, cut):
    whole, h = run([SCHEDULES[name]()])
    lrs = h.history["lr"]
    assert lrs[0] == 0.1 and any(lrs[e] != lrs[e - 1] for e in range(4, EPOCHS))  # changes late

    path = tmp_path / "ckpt.npz"
    ckpt = gn.ModelCheckpoint(path)
    if cut == "fewer_epochs":  # checkpoint listed first: fit orders the hooks itself
        run([ckpt, SCHEDULES[name]()], epochs=4)
    elif cut == "ctrl_c_between_epochs":
        assert run([SCHEDULES[name](), ckpt, StopAfter(3)])[1].stopped == "interrupted"
    else:
        assert run([SCHEDULES[name](), ckpt, StopInside(4)])[1].stopped == "interrupted"
    opt = gn.load_checkpoint(path)[1]
    reached = lrs[4] if name == "plateau" else lrs[3]  # the plateau sets epoch 4's after epoch 3
    assert opt.lr == reached and opt.initial_lr == 0.1  # the lr reached; the one to scale

    state, net, h2 = resume(path, name)
    assert state["epoch"] == 4 and h2.epochs == [4, 5, 6, 7]
    for key, values in h.history.items():
        assert state["history"]["history"][key] + h2.history[key] == values  # exact floats
    for p, q in zip(whole.parameters(), net.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


@pytest.mark.parametrize("name", ["plateau", "step"])
def test_ctrl_c_after_a_callback_counted_the_epoch_but_before_the_save(tmp_path, name):
    """Ctrl-C at the end of epoch 3, after ReduceLROnPlateau counted it, before the checkpoint
    saved it: the file holds epoch 3's start, the plateau's state included, so the resumed run
    counts epoch 3 once and ends bit for bit like the uninterrupted one."""
    whole, h = run([SCHEDULES[name]()])
    path = tmp_path / "ckpt.npz"
    # epoch_end order: the stateful plateau first, then the others as listed: the stop, the save
    cut = run([SCHEDULES[name](), StopAfter(3), gn.ModelCheckpoint(path)])[1]
    assert cut.stopped == "interrupted" and cut.epochs == [0, 1, 2, 3]
    state, net, h2 = resume(path, name)
    assert state["epoch"] == 3 and h2.epochs == [3, 4, 5, 6, 7]  # epoch 3 runs again
    if name == "plateau":
        assert state["reduce_lr_on_plateau"][0]["best"] == min(h.history["loss"][:3])
    for key, values in h.history.items():
        assert state["history"]["history"][key] + h2.history[key] == values  # exact floats
    for p, q in zip(whole.parameters(), net.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_the_plateau_state_saved_is_that_after_the_epoch(tmp_path):
    plateau = gn.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0)
    path = tmp_path / "ckpt.npz"
    _, h = run([gn.ModelCheckpoint(path), plateau], epochs=4)
    meta, arrays = gn.load_checkpoint(path)[2]["reduce_lr_on_plateau"]
    assert meta == {"monitor": "loss", "mode": "min", "best": min(h.history["loss"]),
                    "wait": plateau.wait, "cooldown_counter": 0} and arrays == {}  # fmt: skip
    assert gn.load_checkpoint(path)[1].lr == plateau.optimizer.lr  # after this epoch's drop


def test_a_plateau_state_of_another_metric_is_refused():
    plateau = gn.ReduceLROnPlateau(monitor="val_loss")
    with pytest.raises(ValueError) as info:
        plateau.load_state_dict(*gn.ReduceLROnPlateau(monitor="loss").state_dict())
    assert str(info.value) == (
        "the plateau state was saved with monitor='loss', mode='min' but this ReduceLROnPlateau "
        "has monitor='val_loss', mode='min'. Use ReduceLROnPlateau(monitor='loss', mode='min') "
        "to continue that run, or do not load the state to start plateau afresh."
    )


def test_early_stopping_and_plateau_are_saved_side_by_side(tmp_path):
    path = tmp_path / "ckpt.npz"
    stop = gn.EarlyStopping(monitor="loss", patience=50)
    plateau = gn.ReduceLROnPlateau(monitor="loss", patience=0)
    run([gn.ModelCheckpoint(path), plateau, stop], epochs=3)
    state = gn.load_checkpoint(path)[2]
    assert state["early_stopping"][0]["wait"] == stop.wait
    assert state["reduce_lr_on_plateau"][0]["wait"] == plateau.wait
    assert len(state["early_stopping"][1]) == 4 and state["reduce_lr_on_plateau"][1] == {}


def test_a_checkpoint_from_before_schedules_still_loads(tmp_path):
    """An older file: no "callback_states" list, no initial_lr; early stopping's state at the top."""
    path = tmp_path / "old.npz"
    net, stop = gn.mlp("2,3,2", seed=0), gn.EarlyStopping(monitor="loss")
    stop.wait = 2
    serialize.save_checkpoint(net, path, optimizer=gn.SGD(net.parameters(), lr=0.3),
                              state={"epoch": 5}, early_stopping=stop)  # fmt: skip
    meta, arrays = serialize._read(path)
    del meta["callback_states"], meta["optimizer"]["initial_lr"]
    serialize._write_npz(path, arrays, meta)
    _, opt, state = gn.load_checkpoint(path)
    assert state["epoch"] == 5 and state["early_stopping"][0]["wait"] == 2
    assert opt.lr == 0.3 and opt.initial_lr is None  # a schedule then starts from lr 0.3


def test_a_history_from_before_schedules_gets_its_constant_lr(tmp_path):
    """Those runs kept one lr, the optimiser's: the loaded history holds it for every epoch, so
    a resumed run's "lr" list is as long as its "loss" list."""
    path = tmp_path / "old.npz"
    net = gn.mlp("2,3,2", seed=0)
    old = {"history": {"loss": [0.9, 0.7, 0.6]}, "epochs": [0, 1, 2], "params": {}, "stopped": None}
    serialize.save_checkpoint(net, path, optimizer=gn.SGD(net.parameters(), lr=0.3),
                              state={"epoch": 3, "history": old})  # fmt: skip
    meta, arrays = serialize._read(path)
    del meta["optimizer"]["initial_lr"]  # as written before schedules
    serialize._write_npz(path, arrays, meta)
    net, opt, state = gn.load_checkpoint(path)
    assert state["history"]["history"] == {"loss": [0.9, 0.7, 0.6], "lr": [0.3, 0.3, 0.3]}
    before = gn.callbacks.History.from_dict(state["history"])
    X, y = blobs()
    h = net.fit(X, y, loss="cross_entropy", optimizer=opt, epochs=5, initial_epoch=3,
                batch_size=16, seed=0, verbose=0)  # fmt: skip
    from glassnet.cli._checkpoint import merge_history

    merged = merge_history(before.to_dict(), h).history
    assert len(merged["lr"]) == len(merged["loss"]) == 5 and merged["lr"][:3] == [0.3] * 3
    # a file written with schedules is left as it is
    serialize.save_checkpoint(net, path, optimizer=opt, state={"epoch": 5, "history": old})
    assert "lr" not in gn.load_checkpoint(path)[2]["history"]["history"]


def test_a_callback_state_under_a_reserved_name_is_refused(tmp_path):
    class Clash(gn.Callback):
        state_key = "epoch"

        def state_dict(self):
            return {}, {}

    with pytest.raises(ValueError, match="Clash.state_key must name its state .* got 'epoch'"):
        serialize.save_checkpoint(gn.mlp("2,2", seed=0), tmp_path / "c.npz", state={"epoch": 1},
                                  callbacks=[Clash()])  # fmt: skip
