"""Metrics for classification (accuracy, confusion matrix, precision, recall) and regression."""

from __future__ import annotations

from typing import Any

import numpy as np


def labels_from_targets(T: np.ndarray) -> np.ndarray:
    """Integer labels from labels (N,), one-hot rows (N, K) or a single 0/1 column (N, 1).

    Examples
    --------
    >>> labels_from_targets(np.array([[0, 1], [1, 0]]))
    array([1, 0])
    """
    T = np.asarray(T)
    if T.ndim == 2 and T.shape[1] > 1:
        return T.argmax(axis=1)
    return np.rint(T.reshape(-1)).astype(np.int64)


def labels_from_outputs(
    out: np.ndarray, from_logits: bool = False, into: np.ndarray | None = None
) -> np.ndarray:
    """Predicted labels from network outputs: argmax, or a threshold for one output.

    One output is a probability (class 1 when > 0.5), or a logit with ``from_logits``
    (class 1 when > 0). ``into`` receives the labels instead of a new array (int64, or bool
    for one output).

    Examples
    --------
    >>> labels_from_outputs(np.array([[0.2], [0.9]]))
    array([0, 1])
    >>> labels_from_outputs(np.array([[0.1, 2.0], [3.0, -1.0]]))
    array([1, 0])
    """
    if out.shape[1] > 1:
        return np.argmax(out, axis=1, out=into)
    threshold = 0.0 if from_logits else 0.5
    if into is not None:
        return np.greater(out[:, 0], threshold, out=into)
    return (out[:, 0] > threshold).astype(np.int64)


def is_classification(loss: Any) -> bool:
    """True for the cross-entropy losses, whose outputs are classes.

    Examples
    --------
    >>> from glassnet.losses import MSE
    >>> is_classification(MSE())
    False
    """
    return loss.name in ("cross_entropy", "binary_cross_entropy")


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of labels predicted exactly.

    Examples
    --------
    >>> accuracy([0, 1, 1, 0], [0, 1, 0, 0])
    0.75
    """
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has {y_true.size} labels and y_pred {y_pred.size}; they must match."
        )
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true: Any, y_pred: Any, n_classes: int | None = None) -> np.ndarray:
    """Counts C[i, j] of samples of true class i predicted as class j.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 1, 0])
    array([[1, 0],
           [1, 1]])
    """
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    k = n_classes or int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def precision_recall_f1(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Per-class precision, recall, F1 and support from a confusion matrix (0 where undefined).

    Examples
    --------
    >>> precision_recall_f1(np.array([[1, 0], [1, 1]]))["recall"]
    array([1. , 0.5])
    """
    tp = np.diag(cm).astype(np.float64)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return {"precision": precision, "recall": recall, "f1": f1, "support": actual}


def mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """Mean of (y_true - y_pred)^2.

    Examples
    --------
    >>> mean_squared_error([1.0, 2.0], [1.0, 4.0])
    2.0
    """
    d = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    return float(np.mean(d * d))


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """Mean of |y_true - y_pred|.

    Examples
    --------
    >>> mean_absolute_error([1.0, 2.0], [1.0, 4.0])
    1.0
    """
    d = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    return float(np.mean(np.abs(d)))


def r2_score(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot (0 when y_true is constant).

    Examples
    --------
    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    1.0
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(y_true.shape)
    ss_res = float(np.sum((y_true - y_pred) ** 2))
    ss_tot = float(np.sum((y_true - y_true.mean(axis=0)) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0


def score_outputs(loss: Any, out: np.ndarray, T: np.ndarray) -> dict[str, float]:
    """Loss plus the metrics that suit it, for network outputs ``out`` against targets ``T``.

    Examples
    --------
    >>> from glassnet.losses import MSE
    >>> score_outputs(MSE(), np.array([[1.0], [2.0]]), np.array([[1.0], [3.0]]))["mae"]
    0.5
    """
    result = {"loss": loss.forward(out, T)}
    if is_classification(loss):
        pred = labels_from_outputs(out, getattr(loss, "from_logits", False))
        result["accuracy"] = accuracy(labels_from_targets(T), pred)
    else:
        T2 = T.reshape(out.shape) if T.size == out.size else T
        pred = loss.predictions(out)  # on the targets' scale (Poisson: exp of the log-rates)
        result["mse"] = mean_squared_error(T2, pred)
        result["mae"] = mean_absolute_error(T2, pred)
        result["r2"] = r2_score(T2, pred)
    return result
