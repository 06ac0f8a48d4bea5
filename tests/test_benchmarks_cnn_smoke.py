"""The CNN benchmark suite runs on a small MNIST and checks its own work (nothing is timed
here): both sides train from the same weights, the rows carry the targets, memory is measured
in subprocesses (glassnet's without torch)."""

from __future__ import annotations

import doctest
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

torch = pytest.importorskip("torch")
pytest.importorskip("psutil")

from benchmarks import cnn_memory, cnn_suite, cnn_workloads, run, suites  # noqa: E402


@pytest.mark.parametrize("module", [cnn_workloads, cnn_memory])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_both_sides_start_from_the_same_weights_and_compute_the_same_step():
    ref = cnn_workloads.torch_cnn(0).double()
    net = cnn_workloads.glassnet_cnn(0)
    flat = [p.detach().numpy() for p in ref.parameters()]
    mine = [p.value for p in net.parameters()]
    np.testing.assert_allclose(mine[0], flat[0], rtol=1e-6)
    np.testing.assert_allclose(mine[4], flat[4].T, rtol=1e-6)
    rng = np.random.default_rng(0)
    x = rng.random((4, 1, 28, 28))
    net.layers[0].astype(np.float64)  # compare the first stage in float64
    z = net.layers[0].forward(x)
    np.testing.assert_allclose(z, ref[0](torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_cnn_rows_on_a_small_mnist():
    ctx = suites.Context(repeats=1, pause=0.0, n_mnist=2048)
    rows = cnn_suite.bench_cnn(ctx, batches=(32,), unfused_at=32)
    assert [r.benchmark for r in rows] == ["CNN SGD", "CNN SGD, layers unfused", "CNN peak RSS"]
    speed, unfused, memory = rows
    assert speed.target == 1.0 and speed.ratio > 0 and "samples/s" in speed.glassnet
    assert unfused.target is None and "fused block is" in unfused.note
    assert memory.target == 1.0 and memory.glassnet.endswith(" MB") and memory.ratio > 0
    # both sides trained: bench_cnn raises otherwise; the note carries both losses
    losses = [float(v.rstrip(";")) for v in speed.note.split()[1:4:2]]
    assert all(v < np.log(10) for v in losses)


def test_the_suite_is_registered():
    assert run.BENCHMARKS["cnn"] is cnn_suite.bench_cnn
    assert run.parse_args(["--only", "cnn"]).only == ["cnn"]
