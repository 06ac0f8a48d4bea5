"""Saving never replaces what is not a glassnet file (unless asked), never writes over a
directory or a special file, keeps the umask's mode, and checks a checkpoint's destination
before training starts."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

import glassnet as gn
from glassnet.saving import files, serialize

CSV = "x,y\n1,0\n2,1\n"


@pytest.fixture
def umask():
    """Set the process umask for a test, restoring it after."""
    saved = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(saved)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_saving_onto_a_file_that_is_not_a_model_is_refused_unless_overwrite(tmp_path):
    data = tmp_path / "train.csv"
    data.write_text(CSV)
    net = gn.mlp("2,1", seed=0)
    with pytest.raises(FileExistsError, match=r"train.csv exists and is not a glassnet model"):
        serialize.save(net, data)
    with pytest.raises(FileExistsError, match=r"pass overwrite=True to replace it"):
        gn.save_checkpoint(net, data)
    assert data.read_text() == CSV  # the training data is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.csv"]  # no temporary left
    serialize.save(net, data, overwrite=True)
    assert gn.load(data).n_params == 3


def test_a_glassnet_model_or_an_empty_file_is_replaced_without_asking(tmp_path):
    path = tmp_path / "m.npz"
    gn.mlp("2,1", seed=0).save(path)
    gn.mlp("3,1", seed=0).save(path)  # a model replaces a model
    gn.save_checkpoint(gn.mlp("4,1", seed=0), path, state={"epoch": 1})  # and a checkpoint
    assert gn.load(path).in_features == 4
    empty = tmp_path / "empty.npz"
    empty.touch()  # e.g. made by mktemp: nothing to lose
    gn.mlp("2,1", seed=0).save(empty)
    assert gn.load(empty).in_features == 2


def test_a_directory_or_special_file_is_never_written_over(tmp_path):
    net = gn.mlp("2,1", seed=0)
    folder = tmp_path / "models"
    folder.mkdir()
    for overwrite in (False, True):
        with pytest.raises(ValueError, match=r"models is a directory; give a file path"):
            serialize.save(net, folder, overwrite=overwrite)
    assert folder.is_dir() and not any(folder.iterdir())
    if not hasattr(os, "mkfifo"):  # pragma: no cover - Windows
        return
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for overwrite in (False, True):
        with pytest.raises(ValueError, match=r"pipe is not a regular file .*never writes over one"):
            serialize.save(net, fifo, overwrite=overwrite)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the pipe, not replaced by a model


def test_a_device_file_is_never_written_over():
    assert files.check_destination  # the same check as for a pipe, on a real device
    with pytest.raises(ValueError, match=r"/dev/null is not a regular file"):
        files.check_destination("/dev/null", overwrite=True)


def test_a_parent_that_is_a_file_is_named(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text(CSV)
    with pytest.raises(ValueError, match=r"data.csv is a file, not a folder"):
        gn.mlp("2,1").save(data / "model.npz")


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_get_the_umask_mode(tmp_path, umask, mask, expected):
    """Saved files were always 0600 whatever the umask (a temporary file's mode)."""
    umask(mask)
    path = tmp_path / "m.npz"
    gn.mlp("2,1", seed=0).save(path)
    gn.save_checkpoint(gn.mlp("2,1", seed=0), tmp_path / "c.npz")
    assert _mode(path) == expected and _mode(tmp_path / "c.npz") == expected


def test_a_replaced_file_keeps_its_mode(tmp_path, umask):
    umask(0o077)
    path = tmp_path / "m.npz"
    gn.mlp("2,1", seed=0).save(path)
    os.chmod(path, 0o640)
    gn.mlp("3,1", seed=0).save(path)
    assert _mode(path) == 0o640 and gn.load(path).in_features == 3


def test_a_symbolic_link_is_written_through(tmp_path):
    real = tmp_path / "v2.npz"
    gn.mlp("2,1", seed=0).save(real)
    link = tmp_path / "latest.npz"
    link.symlink_to(real)
    gn.mlp("3,1", seed=0).save(link)
    assert link.is_symlink() and gn.load(real).in_features == 3


def test_writability_is_checked_on_request(tmp_path):
    if os.geteuid() == 0:  # root writes anywhere: nothing to check
        pytest.skip("root bypasses folder permissions")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match=r"the folder .*ro is not writable"):
            files.check_destination(folder / "m.npz")
    finally:
        folder.chmod(0o700)


def test_model_checkpoint_checks_its_destination_before_training(tmp_path):
    data = tmp_path / "train.csv"
    data.write_text(CSV)
    net = gn.mlp("2,1", seed=0)
    before = [p.value.copy() for p in net.parameters()]
    X, T = np.ones((4, 2)), np.ones((4, 1))
    with pytest.raises(FileExistsError, match=r"train.csv exists and is not a glassnet model"):
        net.fit(X, T, epochs=3, verbose=0, callbacks=[gn.ModelCheckpoint(data)])
    assert data.read_text() == CSV
    for p, w in zip(net.parameters(), before, strict=True):  # no epoch ran
        np.testing.assert_array_equal(p.value, w)
    net.fit(X, T, epochs=1, verbose=0, callbacks=[gn.ModelCheckpoint(data, overwrite=True)])
    assert gn.load_checkpoint(data)[2]["epoch"] == 1


def test_sequential_save_takes_overwrite_as_the_function_does(tmp_path):
    data = tmp_path / "notes.txt"
    data.write_text("my notes\n")
    net = gn.mlp([2, 1], seed=0)
    with pytest.raises(FileExistsError, match="pass overwrite=True to replace it"):
        net.save(data)
    assert data.read_text() == "my notes\n"
    net.save(data, overwrite=True)
    assert gn.load(data).n_params == net.n_params
