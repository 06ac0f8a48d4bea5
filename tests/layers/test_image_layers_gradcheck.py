"""Every image layer's backward against central differences of E = sum(f(x) * G), for dE/dx
and every parameter, on the NumPy path and the compiled one (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.layers import (
    AvgPool2D,
    BatchNorm1D,
    BatchNorm2D,
    Conv2D,
    Flatten,
    GlobalAvgPool2D,
    MaxPool2D,
)


def numeric_grad(fn, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar fn() with respect to every entry of x (in place)."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = fn()
        x[idx] = old - h
        minus = fn()
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def close(analytic, numeric):
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


LAYERS = [
    (lambda: Conv2D(2, 3, 3, padding=1, dtype=np.float64), (2, 2, 5, 4)),
    (lambda: Conv2D(2, 2, (2, 3), stride=2, dtype=np.float64), (2, 2, 6, 7)),
    (lambda: Conv2D(1, 2, 4, padding="same", dtype=np.float64), (1, 1, 5, 5)),
    (lambda: MaxPool2D(2), (2, 2, 5, 4)),
    (lambda: MaxPool2D(3, stride=1), (1, 2, 5, 5)),
    (lambda: AvgPool2D((2, 3), stride=1), (2, 2, 4, 5)),
    (GlobalAvgPool2D, (2, 3, 3, 4)),
    (Flatten, (2, 3, 2, 2)),
    (lambda: BatchNorm2D(3, dtype=np.float64), (2, 3, 2, 3)),
    (lambda: BatchNorm1D(4, dtype=np.float64), (5, 4)),
]


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("make, shape", LAYERS)
def test_backward_equals_central_differences(make, shape, training, path):
    rng = np.random.default_rng(len(shape) + shape[-1])
    layer = make()
    for key in layer.params:  # away from gamma = 1, beta = 0
        layer.params[key][...] = rng.normal(size=layer.params[key].shape)
    if hasattr(layer, "state"):  # running statistics that are not the defaults
        layer.state["running_mean"][...] = rng.normal(size=layer.num)
        layer.state["running_var"][...] = rng.uniform(0.5, 2.0, size=layer.num)
    layer.training = training
    x = rng.normal(size=shape)
    G = rng.normal(size=layer.forward(x).shape)
    saved = {k: v.copy() for k, v in getattr(layer, "state", {}).items()}

    def energy() -> float:
        if saved:  # every call moves the running statistics in training: put them back
            for k, v in saved.items():
                layer.state[k][...] = v
        return float(np.sum(layer.forward(x) * G))

    energy()
    layer.zero_grad()
    dx = layer.backward(G).copy()
    grads = {k: g.copy() for k, g in layer.grads.items()}
    close(dx, numeric_grad(energy, x))
    for key in layer.params:
        close(grads[key], numeric_grad(energy, layer.params[key]))
