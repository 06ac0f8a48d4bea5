"""glassnet train --dropout and --weight-decay: in the model and the optimiser, doing what they
say, kept through a checkpoint so a resume stays bit-identical, and refused when a resume asks
for other values."""

from __future__ import annotations

import json

import numpy as np

from glassnet import Dropout, load
from glassnet.cli import main

IRIS = ["train", "--data", "iris", "--hidden", "16,8", "--lr", "0.05", "--batch-size", "16"]


def run_json(capsys, argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_dropout_layers_and_weight_decay_reach_the_model(tmp_path, capsys):
    model = tmp_path / "m.npz"
    argv = [*IRIS, "--epochs", "30", "--dropout", "0.3", "--optimizer", "sgd"]
    result = run_json(capsys, [*argv, "--weight-decay", "0.01", "--save", str(model)])
    net = load(model)
    drops = [layer for layer in net.layers if isinstance(layer, Dropout)]
    assert [d.p for d in drops] == [0.3, 0.3]  # after each hidden activation
    assert "weight_decay=0.01" in result["history"]["params"]["optimizer"]
    assert result["settings"]["dropout"] == 0.3 and result["metrics"]["accuracy"] > 0.8


def test_weight_decay_shrinks_the_weights(tmp_path, capsys):
    sizes = {}
    for decay in ("0", "0.05"):
        path = tmp_path / f"m{decay}.npz"
        argv = [*IRIS, "--epochs", "40", "--optimizer", "sgd", "--weight-decay", decay]
        run_json(capsys, [*argv, "--save", str(path)])
        sizes[decay] = sum(float((p.value**2).sum()) for p in load(path).parameters())
    assert sizes["0.05"] < 0.8 * sizes["0"]


def test_resume_keeps_dropout_and_decay_bit_for_bit_and_refuses_others(tmp_path, capsys):
    base = [*IRIS, "--quiet", "--dropout", "0.2", "--weight-decay", "0.001", "--seed", "4"]
    full, part = tmp_path / "full.npz", tmp_path / "part.npz"
    ckpt_a, ckpt_b = tmp_path / "a.ckpt.npz", tmp_path / "b.ckpt.npz"
    assert main([*base, "--epochs", "4", "--checkpoint", str(ckpt_a), "--save", str(full)]) == 0
    assert main([*base, "--epochs", "2", "--checkpoint", str(ckpt_b)]) == 0
    resume = ["--epochs", "4", "--checkpoint", str(ckpt_b), "--resume"]
    assert main([*base, *resume, "--save", str(part)]) == 0
    for p, q in zip(load(full).parameters(), load(part).parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)  # dropout masks and decay as uninterrupted
    capsys.readouterr()
    plain = [*IRIS, "--quiet", "--seed", "4", *resume]
    assert main([*plain, "--weight-decay", "0.1"]) == 2
    assert "--weight-decay 0.1: the checkpoint trained with weight decay 0.001" in (
        capsys.readouterr().err
    )
    assert main([*plain, "--dropout", "0.5"]) == 2
    assert "--dropout 0.5: the checkpoint's network has dropout [0.2]" in capsys.readouterr().err


def test_clip_norm_reaches_fit_and_a_resume_keeps_it_bit_for_bit(tmp_path, capsys):
    base = [*IRIS, "--quiet", "--optimizer", "sgd", "--lr", "0.3", "--seed", "2"]
    clipped = run_json(capsys, [*base, "--epochs", "3", "--clip-norm", "0.05"])
    free = run_json(capsys, [*base, "--epochs", "3"])
    assert clipped["history"]["params"]["clip_norm"] == 0.05
    assert "clip_norm" not in free["history"]["params"]
    assert clipped["history"]["history"]["loss"] != free["history"]["history"]["loss"]
    full, part, ckpt = tmp_path / "full.npz", tmp_path / "part.npz", tmp_path / "c.npz"
    assert main([*base, "--epochs", "4", "--clip-norm", "0.05", "--save", str(full)]) == 0
    assert main([*base, "--epochs", "2", "--clip-norm", "0.05", "--checkpoint", str(ckpt)]) == 0
    resume = ["--epochs", "4", "--checkpoint", str(ckpt), "--resume", "--save", str(part)]
    assert main([*base, *resume]) == 0  # no --clip-norm typed: the checkpoint's goes on
    for p, q in zip(load(full).parameters(), load(part).parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)
    capsys.readouterr()
    assert main([*base, "--epochs", "1", "--clip-norm", "0"]) == 2
    assert "--clip-norm must be a number > 0; got 0.0" in capsys.readouterr().err


def test_jit_compile_chooses_the_step_and_says_why_it_cannot(tmp_path, capsys):
    from glassnet.fast import jit

    base = [*IRIS, "--quiet", "--optimizer", "sgd", "--epochs", "3", "--seed", "1"]
    auto = run_json(capsys, base)  # iris's 4-16-8-3 network is too small to gain
    off = run_json(capsys, [*base, "--jit-compile", "off"])
    assert auto["history"]["params"]["compiled_step"] is False
    assert off["history"]["params"]["compiled_step"] is False
    assert off["history"]["history"]["loss"] == auto["history"]["history"]["loss"]
    if jit.enabled():
        on = run_json(capsys, [*base, "--jit-compile", "on"])
        assert on["history"]["params"]["compiled_step"] is True
        np.testing.assert_allclose(on["history"]["history"]["loss"],
                                   off["history"]["history"]["loss"], rtol=1e-5)  # fmt: skip
        dropped = run_json(capsys, [*base, "--jit-compile", "on", "--dropout", "0.2"])
        assert dropped["history"]["params"]["compiled_step"] is True  # Dropout compiles too
    assert main([*base, "--jit-compile", "on", "--loss", "huber"]) == 2
    assert "the loss is huber" in capsys.readouterr().err
    config = tmp_path / "run.toml"
    config.write_text('jit_compile = "always"\n')
    assert main([*base, "--config", str(config)]) == 2
    assert "jit_compile must be auto, on or off; got 'always'" in capsys.readouterr().err
