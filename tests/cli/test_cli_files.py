"""glassnet train / predict never replace what is not theirs, check their destinations before
training, keep the umask's mode, never lose a trained model, and refuse a --resume that changes
the run."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

import numpy as np

import glassnet as gn
from glassnet.cli import _common as common
from glassnet.cli import _files, main

IRIS = ["--data", "iris", "--hidden", "8", "--epochs", "2", "--quiet"]


def _csv(tmp_path, name="train.csv"):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2)).round(4)
    y = (X[:, 0] > X[:, 1]).astype(int)
    path = tmp_path / name
    path.write_text("a,b,y\n" + "".join(f"{a},{b},{t}\n" for (a, b), t in zip(X, y, strict=True)))
    return path


def _error(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


def test_save_onto_the_training_csv_is_refused_before_training(tmp_path, capsys):
    """--save onto the training CSV replaced it."""
    data = _csv(tmp_path)
    before = data.read_text()
    argv = ["train", "--data", str(data), "--target", "y", "--epochs", "2"]
    assert main([*argv, "--save", str(data)]) == 2
    err = _error(capsys)
    assert f"--save {data}: {data} exists and is not a glassnet model file" in err
    assert "add --force to replace it" in err
    assert data.read_text() == before
    assert main([*argv, "--checkpoint", str(data)]) == 2
    assert "--checkpoint" in _error(capsys) and data.read_text() == before
    assert main([*argv, "--save", str(data), "--force", "--quiet"]) == 0  # asked for: replaced
    assert gn.load(data).in_features == 2


def test_a_directory_or_special_file_is_refused_even_with_force(tmp_path, capsys):
    folder = tmp_path / "models"
    folder.mkdir()
    for extra in ([], ["--force"]):
        assert main(["train", *IRIS, "--save", str(folder), *extra]) == 2
        assert "is a directory; give a file path" in _error(capsys)
    if not hasattr(os, "mkfifo"):  # pragma: no cover - Windows
        return
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["train", *IRIS, "--save", str(fifo), "--force"]) == 2
    assert "is not a regular file (a device, pipe or socket)" in _error(capsys)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_an_unwritable_folder_is_found_before_training(tmp_path, capsys, monkeypatch):
    """Saving into a read-only folder was tried only after training, and the run was lost."""
    folder = tmp_path / "ro"
    folder.mkdir()
    real_access = os.access
    if os.geteuid() == 0:  # root writes anywhere: stand in for a read-only folder
        monkeypatch.setattr(
            os, "access", lambda p, mode: False if str(p) == str(folder) else real_access(p, mode)
        )
    else:  # pragma: no cover - the suite runs as root here
        folder.chmod(0o500)
    trained = []
    monkeypatch.setattr("glassnet.cli.train_cmd.fit", lambda *a, **k: trained.append(1))
    try:
        assert main(["train", *IRIS, "--save", str(folder / "m.npz")]) == 2
    finally:
        folder.chmod(0o700)
    err = _error(capsys)
    assert f"--save {folder / 'm.npz'}: cannot write" in err and "is not writable" in err
    assert trained == []  # refused before any training


def test_a_save_that_fails_after_training_writes_the_model_beside_it(tmp_path, capsys, monkeypatch):
    """A failed save after training ended in a traceback naming a temp file; the run was gone."""
    target = tmp_path / "m.npz"

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(common, "save_checkpoint", disk_full)
    assert main(["train", *IRIS, "--save", str(target)]) == 1
    captured = capsys.readouterr()
    assert "test accuracy" in captured.out  # the report still comes
    assert f"could not save the model to {target}" in captured.err
    assert "No space left on device" in captured.err and "Traceback" not in captured.err
    rescued = [p for p in tmp_path.iterdir() if ".rescued-" in p.name]
    assert len(rescued) == 1 and f"saved to {rescued[0]} instead" in captured.err
    net, info = common.load_model(rescued[0])
    assert info["dataset"] == "iris" and net.in_features == 4 and not target.exists()


def test_the_rescue_falls_back_to_the_temporary_folder(tmp_path):
    paths = _files._rescue_paths(tmp_path / "gone" / "m.npz")  # its folder does not exist
    assert len(paths) == 1 and paths[0].parent == Path(tempfile.gettempdir())
    assert paths[0].name.startswith("glassnet-m.rescued-")


def test_a_saved_model_gets_the_umask_mode(tmp_path, capsys):
    """Saved files were always 0600."""
    saved = os.umask(0o022)
    try:
        assert main(["train", *IRIS, "--save", str(tmp_path / "m.npz")]) == 0
        assert main(["train", *IRIS, "--checkpoint", str(tmp_path / "c.npz")]) == 0
    finally:
        os.umask(saved)
    assert stat.S_IMODE(os.stat(tmp_path / "m.npz").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(tmp_path / "c.npz").st_mode) == 0o644


def test_predict_output_never_replaces_a_model(tmp_path, capsys):
    """predict --output model.npz replaced the model."""
    model = tmp_path / "m.npz"
    data = _csv(tmp_path)
    argv = ["train", "--data", str(data), "--target", "y", "--epochs", "2", "--quiet"]
    assert main([*argv, "--save", str(model)]) == 0
    capsys.readouterr()
    before = model.read_bytes()
    predict = ["predict", "--model", str(model), "--input", str(data)]
    assert main([*predict, "--output", str(model)]) == 2
    err = _error(capsys)
    assert f"--output {model}: {model} exists and is not a predictions file of this model" in err
    assert model.read_bytes() == before
    out = tmp_path / "out.csv"
    assert main([*predict, "--output", str(out)]) == 0
    assert main([*predict, "--output", str(out)]) == 0  # its own earlier output: replaced
    assert out.read_text().splitlines()[0] == "y" and len(out.read_text().splitlines()) == 61
    assert main([*predict, "--proba", "--output", str(out)]) == 2  # another header
    assert "(header proba_0,proba_1)" in _error(capsys)
    assert main([*predict, "--proba", "--output", str(out), "--force"]) == 0
    assert out.read_text().startswith("proba_0,proba_1")
    assert main([*predict, "--output", str(tmp_path)]) == 2
    assert "is a directory" in _error(capsys)


# --- --resume with other settings ----------------------------------------------------------------


def test_resume_refuses_changed_architecture_and_optimiser_flags(tmp_path, capsys):
    """--resume silently ignored changed --hidden, --optimizer and --lr."""
    ck = str(tmp_path / "ck.npz")
    first = [*IRIS, "--checkpoint", ck, "--optimizer", "sgd", "--lr", "0.05"]
    assert main(["train", *first]) == 0
    changed = ["--hidden", "16", "--optimizer", "adam", "--lr", "0.01", "--activation", "tanh",
               "--loss", "mse", "--dtype", "float64"]  # fmt: skip
    assert main(["train", *IRIS, "--checkpoint", ck, "--resume", *changed]) == 2
    err = _error(capsys)
    assert f"--resume: the run in {ck} was started with other settings" in err
    for part in (
        "--hidden 16 (the checkpoint's: 8)",
        "--activation tanh (the checkpoint's: relu)",
        "--dtype float64 (the checkpoint's: float32)",
        "--optimizer adam (the checkpoint's: sgd)",
        "--lr 0.01 (the checkpoint's: 0.05)",
        "--loss mse (the checkpoint's: cross_entropy)",
    ):
        assert part in err
    # the checkpoint's own values, or no such flag, resume (more epochs are fine)
    same = ["--optimizer", "sgd", "--lr", "0.05", "--activation", "relu", "--dtype", "float32"]
    assert main(["train", *IRIS, "--checkpoint", ck, "--resume", *same, "--epochs", "3"]) == 0
    layers = ["train", "--data", "iris", "--quiet", "--checkpoint", ck, "--resume"]
    assert main([*layers, "--layers", "auto,8,auto", "--epochs", "3"]) == 0
    assert main([*layers, "--layers", "auto,8,4,auto"]) == 2
    assert "--layers auto,8,4,auto (the checkpoint's: 4,8,3)" in _error(capsys)
    assert main(["train", "--data", "iris", "--checkpoint", ck, "--resume", "--epochs", "4",
                 "--quiet"]) == 0  # fmt: skip
    assert gn.load_checkpoint(ck)[2]["epoch"] == 4


def test_resume_refuses_changed_flags_from_the_config_file(tmp_path, capsys):
    ck = str(tmp_path / "ck.npz")
    assert main(["train", *IRIS, "--checkpoint", ck]) == 0
    config = tmp_path / "run.toml"
    config.write_text('hidden = "4"\n')
    assert main(["train", *IRIS[:2], "--config", str(config), "--checkpoint", ck,
                 "--resume"]) == 2  # fmt: skip
    assert "--hidden 4 (the checkpoint's: 8)" in _error(capsys)
