"""How much of the computer the playground may take: tabs, threads, queued messages, work.

One server is shared by every tab that reaches it, so no tab may starve the others or the
machine. The bounds, and what happens beyond each:

- **tabs**: at most :data:`MAX_TABS` websockets at once; the next one is told why and closed
  with code 1013 ("try again later").
- **threads**: every computation runs in one pool of :data:`WORKERS` threads shared by all tabs
  (:class:`Capacity`), never on the event loop, so a busy tab delays the others by at most one
  computation each, and the CPU is never asked for more than that many at once. While the
  server runs, BLAS products take one thread each (:func:`one_blas_thread`): the pool is the
  parallelism, and OpenBLAS's own threads, spinning against the pool's on a busy two-core
  machine, made the 10,000-point decision map of a 6 x 32 network take a median 150 ms
  instead of 13.
- **queued messages**: a tab computes one thing at a time; at most :data:`MAX_PENDING`
  messages (and :data:`MAX_PENDING_BYTES` of them) wait behind it. More are refused with an
  error, not piled up.
- **work per update**: every update scores the network on all the points and draws its maps
  over at least :data:`GRID_POINTS` more, so (points + GRID_POINTS) x weights, the
  multiply-adds of those forward passes, is at most :data:`MAX_WORK` (:func:`check_work`); a
  full-batch step costs about three times its share. This also caps the network: 64 hidden
  layers of 256 are valid settings, but no data set makes them cheap enough. The decision map
  is drawn as finely as this budget allows, 100 x 100 for all but the largest networks
  (:func:`output_size`).
- **one step**: "step one epoch" stops after :data:`STEP_SECONDS` and says so.
- **weights held**: all tabs' networks together hold at most :data:`MAX_TOTAL_WEIGHTS`
  weights (:meth:`Capacity.claim`).
- **reading an upload**: a CSV or model file is parsed in the pool with a wall-clock limit of
  :data:`READ_SECONDS`, after its declared sizes have been checked
  (:mod:`glassnet.playground.modelcheck`).

The websocket layer adds its own: uvicorn refuses a message over ``ws_max_size``
(:data:`MAX_MESSAGE` bytes) and answers plain HTTP with 503 beyond ``limit_concurrency``
(:data:`MAX_CONNECTIONS`), as its ``--ws-max-size`` and ``--limit-concurrency`` options do.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from glassnet.playground.views import MIN_OUTPUT_GRID, NEURON_GRID, OUTPUT_GRID

MAX_TABS = 16  # websockets open at once
MAX_CONNECTIONS = 64  # uvicorn's limit_concurrency: HTTP connections and tasks
MAX_MESSAGE = 8 * 2**20  # bytes of one websocket message (a 5 MB upload is 6.7 MB of base64)
MAX_PENDING = 8  # messages waiting behind a tab's computation
MAX_PENDING_BYTES = 2 * MAX_MESSAGE  # and their bytes
WORKERS = max(2, min(4, os.cpu_count() or 2))  # threads for every tab's maths
MAX_WORK = 4 * 10**9  # multiply-adds of one update's forward passes (~0.15 s at 30 GMAC/s)
GRID_POINTS = MIN_OUTPUT_GRID**2 + NEURON_GRID**2  # the fewest points the maps are drawn at
MAX_TOTAL_WEIGHTS = 2**24  # all tabs' networks together
STEP_SECONDS = 5.0  # one "step an epoch" stops after this long
READ_SECONDS = 10.0  # parsing one uploaded CSV or model file


def count_weights(widths: Sequence[int]) -> int:
    """Weights and biases of a chain of Dense layers of these widths (inputs first).

    Examples
    --------
    >>> count_weights([2, 8, 8, 1])  # 2*8+8 + 8*8+8 + 8*1+1
    105
    """
    return sum(a * b + b for a, b in zip(widths[:-1], widths[1:], strict=True))


def check_work(n_points: int, n_weights: int) -> None:
    """Refuse a network and a data set whose every update would cost more than MAX_WORK.

    An update scores the network on every point and draws its maps over GRID_POINTS more, so
    its cost is about (n_points + GRID_POINTS) * n_weights multiply-adds.

    Raises
    ------
    ValueError
        Naming the product, the limit and how many points (or weights) would fit.

    Examples
    --------
    >>> check_work(300, 1_000_000)
    >>> check_work(10_000, 1_000_000)
    Traceback (most recent call last):
    ...
    ValueError: 10000 points (and 2560 drawn) x 1,000,000 weights is 1.3e+10 multiply-adds per update, above the playground's limit of 4e+09: use at most 1440 points with this network, or a network of at most 318,471 weights for 10000 points.
    >>> check_work(10, 4_145_921)  # 64 hidden layers of 256: too large even for a few points
    Traceback (most recent call last):
    ...
    ValueError: 10 points (and 2560 drawn) x 4,145,921 weights is 1.1e+10 multiply-adds per update, above the playground's limit of 4e+09: use a network of at most 1,556,420 weights for 10 points.
    """
    work = (n_points + GRID_POINTS) * n_weights
    if work > MAX_WORK:
        room = MAX_WORK // max(1, n_weights) - GRID_POINTS  # points that would fit
        fewer = f"use at most {room} points with this network, or " if room >= 10 else "use "
        raise ValueError(
            f"{n_points} points (and {GRID_POINTS} drawn) x {n_weights:,} weights is "
            f"{work:.2g} multiply-adds per update, above the playground's limit of "
            f"{MAX_WORK:.0e}: {fewer}a network of at most "
            f"{MAX_WORK // (n_points + GRID_POINTS):,} weights for {n_points} points."
        )


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS (NumPy's OpenBLAS) on one thread inside the block, as before it after; nothing
    changes where threadpoolctl (which scikit-learn installs) is missing.

    Examples
    --------
    >>> with one_blas_thread():
    ...     pass
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def output_size(n_points: int, n_weights: int) -> int:
    """Cells per side of the decision map: ``OUTPUT_GRID``, or for networks so large that
    (points + cells + neuron maps) x weights would pass ``MAX_WORK``, the most that fits, at
    least ``MIN_OUTPUT_GRID`` (which :func:`check_work` has let through).

    Examples
    --------
    >>> output_size(300, 5_409)  # 6 hidden layers of 32
    100
    >>> output_size(5000, 461_569)  # 8 hidden layers of 256
    58
    """
    room = MAX_WORK // max(1, n_weights) - n_points - NEURON_GRID**2  # grid points that fit
    side = int(max(0, room) ** 0.5)
    return max(MIN_OUTPUT_GRID, min(OUTPUT_GRID, side))


class Capacity:
    """What all the tabs of one server share: the worker threads, the open tabs, the weights.

    Thread-safe: Starlette's test client runs each websocket in an event loop of its own.

    Parameters
    ----------
    max_tabs : int, default MAX_TABS
        Websockets served at once.
    workers : int, default WORKERS
        Threads of the pool that runs every tab's computations.
    max_weights : int, default MAX_TOTAL_WEIGHTS
        Weights all tabs' networks may hold together.

    Examples
    --------
    >>> cap = Capacity(max_tabs=1, workers=2, max_weights=100)
    >>> cap.open_tab(), cap.open_tab()
    (True, False)
    >>> cap.claim("tab", 60); cap.claim("other", 50)
    Traceback (most recent call last):
    ...
    ValueError: this network has 50 weights, and the other tabs hold 60; together they pass the server's limit of 100 weights. Use a smaller network, or close another tab.
    >>> cap.close_tab("tab"); cap.tabs, cap.claimed
    (0, 0)
    >>> import asyncio; asyncio.run(cap.run(sum, [1, 2, 3]))
    6
    >>> cap.shutdown()
    """

    def __init__(
        self, max_tabs: int = MAX_TABS, workers: int = WORKERS, max_weights: int = MAX_TOTAL_WEIGHTS
    ) -> None:
        self.max_tabs = max_tabs
        self.max_weights = max_weights
        self.workers = workers
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="glassnet-pg")
        self._lock = threading.Lock()
        self._tabs = 0
        self._weights: dict[Any, int] = {}  # tab -> weights its network holds

    @property
    def tabs(self) -> int:
        """Websockets open now."""
        return self._tabs

    @property
    def claimed(self) -> int:
        """Weights all tabs' networks hold now."""
        with self._lock:
            return sum(self._weights.values())

    def open_tab(self) -> bool:
        """Count one more tab; False (and nothing counted) if MAX_TABS are open already."""
        with self._lock:
            if self._tabs >= self.max_tabs:
                return False
            self._tabs += 1
            return True

    def close_tab(self, tab: Any) -> None:
        """Count one tab fewer and forget its weights."""
        with self._lock:
            self._tabs = max(0, self._tabs - 1)
            self._weights.pop(tab, None)

    def claim(self, tab: Any, n_weights: int, force: bool = False) -> None:
        """Record that ``tab``'s network holds ``n_weights``; refuse if all tabs' would pass
        the limit (``force``: record what a tab holds anyway, e.g. after a change)."""
        with self._lock:
            others = sum(w for t, w in self._weights.items() if t is not tab)
            if not force and others + n_weights > self.max_weights:
                raise ValueError(
                    f"this network has {n_weights:,} weights, and the other tabs hold "
                    f"{others:,}; together they pass the server's limit of "
                    f"{self.max_weights:,} weights. Use a smaller network, or close another tab."
                )
            self._weights[tab] = n_weights

    def submit(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future:
        """Start ``fn(*args)`` in the pool; an asyncio future of its result."""
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self.pool, functools.partial(fn, *args))

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` computed in the pool (never on the event loop)."""
        return await self.submit(fn, *args)

    def shutdown(self) -> None:
        """Stop the pool's threads once their computations end."""
        self.pool.shutdown(wait=False, cancel_futures=True)
