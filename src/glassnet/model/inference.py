"""Using a network once it is trained: predictions, probabilities, classes, scores, a summary.

:class:`Inference` is a base of :class:`~glassnet.model.sequential.Sequential`; it only needs
``forward``, ``layers``, ``dtype`` and the ``loss_`` that ``fit`` remembers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.activations import Sigmoid, Softmax
from glassnet.layers import Dense, Layer
from glassnet.losses import get_loss
from glassnet.metrics.scores import labels_from_outputs
from glassnet.utils.validation import as_2d_array, check_positive_int


class Inference:
    """Predictions and scores of a trained network (a base of Sequential)."""

    layers: list[Layer]
    dtype: np.dtype
    loss_: Any
    in_features: int | None

    def forward(self, x: Any) -> np.ndarray:  # pragma: no cover - provided by Sequential
        raise NotImplementedError

    @property
    def n_params(self) -> int:  # pragma: no cover - provided by Sequential
        raise NotImplementedError

    def eval(self) -> Any:  # pragma: no cover - provided by Sequential
        raise NotImplementedError

    def predict(self, X: Any, batch_size: int = 4096) -> np.ndarray:
        """The network's output for every row of X, in inference mode, as a new array.

        For a classifier trained with ``CrossEntropy`` these are logits; use
        ``predict_proba`` for probabilities and ``predict_classes`` for labels.

        Examples
        --------
        >>> from glassnet import Dense, Sequential
        >>> Sequential([Dense(1, 1, weights=[[2.0]], bias=[1.0])]).predict([[1.0], [2.0]])
        array([[3.],
               [5.]], dtype=float32)
        """
        X = as_2d_array(X, "X", self.dtype)
        check_positive_int(batch_size, "batch_size")
        was_training = [layer.training for layer in self.layers]
        self.eval()
        try:
            outs = [
                self.forward(X[i : i + batch_size]).copy() for i in range(0, len(X), batch_size)
            ]
        finally:
            for layer, mode in zip(self.layers, was_training, strict=True):
                layer.training = mode
        return np.concatenate(outs)

    def predict_proba(self, X: Any, batch_size: int = 4096) -> np.ndarray:
        """Class probabilities: softmax of the logits for ``CrossEntropy``, else the output.

        Examples
        --------
        >>> from glassnet import Dense, Sequential
        >>> net = Sequential([Dense(1, 2, weights=[[0.0, 0.0]], bias=[0.0, 0.0])])
        >>> net.loss_ = get_loss("cross_entropy"); net.predict_proba([[1.0]])
        array([[0.5, 0.5]], dtype=float32)
        """
        out = self.predict(X, batch_size)
        loss = self.loss_
        if loss is not None and loss.name == "cross_entropy":
            return Softmax().forward(out)
        if loss is not None and getattr(loss, "from_logits", False):
            return Sigmoid().forward(out)
        return out

    def predict_classes(self, X: Any, batch_size: int = 4096) -> np.ndarray:
        """Predicted labels: argmax over outputs; for one output, > 0.5 (or a logit > 0).

        Examples
        --------
        >>> from glassnet import Dense, Sequential, Sigmoid
        >>> net = Sequential([Dense(1, 1, weights=[[1.0]], bias=[0.0]), Sigmoid()])
        >>> net.predict_classes([[-2.0], [3.0]])
        array([0, 1])
        """
        from_logits = getattr(self.loss_, "from_logits", False)
        return labels_from_outputs(self.predict(X, batch_size), from_logits)

    def evaluate(
        self, X: Any, T: Any, loss: Any = None, batch_size: int = 4096
    ) -> dict[str, float]:
        """Loss and metrics on (X, T): accuracy for classification, MAE and R^2 otherwise.

        Examples
        --------
        >>> from glassnet import Dense, Sequential
        >>> net = Sequential([Dense(1, 1, weights=[[1.0]], bias=[0.0])], dtype="float64")
        >>> net.evaluate([[1.0], [2.0]], [[1.0], [2.0]], loss="mse")["loss"]
        0.0
        """
        from glassnet.metrics.scores import score_outputs

        loss_obj = get_loss(loss) if loss is not None else self.loss_
        if loss_obj is None:
            raise ValueError("evaluate needs a loss: pass loss='mse' (or another), or fit first.")
        from glassnet.losses.targets import prepare_targets

        X = as_2d_array(X, "X", self.dtype)
        T = prepare_targets(self, loss_obj, T, len(X))
        out = self.predict(X, batch_size)
        return score_outputs(loss_obj, out, T)

    # -- training, saving, copying -------------------------------------------------------

    def summary(self) -> str:
        """A table of layers, output widths and parameter counts.

        Examples
        --------
        >>> from glassnet import Dense, Sequential, Sigmoid
        >>> print(Sequential([Dense(1, 1), Sigmoid()]).summary())
        #  layer                         output     params
        0  Dense(1 -> 1, xavier_uniform) (N, 1)          2
        1  Sigmoid                       (N, 1)          0
        total params: 2 (float32)
        >>> net = Sequential([Dense(2, 1)]); net.feature_names = ["age", "height"]
        >>> print(net.summary().splitlines()[-1])
        inputs: age, height
        """
        names = [_describe(layer) for layer in self.layers]
        col = max(len("layer"), *(len(n) for n in names))
        rows = [f"{'#':<2} {'layer':<{col}} {'output':<10} {'params':>6}"]
        width = self.in_features
        for i, (layer, name) in enumerate(zip(self.layers, names, strict=True)):
            width = layer.output_features(width) if width is not None else None
            shape = f"(N, {width})" if width is not None else "(N, ?)"
            rows.append(f"{i:<2} {name:<{col}} {shape:<10} {layer.n_params:>6}")
        rows.append(f"total params: {self.n_params} ({self.dtype})")
        features = getattr(self, "feature_names", None)
        if features:
            rows.append(f"inputs: {', '.join(features)}")
        return "\n".join(rows)

    def _repr_svg_(self) -> str | None:
        """The network diagram in Jupyter (None without matplotlib or when it is too big)."""
        try:
            from glassnet.plot.notebook import network_svg

            return network_svg(self)
        except (ImportError, ValueError):
            return None


def _describe(layer: Layer) -> str:
    if isinstance(layer, Dense):
        return f"Dense({layer.in_features} -> {layer.out_features}, {layer.init})"
    args = ", ".join(f"{k}={v}" for k, v in layer.config().items())
    return f"{type(layer).__name__}({args})" if args else type(layer).__name__
