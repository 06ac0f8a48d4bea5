"""``glassnet evaluate``: the metrics table of a saved model on a data set or CSV file."""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from glassnet.cli import _common as common
from glassnet.report import print_report


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
        "is scored whole.\n\nExample:\n  glassnet evaluate --model digits.npz --data digits",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", required=True, metavar="PATH", help="model file (.npz)")
    p.add_argument("--data", help="data set name or .csv file (default: the training data)")
    p.add_argument("--target", help="target column of a CSV file (default: as in training)")
    p.add_argument(
        "--split",
        choices=["test", "train", "all"],
        default=None,
        help="which part to score (default: test for the training data, else all)",
    )
    p.add_argument("--seed", type=int, default=None, help="split seed (default: as in training)")
    p.add_argument("--test-size", type=float, default=None, help="default: as in training")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(func=run)


def labeled_data(info: dict[str, Any], args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets of the part to score, labels renumbered to the model's classes."""
    data = args.data or info.get("dataset")
    if not data:
        raise ValueError("--data is required: the model file does not name its training data.")
    target = args.target or info.get("target")
    seed = args.seed if args.seed is not None else int(info.get("split_seed", 0))
    test_size = args.test_size if args.test_size is not None else info.get("test_size", 0.2)
    task = info.get("task") if str(data).lower().endswith(".csv") else None
    ds = common.load_data(data, target, seed, test_size, task)  # a CSV target read as in training
    split = args.split or ("test" if data == info.get("dataset") else "all")
    X, y = {
        "test": (ds.X_test, ds.y_test),
        "train": (ds.X_train, ds.y_train),
        "all": (np.concatenate([ds.X_train, ds.X_test]), np.concatenate([ds.y_train, ds.y_test])),
    }[split]
    if ds.task == "classification":
        y = remap_labels(y, ds.class_names, info.get("class_names"))
    return X, y


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
    X, y = labeled_data(info, args)
    report = common.build_report(net, common.apply_scaling(X, info), y, info)
    if args.json:
        print(json.dumps(report))
    else:
        print_report(report)
    return 0
