"""float32 stays float32 through every image layer (parameters, gradients, outputs, input
gradients, running statistics) on both code paths, with buffer reuse on as in fit; and bad
input raises errors that name the argument and the fix."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.layers import (
    AvgPool2D,
    BatchNorm1D,
    BatchNorm2D,
    Conv2D,
    Flatten,
    GlobalAvgPool2D,
    MaxPool2D,
)

MAKERS = [
    (lambda: Conv2D(3, 4, 3, padding=1), (2, 3, 8, 8)),
    (lambda: Conv2D(3, 4, (1, 3), stride=2), (2, 3, 8, 9)),
    (lambda: MaxPool2D(2), (2, 3, 8, 8)),
    (lambda: AvgPool2D(2), (2, 3, 8, 8)),
    (GlobalAvgPool2D, (2, 3, 8, 8)),
    (Flatten, (2, 3, 8, 8)),
    (lambda: BatchNorm2D(3), (2, 3, 8, 8)),
    (lambda: BatchNorm1D(3), (4, 3)),
]


@pytest.mark.parametrize("reuse", [False, True])
@pytest.mark.parametrize("make, shape", MAKERS)
def test_float32_stays_float32(make, shape, reuse, path):
    rng = np.random.default_rng(0)
    layer = make()
    layer.reuse_buffers = reuse
    layer.training = True
    x = rng.normal(size=shape).astype(np.float32)
    for _ in range(2):  # the second pass reuses the buffers
        y = layer.forward(x)
        dx = layer.backward(np.ones_like(y))
        assert y.dtype == np.float32 and dx.dtype == np.float32
        assert dx.shape == x.shape
    arrays = [*layer.params.values(), *layer.grads.values(), *getattr(layer, "state", {}).values()]
    assert all(a.dtype == np.float32 for a in arrays)
    assert all(a.flags.c_contiguous for a in arrays)  # views of flat buffers can replace them


def test_the_image_layers_are_public_names():
    for name in ("Conv2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "Flatten",
                 "BatchNorm1D", "BatchNorm2D"):  # fmt: skip
        assert getattr(gn, name) is getattr(gn.layers, name) and name in gn.__all__


def test_repr_and_config_rebuild_the_layer():
    conv = Conv2D(3, 8, (3, 5), stride=2, padding=1)
    again = Conv2D(**conv.config())
    assert again.config() == conv.config() and "Conv2D(in_channels=3" in repr(conv)
    same = Conv2D(1, 2, 4, padding="same")
    assert Conv2D(**same.config()).pad_h == (1, 2)
    for layer in (MaxPool2D(2), AvgPool2D((2, 3), 1), BatchNorm2D(4, momentum=0.2),
                  BatchNorm1D(3, eps=1e-3), GlobalAvgPool2D(), Flatten()):  # fmt: skip
        assert type(layer)(**layer.config()).config() == layer.config()


@pytest.mark.parametrize(
    "build, exc, message",
    [
        (lambda: Conv2D(0, 8, 3), ValueError, "in_channels must be a positive integer; got 0"),
        (lambda: Conv2D(1, 8.0, 3), TypeError, "out_channels must be a positive integer"),
        (lambda: Conv2D(1, 8, (3, 0)), ValueError, r"kernel_size must be an int >= 1 or a pair"),
        (lambda: Conv2D(1, 8, 3, stride=(1, 2, 3)), ValueError, "stride must be an int >= 1"),
        (lambda: Conv2D(1, 8, 3, padding=-1), ValueError, "padding must be an int >= 0"),
        (lambda: Conv2D(1, 8, 3, padding="full"), ValueError, "'valid' or 'same'; got 'full'"),
        (lambda: Conv2D(1, 8, 3, stride=2, padding="same"), ValueError, "needs stride 1"),
        (lambda: Conv2D(1, 8, 3, init="bogus"), ValueError, "unknown initialiser 'bogus'"),
        (
            lambda: Conv2D(1, 2, 2, weights=np.ones((2, 1, 3, 3))),
            ValueError,
            r"expected W of shape \(2, 1, 2, 2\); got \(2, 1, 3, 3\)",
        ),
        (lambda: MaxPool2D(0), ValueError, "kernel_size must be an int >= 1"),
        (lambda: AvgPool2D(2, stride=0), ValueError, "stride must be an int >= 1"),
        (lambda: BatchNorm2D(0), ValueError, "channels must be a positive integer"),
        (
            lambda: BatchNorm1D(3, momentum=1.5),
            ValueError,
            r"momentum must be a number in \[0, 1\]",
        ),
        (lambda: BatchNorm1D(3, eps=0), ValueError, "eps must be a finite number > 0"),
    ],
)
def test_bad_arguments_name_themselves(build, exc, message):
    with pytest.raises(exc, match=message):
        build()


@pytest.mark.parametrize(
    "layer, x, message",
    [
        (
            Conv2D(1, 8, 3),
            np.zeros((4, 784)),
            r"expected images of shape \(N, C, H, W\); got shape \(4, 784\)",
        ),
        (Conv2D(3, 8, 3), np.zeros((2, 1, 8, 8)), r"expected 3 channels.*Check in_channels"),
        (Conv2D(1, 8, 5), np.zeros((2, 1, 4, 9)), r"needs H \+ padding >= 5"),
        (MaxPool2D(3), np.zeros((1, 1, 2, 2)), r"needs H \+ padding >= 3"),
        (AvgPool2D(2), np.zeros((1, 4, 4)), r"expected images of shape"),
        (GlobalAvgPool2D(), np.zeros((3, 4)), r"expected images of shape"),
        (Flatten(), np.zeros(5), r"at least two axes; got \(5,\)"),
        (BatchNorm2D(4), np.zeros((2, 3, 5, 5)), r"expected input of shape \(N, 4, H, W\)"),
        (BatchNorm1D(4), np.zeros((2, 4, 1, 1)), r"\(N, 4\) or \(N, 4, L\); got \(2, 4, 1, 1\)"),
    ],
)
def test_bad_input_names_the_layer_and_the_fix(layer, x, message):
    with pytest.raises(ValueError, match=message):
        layer.forward(x)


def test_output_shapes_chain_through_the_benchmark_network():
    shape = (1, 28, 28)
    layers = [Conv2D(1, 8, 3), MaxPool2D(2), Conv2D(8, 16, 3), MaxPool2D(2), Flatten()]
    shapes = []
    for layer in layers:
        shape = layer.output_shape(shape)
        shapes.append(shape)
    assert shapes == [(8, 26, 26), (8, 13, 13), (16, 11, 11), (16, 5, 5), (400,)]
    with pytest.raises(ValueError, match="expected 8 channels"):
        Conv2D(8, 16, 3).output_shape((4, 13, 13))
