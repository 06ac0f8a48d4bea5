"""Saving and loading: exact round trips, checkpoints, and refusing anything that is not ours."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import glassnet as gn
from glassnet.saving import serialize


def make_net(dtype: str) -> gn.Sequential:
    return gn.Sequential(
        [
            gn.Dense(4, 6, init="he_normal"),
            gn.LeakyReLU(0.3),
            gn.Dropout(0.25),
            gn.Dense(6, 5),
            gn.Tanh(),
            gn.ELU(0.5),
            gn.Dense(5, 5),
            gn.GELU("tanh"),
            gn.Dense(5, 3),
            gn.Softmax(),
        ],
        dtype=dtype,
        seed=7,
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_gives_identical_predictions(tmp_path, dtype):
    net = make_net(dtype)
    X = np.random.default_rng(0).normal(size=(30, 4))
    path = tmp_path / "model.npz"
    net.save(path)
    back = gn.load(path)
    assert back.dtype == np.dtype(dtype)
    assert [type(layer) for layer in back.layers] == [type(layer) for layer in net.layers]
    assert back.layers[1].alpha == 0.3
    assert back.layers[2].p == 0.25
    assert back.layers[5].alpha == 0.5  # ELU
    assert back.layers[7].approximate == "tanh"  # GELU
    assert back.layers[0].init == "he_normal"
    for p, q in zip(net.parameters(), back.parameters(), strict=True):
        assert p.name == q.name and q.value.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(p.value, q.value)
    np.testing.assert_array_equal(back.predict(X), net.predict(X))


def test_round_trip_keeps_the_loss(tmp_path):
    net = gn.mlp("2,3,2", seed=0)
    net.fit([[0.0, 1.0], [1.0, 0.0]], [0, 1], loss="cross_entropy", epochs=1, verbose=0)
    net.save(tmp_path / "m.npz")
    back = gn.load(tmp_path / "m.npz")
    assert back.loss_.name == "cross_entropy"
    X = [[0.3, 0.2]]
    np.testing.assert_array_equal(back.predict_proba(X), net.predict_proba(X))


@pytest.mark.parametrize("name", ["adam", "momentum", "rmsprop", "adamw"])
def test_checkpoint_round_trip_keeps_optimizer_state(tmp_path, name):
    rng = np.random.default_rng(2)
    X, T = rng.normal(size=(16, 3)), rng.normal(size=(16, 2))
    net = gn.mlp("3,4,2", activation="tanh", seed=1)
    opt = gn.get_optimizer(name, lr=0.01)
    net.fit(X, T, optimizer=opt, epochs=3, batch_size=4, verbose=0, seed=0)
    path = tmp_path / "ckpt.npz"
    gn.save_checkpoint(net, path, optimizer=opt, state={"epoch": 3, "seed": 0})
    net2, opt2, state = gn.load_checkpoint(path)
    assert state == {"epoch": 3, "seed": 0}
    assert type(opt2) is type(opt) and opt2.t == opt.t == 12
    assert opt2.hyperparameters() == opt.hyperparameters()
    meta, arrays = opt.state_dict()
    meta2, arrays2 = opt2.state_dict()
    assert meta == meta2 and sorted(arrays) == sorted(arrays2) and arrays
    for key in arrays:
        np.testing.assert_array_equal(arrays[key], arrays2[key])
    # the restored optimiser is bound to the restored network's arrays
    assert all(a.value is b.value for a, b in zip(opt2.params, net2.parameters(), strict=True))
    # one more identical step on both gives identical weights
    net.fit(X, T, optimizer=opt, epochs=1, batch_size=16, shuffle=False, verbose=0)
    net2.fit(X, T, optimizer=opt2, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for p, q in zip(net.parameters(), net2.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file"):
        gn.load(tmp_path / "nope.npz")


def test_numpy_pickle_is_refused(tmp_path):
    path = tmp_path / "evil.npy"
    np.save(path, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickle"):
        gn.load(path)


def test_plain_pickle_is_refused_without_running_it(tmp_path):
    path = tmp_path / "evil.pkl"
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (marker.write_text, ("pwned",))

    with open(path, "wb") as fh:
        pickle.dump(Evil(), fh)
    with pytest.raises(ValueError, match="pickle"):
        gn.load(path)
    with pytest.raises(ValueError, match="pickle"):
        gn.load_checkpoint(path)
    assert not marker.exists()


def test_truncated_file_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    make_net("float32").save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="glassnet model file"):
        gn.load(path)


def test_foreign_npz_is_refused(tmp_path):
    path = tmp_path / "other.npz"
    rng = np.random.default_rng(0)
    np.savez(path, weights=rng.normal(size=(3, 3)), bias=rng.normal(size=3))
    with pytest.raises(ValueError, match="not a glassnet model"):
        gn.load(path)


def test_random_bytes_are_refused(tmp_path):
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, size=4096, dtype=np.uint8).tobytes())
    with pytest.raises(
        ValueError, match=r"noise\.npz.* is not a glassnet model file \(not an \.npz"
    ):
        gn.load(path)
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="not a glassnet model file"):
        gn.load(path)


def _write_meta(path, meta, arrays=None):
    payload = dict(arrays or {})
    payload["__glassnet__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **payload)


def test_wrong_format_newer_version_and_bad_description_are_refused(tmp_path):
    good = serialize.describe(gn.Sequential([gn.Dense(1, 1)]))
    cases = [
        ({**good, "format": "something-else"}, "not a glassnet model file"),
        ({**good, "version": 99}, "newer glassnet"),
        ({**good, "layers": [{"type": "Conv3D", "config": {}}]}, "unknown layer type 'Conv3D'"),
        ({**good, "layers": [{"type": "Dense", "config": {"bogus": 1}}]}, "description is invalid"),
        (good, "lacks the array '0.W'"),
    ]
    for k, (meta, message) in enumerate(cases):
        path = tmp_path / f"m{k}.npz"
        _write_meta(path, meta)
        with pytest.raises(ValueError, match=message):
            gn.load(path)
    path = tmp_path / "shape.npz"
    _write_meta(path, good, {"0.W": np.zeros((2, 2)), "0.b": np.zeros(1)})
    with pytest.raises(ValueError, match=r"has shape \(2, 2\), expected \(1, 1\)"):
        gn.load(path)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    net = make_net("float32")
    net.save(path)
    before = path.read_bytes()

    def broken_savez(file, **arrays):
        file.write(b"PK\x03\x04 half a zip file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    other = gn.mlp("4,2", seed=3)
    with pytest.raises(OSError, match="disk full"):
        other.save(path)
    with pytest.raises(OSError, match="disk full"):
        gn.save_checkpoint(other, path, optimizer=gn.Adam(other.parameters()))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    monkeypatch.undo()
    np.testing.assert_array_equal(
        gn.load(path).predict(np.ones((2, 4))), net.predict(np.ones((2, 4)))
    )


def test_save_creates_missing_folders(tmp_path):
    path = tmp_path / "a" / "b" / "m.npz"
    gn.mlp("2,1", seed=0).save(path)
    assert gn.load(path).n_params == 3


def test_feature_names_travel_with_the_model(tmp_path):
    net = gn.mlp("3,4,1", seed=0)
    assert net.feature_names is None
    net.save(tmp_path / "plain.npz")
    assert gn.load(tmp_path / "plain.npz").feature_names is None
    net.feature_names = ["age", "height", "weight"]
    net.save(tmp_path / "named.npz")
    back = gn.load(tmp_path / "named.npz")
    assert back.feature_names == ["age", "height", "weight"]
    assert back.copy("float64").feature_names == ["age", "height", "weight"]
