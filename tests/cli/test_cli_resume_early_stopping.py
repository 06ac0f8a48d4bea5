"""glassnet train --early-stopping with --checkpoint and --resume: a resumed run stops at the
epoch, with the weights and the history, of an uninterrupted one."""

import json

import numpy as np

from glassnet import load
from glassnet.cli import _common as common
from glassnet.cli import main

# Adam at lr 0.1: the loss on iris bounces, so patience 2 stops the run after a few epochs
BASE = ["train", "--data", "iris", "--hidden", "16", "--lr", "0.1", "--batch-size", "16",
        "--seed", "3", "--early-stopping", "2"]  # fmt: skip


def train_json(capsys, argv, status=0):
    assert main(argv + ["--json"]) == status
    return json.loads(capsys.readouterr().out)


def same_weights(a, b):
    return all(
        np.array_equal(p.value, q.value)
        for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


def test_resumed_early_stopping_equals_the_uninterrupted_run(tmp_path, capsys):
    ckpt_a, ckpt_b = tmp_path / "a.ckpt.npz", tmp_path / "b.ckpt.npz"
    full, part, again = tmp_path / "full.npz", tmp_path / "part.npz", tmp_path / "again.npz"
    argv = BASE + ["--epochs", "100", "--checkpoint", str(ckpt_a), "--save", str(full)]
    whole = train_json(capsys, argv)
    stop_epoch = whole["history"]["epochs"][-1]
    assert whole["stopped"] == "early_stopping" and 3 <= stop_epoch < 99

    # the same run cut short after epoch stop_epoch - 1, which did not improve, then resumed
    assert main(BASE + ["--epochs", str(stop_epoch), "--checkpoint", str(ckpt_b), "--quiet"]) == 0
    assert common.load_checkpoint(ckpt_b)[2]["early_stopping"][0]["wait"] == 1
    capsys.readouterr()
    argv = BASE + ["--epochs", "100", "--checkpoint", str(ckpt_b), "--resume", "--save", str(part)]
    resumed = train_json(capsys, argv)
    assert resumed["stopped"] == "early_stopping"
    assert resumed["history"]["epochs"] == whole["history"]["epochs"]
    assert resumed["history"]["history"] == whole["history"]["history"]
    assert resumed["metrics"] == whole["metrics"]
    assert same_weights(load(full), load(part))  # the best epoch's weights, bit for bit
    assert same_weights(common.load_checkpoint(ckpt_a)[0], common.load_checkpoint(ckpt_b)[0])

    # resuming the run that had stopped trains nothing more and keeps its best weights
    argv = BASE + ["--epochs", "100", "--checkpoint", str(ckpt_a), "--resume", "--save", str(again)]
    finished = train_json(capsys, argv)
    assert finished["stopped"] == "early_stopping" and finished["history"] == resumed["history"]
    assert same_weights(load(full), load(again))


def test_resume_with_another_monitor_is_refused(tmp_path, capsys):
    ckpt = tmp_path / "c.npz"
    assert main(BASE + ["--epochs", "2", "--checkpoint", str(ckpt), "--quiet"]) == 0
    argv = BASE + ["--epochs", "4", "--checkpoint", str(ckpt), "--resume"]
    assert main(argv + ["--validation-split", "0.2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (
        "saved with monitor='loss', mode='min' but this EarlyStopping has monitor='val_loss'" in err
    )
    assert "resume with the --validation-split of the run that wrote the checkpoint" in err


def test_a_checkpoint_without_early_stopping_state_resumes_afresh(tmp_path, capsys):
    ckpt = tmp_path / "old.npz"  # like a checkpoint from before early stopping was saved
    argv = BASE[:-2] + ["--epochs", "2", "--checkpoint", str(ckpt), "--quiet"]
    assert main(argv) == 0
    assert "early_stopping" not in common.load_checkpoint(ckpt)[2]
    assert main(BASE + ["--epochs", "4", "--checkpoint", str(ckpt), "--resume"]) == 0
    assert "holds no early-stopping state" in capsys.readouterr().err
    assert common.load_checkpoint(ckpt)[2]["early_stopping"][0]["monitor"] == "loss"
