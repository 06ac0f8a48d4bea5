"""The CNN suite (issue 17): glassnet's image layers against idiomatic PyTorch on the CPU.

The network of :mod:`benchmarks.cnn_workloads` trains on MNIST as (N, 1, 28, 28) float32
images with softmax cross-entropy and SGD (lr 0.05), both sides from the same weights, at
batch 32, 128 and 512: same process, alternating (the order flipping every round), 0.25 s of
sleep before every sample, medians; the ratio is the median over the rounds of PyTorch's time
over glassnet's (as in the MLP suite). Each timed run is one pass over the first ``n_cnn``
MNIST images (30000; 15000 with ``--quick``), from a fresh model; its loss (the mean over its
last quarter of batches) must be below chance, log 10, on both sides, or the suite raises.

At batch 128 a third competitor runs in the same rounds: glassnet's layers one by one, each
Conv2D, ReLU, MaxPool2D stage unfused, which says what the fused block buys. Peak memory is
measured last, each side in a fresh subprocess (:mod:`benchmarks.cnn_memory`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks import cnn_memory, cnn_workloads
from benchmarks.harness import alternate, paired_ratio, ratio
from benchmarks.report import Row
from benchmarks.suites import Context, check_trained

#: images per timed run (a half epoch), and with --quick
N_CNN, N_CNN_QUICK = 30000, 15000


def _data(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    X, y, _, _ = ctx.mnist()
    n = len(X) if ctx.n_mnist is not None else (N_CNN_QUICK if ctx.quick else N_CNN)
    return X[:n], y[:n]


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds / 1000:.1f}k samples/s ({seconds:.3f} s)"


def bench_cnn(
    ctx: Context, batches: tuple[int, ...] = (32, 128, 512), unfused_at: int = 128
) -> list[Row]:
    """The CNN rows: samples/s against PyTorch per batch size, the unfused layers at batch
    ``unfused_at``, and peak memory."""
    X, y = _data(ctx)
    n = len(X)
    chance = float(np.log(10))
    rows = []
    for b in batches:
        competitors: dict[str, Any] = {
            "torch": lambda b=b: cnn_workloads.torch_setup(X, y, b),
            "glassnet": lambda b=b: cnn_workloads.glassnet_setup(X, y, b),
        }
        if b == unfused_at:
            competitors["layers"] = lambda b=b: cnn_workloads.glassnet_setup(X, y, b, fused=False)
        s = alternate(competitors, ctx.repeats, ctx.pause)
        for name, samples in s.items():
            check_trained(f"CNN {name} b{b}", samples.results, chance)
        g, t = s["glassnet"], s["torch"]
        note = (
            f"loss {np.median(g.results):.3f} vs {np.median(t.results):.3f}; best "
            f"{t.best / g.best:.2f}x; ratio of medians {ratio(t, g):.2f}x"
        )
        rows.append(
            Row(
                "CNN SGD",
                f"b{b}",
                _rate(n, g.median),
                _rate(n, t.median),
                paired_ratio(t, g),
                cnn_workloads.TARGETS.get(b),
                note=note,
            )  # fmt: skip
        )
        if "layers" in s:
            lay = s["layers"]
            rows.append(
                Row(
                    "CNN SGD, layers unfused",
                    f"b{b}",
                    _rate(n, lay.median),
                    _rate(n, t.median),
                    paired_ratio(t, lay),
                    None,
                    note=f"Conv2D, ReLU, MaxPool2D one by one (the ReLU on NumPy); the fused "
                    f"block is {paired_ratio(lay, g):.2f}x faster in the same rounds",
                )
            )
    rows.append(_memory_row(ctx))
    return rows


def _memory_row(ctx: Context) -> Row:
    """Peak RSS of one pass at b128, each side in a fresh subprocess."""
    n = ctx.n_mnist
    got = {side: cnn_memory.measure(side, n, 128) for side in ("glassnet", "torch")}
    for side, r in got.items():
        if not r["finite"]:
            raise ValueError(f"the CNN memory run of {side} did not train: loss {r['loss']}.")
    g, t = got["glassnet"], got["torch"]
    mb = cnn_memory.MB
    return Row(
        "CNN peak RSS",
        f"b128, one pass over {n or 60000} images, subprocess each",
        f"{g['rss_peak'] / mb:.0f} MB",
        f"{t['rss_peak'] / mb:.0f} MB",
        t["rss_peak"] / g["rss_peak"],
        1.0,
        note=f"before training {g['rss_before'] / mb:.0f} vs {t['rss_before'] / mb:.0f} MB (data "
        f"{g['data'] / mb:.0f} MB); glassnet's child never imports torch",
    )
