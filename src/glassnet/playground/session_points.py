"""The points of a playground tab: generated, uploaded, clicked or removed, split into
training and test points, with classes (int64) or, for the regression sets, values (float32).

:class:`PointsState` is mixed into :class:`glassnet.playground.session.Session`, whose
``build`` (a new network) and ``_prepare`` (new training arrays) it calls when the points
change.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.playground.points import make_points, points_csv
from glassnet.playground.surfaces import REGRESSION_SETS
from glassnet.playground.validate import MAX_CLASSES, MAX_POINTS, DataSpec, UploadedPoints


class PointsState:
    """The tab's points X (n, 2), their classes or values y (n,), and which are test points.

    It uses the Session's ``build()`` (a new network, after a new data set) and
    ``_prepare()`` (new training arrays, after points are added or removed).
    """

    data_spec: DataSpec
    source: str  # the data set's name, or "csv"

    def _set_points(
        self,
        X: np.ndarray,
        y: np.ndarray,
        domain: float | None,
        regression: bool,
        test: np.ndarray | None = None,
    ) -> None:
        """Keep the points; ``test`` is their split, else drawn with the data seed and ratio."""
        rng = np.random.default_rng(self.data_spec.seed)
        n = len(X)
        n_test = int(round(n * self.data_spec.test_ratio))
        self.X = X.astype(np.float32)  # (n, 2)
        self.y = y.astype(np.float32 if regression else np.int64)  # (n,) values or classes
        self.test = rng.permutation(n) < n_test if test is None else np.asarray(test, bool)
        big = float(np.abs(self.X).max()) if n else 1.0
        self.domain = domain or max(1.0, math.ceil(big * 1.15 * 10) / 10)
        # 0 for a regression: no classes, one output
        self.n_classes = 0 if regression else max(2, int(self.y.max()) + 1 if n else 2)

    @property
    def regression(self) -> bool:
        """Whether the points carry values (plane, gaussian) rather than classes."""
        return self.n_classes == 0

    def set_data(self, spec: DataSpec) -> None:
        """Generate a new data set and start training again."""
        self.data_spec, self.source = spec, spec.dataset
        X, y = make_points(spec)
        self._set_points(X, y, domain=None, regression=spec.dataset in REGRESSION_SETS)
        self.build()

    def set_csv(self, points: UploadedPoints) -> None:
        """Use uploaded points (already validated), their split if the file had one, and
        start training again."""
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
        self.X = np.vstack([self.X, np.array([[x, y]], dtype=np.float32)])  # (n + 1, 2)
        self.y = np.append(self.y, np.int64(label))  # (n + 1,)
        self.test = np.append(self.test, False)
        if label >= self.n_classes:
            self.n_classes = label + 1
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
