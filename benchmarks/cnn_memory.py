"""Peak memory of the CNN benchmark, glassnet against PyTorch, each in a fresh subprocess.

Each child loads MNIST as (N, 1, 28, 28) float32 images, builds its side's network (glassnet
never imports torch), and trains one pass at batch 128 while a thread samples its resident
set size (psutil, every 2 ms). The target: glassnet's peak no more than PyTorch's.
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


def child(side: str, n: int | None, batch: int) -> dict[str, Any]:
    """Train one pass of ``side`` ("glassnet" or "torch") in this process; return the peaks.

    Examples
    --------
    >>> out = child("glassnet", 256, 128); out["rss_peak"] >= out["rss_before"] > 0
    True
    """
    import numpy as np
    import psutil

    from benchmarks import cnn_workloads
    from glassnet.datasets import load_mnist

    X, y = load_mnist("train")
    if n is not None:
        X, y = X[:n].copy(), y[:n].copy()
    if side == "glassnet":
        run = cnn_workloads.glassnet_setup(X, y, batch, same_as_torch=False)
    elif side == "torch":
        import torch

        torch.set_num_threads(2)
        run = cnn_workloads.torch_setup(X, y, batch)
    else:
        raise ValueError(f"side must be 'glassnet' or 'torch'; got {side!r}.")
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
    loss = run()
    done.set()
    thread.join()
    return {
        "side": side,
        "data": int(X.nbytes + y.nbytes),
        "rss_before": int(before),
        "rss_peak": int(max(peak[0], proc.memory_info().rss)),
        "loss": float(loss),
        "finite": bool(np.isfinite(loss)),
        "torch_imported": "torch" in sys.modules,
    }


def measure(side: str, n: int | None = None, batch: int = 128) -> dict[str, Any]:
    """Run :func:`child` in a fresh Python and return its report.

    Examples
    --------
    >>> measure("glassnet", 256)["torch_imported"]
    False
    """
    cmd = [sys.executable, str(Path(__file__)), side, str(n or 0), str(batch)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"CNN memory child failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    side_arg, n_arg, batch_arg = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(child(side_arg, n_arg or None, batch_arg)))
