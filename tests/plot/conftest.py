"""Fixtures of the picture tests: the article's step, a small trained network, image checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("PIL")


def image_array(path: Path) -> np.ndarray:
    """RGB pixels (H, W, 3) of a PNG/GIF, after checking the file is really that format."""
    from PIL import Image

    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" or data[:6] in (b"GIF89a", b"GIF87a")
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def assert_has_content(pixels: np.ndarray, min_std: float = 10.0, min_colours: int = 5) -> None:
    """Not blank: the pixels vary and several distinct colours appear."""
    assert pixels.std() > min_std, f"image looks blank (std {pixels.std():.1f})"
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) >= min_colours, f"only {len(colours)} colours"


@pytest.fixture(name="image_array")
def _image_array_fixture():
    """The :func:`image_array` helper (tests cannot import conftest under importlib mode)."""
    return image_array


@pytest.fixture(name="assert_has_content")
def _assert_has_content_fixture():
    """The :func:`assert_has_content` helper."""
    return assert_has_content


@pytest.fixture
def two_node_step():
    from glassnet.cli.explain_cmd import two_node_network
    from glassnet.explain.explanation import explain

    return explain(two_node_network(0.5, 0.1), [1.0], [0.8], lr=1.0)


@pytest.fixture(scope="module")
def moons_net():
    """A 2-6-1 tanh/sigmoid network trained 30 epochs on 120 moons points, and its data."""
    from glassnet import mlp
    from glassnet.datasets import load

    data = load("moons", n_samples=120, noise=0.1, seed=0)
    net = mlp("2,6,1", activation="tanh", output_activation="sigmoid", seed=0)
    history = net.fit(
        data.X_train,
        data.y_train[:, None].astype("float32"),
        loss="binary_cross_entropy",
        optimizer="adam",
        lr=0.05,
        epochs=30,
        batch_size=16,
        validation_data=(data.X_test, data.y_test[:, None].astype("float32")),
        seed=0,
        verbose=0,
    )
    return net, data, history
