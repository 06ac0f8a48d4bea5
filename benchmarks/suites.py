"""The benchmarks: each takes a :class:`Context` and returns result rows.

Every timed run is checked afterwards (the loss fell, the accuracy is real), and a run that
did not do its work raises instead of reporting a speed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks import harness, torch_ref, workloads
from benchmarks.harness import Samples, alternate, paired_ratio, ratio
from benchmarks.report import Row


@dataclass
class Context:
    """Settings and data shared by the benchmarks (data loaded once, lazily).

    Examples
    --------
    >>> Context(repeats=5).repeats
    5
    """

    repeats: int = 7
    pause: float = 0.25
    quick: bool = False
    n_mnist: int | None = None  # fewer training samples (smoke tests)
    _data: dict[str, Any] = field(default_factory=dict)

    def mnist(self) -> tuple[np.ndarray, ...]:
        """(X_train, y_train, X_test, y_test), float32 in [0, 1] and int64."""
        if "mnist" not in self._data:
            from glassnet.datasets import load_mnist

            X, y = load_mnist("train")
            Xt, yt = load_mnist("test")
            if self.n_mnist is not None:
                X, y = X[: self.n_mnist].copy(), y[: self.n_mnist].copy()
            self._data["mnist"] = (X, y, Xt, yt)
        return self._data["mnist"]


def check_trained(name: str, losses: list[float], below: float) -> None:
    """Raise unless every run ended with a finite loss below ``below`` (the work was done).

    Examples
    --------
    >>> check_trained("x", [0.3, 0.31], below=2.3)
    >>> check_trained("x", [float("nan")], below=2.3)
    Traceback (most recent call last):
    ValueError: x did not train: final losses [nan], expected finite values below 2.3.
    """
    if not all(np.isfinite(v) and v < below for v in losses):
        raise ValueError(
            f"{name} did not train: final losses {losses}, expected finite values below {below}."
        )


def _fmt_rate(n: float, seconds: float, unit: str) -> str:
    return f"{n / seconds / 1000:.1f}k {unit}/s ({seconds:.3f} s)"


def _losses(g: Samples, t: Samples) -> str:
    return f"loss {np.median(g.results):.3f} vs {np.median(t.results):.3f}"


def _epoch_row(
    name: str, batch: int, n: int, g: Samples, t: Samples, target: float | None, note: str
) -> Row:
    """One epoch of ``n`` samples, both sides in samples/s (medians); the ratio is the median
    of the rounds' PyTorch-over-glassnet times (:func:`paired_ratio`); the note adds the ratio
    of the medians."""
    rate_g, rate_t = (_fmt_rate(n, s.median, "samples") for s in (g, t))
    note = f"{note}; ratio of medians {ratio(t, g):.2f}x"
    return Row(name, f"b{batch}", rate_g, rate_t, paired_ratio(t, g), target, note=note)


def _two_core_row(batch: int, g: Samples, m: Samples, speedups: list[float]) -> Row:
    """The epoch over its matmuls in the rounds that had two cores (the lower of the two-thread
    speed-ups measured just before and just after the pair, see
    :func:`harness.two_thread_speedup`), and in the others, with every round's speed-up."""
    two, other = harness.split_rounds(g, m, speedups)
    ups = ", ".join(f"{v:.2f}" for v in speedups)
    note = (
        f"{len(two)} of {len(speedups)} rounds had two cores (BLAS two-thread speed-up >= "
        f"{harness.TWO_CORES}; per round: {ups})"
    )
    if other:
        note += f"; the other rounds: median {np.median(other):.2f}x"
    value = float(np.median(two)) if two else float("nan")
    return Row("epoch / its matmuls, two-core rounds", f"b{batch}", f"{g.median:.3f} s", "",
               value, None, higher_is_better=False, note=note)  # fmt: skip


def bench_sgd(ctx: Context, batches: tuple[int, ...] = (32, 128, 1024)) -> list[Row]:
    """MLP 784-256-128-10 ReLU, softmax-CE, SGD lr 0.1, one epoch (fit's default: the compiled
    step), the same epoch layer by layer, PyTorch's, and the matmul floors."""
    X, y, _, _ = ctx.mnist()
    targets = {32: 2.0, 128: 1.5, 1024: 1.0}
    rows, overhead = [], []
    for b in batches:
        # in this order (reversed every other round) glassnet's epoch runs beside the matmuls
        # alone and next but one to PyTorch's, the two ratios with targets
        s = alternate(
            {
                "torch": lambda b=b: torch_ref.epoch_setup(X, y, b),
                # what the machine gives two BLAS threads just before and just after the
                # epoch and its matmuls (see harness.TWO_CORES)
                "cores before": lambda: harness.two_thread_speedup,
                "glassnet": lambda b=b: workloads.epoch_setup(X, y, b),
                "matmul": lambda b=b: workloads.matmul_setup(len(X), b),
                "cores after": lambda: harness.two_thread_speedup,
                "gather": lambda b=b: workloads.matmul_setup(len(X), b, X=X, update=False),
                "memory": lambda b=b: workloads.matmul_setup(len(X), b, X=X),
                "layers": lambda b=b: workloads.epoch_setup(X, y, b, jit_compile=False),
            },
            ctx.repeats,
            ctx.pause,
        )
        chance = float(np.log(10))  # the loss of a network that learnt nothing
        check_trained(f"glassnet b{b}", s["glassnet"].results, chance)
        check_trained(f"torch b{b}", s["torch"].results, chance)
        check_trained(f"glassnet layer by layer b{b}", s["layers"].results, chance)
        g, t, m, lay = s["glassnet"], s["torch"], s["matmul"], s["layers"]
        gat, mem = s["gather"], s["memory"]
        step = "compiled step" if workloads.compiled_step_used(X, y, b) else "layer by layer"
        note = f"{_losses(g, t)}; best {t.best / g.best:.2f}x; {step}"
        rows.append(_epoch_row("MLP SGD epoch", b, len(X), g, t, targets.get(b), note))
        overhead.append(
            Row(
                "epoch / its matmuls",
                f"b{b}",
                f"{g.median:.3f} s",
                "",
                paired_ratio(g, m),
                1.15 if b == 128 else None,
                higher_is_better=False,
                note=f"8 matmuls/step alone: {m.median:.3f} s; best {g.best / m.best:.2f}x; "
                f"ratio of medians {g.median / m.median:.2f}x",
            )
        )
        before, after = s["cores before"].results, s["cores after"].results
        cores = [min(v) for v in zip(before, after, strict=True)]
        overhead.append(_two_core_row(b, g, m, cores))
        overhead.append(
            Row(
                "epoch / (matmuls + gather)",
                f"b{b}",
                f"{g.median:.3f} s",
                "",
                paired_ratio(g, gat),
                None,
                higher_is_better=False,
                note=f"the matmuls with the shuffled batch's gather: {gat.median:.3f} s "
                f"({paired_ratio(gat, m):.2f}x the matmuls alone, paired); ratio of medians "
                f"{g.median / gat.median:.2f}x",
            )
        )
        overhead.append(
            Row(
                "epoch / (matmuls + gather + SGD update)",
                f"b{b}",
                f"{g.median:.3f} s",
                "",
                paired_ratio(g, mem),
                None,
                higher_is_better=False,
                note=f"the matmuls with the shuffled batch's gather and the update of every "
                f"weight: {mem.median:.3f} s; ratio of medians {g.median / mem.median:.2f}x",
            )
        )
        overhead.append(
            Row(
                "compiled step / layer by layer",
                f"b{b}",
                f"{g.median:.3f} s",
                "",
                paired_ratio(lay, g),
                None,
                note="fit(jit_compile=False), the layers one by one: "
                f"{_fmt_rate(len(X), lay.median, 'samples')}, loss {lay.results[-1]:.3f}, "
                f"{t.median / lay.median:.2f}x PyTorch; ratio of medians "
                f"{lay.median / g.median:.2f}x",
            )
        )
    return rows + overhead


def bench_kernels(ctx: Context, batches: tuple[int, ...] = (32, 128, 1024)) -> list[Row]:
    """What the compiled kernels (numba) add: the SGD epoch's batches with them and without,
    switched every 10 batches inside one fit (see :class:`workloads.KernelToggle`)."""
    from glassnet.fast import jit

    if not jit.enabled():
        return []
    X, y, _, _ = ctx.mnist()
    rows = []
    for b in batches:
        time.sleep(ctx.pause)
        on, off, loss = workloads.kernels_run(X, y, b, epochs=1 if ctx.quick else 2)
        check_trained(f"kernels b{b}", [loss], float(np.log(10)))
        rows.append(
            Row(
                "compiled kernels on / off",
                f"b{b}",
                f"{on * 1e6:.0f} us/batch",
                "",
                off / on,
                None,
                note=f"without them (NumPy): {off * 1e6:.0f} us/batch; medians, switched "
                "every 10 batches in one fit",
            )
        )
    return rows


def bench_adam(ctx: Context, batch: int = 128) -> list[Row]:
    """The same epoch with Adam (lr 1e-3) against PyTorch's fused (else foreach) Adam."""
    X, y, _, _ = ctx.mnist()
    s = alternate(
        {
            "glassnet": lambda: workloads.epoch_setup(X, y, batch, "adam", 1e-3),
            "torch": lambda: torch_ref.epoch_setup(X, y, batch, "adam", 1e-3),
        },
        ctx.repeats,
        ctx.pause,
    )
    for name in s:
        check_trained(f"{name} adam", s[name].results, float(np.log(10)))
    g, t = s["glassnet"], s["torch"]
    note = f"PyTorch Adam fused; {_losses(g, t)}"
    return [_epoch_row("MLP Adam epoch", batch, len(X), g, t, None, note)]


def bench_tiny(ctx: Context, n: int = 500, epochs: int = 20) -> list[Row]:
    """Playground: 2-8-8-1 tanh, sigmoid + BCE, SGD, batch 10, moons(500): steps per second."""
    from glassnet.datasets import moons

    X, y = moons(n, noise=0.1, seed=0)
    s = alternate(
        {
            "glassnet": lambda: workloads.tiny_setup(X, y, epochs),
            "torch": lambda: torch_ref.tiny_setup(X, y, epochs),
        },
        ctx.repeats,
        ctx.pause,
    )
    for name in s:
        check_trained(f"{name} tiny", s[name].results, float(np.log(2)))
    g, t = s["glassnet"], s["torch"]
    steps = epochs * -(-n // 10)
    return [
        Row(
            "tiny 2-8-8-1 tanh",
            "b10, moons 500",
            _fmt_rate(steps, g.median, "steps"),
            _fmt_rate(steps, t.median, "steps"),
            paired_ratio(t, g),
            5.0,
            note=f"{epochs} epochs; BCE {np.median(g.results):.3f} vs {np.median(t.results):.3f}; "
            f"ratio of medians {ratio(t, g):.2f}x",
        )
    ]


def _accuracy_row(
    name: str,
    data: tuple[np.ndarray, ...],
    cfg: dict[str, Any],
    acc: float,
    limit: float,
    pause: float,
) -> Row:
    results = {}
    for side, mod in (("glassnet", workloads), ("torch", torch_ref)):
        run = mod.accuracy_run(*data, **cfg)
        time.sleep(pause)
        start = time.perf_counter()
        results[side] = (run(), time.perf_counter() - start)
    (ga, gs), (ta, ts) = results["glassnet"], results["torch"]
    for side, accuracy in (("glassnet", ga), ("PyTorch", ta)):
        if not accuracy > 0.3:  # three times chance for 10 classes: proof that both trained
            raise ValueError(f"{name}: {side} reached only {accuracy:.2%}; it did not train.")
    setting = (
        f"{'-'.join(map(str, cfg['sizes']))}, {cfg['optimizer']} lr {cfg['lr']}, "
        f"b{cfg['batch_size']}, {cfg['epochs']} epochs"
    )
    return Row(
        name,
        setting,
        f"{ga:.2%} in {gs:.1f} s",
        f"{ta:.2%} in {ts:.1f} s",
        ts / gs,
        None,
        note=f"target >= {acc:.0%} test accuracy in <= {limit:g} s",
        ok=ga >= acc and gs <= limit,
    )


MNIST_CFG = {
    "sizes": (784, 512, 256, 10),
    "epochs": 12,
    "batch_size": 64,
    "optimizer": "momentum",
    "lr": 0.05,
}
DIGITS_CFG = {
    "sizes": (64, 128, 10),
    "epochs": 60,
    "batch_size": 32,
    "optimizer": "adam",
    "lr": 0.003,
}


def bench_mnist(ctx: Context) -> list[Row]:
    """MNIST test accuracy after training from scratch, both libraries, same settings."""
    X, y, Xt, yt = ctx.mnist()
    cfg = dict(MNIST_CFG)
    if ctx.n_mnist is not None:  # smoke test: a short run
        cfg.update(sizes=(784, 32, 10), epochs=1)
    return [_accuracy_row("MNIST accuracy", (X, y, Xt, yt), cfg, 0.98, 60.0, ctx.pause)]


def bench_digits(ctx: Context) -> list[Row]:
    """UCI digits (8x8, 1797 images; 20% stratified test split) accuracy, both libraries."""
    from glassnet.datasets import load_digits

    X, Xt, y, yt = load_digits(scale=True, split=0.2, seed=0)
    cfg = dict(DIGITS_CFG)
    if ctx.quick:
        cfg["epochs"] = max(1, cfg["epochs"] // 2)
    return [_accuracy_row("digits accuracy", (X, y, Xt, yt), cfg, 0.97, 5.0, ctx.pause)]
