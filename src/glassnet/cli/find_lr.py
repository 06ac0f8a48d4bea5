"""``glassnet train ... --find-lr``: the learning-rate range test on the network and data that
the same flags would train, instead of training (:func:`glassnet.lr_find`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.train.lr_finder import lr_find

__all__ = ["run_find_lr"]


def run_find_lr(
    s: dict[str, Any], net: Any, X: np.ndarray, T: np.ndarray, loss: str, optimizer: Any
) -> int:
    """Run the range test with the run's optimiser, batch size and seed; print what it found
    (or ``--json`` it), draw it into ``--plot-dir``; return 0. ``net`` is left untrained.

    Examples
    --------
    >>> from glassnet import mlp
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(64, 2)); T = X[:, :1]  # (64, 1)
    >>> s = {"batch_size": 16, "seed": 0, "json": True, "plot_dir": None}
    >>> run_find_lr(s, mlp("2,4,1", seed=0), X, T, "mse", "sgd")  # doctest: +ELLIPSIS
    {"lr_find": {"lrs": [1e-06, ...], ...}}
    0
    """
    found = lr_find(net, X, T, loss=loss, optimizer=optimizer, batch_size=s["batch_size"],
                    seed=s["seed"])  # fmt: skip
    plots: list[str] = []
    if s["plot_dir"]:
        from glassnet.plot import plot_lr_find, save_figure

        path = Path(s["plot_dir"]) / "lr_find.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        save_figure(plot_lr_find(found), path)
        plots.append(str(path))
    if s["json"]:
        out = {"lr_find": {**vars(found), "plots": plots}}
        print(json.dumps(out))
        return 0
    lowest = int(np.nanargmin(np.where(np.isfinite(found.smoothed), found.smoothed, np.nan)))
    print(
        f"learning-rate range test: {len(found.lrs)} batches, lr {found.lrs[0]:.3g} to "
        f"{found.lrs[-1]:.3g} ({found.stopped})\n"
        f"  lowest smoothed loss {found.smoothed[lowest]:.4g} at lr {found.lrs[lowest]:.3g}"
    )
    if found.steepest is not None:
        print(f"  steepest fall at lr {found.steepest:.3g}")
    print(f"suggested: --lr {found.suggestion:.3g} (a tenth of the lowest point's lr)")
    for path in plots:
        print(f"wrote {path}")
    return 0
