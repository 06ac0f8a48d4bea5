"""The final metrics table of a trained model: what ``glassnet train`` and ``evaluate`` print.

Classification: accuracy, per-class precision, recall and F1 (with support), and the confusion
matrix ``C[i, j]`` = samples of true class i predicted as class j. Regression: MSE, MAE and R^2.
A report is a plain dict (for ``--json``); :func:`to_text` and :func:`to_rich` render it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, TextIO

import numpy as np

from glassnet.metrics.scores import (
    accuracy,
    confusion_matrix,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_f1,
    r2_score,
)


def classification_report(
    y_true: Any, y_pred: Any, class_names: Sequence[str] | None = None
) -> dict[str, Any]:
    r"""Accuracy, per-class precision/recall/F1 and the confusion matrix.

    precision_k = TP_k / (TP_k + FP_k), recall_k = TP_k / (TP_k + FN_k),
    F1_k = 2 precision_k recall_k / (precision_k + recall_k) (0 where undefined).

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
        Labels in ``0 .. K-1``.
    class_names : list of str, optional
        ``class_names[k]`` names label k; default "0", "1", ...

    Returns
    -------
    dict
        ``task``, ``n_samples``, ``accuracy``, ``classes`` (one dict per class) and
        ``confusion_matrix`` (list of lists).

    Examples
    --------
    >>> r = classification_report([0, 1, 1, 1], [0, 1, 0, 1], ["cat", "dog"])
    >>> r["accuracy"], r["classes"][1]
    (0.75, {'name': 'dog', 'precision': 1.0, 'recall': 0.6666666666666666, 'f1': 0.8, 'support': 3})
    >>> r["confusion_matrix"]
    [[1, 0], [1, 2]]
    """
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)  # (N,)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)  # (N,)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has {y_true.size} labels and y_pred {y_pred.size}; they must match."
        )
    k = max(int(y_true.max(initial=0)), int(y_pred.max(initial=0))) + 1
    if class_names is not None:
        if len(class_names) < k:
            raise ValueError(
                f"class_names has {len(class_names)} names but the labels go up to {k - 1}."
            )
        k = len(class_names)
    names = [str(c) for c in class_names] if class_names is not None else [str(i) for i in range(k)]
    cm = confusion_matrix(y_true, y_pred, n_classes=k)  # (K, K)
    prf = precision_recall_f1(cm)
    classes = [
        {
            "name": names[i],
            "precision": float(prf["precision"][i]),
            "recall": float(prf["recall"][i]),
            "f1": float(prf["f1"][i]),
            "support": int(prf["support"][i]),
        }
        for i in range(k)
    ]
    return {
        "task": "classification",
        "n_samples": int(y_true.size),
        "accuracy": accuracy(y_true, y_pred),
        "classes": classes,
        "confusion_matrix": cm.tolist(),
    }


def regression_report(y_true: Any, y_pred: Any) -> dict[str, Any]:
    r"""MSE = mean (y - t)^2, MAE = mean |y - t| and R^2 = 1 - SS_res / SS_tot.

    Examples
    --------
    >>> regression_report([[1.0], [2.0], [3.0]], [[1.0], [2.0], [5.0]])
    {'task': 'regression', 'n_samples': 3, 'mse': 1.3333333333333333, 'mae': 0.6666666666666666, 'r2': -1.0}
    """
    t = np.asarray(y_true, dtype=np.float64)
    y = np.asarray(y_pred, dtype=np.float64)
    if t.size != y.size:
        raise ValueError(f"y_true has {t.size} values and y_pred {y.size}; they must match.")
    y = y.reshape(t.shape)
    return {
        "task": "regression",
        "n_samples": int(len(t)),
        "mse": mean_squared_error(t, y),
        "mae": mean_absolute_error(t, y),
        "r2": r2_score(t, y),
    }


def to_text(report: dict[str, Any]) -> str:
    """The report as plain text (no colours, fixed-width columns).

    Examples
    --------
    >>> print(to_text(classification_report([0, 1, 1], [0, 1, 0])))
    accuracy 66.67% on 3 samples
    class  precision  recall     f1  support
    0         0.5000  1.0000 0.6667        1
    1         1.0000  0.5000 0.6667        2
    confusion matrix (rows: true class, columns: predicted)
            0   1
    0       1   0
    1       1   1
    """
    if report["task"] == "regression":
        return (
            f"on {report['n_samples']} samples: MSE {report['mse']:.6g}  "
            f"MAE {report['mae']:.6g}  R^2 {report['r2']:.4f}"
        )
    classes = report["classes"]
    col = max(5, *(len(c["name"]) for c in classes))
    lines = [f"accuracy {report['accuracy']:.2%} on {report['n_samples']} samples"]
    lines.append(f"{'class':<{col}}  precision  recall     f1  support")
    for c in classes:
        lines.append(
            f"{c['name']:<{col}}  {c['precision']:>9.4f} {c['recall']:>7.4f} {c['f1']:>6.4f} "
            f"{c['support']:>8d}"
        )
    cm = report["confusion_matrix"]
    width = max(3, *(len(str(v)) for row in cm for v in row), *(len(c["name"]) for c in classes))
    lines.append("confusion matrix (rows: true class, columns: predicted)")
    lines.append(" " * col + "".join(f" {c['name']:>{width}}" for c in classes))
    for c, row in zip(classes, cm, strict=True):
        lines.append(f"{c['name']:<{col}}" + "".join(f" {v:>{width}d}" for v in row))
    return "\n".join(lines)


def to_rich(report: dict[str, Any]) -> list[Any]:
    """The report as rich renderables (tables); needs the optional ``rich`` package.

    Examples
    --------
    >>> [type(t).__name__ for t in to_rich(regression_report([1.0, 2.0], [1.0, 2.5]))]
    ['Table']
    """
    from rich.table import Table

    if report["task"] == "regression":
        table = Table(title=f"metrics on {report['n_samples']} samples")
        for name in ("MSE", "MAE", "R^2"):
            table.add_column(name, justify="right")
        table.add_row(f"{report['mse']:.6g}", f"{report['mae']:.6g}", f"{report['r2']:.4f}")
        return [table]
    title = f"accuracy {report['accuracy']:.2%} on {report['n_samples']} samples"
    scores = Table(title=title, min_width=len(title))
    scores.add_column("class")
    for name in ("precision", "recall", "F1", "support"):
        scores.add_column(name, justify="right")
    for c in report["classes"]:
        scores.add_row(
            c["name"],
            f"{c['precision']:.4f}",
            f"{c['recall']:.4f}",
            f"{c['f1']:.4f}",
            str(c["support"]),
        )
    cm_title = "confusion matrix (rows: true, columns: predicted)"
    cm = Table(title=cm_title, min_width=len(cm_title))
    cm.add_column("")
    for c in report["classes"]:
        cm.add_column(c["name"], justify="right")
    for c, row in zip(report["classes"], report["confusion_matrix"], strict=True):
        cm.add_row(c["name"], *(str(v) for v in row))
    return [scores, cm]


def print_report(report: dict[str, Any], stream: TextIO | None = None) -> None:
    """Print the report: rich tables when rich is installed and ``stream`` is None, else text.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO(); print_report(regression_report([1.0], [1.0]), out)
    >>> out.getvalue().startswith("on 1 samples: MSE 0")
    True
    """
    if stream is None:
        try:
            from rich.console import Console
        except ImportError:
            pass
        else:
            console = Console(file=sys.stdout)
            for table in to_rich(report):
                console.print(table)
            return
    stream = stream or sys.stdout
    stream.write(to_text(report) + "\n")
