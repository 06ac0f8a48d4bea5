"""The playground's input features (TensorFlow Playground's x1^2, x1*x2, ...): checked names
and the lesson they teach (circles and xor without a hidden layer). What the page gets for
them is tested with the server, in test_playground_server.py."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.playground import features
from glassnet.playground.session import Session
from glassnet.playground.validate import DataSpec, NetSpec, net_spec


def test_features_by_hand_and_checked():
    X = np.array([[0.5, -2.0], [1.0, 1.0]])
    got = features.expand(X, list(features.FEATURES))
    want = [[0.5, -2.0, 0.25, 4.0, -1.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]]
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert net_spec({"features": ["x1*x2", "x1"]}).features == ["x1", "x1*x2"]  # page order
    assert net_spec({}).features == ["x1", "x2"]
    with pytest.raises(ValueError, match="unknown feature 'x3'; the features are x1, x2, x1"):
        net_spec({"features": ["x1", "x3"]})
    with pytest.raises(ValueError, match="features needs at least one input"):
        net_spec({"features": []})
    with pytest.raises(TypeError, match="features must be a list of names"):
        net_spec({"features": "x1"})


@pytest.mark.parametrize(
    ("dataset", "chosen", "learns"),
    [
        ("circles", ["x1", "x2"], False),  # a line cannot separate a ring from its centre
        ("circles", ["x1^2", "x2^2"], True),  # but a circle is a line in x1^2, x2^2
        ("xor", ["x1", "x2"], False),
        ("xor", ["x1*x2"], True),  # the sign of x1*x2 is xor
    ],
)
def test_the_right_features_need_no_hidden_layer(dataset, chosen, learns):
    s = Session(DataSpec(dataset, 0.05, 300, 0.3, 0), NetSpec([], [], lr=0.1, features=chosen))
    assert s.net.in_features == len(chosen) and s.net.feature_names == chosen
    s.train(epochs=100)
    accuracy = s.summary()["test_accuracy"]
    assert accuracy >= 0.95 if learns else accuracy < 0.75, accuracy
