"""``glassnet evaluate``: the metrics table of a saved model on a data set or CSV file."""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from glassnet.cli import _common as common
from glassnet.cli._data import add_csv_flags, add_data_flag


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "evaluate",
        help="metrics of a saved model on a data set or CSV file",
        description="Score a model written by 'glassnet train --save': accuracy, per-class "
        "precision/recall/F1 and the confusion matrix, or MSE/MAE/R^2 for regression. Inputs "
        "are scaled with the mean and scale stored in the model file.",
        epilog="By default a named data set is split exactly as in training (same seed and "
        "test size, read from the model file) and the test part is scored; another CSV file "
        "is scored whole. With --weight-column (by default the training's, when scoring the "
        "training CSV) the report adds the loss weighted by that column, sum w l / sum w.\n\n"
        "Example:\n  glassnet evaluate --model digits.npz --data digits",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", required=True, metavar="PATH", help="model file (.npz)")
    add_data_flag(p, "data set name or .csv file (default: the training data)")
    p.add_argument("--target", help="target column of a CSV file (default: as in training)")
    p.add_argument(
        "--weight-column",
        metavar="NAME",
        help="column of sample weights of a CSV file: adds the weighted loss to the report "
        "(default: as in training for the training CSV, else none)",
    )
    p.add_argument(
        "--split",
        choices=["test", "train", "all"],
        default=None,
        help="which part to score (default: test for the training data, else all)",
    )
    p.add_argument("--seed", type=int, default=None, help="split seed (default: as in training)")
    p.add_argument("--test-size", type=float, default=None, help="default: as in training")
    add_csv_flags(p)
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(func=run)


def labeled_data(
    info: dict[str, Any], args: argparse.Namespace
) -> tuple[np.ndarray, np.ndarray, tuple[str, np.ndarray] | None]:
    """Inputs and targets of the part to score, labels renumbered to the model's classes, and
    ``(column, weights)`` of that part with a weight column (else None)."""
    data = args.data or info.get("dataset")
    if not data:
        raise ValueError("--data is required: the model file does not name its training data.")
    target = args.target or info.get("target")
    seed = args.seed if args.seed is not None else int(info.get("split_seed", 0))
    test_size = args.test_size if args.test_size is not None else info.get("test_size", 0.2)
    task = info.get("task") if common.is_csv(data) else None
    training_data = data == info.get("dataset")
    weight = args.weight_column or (info.get("weight_column") if training_data else None)
    # a CSV file read as in training (its categories, its missing values kept for the
    # imputation, its delimiter for the training file); the weights split with their rows
    options = None
    if common.is_csv(data):
        delimiter = getattr(args, "delimiter", None)
        if delimiter is None and training_data:
            delimiter = info.get("delimiter")
        options = common.csv_options(
            delimiter, getattr(args, "encoding", None) or info.get("encoding"),
            info.get("categories") or None, bool(info.get("impute")),
        )  # fmt: skip
    ds, w = common.load_weighted(data, target, seed, test_size, task, weight, options)
    columns, found = info.get("columns"), (ds.csv_schema or {}).get("columns")
    if columns and found and len(found) == len(columns) and found != columns:  # same count:
        # positions would pair the wrong columns silently (another count fails at the scaling)
        raise ValueError(
            f"{data} has the feature columns {found}; the model was trained "
            f"on {columns}, in that order. Give a file with those columns."
        )
    split = args.split or ("test" if training_data else "all")
    parts = {
        "test": (ds.X_test, ds.y_test, None if w is None else w.test),
        "train": (ds.X_train, ds.y_train, None if w is None else w.train),
    }
    if split == "all":
        X, y, weights = (
            np.concatenate([a, b]) if a is not None else None
            for a, b in zip(parts["train"], parts["test"], strict=True)
        )
    else:
        X, y, weights = parts[split]
    if ds.task == "classification":
        y = remap_labels(y, ds.class_names, info.get("class_names"))
    return X, y, None if w is None else (w.column, weights)


def remap_labels(y: np.ndarray, names: list[str] | None, model_names: list[str] | None) -> Any:
    """Renumber labels from a file's class names to the model's (a file may lack a class).

    Examples
    --------
    >>> remap_labels(np.array([0, 1]), ["b", "c"], ["a", "b", "c"]).tolist()
    [1, 2]
    """
    if names is None or model_names is None or list(names) == list(model_names):
        return y
    index = {str(n): i for i, n in enumerate(model_names)}
    unknown = sorted({str(n) for n in names} - set(index))
    if unknown:
        raise ValueError(
            f"the data has classes {unknown} that the model never saw; it knows {model_names}."
        )
    table = np.array([index[str(n)] for n in names], dtype=np.int64)  # (K_file,)
    return table[y]


def run(args: argparse.Namespace) -> int:
    """Print the metrics (or JSON)."""
    net, info = common.load_model(args.model)
    X, y, weights = labeled_data(info, args)
    report = common.build_report(net, common.apply_scaling(X, info), y, info, weights)
    if args.json:
        print(json.dumps(report))
    else:
        common.print_metrics(report)
    return 0
