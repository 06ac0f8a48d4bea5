"""Reference pictures guard against accidental changes to the drawings.

Each picture is drawn at low resolution and compared with tests/plot/reference/<name>.png: the
sizes must match, the mean absolute pixel difference must stay below MEAN_TOLERANCE (0-255
scale), and at most CHANGED_TOLERANCE of the pixels may change by more than 60 in a channel.
That allows anti-aliasing and font noise but not a moved node or an edge of another colour.

After an intended change, regenerate the references and look at them before committing::

    GLASSNET_REGEN_REFERENCE=1 .venv/bin/pytest tests/plot/test_plot_reference.py
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from glassnet import Dense, Sequential, Sigmoid, Tanh
from glassnet.callbacks import History
from glassnet.plot import plot_confusion_matrix, plot_history, plot_network, plot_trace, save_figure

REFERENCE = Path(__file__).parent / "reference"
MEAN_TOLERANCE = 2.0
CHANGED_TOLERANCE = 0.002  # share of pixels allowed to change a lot


def _compare(new: np.ndarray, old: np.ndarray) -> tuple[float, float]:
    """(mean absolute difference, share of pixels changed by more than 60 in some channel)."""
    diff = np.abs(new.astype(float) - old.astype(float))  # (H, W, 3)
    return float(diff.mean()), float((diff.max(axis=2) > 60).mean())


DPI = 40


def _network():
    return plot_network(
        Sequential(
            [
                Dense(2, 2, weights=[[1.0, -2.0], [0.5, -0.1]], bias=[0.2, -0.4]),
                Tanh(),
                Dense(2, 1, weights=[[-3.0], [0.25]], bias=[-1.0]),
                Sigmoid(),
            ],
            dtype="float64",
        )
    )


def _history():
    h = History()
    for e in range(8):
        h.append(
            e,
            {
                "loss": 1 / (e + 1),
                "accuracy": 1 - 0.5 / (e + 1),
                "val_loss": 1.1 / (e + 1),
                "val_accuracy": 0.95 - 0.5 / (e + 1),
            },
        )
    return plot_history(h)


def _two_node(step):
    return plot_trace(step)


def _confusion():
    return plot_confusion_matrix(
        np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]]), class_names=["a", "b", "c"]
    )


@pytest.mark.parametrize("name", ["two_node_step", "network", "history", "confusion"])
def test_matches_reference(name, tmp_path, two_node_step, image_array):
    makers = {
        "two_node_step": lambda: _two_node(two_node_step),
        "network": _network,
        "history": _history,
        "confusion": _confusion,
    }
    drawn = save_figure(makers[name](), tmp_path / f"{name}.png", dpi=DPI)
    ref = REFERENCE / f"{name}.png"
    if os.environ.get("GLASSNET_REGEN_REFERENCE") == "1":
        ref.write_bytes(drawn.read_bytes())
        pytest.skip(f"regenerated {ref}")
    new, old = image_array(drawn), image_array(ref)
    assert new.shape == old.shape, (
        f"{name}: size {new.shape} differs from the reference {old.shape}"
    )
    mean, changed = _compare(new, old)
    assert mean < MEAN_TOLERANCE, f"{name}: mean pixel difference {mean:.2f} >= {MEAN_TOLERANCE}"
    assert changed < CHANGED_TOLERANCE, f"{name}: {changed:.2%} of the pixels changed"


def test_tolerance_catches_a_changed_weight(tmp_path, image_array):
    """The check is not vacuous: flipping one weight's sign changes the picture beyond tolerance."""
    net = Sequential(
        [
            Dense(2, 2, weights=[[1.0, 2.0], [0.5, -0.1]], bias=[0.2, -0.4]),
            Tanh(),
            Dense(2, 1, weights=[[-3.0], [0.25]], bias=[-1.0]),
            Sigmoid(),
        ],
        dtype="float64",
    )
    changed = image_array(save_figure(plot_network(net), tmp_path / "n.png", dpi=DPI))
    ref = image_array(REFERENCE / "network.png")
    assert changed.shape == ref.shape
    assert _compare(changed, ref)[1] > CHANGED_TOLERANCE
