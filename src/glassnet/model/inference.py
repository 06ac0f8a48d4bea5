"""Using a network once it is trained: predictions, probabilities, classes, scores, a summary.

:class:`Inference` is a base of :class:`~glassnet.model.sequential.Sequential`; it only needs
``forward``, ``layers``, ``dtype`` and the ``loss_`` that ``fit`` remembers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.activations import Identity, Sigmoid, Softmax
from glassnet.layers import Dense, Layer
from glassnet.layers.dropout import Dropout
from glassnet.losses import get_loss
from glassnet.metrics.scores import labels_from_outputs
from glassnet.utils.validation import as_2d_array, check_positive_int


class Inference:
    """Predictions and scores of a trained network (a base of Sequential)."""

    layers: list[Layer]
    dtype: np.dtype
    loss_: Any
    in_features: int | None
    out_features: int | None

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

    def predict_proba(self, X: Any, batch_size: int = 4096, loss: Any = None) -> np.ndarray:
        """Class probabilities: softmax of the logits for ``CrossEntropy``, else the output.

        The loss says what the outputs are: ``loss`` when given, else the loss of the last
        ``fit`` (``loss_``). Cross-entropy's outputs are logits, so their softmax is returned;
        binary cross-entropy ``from_logits`` gives their sigmoid; any other loss's outputs are
        returned as they are (a Sigmoid or Softmax layer already made them probabilities).

        Parameters
        ----------
        X : array-like of shape (N, in)
            The inputs.
        batch_size : int
            Rows per forward pass.
        loss : str or Loss, optional
            The loss the outputs are meant for, for a network that has not been fitted
            (``loss_`` is None); e.g. ``"cross_entropy"`` turns logits into probabilities.

        Raises
        ------
        ValueError
            If no loss is known (neither ``loss`` nor a fitted ``loss_``) and the network does
            not end with a Softmax or Sigmoid: its outputs are not probabilities, and whether
            they are logits cannot be told.

        Examples
        --------
        >>> from glassnet import Dense, Sequential
        >>> net = Sequential([Dense(1, 2, weights=[[0.0, 0.0]], bias=[0.0, 0.0])])
        >>> net.predict_proba([[1.0]], loss="cross_entropy")
        array([[0.5, 0.5]], dtype=float32)
        >>> net.loss_ = get_loss("cross_entropy"); net.predict_proba([[1.0]])
        array([[0.5, 0.5]], dtype=float32)
        """
        loss_obj = self._loss_for("predict_proba", loss, needs_probability=True)
        out = self.predict(X, batch_size)
        if loss_obj is not None and loss_obj.name == "cross_entropy":
            return Softmax().forward(out)
        if loss_obj is not None and getattr(loss_obj, "from_logits", False):
            return Sigmoid().forward(out)
        return out

    def predict_classes(self, X: Any, batch_size: int = 4096, loss: Any = None) -> np.ndarray:
        """Predicted labels: argmax over outputs; for one output, > 0.5 (or a logit > 0).

        Several outputs give the argmax, the same for logits and probabilities, so any network
        has classes. One output is a probability (class 1 when > 0.5), or a logit when the loss
        (``loss``, else the fitted ``loss_``) is binary cross-entropy ``from_logits`` (class 1
        when > 0).

        Raises
        ------
        ValueError
            For one output when no loss is known and the network does not end with a Sigmoid:
            whether to cut at 0.5 or at 0 cannot be told.

        Examples
        --------
        >>> from glassnet import Dense, Sequential, Sigmoid
        >>> net = Sequential([Dense(1, 1, weights=[[1.0]], bias=[0.0]), Sigmoid()])
        >>> net.predict_classes([[-2.0], [3.0]])
        array([0, 1])
        """
        loss_obj = self._loss_for("predict_classes", loss, needs_probability=False)
        from_logits = getattr(loss_obj, "from_logits", False)
        return labels_from_outputs(self.predict(X, batch_size), from_logits)

    def _loss_for(self, method: str, loss: Any, needs_probability: bool) -> Any:
        """The loss that says what the outputs are: ``loss``, else ``loss_``; or None where the
        last layer says it (a Softmax or Sigmoid). Raises when nothing says it."""
        if loss is not None:
            return get_loss(loss)
        if self.loss_ is not None:
            return self.loss_
        last = output_layer(self.layers)
        if isinstance(last, Sigmoid | Softmax):
            return None
        if not needs_probability and (self.out_features or 0) > 1:
            return None  # argmax: the same class for logits and for probabilities
        shown = type(last).__name__ if last is not None else "nothing"
        raise ValueError(
            f"{method} cannot tell what this network's outputs are: it has not been fitted "
            f"(loss_ is None) and its last layer is {shown}, not a Softmax or Sigmoid, so the "
            "outputs may be logits. Fit it first, pass the loss it is meant for (e.g. "
            f"{method}(X, loss='cross_entropy') for logits of several classes, "
            "loss=BinaryCrossEntropy(from_logits=True) for one logit), or end the network "
            "with Softmax() or Sigmoid()."
        )

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
            raise ValueError(
                "evaluate needs a loss: it has not been fitted (loss_ is None); fit it first, "
                "or pass the loss, e.g. evaluate(X, T, loss='mse')."
            )
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


def output_layer(layers: list[Layer]) -> Layer | None:
    """The last layer that changes the output: Dropout and Identity at the end are skipped.

    Examples
    --------
    >>> from glassnet import Dense, Dropout, Sigmoid
    >>> output_layer([Dense(1, 1), Sigmoid(), Dropout(0.5)])
    Sigmoid()
    """
    for layer in reversed(layers):
        if not isinstance(layer, Dropout | Identity):
            return layer
    return None


def _describe(layer: Layer) -> str:
    if isinstance(layer, Dense):
        return f"Dense({layer.in_features} -> {layer.out_features}, {layer.init})"
    args = ", ".join(f"{k}={v}" for k, v in layer.config().items())
    return f"{type(layer).__name__}({args})" if args else type(layer).__name__
