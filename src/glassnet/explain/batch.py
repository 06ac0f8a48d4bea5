"""One step on a batch, for one weight: each sample's own chain rule, then their mean.

``fit`` trains on batches, and its error is the mean of the samples' errors, E = (1/N) sum E_n.
Differentiating a mean gives the mean of the derivatives, dE/dw = (1/N) sum dE_n/dw: each
sample's term is exactly what :func:`glassnet.explain` writes out for that sample alone, and
the batch's step moves w by the average of the N slopes. :func:`explain_batch` shows it with
numbers, and checks the mean against the batch's own backward pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet.explain.explanation import Explanation, explain
from glassnet.explain.render import fmt
from glassnet.layers.dense import Dense
from glassnet.losses import get_loss
from glassnet.model.sequential import Sequential
from glassnet.optimizers import SGD
from glassnet.train import step as training

__all__ = ["BatchExplanation", "explain_batch"]


@dataclass
class BatchExplanation:
    """The samples' errors and slopes for one weight, their means, and the step it takes.

    ``samples`` holds each sample's own :class:`Explanation` (made on a copy of the network,
    all from the same weights), whose ``to_text()`` writes that sample's chain rule out.
    """

    name: str  # the weight's name in explain's notation, e.g. "w" or "w2[1,3]"
    errors: list[float]
    slopes: list[float]
    batch_slope: float  # dE/dw of the batch's own backward pass
    before: float
    after: float
    lr: float
    samples: list[Explanation] = field(default_factory=list)

    @property
    def error(self) -> float:
        """E = (1/N) sum E_n."""
        return float(np.mean(self.errors))

    @property
    def slope(self) -> float:
        """dE/dw = (1/N) sum dE_n/dw."""
        return float(np.mean(self.slopes))

    def to_text(self, precision: int = 4) -> str:
        """The samples' lines, the means with their numbers, and the update."""
        f = lambda v: fmt(v, precision)  # noqa: E731
        wrap = lambda v: f"({f(v)})" if v < 0 else f(v)  # noqa: E731
        n, w = len(self.errors), self.name
        lines = [
            f"sample {k + 1:<3} E = {f(e)}   dE/d{w} = {f(g)}"
            for k, (e, g) in enumerate(zip(self.errors, self.slopes, strict=True))
        ]
        lines.append(
            f"batch      E = ({' + '.join(f(e) for e in self.errors)}) / {n} = {f(self.error)}"
        )
        lines.append(
            f"           dE/d{w} = ({' + '.join(wrap(g) for g in self.slopes)}) / {n} = "
            f"{f(self.slope)}   (the batch's own backward: {f(self.batch_slope)})"
        )
        lines.append(
            f"update     {w} <- {w} - lr*dE/d{w} = {f(self.before)} - {self.lr:g}"
            f"*{wrap(self.slope)} = {f(self.after)}"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def explain_batch(
    net: Sequential,
    X: Any,
    T: Any,
    weight: tuple[int, int, int] | None = None,
    loss: Any = "mse",
    lr: float = 1.0,
) -> BatchExplanation:
    """One SGD step on the batch (X, T), written out for one weight: each sample's error and
    slope, their means, and the update. ``net`` takes the step, as with :func:`explain`.

    Parameters
    ----------
    net : Sequential
        Dense layers and activations; float64 for exact numbers.
    X : array-like, shape (N, in)
        The batch.
    T : array-like
        Its targets, (N, out) or N class labels for cross-entropy.
    weight : (layer, i, j), optional
        The weight W[i, j] of Dense layer ``layer`` (an index in ``net.layers``); default the
        first Dense layer's W[0, 0].
    loss, lr :
        As for :func:`explain`.

    Examples
    --------
    >>> from glassnet import Dense, Sigmoid
    >>> net = Sequential([Dense(1, 1, weights=[[0.5]], bias=[0.1]), Sigmoid()], dtype="float64")
    >>> step = explain_batch(net, [[1.0], [2.0]], [[0.8], [0.3]])
    >>> print(step.to_text())
    sample 1   E = 0.0238   dE/dw = -0.0706
    sample 2   E = 0.2027   dE/dw = 0.3375
    batch      E = (0.0238 + 0.2027) / 2 = 0.1133
               dE/dw = ((-0.0706) + 0.3375) / 2 = 0.1334   (the batch's own backward: 0.1334)
    update     w <- w - lr*dE/dw = 0.5000 - 1*0.1334 = 0.3666
    """
    X = np.asarray(X, dtype=net.dtype)
    if X.ndim != 2:
        raise ValueError(f"X must be a batch of shape (N, in); got shape {X.shape}.")
    T = np.asarray(T)
    if len(T) != len(X):
        raise ValueError(f"X has {len(X)} rows but T has {len(T)}; give one target per sample.")
    pos, i, j = weight if weight is not None else (_first_dense(net), 0, 0)
    samples = [explain(net.copy(), X[n], T[n], loss=loss, lr=lr, weight=(pos, i, j))
               for n in range(len(X))]  # fmt: skip
    errors = [float(s.trace.loss.value) for s in samples]
    slopes = [float(s.trace.layers[pos].grads["W"][i, j]) for s in samples]
    update = next(
        e for e in samples[0].equations if e.kind == "update" and e.param == f"W[{i},{j}]"
    )
    before = float(net.layers[pos].params["W"][i, j])
    batch_slope = _batch_step(net, X, T, loss, lr)[pos][i, j]
    return BatchExplanation(
        name=update.lhs[0],
        errors=errors,
        slopes=slopes,
        batch_slope=float(batch_slope),
        before=before,
        after=float(net.layers[pos].params["W"][i, j]),
        lr=float(lr),
        samples=samples,
    )


def _first_dense(net: Sequential) -> int:
    for pos, layer in enumerate(net.layers):
        if isinstance(layer, Dense):
            return pos
    raise ValueError("the network has no Dense layer to explain.")


def _batch_step(net: Sequential, X: np.ndarray, T: np.ndarray, loss: Any, lr: float) -> dict:
    """One plain SGD step of ``net`` on the whole batch (the training step of
    :mod:`glassnet.train.step`); return each Dense's dE/dW (by position)."""
    loss_obj = get_loss(loss)
    net.eval()
    if loss_obj.name == "cross_entropy" and T.ndim == 1:
        T = T.astype(np.int64)  # (N,) labels
    else:
        T = T.astype(net.dtype).reshape(len(X), -1)  # (N, out)
    training.train_step(net, loss_obj, X, T, SGD(net.parameters(), lr=lr))
    # the step's dE/dW, still in the grads: SGD's step reads them and leaves them as they are
    return {
        pos: lay.grads["W"].copy() for pos, lay in enumerate(net.layers) if isinstance(lay, Dense)
    }
