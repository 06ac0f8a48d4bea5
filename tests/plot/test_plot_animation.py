"""The training film: one frame per N epochs, written as a GIF."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from glassnet import mlp
from glassnet.plot import BoundaryAnimation


def _fit(anim, epochs):
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([0, 0, 1, 1])
    net = mlp("2,4,1", activation="tanh", output_activation="sigmoid", seed=0)
    net.fit(
        X,
        y[:, None].astype(float),
        loss="binary_cross_entropy",
        epochs=epochs,
        lr=0.5,
        verbose=0,
        callbacks=[anim],
        seed=0,
    )
    return X, y


def test_three_epochs_give_a_three_frame_gif(tmp_path):
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    path = tmp_path / "film.gif"
    anim = BoundaryAnimation(X, [0, 0, 1, 1], path, every=1, fps=5, resolution=12, dpi=30)
    _fit(anim, 3)
    with Image.open(path) as im:
        assert im.format == "GIF" and im.n_frames == 3
        assert im.size == (round(8.0 * 30), round(3.4 * 30))
        assert im.info["duration"] == 200 and im.info["loop"] == 0
        frames = []
        for k in range(3):
            im.seek(k)
            frames.append(np.asarray(im.convert("RGB")))
    assert frames[0].std() > 10
    assert not np.array_equal(frames[0], frames[2])  # the boundary and the loss move


def test_every_n_epochs_plus_the_last(tmp_path):
    X = np.zeros((4, 2)) + np.arange(4)[:, None]
    anim = BoundaryAnimation(X, [0, 1, 0, 1], tmp_path / "f.gif", every=2, resolution=8, dpi=20)
    _fit(anim, 5)
    assert len(anim.frames) == 3  # epochs 2, 4 and the last, 5
    with Image.open(tmp_path / "f.gif") as im:
        assert im.n_frames == 3


def test_bad_arguments(tmp_path):
    X = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"\.gif or \.mp4"):
        BoundaryAnimation(X, [0, 1], tmp_path / "f.png")
    with pytest.raises(ValueError, match="every must be a positive integer"):
        BoundaryAnimation(X, [0, 1], tmp_path / "f.gif", every=0)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        BoundaryAnimation(np.zeros((2, 3)), [0, 1], tmp_path / "f.gif")


@pytest.mark.skipif(shutil.which("ffmpeg") is not None, reason="ffmpeg is installed")
def test_mp4_without_ffmpeg_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="ffmpeg"):
        BoundaryAnimation(np.zeros((2, 2)), [0, 1], tmp_path / "f.mp4")
