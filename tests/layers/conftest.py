"""Shared fixtures of the image-layer tests: run a test on the NumPy path and on the compiled
one (numba kernels forced on even for tiny arrays), and PyTorch float64 references."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.fast import jit, threads


@pytest.fixture(params=["numpy", "compiled"])
def path(request, monkeypatch) -> str:
    """Which code the layers take: NumPy (kernels off), or the numba kernels for any size
    (and a batch of two or more split in halves on two threads)."""
    if request.param == "numpy":
        monkeypatch.setitem(jit._state, "checked", True)
        monkeypatch.setitem(jit._state, "enabled", False)
    else:
        if not jit.enabled():
            pytest.skip("numba is not installed")
        monkeypatch.setattr(jit, "MIN_SIZE", 0)
        monkeypatch.setattr(threads, "MIN_SPLIT", 2)  # halves on two threads from 2 samples
    return request.param


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
