"""Arguments and shapes shared by the image layers: pairs, padding, output sizes, input checks.

Images are (N, C, H, W) as in PyTorch. A window of size k moved by stride s over a side of
length L padded by a before and b after gives

.. math:: L_{out} = \\lfloor (L + a + b - k) / s \\rfloor + 1

positions (PyTorch's formula with dilation 1; ``ceil_mode`` is not offered).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

Pair = tuple[int, int]


def pair(value: Any, name: str, minimum: int = 1) -> Pair:
    """An int or a pair of ints as (height, width), each at least ``minimum``.

    Examples
    --------
    >>> pair(3, "kernel_size"), pair((1, 2), "stride")
    ((3, 3), (1, 2))
    >>> pair(0, "stride")
    Traceback (most recent call last):
    ...
    ValueError: stride must be an int >= 1 or a pair of them, e.g. 2 or (2, 3); got 0.
    """
    items = value if isinstance(value, tuple | list) else (value, value)
    ok = len(items) == 2 and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= minimum for v in items
    )
    if not ok:
        raise ValueError(
            f"{name} must be an int >= {minimum} or a pair of them, e.g. {minimum + 1} or "
            f"({minimum + 1}, {minimum + 2}); got {value!r}."
        )
    return int(items[0]), int(items[1])


def conv_padding(padding: Any, kernel: Pair, stride: Pair) -> tuple[Pair, Pair]:
    """((top, bottom), (left, right)) zero padding for an int, a pair, "valid" or "same".

    "same" keeps H and W (stride 1 only, as in PyTorch): k - 1 zeros per side in all,
    (k - 1) // 2 before and the rest after, so an even kernel gets one more after.

    Examples
    --------
    >>> conv_padding(1, (3, 3), (1, 1))
    ((1, 1), (1, 1))
    >>> conv_padding("same", (4, 3), (1, 1))
    ((1, 2), (1, 1))
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(
                f"padding must be an int >= 0, a pair of them, 'valid' or 'same'; got {padding!r}."
            )
        if stride != (1, 1):
            raise ValueError(
                f"padding='same' needs stride 1 (as in PyTorch); got stride {stride}. Give the "
                "padding as an int, e.g. padding=kernel_size // 2."
            )
        (kh, kw) = kernel
        return ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)
    ph, pw = pair(padding, "padding", minimum=0)
    return (ph, ph), (pw, pw)


def window_positions(size: int, kernel: int, stride: int, before: int = 0, after: int = 0) -> int:
    """How many places a window of ``kernel`` takes along a side of ``size`` (0 if none).

    Examples
    --------
    >>> window_positions(28, 3, 1), window_positions(26, 2, 2), window_positions(5, 3, 2, 1, 1)
    (26, 13, 3)
    """
    span = size + before + after - kernel
    return span // stride + 1 if span >= 0 else 0


def check_images(x: np.ndarray, layer: Any, channels: int | None = None) -> None:
    """Raise a ValueError naming the layer unless x is (N, C, H, W) with C == ``channels``.

    Examples
    --------
    >>> check_images(np.zeros((2, 3, 4, 4)), "Conv2D(3, 8, 3)", channels=3)
    >>> check_images(np.zeros((2, 16)), "MaxPool2D(2)")
    Traceback (most recent call last):
    ...
    ValueError: MaxPool2D(2) expected images of shape (N, C, H, W); got shape (2, 16). Reshape flat rows, e.g. X.reshape(-1, 1, 28, 28).
    """
    if x.ndim != 4:
        raise ValueError(
            f"{layer} expected images of shape (N, C, H, W); got shape {x.shape}. Reshape "
            "flat rows, e.g. X.reshape(-1, 1, 28, 28)."
        )
    if channels is not None and x.shape[1] != channels:
        raise ValueError(
            f"{layer} expected {channels} channels, input of shape (N, {channels}, H, W); got "
            f"{x.shape}. Check in_channels or the previous layer."
        )


def check_shape(shape: Any, layer: Any, channels: int | None = None) -> tuple[int, int, int]:
    """A sample's shape (C, H, W) as ints, checked like :func:`check_images`.

    Examples
    --------
    >>> check_shape((1, 28, 28), "Conv2D(1, 8, 3)", channels=1)
    (1, 28, 28)
    """
    shape = tuple(int(s) for s in shape)
    check_images(np.empty((0, *shape)), layer, channels)
    return shape  # type: ignore[return-value]


def too_small(
    layer: Any, shape: tuple[int, ...], kernel: Pair, pad: tuple[Pair, Pair]
) -> ValueError:
    """The error for an input smaller than the window (after padding).

    Examples
    --------
    >>> str(too_small("MaxPool2D(3)", (1, 2, 2), (3, 3), ((0, 0), (0, 0))))[:60]
    'MaxPool2D(3) needs H + padding >= 3 and W + padding >= 3; go'
    """
    return ValueError(
        f"{layer} needs H + padding >= {kernel[0]} and W + padding >= {kernel[1]}; got "
        f"(C, H, W) = {shape} with padding {pad}. Use a smaller kernel or larger images."
    )
