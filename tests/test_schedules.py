"""Learning-rate schedules: the lr of every epoch worked out by hand, what fit does with it
(history["lr"], training that follows the lr), ReduceLROnPlateau's patience and cooldown step by
step, and bad arguments refused with messages that name them."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.callbacks import EpochSchedule

X = np.random.default_rng(0).normal(size=(40, 2))
Y = (X[:, 0] + X[:, 1] > 0).astype(int)


def lr_history(callbacks, lr=0.8, epochs=8, optimizer="sgd"):
    """history["lr"] of a short fit with these callbacks."""
    h = gn.mlp("2,3,2", seed=0).fit(X, Y, loss="cross_entropy", optimizer=optimizer, lr=lr,
                                    epochs=epochs, seed=0, callbacks=callbacks, verbose=0)  # fmt: skip
    return h.history["lr"]


# -- the lr of each epoch, by hand ----------------------------------------------------------
def test_step_lr_halves_every_three_epochs():
    # 0.8 * 0.5 ** (e // 3): powers of two, so exact
    assert lr_history([gn.StepLR(3, 0.5)]) == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2]


def test_step_lr_default_gamma_is_pytorchs_tenth():
    assert gn.StepLR(2).lr_at(5, lr0=1.0) == 1.0 * 0.1**2


def test_exponential_lr_multiplies_every_epoch():
    assert lr_history([gn.ExponentialLR(0.5)], epochs=5) == [0.8, 0.4, 0.2, 0.1, 0.05]


def test_cosine_annealing_by_hand():
    # 0.1 + 0.4 (1 + cos(pi e / 4)) / 2: cos = 1, 1/sqrt(2), 0, -1/sqrt(2), -1, then back up
    r = 1 / math.sqrt(2)
    expected = [0.5, 0.1 + 0.2 * (1 + r), 0.3, 0.1 + 0.2 * (1 - r), 0.1, 0.1 + 0.2 * (1 - r)]
    got = lr_history([gn.CosineAnnealingLR(T_max=4, eta_min=0.1)], lr=0.5, epochs=6)
    assert got == pytest.approx(expected, abs=1e-15)
    assert got[4] == 0.1  # reached exactly at T_max: cos(pi) = -1


def test_keras_schedule_gets_the_epoch_and_the_current_lr():
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return lr * 0.5 if epoch % 2 else lr

    assert lr_history([gn.LearningRateScheduler(schedule)], epochs=5) == [0.8, 0.4, 0.4, 0.2, 0.2]
    assert seen == [(0, 0.8), (1, 0.8), (2, 0.4), (3, 0.4), (4, 0.2)]


def test_a_user_defined_epoch_schedule():
    class InverseTime(EpochSchedule):
        def lr_at(self, epoch, lr0):
            return lr0 / (1 + epoch)

    assert lr_history([InverseTime()], lr=1.0, epochs=4) == [1.0, 0.5, 1 / 3, 0.25]


def test_without_a_schedule_every_epoch_logs_the_constant_lr():
    assert lr_history([], lr=0.3, epochs=3) == [0.3, 0.3, 0.3]


# -- fit trains with the scheduled lr --------------------------------------------------------
def test_a_scheduled_fit_is_one_fit_per_epoch_at_that_lr():
    """SGD with momentum: the schedule equals setting the lr by hand before every epoch."""
    args = dict(loss="cross_entropy", batch_size=8, seed=3, verbose=0)
    scheduled = gn.mlp("2,4,2", seed=1)
    opt = gn.get_optimizer("momentum", lr=0.2)
    h = scheduled.fit(X, Y, optimizer=opt, epochs=4, callbacks=[gn.StepLR(1, 0.5)], **args)
    assert h.history["lr"] == [0.2, 0.1, 0.05, 0.025]

    by_hand, opt = gn.mlp("2,4,2", seed=1), gn.get_optimizer("momentum", lr=0.2)
    for epoch, lr in enumerate([0.2, 0.1, 0.05, 0.025]):
        by_hand.fit(X, Y, optimizer=opt, lr=lr, epochs=epoch + 1, initial_epoch=epoch, **args)
    for p, q in zip(scheduled.parameters(), by_hand.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)

    constant = gn.mlp("2,4,2", seed=1)
    constant.fit(X, Y, optimizer="momentum", lr=0.2, epochs=4, **args)
    assert not np.array_equal(constant.parameters()[0].value, scheduled.parameters()[0].value)


def test_a_schedule_that_never_changes_the_lr_changes_nothing():
    args = dict(loss="cross_entropy", optimizer="adam", lr=0.05, epochs=4, seed=2, verbose=0)
    a, b = gn.mlp("2,4,2", seed=1), gn.mlp("2,4,2", seed=1)
    ha = a.fit(X, Y, **args)
    hb = b.fit(X, Y, callbacks=[gn.StepLR(step_size=100, gamma=0.5)], **args)
    assert ha.history == hb.history
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_every_callback_gets_the_optimizer_before_training():
    class Spy(gn.Callback):
        def on_train_begin(self, net):
            self.seen = self.optimizer

    spy, opt = Spy(), gn.SGD(lr=0.1)
    gn.mlp("2,2", seed=0).fit(X, Y, loss="cross_entropy", optimizer=opt, epochs=1,
                              callbacks=[spy], verbose=0)  # fmt: skip
    assert spy.seen is opt


def test_the_schedule_starts_from_the_lr_given_to_fit_and_continues_across_fits():
    net, opt = gn.mlp("2,2", seed=0), gn.SGD(lr=0.8)
    args = dict(loss="cross_entropy", optimizer=opt, seed=0, verbose=0)
    assert net.fit(X, Y, epochs=2, callbacks=[gn.ExponentialLR(0.5)], **args).history["lr"] == [
        0.8,
        0.4,
    ]
    assert opt.initial_lr == 0.8 and opt.lr == 0.4
    h = net.fit(X, Y, epochs=4, initial_epoch=2, callbacks=[gn.ExponentialLR(0.5)], **args)
    assert h.history["lr"] == [0.2, 0.1]  # 0.8 * 0.5 ** e: continued, not restarted from 0.1
    h = net.fit(X, Y, lr=0.6, epochs=2, callbacks=[gn.ExponentialLR(0.5)], **args)
    assert h.history["lr"] == [0.6, 0.3] and opt.initial_lr == 0.6  # a new lr: a new start


def test_the_progress_line_shows_the_lr(capsys):
    gn.mlp("2,2", seed=0).fit(X, Y, loss="cross_entropy", optimizer="sgd", lr=0.8, epochs=2,
                              callbacks=[gn.StepLR(1, 0.5)], seed=0, verbose=2)  # fmt: skip
    lines = capsys.readouterr().err.splitlines()
    assert "  lr 0.8  " in lines[0] and "  lr 0.4  " in lines[1]


# -- ReduceLROnPlateau by hand -----------------------------------------------------------------
class FakeOptimizer:
    def __init__(self, lr):
        self.lr, self.initial_lr = lr, None


def plateau_run(plateau, values, lr=1.0):
    """(lr, wait, cooldown_counter) after each epoch's value."""
    plateau.optimizer = FakeOptimizer(lr)
    plateau.on_train_begin(None)
    out = []
    for epoch, value in enumerate(values):
        plateau.on_epoch_end(epoch, {plateau.monitor: value})
        out.append((plateau.optimizer.lr, plateau.wait, plateau.cooldown_counter))
    return out


def test_plateau_patience_and_cooldown_by_hand():
    plateau = gn.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, cooldown=2)
    values = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.6, 0.6, 0.6]
    got = plateau_run(plateau, values)
    # epoch 3: 2 bad epochs > patience 1 -> halve, cooldown 2; epochs 4, 5 cool down (wait
    # stays 0); epochs 6, 7 bad again -> halve; 8 improves; 9 cools down; 10, 11 bad -> halve
    assert [g[0] for g in got] == [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125]
    assert [g[1] for g in got] == [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]
    assert [g[2] for g in got] == [0, 0, 0, 2, 1, 0, 0, 2, 1, 0, 0, 2]
    assert plateau.best == 0.5


def test_plateau_min_delta_min_lr_and_mode_max():
    # a gain of 0.05 < min_delta 0.1 is no improvement; the lr stops at min_lr 0.3
    plateau = gn.ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=0, min_delta=0.1,
                                   min_lr=0.3)  # fmt: skip
    assert plateau.mode == "max"  # "auto" for an accuracy
    got = plateau_run(plateau, [0.5, 0.55, 0.7, 0.72, 0.9, 0.9])
    assert [g[0] for g in got] == [1.0, 0.5, 0.5, 0.3, 0.3, 0.3]
    assert plateau.best == 0.9


def test_plateau_in_fit_lowers_the_lr_of_the_next_epoch():
    # lr 3 on SGD: the loss rises or stalls quickly; patience 0 halves the lr after a bad epoch
    plateau = gn.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0)
    h = gn.mlp("2,8,2", seed=0).fit(X, Y, loss="cross_entropy", optimizer="sgd", lr=3.0, epochs=12,
                                    seed=0, callbacks=[plateau], verbose=0)  # fmt: skip
    loss, lr = h.history["loss"], h.history["lr"]
    best = math.inf
    for e in range(11):  # the rule replayed on the logged losses
        improved = loss[e] < best - 1e-4
        best = min(best, loss[e]) if improved else best
        assert lr[e + 1] == (lr[e] if improved else lr[e] * 0.5)
    assert lr[0] == 3.0 and lr[-1] < 3.0


# -- bad arguments ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: gn.StepLR(0), ValueError, "step_size must be a positive integer; got 0"),
        (lambda: gn.StepLR(2.5), TypeError, "step_size must be a positive integer; got 2.5"),
        (lambda: gn.StepLR(2, gamma=0), ValueError, "gamma must be a finite number > 0; got 0.0"),
        (lambda: gn.ExponentialLR("0.9"), TypeError, "gamma must be a positive number; got '0.9'"),
        (lambda: gn.CosineAnnealingLR(0), ValueError, "T_max must be a positive integer; got 0"),
        (lambda: gn.CosineAnnealingLR(5, eta_min=-1), ValueError,
         "eta_min must be a finite number >= 0; got -1.0"),
        (lambda: gn.LearningRateScheduler(0.1), TypeError,
         "schedule must be a function schedule(epoch, lr) -> lr"),
        (lambda: gn.ReduceLROnPlateau(factor=1.0), ValueError,
         "factor must be a number in (0, 1): the lr is multiplied by it at each drop; got 1.0"),
        (lambda: gn.ReduceLROnPlateau(patience=-1), ValueError,
         "patience must be an integer >= 0; got -1"),
        (lambda: gn.ReduceLROnPlateau(cooldown=1.5), ValueError,
         "cooldown must be an integer >= 0; got 1.5"),
        (lambda: gn.ReduceLROnPlateau(min_lr=-0.1), ValueError,
         "min_lr must be a finite number >= 0; got -0.1"),
        (lambda: gn.ReduceLROnPlateau(min_delta=math.nan), ValueError,
         "min_delta must be a finite number >= 0; got nan"),
        (lambda: gn.ReduceLROnPlateau(mode="avg"), ValueError,
         "mode must be 'auto', 'min' or 'max'; got 'avg'"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused_by_name(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("returned", "error", "message"),
    [
        ("0.1", TypeError, "the learning-rate schedule returned '0.1' (str) for epoch 0; it must "
                           "return the learning rate as a number"),
        (None, TypeError, "returned None (NoneType) for epoch 0"),
        (-0.1, ValueError, "returned -0.1 for epoch 0; a learning rate must be a finite number >= 0"),
        (math.inf, ValueError, "returned inf for epoch 0"),
    ],
)  # fmt: skip
def test_a_schedule_returning_no_learning_rate_is_refused(returned, error, message):
    with pytest.raises(error) as info:
        lr_history([gn.LearningRateScheduler(lambda epoch, lr: returned)])
    assert message in str(info.value)


def test_schedules_outside_fit_say_they_need_its_optimizer():
    for cb in (gn.StepLR(2), gn.ReduceLROnPlateau(monitor="loss")):
        with pytest.raises(ValueError, match=r"has no optimiser .* pass it to fit\(callbacks"):
            cb.on_train_begin(None)


def test_plateau_on_a_metric_the_logs_lack():
    with pytest.raises(ValueError) as info:
        lr_history([gn.ReduceLROnPlateau()])
    assert str(info.value) == (
        "ReduceLROnPlateau monitors 'val_loss' but the logs have only ['accuracy', 'loss', 'lr']. "
        "Give validation data or monitor 'loss'."
    )
