"""What ``fit`` does before its first epoch: check and prepare its arguments, once.

:func:`glassnet.train.fit.fit` is the loop; this is its set-up, in the order ``fit`` runs it:
the numbers checked (:func:`check_settings`), the loss built (:func:`loss_for`), X, T, the
sample weights and the validation data cast and checked (:func:`prepare_data`), the optimiser
bound to the network (:func:`bound_optimizer`), then the History started and the callbacks
told about the run (:func:`start_history`, then ``glassnet.callbacks.hooks``). Every check runs
here, before the first weight changes, and its error names the argument at fault.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet.activations import Softmax
from glassnet.callbacks import History
from glassnet.losses import Loss, get_loss
from glassnet.losses.targets import prepare_targets
from glassnet.metrics.scores import is_classification, labels_from_targets
from glassnet.optimizers import Optimizer, get_optimizer
from glassnet.optimizers.clipping import clip_grad_norm, clip_grad_value
from glassnet.utils.validation import (
    as_2d_array,
    check_fraction,
    check_positive_float,
    check_positive_int,
    check_sample_weight,
)


def check_settings(
    epochs: Any, batch_size: Any, lr: Any, validation_split: Any, initial_epoch: Any
) -> tuple[int, int, float]:
    """Check ``fit``'s numbers in the order of its arguments; return epochs, batch_size, split.

    Examples
    --------
    >>> check_settings(10, 32, None, 0.2, 0)
    (10, 32, 0.2)
    """
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    if lr is not None:
        check_positive_float(lr, "lr")
    validation_split = check_fraction(validation_split, "validation_split")
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or initial_epoch < 0:
        raise ValueError(f"initial_epoch must be an integer >= 0; got {initial_epoch!r}.")
    return epochs, batch_size, validation_split


def loss_for(net: Any, loss: str | Loss) -> Loss:
    """The loss named (or given), refused where it cannot follow the network's last layer.

    Examples
    --------
    >>> from glassnet import Dense, Sequential, Softmax
    >>> loss_for(Sequential([Dense(2, 3)]), "ce")
    CrossEntropy()
    >>> loss_for(Sequential([Dense(2, 3), Softmax()]), "cross_entropy")
    Traceback (most recent call last):
    ...
    ValueError: cross_entropy takes logits and applies the softmax itself; remove the final Softmax layer (predict_proba gives probabilities).
    """
    loss_obj = get_loss(loss)
    if loss_obj.name == "cross_entropy" and isinstance(net.layers[-1], Softmax):
        raise ValueError(
            "cross_entropy takes logits and applies the softmax itself; remove the final "
            "Softmax layer (predict_proba gives probabilities)."
        )
    return loss_obj


@dataclass
class FitData:
    """The arrays ``fit`` trains and validates on, checked (inputs in the network's dtype);
    :func:`prepare_data` makes it (its example shows the fields)."""

    #: inputs (N, in)
    X: np.ndarray
    #: targets: integer labels (N,) or (N, out)
    T: np.ndarray
    #: sample weights (N,) as float64, or None
    weights: np.ndarray | None
    #: the classes of T (N,) for the epoch's accuracy, or None for a loss that is not a classifier's
    labels: np.ndarray | None
    #: (X_val, T_val, w_val or None), or None without validation
    validation: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None


def prepare_data(
    net: Any,
    loss: Loss,
    X: Any,
    T: Any,
    sample_weight: Any,
    validation_data: tuple[Any, ...] | None,
    validation_split: float,
    class_weight: Any = None,
) -> FitData:
    """Check X, T and the weights; hold out ``validation_split`` or check ``validation_data``.

    The split takes the last samples (and their weights), before any shuffling; given
    ``validation_data`` wins over the split. For a classifier's loss the training targets
    are also turned into labels, once, to score the epoch's accuracy against; ``class_weight``
    then multiplies each training sample's weight by its class's (see :func:`class_weights`).

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> from glassnet.losses import CrossEntropy
    >>> X, y = np.zeros((10, 2)), np.array([0, 1] * 5)
    >>> d = prepare_data(Sequential([Dense(2, 2)]), CrossEntropy(), X, y, np.arange(10.0),
    ...                  None, 0.2, class_weight={1: 3})
    >>> d.X.shape, d.weights.tolist(), d.validation[2].tolist()  # the split keeps 8 rows
    ((8, 2), [0.0, 3.0, 2.0, 9.0, 4.0, 15.0, 6.0, 21.0], [8.0, 9.0])
    """
    X = as_2d_array(X, "X", net.dtype)
    T = prepare_targets(net, loss, T, len(X))
    weights = None if sample_weight is None else check_sample_weight(sample_weight, len(X))
    if validation_split and validation_data is None:
        cut = len(X) - max(1, int(round(len(X) * validation_split)))
        if cut < 1:
            raise ValueError(f"validation_split={validation_split} leaves no training samples.")
        validation_data = (X[cut:], T[cut:]) + (() if weights is None else (weights[cut:],))
        X, T = X[:cut], T[:cut]
        if weights is not None:
            weights = check_sample_weight(weights[:cut], cut)
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) not in (2, 3):
            raise ValueError(
                "validation_data must be a tuple (X_val, T_val) or (X_val, T_val, w_val); "
                f"got {type(validation_data).__name__} of length {len(validation_data)}."
            )
        Xv = as_2d_array(validation_data[0], "validation_data[0]", net.dtype)
        Tv = prepare_targets(net, loss, validation_data[1], len(Xv), "validation_data[1]")
        Wv = None
        if len(validation_data) == 3 and validation_data[2] is not None:
            Wv = check_sample_weight(validation_data[2], len(Xv), "validation_data[2]")
        validation = (Xv, Tv, Wv)
    labels = None  # for a classifier: T itself, or one-hot / a 0/1 column turned into labels
    if is_classification(loss):
        labels = T if T.ndim == 1 and T.dtype.kind in "iu" else labels_from_targets(T)
    if class_weight is not None:
        if labels is None:
            raise ValueError(
                f"class_weight applies to a classifier's loss (cross_entropy or "
                f"binary_cross_entropy); this loss is {loss.name}. Use sample_weight instead."
            )
        per_class = class_weights(class_weight, labels)[labels]  # (N,)
        weights = per_class if weights is None else weights * per_class
        weights = check_sample_weight(weights, len(X), "the sample weights times class_weight")
    return FitData(X, T, weights, labels, validation)


def class_weights(class_weight: Any, labels: np.ndarray) -> np.ndarray:
    """The weight of every class 0..K-1, from a dict {class: weight} or "balanced".

    A dict leaves the classes it does not name at 1 (Keras's rule). "balanced" gives class c
    the weight N / (k N_c), with k the number of classes present and N_c the samples of c
    (scikit-learn's rule), so every class counts as much in total.

    Examples
    --------
    >>> labels = np.array([0, 0, 0, 1])
    >>> class_weights("balanced", labels)  # 4 / (2 * 3), 4 / (2 * 1)
    array([0.66666667, 2.        ])
    >>> class_weights({1: 5}, labels)
    array([1., 5.])
    """
    counts = np.bincount(labels)  # (K,) for the classes seen
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                f'class_weight must be a dict {{class: weight}} or "balanced"; got {class_weight!r}.'
            )
        present = counts > 0
        out = np.zeros(len(counts))
        out[present] = len(labels) / (present.sum() * counts[present])
        return out
    if not isinstance(class_weight, dict):
        raise TypeError(
            'class_weight must be a dict {class: weight} or "balanced"; '
            f"got {type(class_weight).__name__}."
        )
    k = max([len(counts), *(int(c) + 1 for c in class_weight if _is_index(c))])
    out = np.ones(k)
    for c, w in class_weight.items():
        if not _is_index(c):
            raise ValueError(f"class_weight keys must be class indices >= 0; got {c!r}.")
        out[int(c)] = float(w)
    return out


def _is_index(c: Any) -> bool:
    return isinstance(c, int | np.integer) and not isinstance(c, bool) and c >= 0


def bound_optimizer(optimizer: str | Optimizer, lr: float | None, net: Any) -> Optimizer:
    """The optimiser named (or given), bound to the network's parameters unless it already is.

    An Optimizer already bound to ``net`` keeps its state, so a second ``fit`` continues.

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> net = Sequential([Dense(2, 1)])
    >>> opt = bound_optimizer("sgd", 0.1, net)
    >>> [p.name for p in opt.params], bound_optimizer(opt, None, net) is opt
    (['0.W', '0.b'], True)
    """
    opt = get_optimizer(optimizer, lr)
    if opt.params is None or not _bound_to(opt, net):
        opt.bind(net)
    return opt


def _bound_to(opt: Optimizer, net: Any) -> bool:
    mine = [p.value for p in net.parameters()]
    return len(mine) == len(opt.params) and all(
        a is p.value for a, p in zip(mine, opt.params, strict=True)
    )


def start_history(
    epochs: int, batch_size: int, opt: Optimizer, loss: Loss, seed: int, n: int, weighted: bool
) -> History:
    """An empty History holding the run's settings as its ``params``.

    Examples
    --------
    >>> from glassnet.losses import MSE
    >>> from glassnet.optimizers import SGD
    >>> h = start_history(5, 32, SGD(lr=0.1), MSE(), 0, 100, False)
    >>> h.params["optimizer"], h.params["n_samples"], h.history
    ('SGD(lr=0.1, momentum=0.0, nesterov=False, weight_decay=0.0)', 100, {})
    """
    return History(
        params={
            "epochs": epochs,
            "batch_size": batch_size,
            "lr": opt.lr,
            "optimizer": repr(opt),
            "loss": loss.name,
            "seed": seed,
            "n_samples": n,
            "sample_weight": weighted,
        }
    )


def with_clipping(
    grad_hook: Any, clip_norm: float | None, clip_value: float | None, params: dict[str, Any]
) -> Any:
    """The hook ``fit`` calls between backward and each step: ``grad_hook`` (if any), then the
    gradient clipping asked for; None when there is neither. The clipping goes into the
    history's ``params`` (a History records how its run was made).

    Raises
    ------
    ValueError, TypeError
        If ``clip_norm`` or ``clip_value`` is not a number > 0.

    Examples
    --------
    >>> from glassnet.optimizers import Parameter
    >>> settings = {}
    >>> hook = with_clipping(None, 1.0, None, settings)
    >>> p = Parameter("w", np.zeros(2), np.array([3.0, 4.0])); hook([p])  # its norm was 5
    5.0
    >>> p.grad.round(6).tolist(), settings
    ([0.6, 0.8], {'clip_norm': 1.0})
    >>> with_clipping(None, None, None, {}) is None
    True
    """
    steps = [] if grad_hook is None else [grad_hook]
    if clip_norm is not None:
        params["clip_norm"] = clip_norm = check_positive_float(clip_norm, "clip_norm")
        steps.append(lambda ps: clip_grad_norm(ps, clip_norm))
    if clip_value is not None:
        params["clip_value"] = clip_value = check_positive_float(clip_value, "clip_value")
        steps.append(lambda ps: clip_grad_value(ps, clip_value))
    if len(steps) <= 1:
        return steps[0] if steps else None

    def hook(ps: Any) -> None:
        for step in steps:
            step(ps)

    return hook


def fresh_seed() -> int:
    """A seed for a run given none: drawn from the operating system's entropy, so that the
    run's History (its ``params["seed"]``) and checkpoints still say how to repeat it.

    Examples
    --------
    >>> 0 <= fresh_seed() < 2**31
    True
    """
    return int(np.random.default_rng().integers(2**31))


def predicted_labels_buffer(net: Any, data: FitData) -> np.ndarray | None:
    """The array (N,) each epoch's predicted labels are written into, in visiting order, to
    score its accuracy: int64 classes, or bool (class 1) for one output; None when the loss
    is not a classifier's.

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> data = FitData(np.zeros((3, 2)), np.zeros(3, int), None, np.zeros(3, int), None)
    >>> predicted_labels_buffer(Sequential([Dense(2, 1)]), data).dtype
    dtype('bool')
    """
    if data.labels is None:
        return None
    return np.empty(len(data.X), dtype=np.int64 if net.out_features != 1 else bool)


@contextmanager
def training_mode(net: Any, loss: Loss) -> Iterator[None]:
    """``fit``'s mode for the length of its epochs: the layers reuse their buffers, the loss
    trusts the labels (``prepare_data`` checked every one), dropout is on. Everything goes
    back on the way out, whatever ends the run (its end, a stop, an interrupt, an error).

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> from glassnet.losses import MSE
    >>> net = Sequential([Dense(2, 1)])
    >>> with training_mode(net, MSE()):
    ...     net.layers[0].training, net.layers[0].reuse_buffers
    (True, True)
    >>> net.layers[0].training, net.layers[0].reuse_buffers
    (False, False)
    """
    for layer in net.layers:
        layer.reuse_buffers = True
    trusted = getattr(loss, "trusted_labels", None)
    if trusted is not None:
        loss.trusted_labels = True
    net.train()
    try:
        yield
    finally:
        if trusted is not None:
            loss.trusted_labels = trusted
        for layer in net.layers:
            layer.reuse_buffers = False
            layer._buffers.clear()
        net.eval()
