"""pytest setup for the doctests under src/: the examples of the compiled kernels need numba."""

from __future__ import annotations

import importlib.util

import pytest

#: a module that imports numba at its top: not collected at all where numba is missing
collect_ignore = [] if importlib.util.find_spec("numba") else ["glassnet/fast/prefetch.py"]

NEEDS_NUMBA = ("glassnet.fast.jit.relu_backward", "glassnet.fast.jit.softmax_cross_entropy")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip those examples, with the reason, where numba is not installed."""
    from glassnet.fast import jit

    if jit.enabled():
        return
    skip = pytest.mark.skip(
        reason="numba is off: not installed (pip install glassnet[fast]) or GLASSNET_NO_JIT set"
    )
    for item in items:
        if item.name in NEEDS_NUMBA:
            item.add_marker(skip)
