"""What ``glassnet train``, ``evaluate`` and ``predict`` share: data, model files, targets.

A model file written by ``glassnet train --save`` is an ordinary glassnet checkpoint file
(``glassnet.load`` opens it as a network) whose run state carries a ``"data"`` entry: how to
read inputs the way the network was trained on them::

    {"task": "classification", "n_classes": 3, "class_names": [...], "feature_names": [...],
     "target": "species", "dataset": "iris", "split_seed": 0, "test_size": 0.2,
     "standardizer": {"mean": [...], "scale": [...]}}     # or null with --no-standardize

``evaluate`` and ``predict`` apply exactly that scaling, so the mean and scale of the training
inputs travel with the weights and cannot be lost or mismatched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from glassnet.build import parse_widths
from glassnet.callbacks import ModelCheckpoint
from glassnet.datasets import Dataset, Standardizer, load, one_hot
from glassnet.report import classification_report, regression_report
from glassnet.serialize import load_checkpoint, save_checkpoint

DEFAULT_HIDDEN = "64"  # one hidden layer of 64 units when neither --hidden nor --layers is given


def load_data(
    data: str, target: str | None, seed: int, test_size: float, task: str | None = None
) -> Dataset:
    """A data set by name, or a CSV file (which needs the target column).

    ``task`` ("classification" or "regression") overrides how a CSV target is read (None: an
    integer target with at most 20 values is classes); a named data set has a fixed task, and a
    different ``task`` is an error.

    Examples
    --------
    >>> load_data("xor", None, 0, 0.25).n_features
    2
    """
    if str(data).lower().endswith(".csv"):
        if not target:
            raise ValueError(
                f"--data {data} is a CSV file; name its target column with --target COLUMN."
            )
        try:
            key: Any = int(target)
        except ValueError:
            key = target
        return load(data, seed=seed, test_size=test_size, target=key, task=task)
    ds = load(data, seed=seed, test_size=test_size)
    if task is not None and task != ds.task:
        raise ValueError(f"--task {task} applies to CSV files; data set {data!r} is {ds.task}.")
    return ds


def apply_scaling(X: np.ndarray, info: dict[str, Any]) -> np.ndarray:
    r"""Scale inputs as in training: :math:`(X - \mu) / \sigma`, or unchanged without a scaler.

    Examples
    --------
    >>> apply_scaling(np.array([[4.0]]), {"standardizer": {"mean": [2.0], "scale": [2.0]}})
    array([[1.]])
    """
    st = info.get("standardizer")
    if not st:
        return X
    scaler = Standardizer.from_state(st)
    d = scaler.mean_.shape[0]
    if X.shape[1] != d:
        raise ValueError(f"the model was trained on {d} features; the data has {X.shape[1]}.")
    return scaler.transform(X)  # (N, d)


def output_plan(task: str, loss: str, n_classes: int | None, y: np.ndarray) -> tuple[int, Any]:
    """Output width and default output activation for a task and a loss.

    cross_entropy: K logits, no activation (the loss applies the softmax); binary_cross_entropy:
    one sigmoid output for two classes, K sigmoids otherwise; mse: one output per target column
    (classes one-hot).

    Examples
    --------
    >>> output_plan("classification", "binary_cross_entropy", 2, np.array([0, 1]))
    (1, 'sigmoid')
    """
    if task == "classification":
        if loss == "binary_cross_entropy":
            return (1 if n_classes == 2 else int(n_classes)), "sigmoid"
        return int(n_classes), None
    if loss != "mse":
        raise ValueError(f"--loss {loss} needs class labels; this data set is regression (mse).")
    return (y.shape[1] if y.ndim == 2 else 1), None


def training_targets(task: str, loss: str, y: np.ndarray, n_out: int) -> np.ndarray:
    """Targets in the form the loss wants: labels (N,), a 0/1 column (N, 1), or one-hot (N, K).

    Examples
    --------
    >>> training_targets("classification", "mse", np.array([1, 0]), 2).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    if task != "classification" or loss == "cross_entropy":
        return y
    if n_out == 1:
        return y.reshape(-1, 1).astype(np.float32)  # (N, 1)
    return one_hot(y, n_out)  # (N, K)


def resolve_widths(layers: str | None, hidden: str | None, n_in: int, n_out: int) -> list[int]:
    """All widths, inputs to outputs, from ``--layers`` or ``--hidden`` and the data.

    ``--layers IN,H1,...,OUT`` lists every width; IN and OUT may be ``auto`` (taken from the
    data) and, when numbers, must match it. ``--hidden H1,H2`` lists only hidden widths
    (``none`` for no hidden layer). Giving both is an error; giving neither means one hidden
    layer of 64.

    Examples
    --------
    >>> resolve_widths("auto,32,auto", None, 64, 10)
    [64, 32, 10]
    >>> resolve_widths(None, "128,64", 4, 3)
    [4, 128, 64, 3]
    """
    if layers and hidden:
        raise ValueError("give --layers (all widths) or --hidden (hidden widths only), not both.")
    if not layers:
        spec = (DEFAULT_HIDDEN if hidden is None else hidden).replace(" ", "")
        if spec.lower() in ("", "none", "0"):
            return [n_in, n_out]
        return [n_in, *parse_widths(spec, "--hidden", min_count=1), n_out]
    parts = [p.strip() for p in layers.split(",") if p.strip()]
    if len(parts) < 2:
        raise ValueError(f"--layers needs inputs and outputs, e.g. auto,64,auto; got {layers!r}.")
    for i, (part, want, side) in enumerate(((parts[0], n_in, "first"), (parts[-1], n_out, "last"))):
        if part.lower() == "auto":
            parts[-i] = str(want)
        elif part.isdigit() and int(part) != want:
            raise ValueError(
                f"--layers {layers}: the {side} width is {part} but the data needs {want}; "
                "write auto to take it from the data."
            )
    return parse_widths(",".join(parts), "--layers")


def save_model(net: Any, path: str | Path, info: dict[str, Any]) -> None:
    """Save the network with the data description ``info`` in its run state.

    Examples
    --------
    >>> import os, tempfile
    >>> from glassnet import Dense, Sequential
    >>> p = os.path.join(tempfile.mkdtemp(), "m.npz")
    >>> save_model(Sequential([Dense(1, 1)]), p, {"task": "regression"})
    >>> load_model(p)[1]
    {'task': 'regression'}
    """
    save_checkpoint(net, path, state={"data": info})


def load_model(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """(network, data description) from a model or checkpoint file; {} for a plain model."""
    net, _, state = load_checkpoint(path)
    return net, dict(state.get("data") or {})


def model_task(net: Any, info: dict[str, Any]) -> str:
    """The task of a model: from its data description, else from its loss.

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> model_task(Sequential([Dense(1, 1)]), {})
    'regression'
    """
    if info.get("task"):
        return str(info["task"])
    loss = getattr(net.loss_, "name", "mse")
    return "classification" if loss in ("cross_entropy", "binary_cross_entropy") else "regression"


def build_report(net: Any, X: np.ndarray, y: np.ndarray, info: dict[str, Any]) -> dict[str, Any]:
    """The metrics report of ``net`` on scaled inputs X (N, d) and targets y.

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> net = Sequential([Dense(1, 1, weights=[[1.0]], bias=[0.0])])
    >>> build_report(net, np.array([[1.0], [2.0]]), np.array([[1.0], [2.0]]), {})["mse"]
    0.0
    """
    if model_task(net, info) == "classification":
        pred = net.predict_classes(X)  # (N,)
        return classification_report(y, pred, info.get("class_names"))
    return regression_report(y, net.predict(X))


def headline(report: dict[str, Any]) -> str:
    """One line with the main score of a report.

    Examples
    --------
    >>> headline(classification_report([0, 1], [0, 0]))
    'test accuracy 50.00% on 2 samples'
    """
    if report["task"] == "classification":
        return f"test accuracy {report['accuracy']:.2%} on {report['n_samples']} samples"
    return f"test MSE {report['mse']:.6g}, R^2 {report['r2']:.4f} on {report['n_samples']} samples"


class CLICheckpoint(ModelCheckpoint):
    """ModelCheckpoint that stores the data description and the whole history of a resumed run.

    The data description travels as ``extra_state``. ``fit`` writes only its own epochs into
    the run state, so the history of the run that was resumed (``previous``, a
    ``History.to_dict()``) is put in front of them here: :meth:`full_history` is the one place
    that joins them, for the checkpoint file and for the history ``glassnet train`` reports.

    Examples
    --------
    >>> ckpt = CLICheckpoint("c.npz", info={"task": "regression"}, previous=None)
    >>> ckpt.extra_state
    {'data': {'task': 'regression'}}
    """

    def __init__(self, path: Any, info: dict[str, Any], previous: dict[str, Any] | None) -> None:
        super().__init__(path, save_best_only=False, extra_state={"data": info})
        self.previous = previous

    def full_history(self, now: Any) -> Any:
        """The earlier run's epochs, then those of ``now`` (a History of this run)."""
        return merge_history(self.previous, now)

    def save(self, next_epoch: int) -> None:
        """Write the checkpoint with the whole history so far."""
        from glassnet.callbacks import History

        if self.previous is not None and "history" in self.run_state:
            now = History.from_dict(self.run_state["history"])
            self.run_state["history"] = self.full_history(now).to_dict()
        super().save(next_epoch)


def merge_history(previous: dict[str, Any] | None, now: Any) -> Any:
    """The history of a resumed run: the epochs before it, then this run's.

    Examples
    --------
    >>> from glassnet.callbacks import History
    >>> h = History(); h.append(1, {"loss": 0.5})
    >>> merge_history({"history": {"loss": [0.9]}, "epochs": [0]}, h).history
    {'loss': [0.9, 0.5]}
    """
    from glassnet.callbacks import History

    if not previous:
        return now
    before = History.from_dict(previous)
    keep = [i for i, e in enumerate(before.epochs) if e < (now.epochs[0] if now.epochs else 1e9)]
    merged = History(params=now.params, stopped=now.stopped)
    for i in keep:
        merged.append(before.epochs[i], {k: v[i] for k, v in before.history.items()})
    for i, e in enumerate(now.epochs):
        merged.append(e, {k: v[i] for k, v in now.history.items()})
    return merged
