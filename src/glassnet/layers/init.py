"""Weight initialisers, chosen by name, all drawing from an explicit NumPy Generator.

For a weight matrix of shape (fan_in, fan_out):

- ``zeros``:            W = 0
- ``uniform``:          W ~ U(-a, a),  a = 1/sqrt(fan_in)            (PyTorch's Linear default scale)
- ``xavier_uniform``:   W ~ U(-a, a),  a = sqrt(6 / (fan_in + fan_out))   (Glorot & Bengio 2010)
- ``xavier_normal``:    W ~ N(0, s^2), s = sqrt(2 / (fan_in + fan_out))
- ``he_uniform``:       W ~ U(-a, a),  a = sqrt(6 / fan_in)               (He et al. 2015, for ReLU)
- ``he_normal``:        W ~ N(0, s^2), s = sqrt(2 / fan_in)

``glorot_*`` are accepted as aliases of ``xavier_*`` and ``xavier``/``glorot``/``he`` of the
uniform forms.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassnet.utils.validation import unknown_name

Initializer = Callable[[tuple[int, int], np.random.Generator], np.ndarray]


def zeros(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """All zeros.

    Examples
    --------
    >>> zeros((2, 1), np.random.default_rng(0)).tolist()
    [[0.0], [0.0]]
    """
    return np.zeros(shape)


def uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    Examples
    --------
    >>> bool(np.abs(uniform((4, 3), np.random.default_rng(0))).max() <= 0.5)
    True
    """
    a = 1.0 / np.sqrt(shape[0])
    return rng.uniform(-a, a, size=shape)


def xavier_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).

    Examples
    --------
    >>> xavier_uniform((3, 5), np.random.default_rng(0)).shape
    (3, 5)
    """
    fan_in, fan_out = shape[0], shape[-1]
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=shape)


def xavier_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """N(0, 2 / (fan_in + fan_out)).

    Examples
    --------
    >>> xavier_normal((3, 5), np.random.default_rng(0)).shape
    (3, 5)
    """
    fan_in, fan_out = shape[0], shape[-1]
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=shape)


def he_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """U(-a, a) with a = sqrt(6 / fan_in).

    Examples
    --------
    >>> bool(np.abs(he_uniform((6, 2), np.random.default_rng(0))).max() <= 1.0)
    True
    """
    a = np.sqrt(6.0 / shape[0])
    return rng.uniform(-a, a, size=shape)


def he_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """N(0, 2 / fan_in).

    Examples
    --------
    >>> he_normal((6, 2), np.random.default_rng(0)).shape
    (6, 2)
    """
    return rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros,
    "uniform": uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
}
_ALIASES = {
    "xavier": "xavier_uniform",
    "glorot": "xavier_uniform",
    "glorot_uniform": "xavier_uniform",
    "glorot_normal": "xavier_normal",
    "he": "he_uniform",
    "kaiming": "he_uniform",
}


def get_initializer(name: str) -> Initializer:
    """Look an initialiser up by name (see the module docstring for the list).

    Examples
    --------
    >>> get_initializer("glorot").__name__
    'xavier_uniform'
    """
    key = str(name).lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in INITIALIZERS:
        raise unknown_name("initialiser", name, sorted(INITIALIZERS) + sorted(_ALIASES))
    return INITIALIZERS[key]
