"""Entry point of ``make bench``: glassnet against PyTorch on the CPU, ratios in one run.

Usage::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/run.py
        [--quick] [--only NAME ...] [--repeats N] [--write-readme]

Names: sgd, kernels, adam, tiny, mnist, digits, memory, cnn. Prints the environment (CPU, BLAS kernel and
threads, load average) and a Markdown table; ``--write-readme`` also puts both into
``benchmarks/README.md`` between its results markers.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import cnn_suite, memory, suites, torch_ref  # noqa: E402
from benchmarks.harness import environment, load_average  # noqa: E402
from benchmarks.report import environment_lines, markdown_table, update_readme  # noqa: E402

BENCHMARKS = {
    "sgd": suites.bench_sgd,
    "kernels": suites.bench_kernels,
    "adam": suites.bench_adam,
    "tiny": suites.bench_tiny,
    "mnist": suites.bench_mnist,
    "digits": suites.bench_digits,
    "memory": memory.bench_memory,
    "cnn": cnn_suite.bench_cnn,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line.

    Examples
    --------
    >>> a = parse_args(["--quick", "--only", "sgd", "tiny"]); a.quick, a.only
    (True, ['sgd', 'tiny'])
    """
    p = argparse.ArgumentParser(description="glassnet vs PyTorch (CPU) benchmarks")
    p.add_argument("--quick", action="store_true", help="5 repeats instead of 7")
    p.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these")
    p.add_argument("--repeats", type=int, help="timed samples per competitor (>= 5 to report)")
    p.add_argument("--pause", type=float, default=0.25, help="sleep before each sample, s")
    p.add_argument("--write-readme", action="store_true", help="update benchmarks/README.md")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> str:
    """Run the chosen benchmarks; print and return the Markdown report."""
    args = parse_args(argv)
    repeats = args.repeats or (5 if args.quick else 7)
    if repeats < 1:
        raise SystemExit(f"--repeats must be >= 1; got {repeats}.")
    torch_ref.setup_threads()
    ctx = suites.Context(repeats=repeats, pause=args.pause, quick=args.quick)
    env = environment()
    started = time.perf_counter()
    rows = []
    for name in args.only or list(BENCHMARKS):
        print(f"running {name} (load {load_average():.2f}) ...", file=sys.stderr, flush=True)
        rows += BENCHMARKS[name](ctx)
    env["load_end"] = load_average()
    command = (
        "make bench"
        if argv is None and len(sys.argv) == 1
        else shlex.join(["benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)])
    )
    report = "\n".join(
        [
            f"Command: `{command}` ({repeats} samples each, medians; "
            f"{time.perf_counter() - started:.0f} s in all)",
            "",
            *environment_lines(env),
            "",
            markdown_table(rows),
        ]
    )
    print(report)
    if args.write_readme:
        update_readme(ROOT / "benchmarks" / "README.md", report)
    return report


if __name__ == "__main__":
    main()
