"""``glassnet predict``: predictions of a saved model for the rows of a CSV file, as CSV."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from glassnet.cli import _common as common
from glassnet.datasets.csv import is_number


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "predict",
        help="predict the rows of a CSV file with a saved model",
        description="Read input rows from a CSV file, scale them as in training, and write one "
        "prediction per row as CSV: the class label, the class probabilities (--proba), or the "
        "regression value (in the targets' units: a model trained on standardised targets "
        "gives them unscaled).",
        epilog="With a header line, columns are matched by name to the training features (extra "
        "columns such as the target are ignored); without one, the file must hold exactly the "
        "feature columns in training order.\n\nExample:\n"
        "  glassnet predict --model iris.npz --input new.csv --proba --output out.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", required=True, metavar="PATH", help="model file (.npz)")
    p.add_argument("--input", required=True, metavar="FILE.csv", help="rows to predict")
    p.add_argument("--output", metavar="OUT.csv", help="where to write (default: stdout)")
    p.add_argument("--proba", action="store_true", help="class probabilities, one column each")
    p.set_defaults(func=run)


def read_inputs(path: str | Path, feature_names: list[str] | None) -> np.ndarray:
    """The feature matrix (N, d) of a CSV file, columns picked by name when it has a header.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text("b,y,a\\n2,0,1\\n4,1,3\\n")
    >>> read_inputs(p, ["a", "b"]).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"input file not found: {str(path)!r}")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = [[c.strip() for c in r] for r in csv.reader(fh) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"input file {str(path)!r} is empty; expected rows of numbers.")
    header = None if all(is_number(c) for c in rows[0]) else rows.pop(0)
    if header is not None and feature_names:
        missing = [f for f in feature_names if f not in header]
        if missing:
            raise ValueError(
                f"{str(path)!r} lacks the feature columns {missing}; the model "
                f"was trained on {feature_names}."
            )
        cols = [header.index(f) for f in feature_names]
        rows = [[r[j] for j in cols] for r in rows]
    try:
        X = np.array(rows, dtype=np.float32)  # (N, d)
    except ValueError as exc:
        raise ValueError(
            f"{str(path)!r} must hold numbers in every feature cell ({exc})."
        ) from None
    return X


def write_predictions(out: TextIO, header: list[str], rows: Any) -> None:
    """Write a header and the rows as CSV.

    Examples
    --------
    >>> import io
    >>> s = io.StringIO(); write_predictions(s, ["y"], [[1.5]]); s.getvalue()
    'y\\r\\n1.5\\r\\n'
    """
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)


def run(args: argparse.Namespace) -> int:
    """Write the predictions."""
    net, info = common.load_model(args.model)
    X = common.apply_scaling(read_inputs(args.input, info.get("feature_names")), info)
    if net.in_features is not None and X.shape[1] != net.in_features:
        raise ValueError(
            f"the model expects {net.in_features} feature columns; {args.input} has {X.shape[1]}."
        )
    task = common.model_task(net, info)
    names = info.get("class_names")
    if args.proba:
        if task != "classification":
            raise ValueError("--proba needs a classifier; this model does regression.")
        proba = net.predict_proba(X).astype(np.float64)  # (N, K) or (N, 1)
        if proba.shape[1] == 1:
            proba = np.hstack([1 - proba, proba])  # (N, 2)
        names = names or [str(k) for k in range(proba.shape[1])]
        header, rows = [f"proba_{n}" for n in names], [[f"{v:.6g}" for v in r] for r in proba]
    elif task == "classification":
        labels = net.predict_classes(X)  # (N,)
        header = [info.get("target") or "prediction"]
        rows = [[names[k] if names else int(k)] for k in labels]
    else:
        values = net.predict(X).astype(np.float64)  # (N, out)
        if net.loss_ is not None:  # a Poisson model's outputs are log-rates: predict exp(z)
            values = net.loss_.predictions(values)
        values = common.unscale_targets(values, info)  # in the targets' units
        target = info.get("target") or "prediction"
        header = (
            [target] if values.shape[1] == 1 else [f"{target}_{j}" for j in range(values.shape[1])]
        )
        rows = [[f"{v:.8g}" for v in r] for r in values]
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as fh:
            write_predictions(fh, header, rows)
    else:
        write_predictions(sys.stdout, header, rows)
    return 0
