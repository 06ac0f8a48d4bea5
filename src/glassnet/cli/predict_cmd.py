"""``glassnet predict``: predictions of a saved model for the rows of a CSV file, as CSV."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from glassnet.cli import _common as common
from glassnet.cli._data import add_csv_flags
from glassnet.cli._files import FORCE_HINT, check_output
from glassnet.datasets.csv import read_features
from glassnet.saving.files import atomic_write


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
        "feature columns in training order. Text columns are one-hot encoded and missing "
        "values imputed as in training, when the model was trained so. --output never "
        "replaces a file other than a predictions file with the same header (such as a model "
        "or your data) unless --force.\n\nExample:\n"
        "  glassnet predict --model iris.npz --input new.csv --proba --output out.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", required=True, metavar="PATH", help="model file (.npz)")
    p.add_argument("--input", required=True, metavar="FILE.csv", help="rows to predict")
    add_csv_flags(p)
    p.add_argument("--output", metavar="OUT.csv", help="where to write (default: stdout)")
    p.add_argument(
        "--force",
        action="store_true",
        help="let --output replace a file that is not a predictions file (never a directory)",
    )
    p.add_argument("--proba", action="store_true", help="class probabilities, one column each")
    p.set_defaults(func=run)


def read_inputs(
    path: str | Path,
    feature_names: list[str] | None,
    info: dict[str, Any] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> np.ndarray:
    """The feature matrix (N, d) of a CSV file, columns picked by name when it has a header,
    text columns one-hot encoded with the model's categories, missing values NaN when the
    model imputes (``info``, the model's data description).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text("b,y,a\\n2,0,1\\n4,1,3\\n")
    >>> read_inputs(p, ["a", "b"]).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    info = info or {}
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"input file not found: {str(path)!r}")
    options = common.csv_options(delimiter, encoding, info.get("categories"), info.get("impute"))
    return read_features(
        path,
        info.get("columns") or feature_names,
        categories=options["categorical"],
        allow_missing=options["allow_missing"],
        delimiter=options["delimiter"],
        encoding=options["encoding"],
    )


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


def predictions_header(net: Any, info: dict[str, Any], proba: bool) -> list[str]:
    """The header line of the predictions a model writes (``--proba``: one column per class).

    Examples
    --------
    >>> from glassnet import mlp
    >>> predictions_header(mlp("2,3"), {"task": "classification", "class_names": list("abc")},
    ...                    proba=True)
    ['proba_a', 'proba_b', 'proba_c']
    """
    task = common.model_task(net, info)
    target = info.get("target") or "prediction"
    if proba:
        if task != "classification":
            raise ValueError("--proba needs a classifier; this model does regression.")
        k = max(2, int(net.out_features or 1))
        return [f"proba_{n}" for n in info.get("class_names") or [str(j) for j in range(k)]]
    if task == "classification" or net.out_features == 1:
        return [target]
    return [f"{target}_{j}" for j in range(int(net.out_features))]


def _same_header(header: list[str]) -> Any:
    """Whether an existing file is a predictions file with this header (so may be replaced)."""

    def check(path: Path) -> bool:
        try:
            with open(path, newline="", encoding="utf-8") as fh:
                return next(csv.reader(fh), None) == header
        except (OSError, UnicodeDecodeError, csv.Error):
            return False

    return check


def run(args: argparse.Namespace) -> int:
    """Write the predictions."""
    net, info = common.load_model(args.model)
    header = predictions_header(net, info, args.proba)
    noun = f"a predictions file of this model (header {','.join(header)})"
    if args.output:  # before reading anything: a model or your data is never replaced
        check_output(args.output, "--output", args.force, _same_header(header), noun)
    raw = read_inputs(args.input, info.get("feature_names"), info, args.delimiter, args.encoding)
    X = common.apply_scaling(raw, info, in_place=True)
    if net.in_features is not None and X.shape[1] != net.in_features:
        raise ValueError(
            f"the model expects {net.in_features} feature columns; {args.input} has {X.shape[1]}."
        )
    task = common.model_task(net, info)
    names = info.get("class_names")
    if args.proba:
        proba = net.predict_proba(X).astype(np.float64)  # (N, K) or (N, 1)
        if proba.shape[1] == 1:
            proba = np.hstack([1 - proba, proba])  # (N, 2)
        rows = [[f"{v:.6g}" for v in r] for r in proba]
    elif task == "classification":
        labels = net.predict_classes(X)  # (N,)
        rows = [[names[k] if names else int(k)] for k in labels]
    else:
        values = net.predict(X).astype(np.float64)  # (N, out)
        if net.loss_ is not None:  # a Poisson model's outputs are log-rates: predict exp(z)
            values = net.loss_.predictions(values)
        values = common.unscale_targets(values, info)  # in the targets' units
        rows = [[f"{v:.8g}" for v in r] for r in values]
    if not args.output:
        write_predictions(sys.stdout, header, rows)
        return 0

    def write(fh: Any) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        write_predictions(text, header, rows)
        text.flush()
        text.detach()

    atomic_write(args.output, write, overwrite=args.force, is_ours=_same_header(header),
                 noun=noun, force_hint=FORCE_HINT)  # fmt: skip
    return 0
