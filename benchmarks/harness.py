"""Timing that holds on a shared 2-core machine: alternate, pause, take medians, record load.

Rules from ``shared/PERFORMANCE.md``: only ratios measured in the same run hold; alternate the
competitors (and swap who goes first every round); sleep about 0.25 s before each timed sample
because OpenBLAS threads keep spinning after a call; report medians of at least 5; record the
load average and the BLAS in use next to the numbers.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: A competitor: ``setup()`` builds a fresh model (untimed) and returns ``run()``, which is
#: timed and returns a number that proves the work was done (a loss, an accuracy).
Setup = Callable[[], Callable[[], float]]


@dataclass
class Samples:
    """Timed samples of one competitor: seconds per run and what each run returned.

    Examples
    --------
    >>> s = Samples("x", [3.0, 1.0, 2.0], [0.5, 0.4, 0.3])
    >>> s.median, s.best
    (2.0, 1.0)
    """

    name: str
    seconds: list[float] = field(default_factory=list)
    results: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median seconds per run."""
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        """Fastest run, in seconds."""
        return min(self.seconds)


def time_once(setup: Setup, pause: float = 0.25) -> tuple[float, float]:
    """Build with ``setup()``, sleep ``pause`` s, then time one ``run()``: (seconds, result).

    Examples
    --------
    >>> seconds, result = time_once(lambda: (lambda: 42.0), pause=0.0)
    >>> result, seconds >= 0
    (42.0, True)
    """
    run = setup()
    time.sleep(pause)
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, float(result)


def alternate(
    competitors: dict[str, Setup], repeats: int = 5, pause: float = 0.25
) -> dict[str, Samples]:
    """Time every competitor ``repeats`` times, interleaved; the order flips each round.

    Examples
    --------
    >>> out = alternate({"a": lambda: (lambda: 1.0), "b": lambda: (lambda: 2.0)}, 2, 0.0)
    >>> [len(s.seconds) for s in out.values()], out["b"].results
    ([2, 2], [2.0, 2.0])
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1; got {repeats}.")
    samples = {name: Samples(name) for name in competitors}
    names = list(competitors)
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            seconds, result = time_once(competitors[name], pause)
            samples[name].seconds.append(seconds)
            samples[name].results.append(result)
    return samples


def ratio(reference: Samples, candidate: Samples) -> float:
    """How many times faster ``candidate`` runs than ``reference``: ratio of the medians.

    Examples
    --------
    >>> ratio(Samples("torch", [2.0, 2.0, 2.0]), Samples("glassnet", [1.0, 1.0, 1.0]))
    2.0
    """
    return reference.median / candidate.median


def paired_ratio(reference: Samples, candidate: Samples) -> float:
    """How many times faster ``candidate`` runs, pair by pair: the median over the rounds of
    ``alternate`` of reference's time over candidate's in the same round.

    The two samples of a round run back to back, so they share the machine's speed at that
    moment; on a machine whose speed drifts by up to 2x from one second to the next, the
    median of these per-round ratios moves less than the ratio of the two medians, which can
    pair a slow moment of one side with a fast moment of the other.

    Examples
    --------
    >>> g = Samples("glassnet", [1.0, 2.0, 1.0]); t = Samples("torch", [2.0, 4.0, 3.0])
    >>> paired_ratio(t, g), ratio(t, g)
    (2.0, 3.0)
    """
    if len(reference.seconds) != len(candidate.seconds) or not reference.seconds:
        raise ValueError(
            f"paired_ratio needs samples from the same rounds; got {len(reference.seconds)} "
            f"and {len(candidate.seconds)}."
        )
    pairs = zip(reference.seconds, candidate.seconds, strict=True)
    return statistics.median(r / c for r, c in pairs)


#: a round in which the BLAS multiplies at least this many times faster on two threads than on
#: one had the machine's two cores: of 273 probes here, 1.63x-1.92x when it did and 0.85x-1.57x
#: in the spells when the host gives the virtual machine less than two cores' worth at once
TWO_CORES = 1.6


def two_thread_speedup(reps: int = 20) -> float:
    """How many times faster the BLAS runs a product on all its threads than on one, now.

    One layer's forward product at batch 128 (128 x 784 times 784 x 256, float32) is timed
    ``reps`` times on one thread and ``reps`` times on all of them, one after the other. On a
    2-core machine that gets its two cores the answer is about 1.8; when the host runs both
    virtual CPUs on less than two cores it drops towards 1 (every two-thread product slows,
    the one-thread ones do not), and the epoch's memory-bound passes slow more than its
    products. Rounds are then told apart by :data:`TWO_CORES`.

    Examples
    --------
    >>> two_thread_speedup(reps=2) > 0
    True
    """
    import numpy as np
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.random((128, 784), dtype=np.float32)  # (B, in)
    w = rng.random((784, 256), dtype=np.float32)  # (in, out)
    out = np.empty((128, 256), np.float32)

    def timed() -> float:
        np.matmul(a, w, out=out)  # warm: buffers, threads awake
        start = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, w, out=out)
        return time.perf_counter() - start

    with threadpool_limits(1, user_api="blas"):
        one = timed()
    return one / timed()


def split_rounds(
    numerator: Samples, denominator: Samples, speedups: list[float], at: float = TWO_CORES
) -> tuple[list[float], list[float]]:
    """Per-round time ratios numerator / denominator, split by the round's two-thread speed-up:
    (rounds with two cores, the others).

    Examples
    --------
    >>> g = Samples("g", [1.1, 1.5, 1.2]); m = Samples("m", [1.0, 1.0, 1.0])
    >>> split_rounds(g, m, [1.8, 1.3, 1.9])
    ([1.1, 1.2], [1.5])
    """
    if not len(numerator.seconds) == len(denominator.seconds) == len(speedups):
        raise ValueError(
            f"split_rounds needs one speed-up per round; got {len(speedups)} for "
            f"{len(numerator.seconds)} and {len(denominator.seconds)} samples."
        )
    two, other = [], []
    for n, d, s in zip(numerator.seconds, denominator.seconds, speedups, strict=True):
        (two if s >= at else other).append(n / d)
    return two, other


def load_average() -> float:
    """The 1-minute load average (0.0 where the OS does not give one).

    Examples
    --------
    >>> load_average() >= 0.0
    True
    """
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - not on Linux
        return 0.0


def blas_info() -> list[dict[str, Any]]:
    """The BLAS libraries loaded in this process: name, version, kernel, threads.

    Examples
    --------
    >>> import numpy as np; _ = np.ones((2, 2)) @ np.ones((2, 2))
    >>> all("threads" in row for row in blas_info())
    True
    """
    from threadpoolctl import threadpool_info

    rows = []
    for info in threadpool_info():
        rows.append(
            {
                "api": info.get("user_api"),
                "name": info.get("internal_api"),
                "version": info.get("version"),
                "kernel": info.get("architecture") or info.get("threading_layer"),
                "threads": info.get("num_threads"),
                "file": os.path.basename(info.get("filepath", "")),
            }
        )
    return rows


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else ``platform.processor()``.

    Examples
    --------
    >>> isinstance(cpu_model(), str)
    True
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover - not on Linux
        pass
    return platform.processor() or "unknown"


def environment() -> dict[str, Any]:
    """What the numbers depend on: CPU, cores, versions, BLAS, OPENBLAS_* variables, load.

    Examples
    --------
    >>> sorted(environment())[:3]
    ['blas', 'cores', 'cpu']
    """
    import numpy as np

    env: dict[str, Any] = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_info(),
        "openblas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
        "load": load_average(),
    }
    from glassnet.fast import jit

    if jit.enabled():
        import numba

        env["kernels"] = (
            f"numba {numba.__version__} (the compiled step of a plain MLP; for the "
            "layer-by-layer step: batch gather, ReLU backward, softmax cross-entropy, the Adam "
            "and RMSprop updates)"
        )
    else:
        env["kernels"] = "none (NumPy only; install glassnet[fast] for numba's)"
    try:
        import torch

        env["torch"] = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:  # pragma: no cover - torch is a test dependency
        env["torch"] = "not installed"
    return env
