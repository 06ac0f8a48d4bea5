"""A network of image layers saved and loaded: architecture, parameters and BatchNorm's running
statistics (saved with the model, not learnt) come back exactly."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn


def cnn() -> gn.Sequential:
    return gn.Sequential(
        [
            gn.Conv2D(1, 4, 3, padding="same"),
            gn.BatchNorm2D(4, momentum=0.2),
            gn.ReLU(),
            gn.MaxPool2D(2),
            gn.Conv2D(4, 6, (3, 2), stride=(1, 2)),
            gn.AvgPool2D(2, stride=1),
            gn.Flatten(),
            gn.BatchNorm1D(12),
            gn.Dense(12, 3),
        ],
        seed=0,
    )


def test_save_and_load_keep_weights_and_running_statistics(tmp_path):
    net = cnn()
    rng = np.random.default_rng(1)
    for i in (1, 7):  # running statistics that are not the defaults
        net.layers[i].state["running_mean"][...] = rng.normal(size=net.layers[i].num)
        net.layers[i].state["running_var"][...] = rng.uniform(0.5, 2, size=net.layers[i].num)
    path = tmp_path / "cnn.npz"
    net.save(path)
    with np.load(path) as data:
        assert {"1.running_mean", "1.running_var", "7.running_mean", "7.running_var"} <= set(
            data.files
        )
    back = gn.load(path)
    assert [type(a) for a in back.layers] == [type(b) for b in net.layers]
    assert [a.config() for a in back.layers] == [b.config() for b in net.layers]
    for a, b in zip(back.parameters(), net.parameters(), strict=True):
        assert a.name == b.name
        np.testing.assert_array_equal(a.value, b.value)
    for i in (1, 7):
        for key in ("running_mean", "running_var"):
            got = back.layers[i].state[key]
            np.testing.assert_array_equal(got, net.layers[i].state[key])
            assert got.dtype == np.float32


def test_a_file_without_the_running_statistics_is_refused(tmp_path):
    net = cnn()
    path = tmp_path / "cnn.npz"
    net.save(path)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files if k != "7.running_var"}
    np.savez(tmp_path / "cut.npz", **arrays)
    with pytest.raises(ValueError, match="lacks the array '7.running_var'"):
        gn.load(tmp_path / "cut.npz")
