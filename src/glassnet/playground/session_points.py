"""The points of a playground tab: generated, uploaded, clicked or removed, split into
training and test points, with classes (int64) or, for the regression sets, values (float32).

:class:`PointsState` is mixed into :class:`glassnet.playground.session.Session`, whose
``build`` (a new network) and ``_prepare`` (new training arrays) it calls when the points
change.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from glassnet.playground.points import make_points, points_csv
from glassnet.playground.surfaces import REGRESSION_SETS
from glassnet.playground.validate import (
    MAX_CLASSES,
    MAX_POINTS,
    DataSpec,
    NetSpec,
    UploadedPoints,
)


def classes_of(y: np.ndarray, regression: bool) -> int:
    """Number of classes of labels y (at least 2), or 0 for a regression's values.

    Examples
    --------
    >>> classes_of(np.array([0, 2, 1]), False), classes_of(np.array([0, 0]), False)
    (3, 2)
    >>> classes_of(np.array([0.5]), True)
    0
    """
    if regression:
        return 0
    return max(2, int(y.max()) + 1 if len(y) else 2)


class PointsState:
    """The tab's points X (n, 2), their classes or values y (n,), and which are test points.

    It uses the Session's ``build()`` (a new network, after a new data set), ``_prepare()``
    (new training arrays, after points are added or removed), and ``weights_for()`` and
    ``check_work()`` to refuse points that would make every update too costly, before anything
    changes.
    """

    data_spec: DataSpec
    source: str  # the data set's name, "csv", or "preset:<name>"
    net_spec: NetSpec
    notice: str | None  # what changed on its own with the points (the loss), said once

    def _set_points(
        self,
        X: np.ndarray,
        y: np.ndarray,
        domain: float | None,
        regression: bool,
        test: np.ndarray | None = None,
        given: np.ndarray | None = None,
    ) -> None:
        """Keep the points; ``test`` is their split, else drawn with the data seed and ratio.

        ``given`` (n, outputs): targets given as they are, one value per output (a preset's
        sample); the points are then kept in float64, so the sample's numbers stay exact.
        """
        rng = np.random.default_rng(self.data_spec.seed)
        n = len(X)
        n_test = int(round(n * self.data_spec.test_ratio))
        self.X = X.astype(np.float64 if given is not None else np.float32)  # (n, 2)
        self.y = y.astype(np.float32 if regression else np.int64)  # (n,) values or classes
        self.given = None if given is None else np.asarray(given, np.float64)  # (n, outputs)
        self.test = rng.permutation(n) < n_test if test is None else np.asarray(test, bool)
        big = float(np.abs(self.X).max()) if n else 1.0
        self.domain = domain or max(1.0, math.ceil(big * 1.15 * 10) / 10)
        self.n_classes = classes_of(self.y, regression)  # 0 for a regression: one output
        self._fit_loss()

    def _fit_loss(self) -> None:
        """More than two classes are told apart with the softmax's cross-entropy: a binary
        cross-entropy setting becomes ``cross_entropy`` (and the page is told so)."""
        if self.n_classes > 2 and self.net_spec.loss == "binary_cross_entropy":
            self.net_spec = replace(self.net_spec, loss="cross_entropy")
            self.notice = (
                f"{self.n_classes} classes: the loss is now cross-entropy (softmax), one output "
                "per class; binary cross-entropy tells two classes apart."
            )

    @property
    def regression(self) -> bool:
        """Whether the points carry values (plane, gaussian) rather than classes."""
        return self.n_classes == 0

    def set_data(self, spec: DataSpec) -> None:
        """Generate a new data set and start training again."""
        X, y = make_points(spec)
        regression = spec.dataset in REGRESSION_SETS
        self.check_work(len(X), self.weights_for(self.net_spec, classes_of(y, regression)))
        self.data_spec, self.source = spec, spec.dataset
        self._set_points(X, y, domain=None, regression=regression)
        self.build()

    def set_csv(self, points: UploadedPoints) -> None:
        """Use uploaded points (already validated), their split if the file had one, and
        start training again."""
        n_classes = classes_of(points.y, points.regression)
        self.check_work(len(points.X), self.weights_for(self.net_spec, n_classes))
        self.source = "csv"
        self._set_points(points.X, points.y, None, points.regression, points.test)
        self.build()

    def add_point(self, x: float, y: float, label: int) -> None:
        """Add a training point; a new class label rebuilds the network's output layer."""
        if self.regression:
            raise ValueError(
                "points can be added to the classification sets; a regression set's points "
                "have values (choose another data set, or upload a CSV)."
            )
        if len(self.X) >= MAX_POINTS:
            raise ValueError(f"at most {MAX_POINTS} points; remove some before adding more.")
        if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < MAX_CLASSES:
            raise ValueError(f"label must be an integer 0..{MAX_CLASSES - 1}; got {label!r}.")
        self.check_work(
            len(self.X) + 1, self.weights_for(self.net_spec, max(self.n_classes, label + 1))
        )
        self.X = np.vstack([self.X, np.array([[x, y]], dtype=self.X.dtype)])  # (n + 1, 2)
        self.y = np.append(self.y, np.int64(label))  # (n + 1,)
        self.test = np.append(self.test, False)
        if label >= self.n_classes:
            self.n_classes = label + 1
            self._fit_loss()
            self.build()
        else:
            self._prepare()

    def remove_near(self, x: float, y: float, radius: float) -> int:
        """Remove the points within ``radius`` of (x, y); return how many went."""
        keep = np.hypot(self.X[:, 0] - x, self.X[:, 1] - y) > radius  # (n,)
        removed = int(len(keep) - keep.sum())
        if removed and keep.sum() < 2:
            raise ValueError(f"keep at least 2 points; this would remove all but {keep.sum()}.")
        self.X, self.y, self.test = self.X[keep], self.y[keep], self.test[keep]
        if self.given is not None:
            self.given = self.given[keep]
        self._prepare()
        return removed

    @property
    def n_train(self) -> int:
        """Number of training points."""
        return int((~self.test).sum())

    @property
    def n_test(self) -> int:
        """Number of test points."""
        return int(self.test.sum())

    def data_csv(self) -> str:
        """The points as CSV text: x1, x2, label, split.

        Examples
        --------
        >>> from glassnet.playground.session import Session
        >>> Session(DataSpec("xor", 0.0, 10, 0.2, 0)).data_csv().splitlines()[0]
        'x1,x2,label,split'
        """
        return points_csv(self.X, self.y, self.test, self.regression)

    def describe(self) -> str:
        """What the points are, in words, for the data panel.

        Examples
        --------
        >>> from glassnet.playground.session import Session
        >>> Session(DataSpec("blobs", 0.1, 90, 0.2, 0)).describe()
        'blobs: 90 points (72 train, 18 test), 3 classes (0: 30, 1: 30, 2: 30)'
        """
        n = len(self.X)
        head = f"{self.source.replace('preset:', 'preset ')}: {n} point{'' if n == 1 else 's'} ({self.n_train} train, {self.n_test} test)"
        if self.given is not None:
            return f"{head}, a target given for each of the {self.given.shape[1]} outputs"
        if self.regression:
            lo, hi = (float(self.y.min()), float(self.y.max())) if n else (0.0, 0.0)
            return f"{head}, values from {lo:.2f} to {hi:.2f} (a regression)"
        counts = np.bincount(self.y, minlength=self.n_classes)
        each = ", ".join(f"{c}: {k}" for c, k in enumerate(counts.tolist()))
        return f"{head}, {self.n_classes} classes ({each})"
