"""Peak memory while training MNIST, measured in a fresh subprocess.

The limit is 1.5 x (data set + model + optimiser state) + 200 MB, where the model counts its
parameters and gradients and the optimiser its state arrays. The child samples its resident
set size (psutil) every 2 ms during ``fit`` and reports ``ru_maxrss`` for its whole life.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def limit_bytes(data: int, model: int, state: int) -> float:
    """1.5 x (data + model + optimiser state) + 200 MB, in bytes.

    Examples
    --------
    >>> limit_bytes(100 * MB, 0, 0) / MB
    350.0
    """
    return 1.5 * (data + model + state) + 200 * MB


def child(n: int | None, epochs: int, optimizer: str) -> dict[str, Any]:
    """Load MNIST, train the 784-256-128-10 network, return the byte counts and peaks.

    Examples
    --------
    >>> out = child(256, 1, "adam"); out["model"] == 2 * 4 * 235146
    True
    """
    import numpy as np
    import psutil

    from benchmarks.workloads import mlp
    from glassnet import get_optimizer
    from glassnet.datasets import load_mnist

    X, y = load_mnist("train")
    Xt, yt = load_mnist("test")
    if n is not None:
        X, y = X[:n].copy(), y[:n].copy()
    net = mlp((784, 256, 128, 10), seed=0)
    proc = psutil.Process()
    before = proc.memory_info().rss
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.002)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    opt = get_optimizer(optimizer, lr=1e-3)
    h = net.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=opt,
        lr=1e-3,
        epochs=epochs,
        batch_size=128,
        verbose=0,
        seed=0,
    )
    done.set()
    thread.join()
    opt_state = sum(a.nbytes for a in opt.state_dict()[1].values())  # scratch not counted
    return {
        "data": int(X.nbytes + y.nbytes + Xt.nbytes + yt.nbytes),
        "model": int(sum(p.value.nbytes + p.grad.nbytes for p in net.parameters())),
        "state": int(opt_state),
        "optimizer": repr(opt),
        "rss_before_fit": int(before),
        "rss_peak_fit": int(max(peak[0], proc.memory_info().rss)),
        "ru_maxrss": _own_peak_bytes(),
        "loss": float(h.history["loss"][-1]),
        "finite": bool(np.isfinite(h.history["loss"][-1])),
    }


def _own_peak_bytes() -> int:
    """This process's own peak RSS (VmHWM). ``ru_maxrss`` would not do: on Linux a child
    inherits its parent's peak, so a child of a big benchmark process reports the parent's."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def measure(n: int | None = None, epochs: int = 1, optimizer: str = "adam") -> dict[str, Any]:
    """Run :func:`child` in a fresh Python and return its report.

    Examples
    --------
    >>> r = measure(256); r["rss_peak_fit"] > r["data"]
    True
    """
    cmd = [sys.executable, str(Path(__file__)), str(n or 0), str(epochs), optimizer]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"memory child failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_memory(ctx: Any) -> list[Any]:
    """Peak RSS while training MNIST (Adam, b128) against the limit."""
    from benchmarks.report import Row

    r = measure(ctx.n_mnist, 1, "adam")
    if not r["finite"]:
        raise ValueError(f"the memory run did not train: loss {r['loss']}.")
    limit = limit_bytes(r["data"], r["model"], r["state"])
    peak = r["rss_peak_fit"]  # while training; loading MNIST peaks on its own, reported below
    return [
        Row(
            "peak RSS while training MNIST",
            "Adam b128, 1 epoch, subprocess",
            f"{peak / MB:.0f} MB",
            "",
            limit / peak,
            1.0,
            note=f"limit {limit / MB:.0f} MB = 1.5 x (data {r['data'] / MB:.0f} + model "
            f"{r['model'] / MB:.1f} + Adam state {r['state'] / MB:.1f} MB) + 200 MB; "
            f"RSS before fit {r['rss_before_fit'] / MB:.0f} MB; lifetime peak (incl. "
            f"loading MNIST) {r['ru_maxrss'] / MB:.0f} MB",
        )
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    n_arg, epochs_arg, opt_arg = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    print(json.dumps(child(n_arg or None, epochs_arg, opt_arg)))
