"""glassnet train --lr-schedule: each form's lr per epoch in --json's history (by hand), the
config key, malformed values refused with the accepted forms, and --resume (after fewer
epochs, or Ctrl-C between or inside epochs) bit-identical to an uninterrupted run."""

import json
import math

import numpy as np
import pytest

from glassnet import load
from glassnet.cli import _common as common
from glassnet.cli import main

BASE = ["train", "--data", "iris", "--hidden", "16", "--batch-size", "16", "--seed", "3"]
SGD = ["--optimizer", "sgd", "--lr", "0.08"]


def train_json(capsys, argv, status=0):
    assert main(argv + ["--json"]) == status
    return json.loads(capsys.readouterr().out)


def lrs(capsys, schedule, epochs=5, extra=()):
    out = train_json(capsys, BASE + SGD + ["--epochs", str(epochs), "--lr-schedule", schedule,
                                           *extra])  # fmt: skip
    assert out["settings"]["lr_schedule"] == schedule
    return out["history"]["history"]["lr"]


def test_step_and_exponential_by_hand(capsys):
    assert lrs(capsys, "step:2:0.5") == [0.08, 0.08, 0.04, 0.04, 0.02]  # 0.08 * 0.5 ** (e // 2)
    assert lrs(capsys, "step:3") == pytest.approx([0.08, 0.08, 0.08, 0.008, 0.008], rel=1e-15)
    assert lrs(capsys, "exponential:0.5") == [0.08, 0.04, 0.02, 0.01, 0.005]


def test_cosine_runs_over_the_epochs(capsys):
    # T_max = --epochs = 4: 0.08 (1 + cos(pi e / 4)) / 2, and with MIN_LR 0.02 above it
    half = [(1 + math.cos(math.pi * e / 4)) / 2 for e in range(4)]
    assert lrs(capsys, "cosine", 4) == pytest.approx([0.08 * c for c in half], abs=1e-16)
    expected = [0.02 + 0.06 * c for c in half]
    assert lrs(capsys, "cosine:0.02", 4) == pytest.approx(expected, abs=1e-16)


def test_no_schedule_keeps_the_lr_and_none_says_so(capsys):
    constant = train_json(capsys, BASE + SGD + ["--epochs", "3"])
    assert constant["history"]["history"]["lr"] == [0.08] * 3
    assert lrs(capsys, "none", 3) == [0.08] * 3


def test_plateau_watches_val_loss_with_a_validation_split(capsys, tmp_path):
    ckpt = tmp_path / "c.npz"
    out = train_json(capsys, BASE + ["--lr", "0.2", "--epochs", "12", "--lr-schedule",
                                     "plateau:0.5:0", "--validation-split", "0.25",
                                     "--checkpoint", str(ckpt)])  # fmt: skip
    history = out["history"]["history"]
    val, lr = history["val_loss"], history["lr"]
    best = math.inf
    for e in range(11):  # patience 0: halved after every epoch that did not improve by 1e-4
        improved = val[e] < best - 1e-4
        best = val[e] if improved else best
        assert lr[e + 1] == (lr[e] if improved else lr[e] * 0.5)
    assert lr[-1] < 0.2  # it did drop
    meta = common.load_checkpoint(ckpt)[2]["reduce_lr_on_plateau"][0]
    assert meta["monitor"] == "val_loss" and meta["best"] == best


def test_config_key_is_the_flag_and_the_flag_wins(tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text('lr-schedule = "exponential:0.5"\n')
    from_file = train_json(capsys, BASE + SGD + ["--epochs", "3", "--config", str(config)])
    assert from_file["history"]["history"]["lr"] == [0.08, 0.04, 0.02]
    typed = train_json(capsys, BASE + SGD + ["--epochs", "3", "--config", str(config),
                                             "--lr-schedule", "step:1:0.25"])  # fmt: skip
    assert typed["history"]["history"]["lr"] == [0.08, 0.02, 0.005]


FORMS = "Accepted forms: step:N[:GAMMA] (multiply the lr by GAMMA, default 0.1, every N epochs"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("step", "--lr-schedule 'step': step needs N."),
        ("step:x:0.5", "--lr-schedule 'step:x:0.5': N must be a whole number; got 'x'."),
        ("step:0", "--lr-schedule 'step:0': N must be a positive integer; got 0."),
        ("step:10:0.5:2", "step takes at most N:GAMMA; got 10:0.5:2."),
        ("exponential", "--lr-schedule 'exponential': exponential needs GAMMA."),
        ("exponential:-1", "GAMMA must be a finite number > 0; got -1.0."),
        ("cosine:-0.1", "MIN_LR must be a finite number >= 0; got -0.1."),
        ("plateau:1.5", "FACTOR must be a number in (0, 1): the lr is multiplied by it"),
        ("plateau:0.5:2.5", "PATIENCE must be a whole number; got '2.5'."),
        ("linear", "--lr-schedule 'linear': unknown schedule 'linear'."),
        ("none:1", "none takes no value; got 1."),
    ],
)
def test_malformed_values_exit_2_naming_the_flag_and_the_forms(capsys, value, message):
    assert main(BASE + ["--epochs", "2", "--lr-schedule", value, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and FORMS in err
    for form in ("exponential:GAMMA", "cosine[:MIN_LR]", "plateau[:FACTOR[:PATIENCE]]", "none"):
        assert form in err


def test_malformed_config_values(tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text('lr-schedule = "cosine:low"\n')
    assert main(BASE + ["--config", str(config), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--lr-schedule 'cosine:low': MIN_LR must be a number; got 'low'." in err
    config.write_text("lr-schedule = 0.5\n")
    assert main(BASE + ["--config", str(config), "--quiet"]) == 2
    assert "config key 'lr-schedule' expects a string; got 0.5." in capsys.readouterr().err


def test_help_explains_every_form(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("--lr-schedule SCHEDULE", "step:N[:GAMMA] multiplies it by GAMMA",
                  "exponential:GAMMA", "cosine[:MIN_LR]", "plateau[:FACTOR[:PATIENCE]]",
                  "--lr-schedule step:10:0.5", "A --resume keeps the checkpoint's schedule"):  # fmt: skip
        assert words in text


# -- resuming ----------------------------------------------------------------------------------
def same_weights(a, b):
    return all(
        np.array_equal(p.value, q.value)
        for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


def interrupt_at(monkeypatch, epoch, inside):
    """Ctrl-C after the checkpoint of ``epoch`` is written, or in its second batch."""
    original = common.CLICheckpoint.on_epoch_end

    def after_saving(self, e, logs):
        original(self, e, logs)
        if e == epoch and not inside:
            raise KeyboardInterrupt

    def in_batch(self, batch, size, loss):
        if self._epoch_start and self._epoch_start[0] == epoch and batch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(common.CLICheckpoint, "on_epoch_end", after_saving)
    if inside:
        monkeypatch.setattr(common.CLICheckpoint, "on_batch_end", in_batch, raising=False)


PLATEAU = ["--lr", "0.2", "--lr-schedule", "plateau:0.5:0", "--validation-split", "0.25"]


@pytest.mark.parametrize(
    ("flags", "cut"),
    [
        (SGD + ["--lr-schedule", "step:2:0.5"], "fewer_epochs"),
        (SGD + ["--lr-schedule", "exponential:0.7"], "fewer_epochs"),
        (SGD + ["--lr-schedule", "cosine:0.001"], "ctrl_c_between_epochs"),
        (["--lr", "0.02", "--lr-schedule", "cosine"], "ctrl_c_inside"),  # Adam
        (PLATEAU, "fewer_epochs"),
        (PLATEAU, "ctrl_c_inside"),
    ],
    ids=["step", "exponential", "cosine", "cosine-adam", "plateau", "plateau-ctrl_c"],
)
def test_resume_is_bit_identical(tmp_path, capsys, monkeypatch, flags, cut):
    ckpt_a, ckpt_b = tmp_path / "a.ckpt.npz", tmp_path / "b.ckpt.npz"
    full, part = tmp_path / "full.npz", tmp_path / "part.npz"
    argv = BASE + flags + ["--epochs", "8", "--checkpoint", str(ckpt_a), "--save", str(full)]
    whole = train_json(capsys, argv)
    lr = whole["history"]["history"]["lr"]
    assert any(lr[e] != lr[e - 1] for e in range(4, 8))  # the lr changes after the cut

    first = BASE + flags + ["--checkpoint", str(ckpt_b)]
    if cut == "fewer_epochs":
        train_json(capsys, first + ["--epochs", "4"])
    else:
        inside = cut == "ctrl_c_inside"  # cut inside epoch 4: its start is saved
        interrupt_at(monkeypatch, 4 if inside else 3, inside)
        assert train_json(capsys, first + ["--epochs", "8"], status=130)["stopped"] == "interrupted"
        monkeypatch.undo()
    net, opt, state = common.load_checkpoint(ckpt_b)
    assert state["epoch"] == 4 and state["lr_schedule"] == flags[flags.index("--lr-schedule") + 1]
    # the lr reached, restored with the optimiser: epoch 3's, or the plateau's for epoch 4
    assert opt.lr == (lr[4] if state["lr_schedule"].startswith("plateau") else lr[3])

    # --resume without --lr-schedule: the checkpoint's schedule goes on
    no_flag = [a for a in BASE + flags if a != state["lr_schedule"] and a != "--lr-schedule"]
    argv = no_flag + ["--epochs", "8", "--checkpoint", str(ckpt_b), "--resume", "--save", str(part)]
    resumed = train_json(capsys, argv)
    assert resumed["history"]["epochs"] == whole["history"]["epochs"]
    assert resumed["history"]["history"] == whole["history"]["history"]  # lr and losses, exactly
    assert resumed["metrics"] == whole["metrics"]
    assert same_weights(load(full), load(part))


def test_resume_with_another_schedule_typed_uses_it(tmp_path, capsys):
    ckpt = tmp_path / "c.npz"
    train_json(capsys, BASE + SGD + ["--epochs", "2", "--lr-schedule", "step:1:0.5",
                                     "--checkpoint", str(ckpt)])  # fmt: skip
    out = train_json(capsys, BASE + ["--epochs", "4", "--lr-schedule", "none", "--checkpoint",
                                     str(ckpt), "--resume"])  # fmt: skip
    assert out["history"]["history"]["lr"] == [0.08, 0.04, 0.04, 0.04]  # kept where it was
    assert common.load_checkpoint(ckpt)[2]["lr_schedule"] == "none"


def test_plateau_resume_with_another_validation_split_is_refused(tmp_path, capsys):
    ckpt = tmp_path / "c.npz"
    train_json(capsys, BASE + PLATEAU + ["--epochs", "2", "--checkpoint", str(ckpt)])
    argv = BASE + ["--epochs", "4", "--checkpoint", str(ckpt), "--resume", "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "the plateau state was saved with monitor='val_loss', mode='min' but this " in err
    assert "resume with the --validation-split of the run that wrote the checkpoint" in err


def test_plateau_typed_on_resume_of_a_run_without_it_starts_afresh(tmp_path, capsys):
    ckpt = tmp_path / "c.npz"
    assert main(BASE + SGD + ["--epochs", "2", "--checkpoint", str(ckpt), "--quiet"]) == 0
    argv = BASE + ["--epochs", "3", "--lr-schedule", "plateau", "--checkpoint", str(ckpt)]
    assert main(argv + ["--resume"]) == 0
    err = capsys.readouterr().err
    assert "holds no plateau state (an older file, or a run without --lr-schedule plateau); " \
           "the plateau schedule starts afresh" in err  # fmt: skip
    assert common.load_checkpoint(ckpt)[2]["reduce_lr_on_plateau"][0]["monitor"] == "loss"
