"""The playground's regression sets (TensorFlow Playground's plane and multi-gaussian): values
instead of classes, a linear output trained with the squared error, the maps the page draws
and step mode's target."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from glassnet.playground import views
from glassnet.playground.session import Session
from glassnet.playground.surfaces import make_surface, surface
from glassnet.playground.validate import DataSpec, NetSpec, parse_csv


def test_the_surfaces_by_hand():
    X = np.array([[0.6, -0.2], [-0.65, 0.4], [0.65, -0.4], [1.0, 1.0]])
    np.testing.assert_allclose(surface("plane", X), [0.2, -0.125, 0.125, 1.0])
    g = surface("gaussian", X)
    assert g[1] == pytest.approx(1.0, abs=0.01) and g[2] == pytest.approx(-1.0, abs=0.01)
    X, t = make_surface("gaussian", 500, 0.1, 0)
    assert X.shape == (500, 2) and t.shape == (500,) and t.min() >= -1 and t.max() <= 1
    inside = np.abs(surface("gaussian", X)) < 0.5  # where the clip at +-1 cannot bite
    assert (t - surface("gaussian", X))[inside].std() == pytest.approx(0.1, rel=0.2)  # noise


@pytest.mark.parametrize(
    ("dataset", "hidden", "at_most"), [("plane", [], 1e-4), ("gaussian", [8, 8], 0.05)]
)
def test_regression_sets_train_with_the_squared_error(dataset, hidden, at_most):
    spec = NetSpec(hidden, ["tanh"] * len(hidden), loss="binary_cross_entropy", lr=0.03)
    s = Session(DataSpec(dataset, 0.0, 400, 0.3, 0), spec)
    assert s.regression and s.n_classes == 0 and s.loss_name == "mse"  # whatever loss is set
    assert s.net.out_features == 1 and type(s.net.layers[-1]).__name__ == "Dense"  # linear
    assert s.y.dtype == np.float32 and s.T_train.shape == (s.n_train, 1)
    first = s.summary()["test_loss"]
    s.train(epochs=150)
    summary = s.summary()
    assert summary["test_loss"] < min(at_most, first)
    assert summary["test_accuracy"] is None and summary["train_accuracy"] is None
    with pytest.raises(ValueError, match="points can be added to the classification sets"):
        s.add_point(0.0, 0.0, 0)


def test_the_output_map_is_the_networks_value():
    s = Session(DataSpec("plane", 0.0, 200, 0.3, 0), NetSpec([], [], lr=0.05))
    s.train(epochs=100)
    m = views.output_map(s.net, s.domain, s.loss_name, regression=True)
    G = views.OUTPUT_GRID  # 100 (48 before the map was drawn finer)
    shown = np.frombuffer(base64.b64decode(m["values"]), np.int8).reshape(G, G) / 127
    X = views.grid(s.domain, G)
    np.testing.assert_allclose(shown.ravel(), np.clip(X.sum(axis=1) / 2, -1, 1), atol=0.02)
    # top left (-L, L) is 0, top right (L, L) high, bottom left (-L, -L) low
    assert shown[0, 0] == pytest.approx(0, abs=0.02) and shown[0, -1] > 0.5 > -0.5 > shown[-1, 0]
    text = s.data_csv()  # the values, which an upload reads back as a regression
    assert text.startswith("x1,x2,value,split\n") and "." in text.splitlines()[1].split(",")[2]
    back = parse_csv(text)
    assert back.regression and np.allclose(back.y, s.y, atol=1e-5)
    np.testing.assert_array_equal(back.test, s.test)  # the split too
