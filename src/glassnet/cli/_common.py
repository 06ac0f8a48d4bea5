"""What ``glassnet train``, ``evaluate`` and ``predict`` share: data, model files, targets.

A model file written by ``glassnet train --save`` is an ordinary glassnet checkpoint file
(``glassnet.load`` opens it as a network) whose run state carries a ``"data"`` entry: how to
read inputs the way the network was trained on them::

    {"task": "classification", "n_classes": 3, "class_names": [...], "feature_names": [...],
     "target": "species", "dataset": "iris", "split_seed": 0, "test_size": 0.2,
     "standardizer": {"mean": [...], "scale": [...]},     # or null with --no-standardize
     "target_scaler": {"mean": [...], "scale": [...]}}    # regression; or null

plus ``"weight_column": "w"`` when the run was trained with ``--weight-column``, and, for a
CSV file, how to read new rows alike: ``"columns"`` (the feature columns, by name),
``"categories"`` (the one-hot encoded columns' categories, ``--categorical auto``),
``"delimiter"``, ``"encoding"`` and ``"impute"`` (``{"strategy": "mean", "means": [...]}``
with ``--impute mean``, the training columns' means that fill missing values).
``evaluate`` and ``predict`` apply exactly that scaling, so the mean and scale of the training
inputs travel with the weights and cannot be lost or mismatched. Likewise the targets of a
regression trained with mse, mae or huber: the network learns ``(y - mean) / scale`` (the
training targets' mean and standard deviation, one per target column), and ``evaluate`` and
``predict`` turn its outputs back into the targets' units. Both scalings belong to the
command line: ``glassnet.load`` gives the bare network, which takes standardised inputs and
predicts standardised targets (``glassnet export`` bakes both into the ONNX model).

Reading the data lives in ``_data`` and the train command's checkpoints in ``_checkpoint``;
their names are imported here so the commands reach everything through this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from glassnet.cli._checkpoint import CLICheckpoint, merge_history
from glassnet.cli._data import (
    SampleWeights,
    apply_scaling,
    csv_options,
    impute_means,
    is_csv,
    load_data,
    load_weighted,
    scale_targets,
    unscale_targets,
)
from glassnet.datasets import one_hot
from glassnet.losses import get_loss
from glassnet.losses.targets import prepare_targets
from glassnet.metrics.report import classification_report, print_report, regression_report
from glassnet.model.build import parse_widths
from glassnet.saving.serialize import load_checkpoint, save_checkpoint

__all__ = [
    "DEFAULT_HIDDEN",
    "REGRESSION_LOSSES",
    "CLICheckpoint",
    "SampleWeights",
    "apply_scaling",
    "build_report",
    "csv_options",
    "headline",
    "impute_means",
    "is_csv",
    "load_data",
    "load_model",
    "load_weighted",
    "merge_history",
    "model_task",
    "output_plan",
    "print_metrics",
    "resolve_widths",
    "save_model",
    "scale_targets",
    "training_targets",
    "unscale_targets",
    "weighted_line",
]

DEFAULT_HIDDEN = "64"  # one hidden layer of 64 units when neither --hidden nor --layers is given
#: the losses of a regression (every other loss wants class labels)
REGRESSION_LOSSES = ("mse", "mae", "huber", "poisson")


def output_plan(task: str, loss: str, n_classes: int | None, y: np.ndarray) -> tuple[int, Any]:
    """Output width and default output activation for a task and a loss.

    cross_entropy: K logits, no activation (the loss applies the softmax); binary_cross_entropy:
    one sigmoid output for two classes, K sigmoids otherwise; mse: one output per target column
    (classes one-hot); poisson: one log-rate per target column (the loss takes its exp).

    Examples
    --------
    >>> output_plan("classification", "binary_cross_entropy", 2, np.array([0, 1]))
    (1, 'sigmoid')
    """
    if task == "classification":
        if loss == "binary_cross_entropy":
            return (1 if n_classes == 2 else int(n_classes)), "sigmoid"
        return int(n_classes), None
    if loss not in REGRESSION_LOSSES:
        raise ValueError(
            f"--loss {loss} needs class labels; this data set is regression (mse, mae or huber, "
            "or poisson for counts)."
        )
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


def save_model(net: Any, path: str | Path, info: dict[str, Any], overwrite: bool = False) -> None:
    """Save the network with the data description ``info`` in its run state; the columns it
    was trained on become the network's ``feature_names``, so the file names its inputs for
    ``glassnet.load`` too. ``overwrite`` (``--force``) replaces a file that is not a model.

    Examples
    --------
    >>> import os, tempfile
    >>> from glassnet import Dense, Sequential
    >>> p = os.path.join(tempfile.mkdtemp(), "m.npz")
    >>> save_model(Sequential([Dense(1, 1)]), p, {"task": "regression", "feature_names": ["x"]})
    >>> net, info = load_model(p); info["task"], net.feature_names
    ('regression', ['x'])
    """
    names = info.get("feature_names")
    if names and len(names) == net.in_features:
        net.feature_names = [str(n) for n in names]
    save_checkpoint(net, path, state={"data": info}, overwrite=overwrite)


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


def build_report(
    net: Any,
    X: np.ndarray,
    y: np.ndarray,
    info: dict[str, Any],
    weights: tuple[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    r"""The metrics report of ``net`` on scaled inputs X (N, d) and targets y (in their units;
    the network's outputs are unscaled with ``info["target_scaler"]``, when it has one).

    With ``weights = (column, w)`` (w of shape (N,)) the report also holds the weighted loss
    :math:`\sum_n w_n l_n / \sum_n w_n` of the network's loss (``weighted_loss``; None when
    every weight is 0), its name (``loss_function``) and the column (``sample_weight``); the
    other metrics count every sample once.

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> net = Sequential([Dense(1, 1, weights=[[1.0]], bias=[0.0])])
    >>> X, y = np.array([[1.0], [2.0]]), np.array([[1.0], [4.0]])
    >>> build_report(net, X, y, {})["mse"]
    2.0
    >>> r = build_report(net, X, y, {}, ("w", np.array([3.0, 1.0])))
    >>> r["weighted_loss"], r["loss_function"], r["sample_weight"]  # (3*0 + 1*4) / 4
    (1.0, 'mse', 'w')

    A regression trained on scaled targets is scored in the targets' units:

    >>> info = {"target_scaler": {"mean": [10.0], "scale": [2.0]}}  # outputs 1, 2 -> 12, 14
    >>> build_report(net, X, np.array([[12.0], [14.0]]), info)["mse"]
    0.0
    """
    task = model_task(net, info)
    if task == "classification":
        pred = net.predict_classes(X)  # (N,)
        report = classification_report(y, pred, info.get("class_names"))
    else:  # in the targets' units: unscaled, and the rates exp(z) of a Poisson model
        out = unscale_targets(net.predict(X).astype(np.float64), info)  # (N, out)
        report = regression_report(y, out if net.loss_ is None else net.loss_.predictions(out))
    if weights is not None:
        column, w = weights
        loss = net.loss_ or get_loss("cross_entropy" if task == "classification" else "mse")
        T = training_targets(task, loss.name, y, net.out_features)
        T = prepare_targets(net, loss, T, len(X))  # labels (N,) or (N, out), as fit has them
        out = net.predict(X)  # (N, out)
        if task != "classification":  # the loss in the targets' units, as the other metrics
            out = unscale_targets(out.astype(np.float64), info)
        value = loss.weighted_forward(out, T, w) if np.any(w) else None
        report.update(sample_weight=column, loss_function=loss.name, weighted_loss=value)
    return report


def weighted_line(report: dict[str, Any]) -> str | None:
    """The line that reports the weighted loss of a report, or None if it has none.

    Examples
    --------
    >>> weighted_line({"sample_weight": "w", "loss_function": "mse", "weighted_loss": 0.5,
    ...                "n_samples": 4})
    "loss (weighted by column 'w'): mse 0.5 on 4 samples"
    """
    if "weighted_loss" not in report:
        return None
    value = report["weighted_loss"]
    shown = "undefined (every weight is 0)" if value is None else f"{value:.6g}"
    return (
        f"loss (weighted by column {report['sample_weight']!r}): {report['loss_function']} "
        f"{shown} on {report['n_samples']} samples"
    )


def print_metrics(report: dict[str, Any], short: bool = False) -> None:
    """Print a report: the metrics table (or, ``short``, its headline), then its weighted loss.

    Examples
    --------
    >>> print_metrics({"task": "regression", "mse": 0.0, "r2": 1.0, "n_samples": 2}, short=True)
    test MSE 0, R^2 1.0000 on 2 samples
    """
    if short:
        print(headline(report))
    else:
        print_report(report)
    line = weighted_line(report)
    if line is not None:
        print(line)


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
