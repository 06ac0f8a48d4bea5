"""A batch in two halves on two threads, each half's BLAS products on one thread.

The compiled loops of a convolution (im2col, the fused bias, ReLU and pool, col2im) run on one
core, and OpenBLAS multiplies the convolution's thin matrices on two cores only in part. So
:func:`split` runs the same work on each half of the batch at once, the first half on the
calling thread and the second on a worker thread: numba's loops release the GIL, and so does
NumPy's matmul. While they run, OpenBLAS is held to one thread (:func:`one_blas_thread`), so the
two halves' products do not fight over its pool: two single-threaded products side by side.

On this project's 2-core machines, with other processes about, that held up far better than
two-threaded BLAS beside one-threaded loops (see benchmarks/README.md, CNN section). Nothing
here imports a glassnet class.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from glassnet.fast import blas

#: a batch smaller than this runs as one part (handing work to a thread costs about 20-50 us)
MIN_SPLIT = 4

_pool: ThreadPoolExecutor | None = None


def _thread_functions() -> tuple[Any, Any] | None:
    """OpenBLAS's (get_num_threads, set_num_threads), or None where they are not found."""
    found = blas._find()
    if found is None:
        return None
    lib, _, suffix, _ = found
    for prefix in ("scipy_openblas_", "openblas_"):
        get = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
        put = getattr(lib, f"{prefix}set_num_threads{suffix}", None)
        if get is not None and put is not None:
            get.restype, get.argtypes = ctypes.c_int, []
            put.restype, put.argtypes = None, [ctypes.c_int]
            return get, put
    return None


_THREADS = _thread_functions()


_held = {"depth": 0, "before": 0}
_lock = threading.Lock()


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Hold NumPy's OpenBLAS to one thread inside the block (a no-op where it cannot). Blocks
    may nest or overlap across threads: the first one in saves the setting, the last one out
    puts it back.

    Examples
    --------
    >>> import numpy as np
    >>> with one_blas_thread():
    ...     float((np.ones((2, 2)) @ np.ones((2, 2)))[0, 0])
    2.0
    """
    if _THREADS is None:
        yield
        return
    get, put = _THREADS
    with _lock:
        if _held["depth"] == 0:
            _held["before"] = get()
            put(1)
        _held["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _held["depth"] -= 1
            if _held["depth"] == 0:
                put(_held["before"])


def parts(n: int) -> int:
    """How many parts a batch of n samples runs in: 2 where there are two cores to share
    and n >= :data:`MIN_SPLIT`, else 1.

    Examples
    --------
    >>> parts(1)
    1
    """
    return 2 if n >= MIN_SPLIT and (os.cpu_count() or 1) >= 2 else 1


def split(n: int, work: Callable[[int, int, int], Any]) -> list[Any]:
    """Run ``work(lo, hi, part)`` over the samples [lo, hi) of each part of a batch of n, the
    parts at once (see the module docstring); returns their results in order.

    Examples
    --------
    >>> split(10, lambda lo, hi, part: (part, lo, hi))
    [(0, 0, 5), (1, 5, 10)]
    >>> split(2, lambda lo, hi, part: (part, lo, hi))
    [(0, 0, 2)]
    """
    global _pool
    if parts(n) == 1:
        return [work(0, n, 0)]
    half = n // 2
    if _pool is None:
        _pool = ThreadPoolExecutor(1, thread_name_prefix="glassnet-half")
    with one_blas_thread():
        second = _pool.submit(work, half, n, 1)
        try:
            first = work(0, half, 0)
        except BaseException:
            wait([second])  # it writes into the caller's buffers: never leave it running
            raise
        rest = second.result()
    return [first, rest]
