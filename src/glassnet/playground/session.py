"""One playground session (one browser tab): its points, its network, its training state.

All the maths is glassnet's: the network is built with :func:`glassnet.model.build.mlp`, trained
batch by batch with the training step of :mod:`glassnet.train.step` (forward, error, backward,
the L1 term as its grad hook, the optimiser's step), the one :func:`glassnet.train.fit.fit`
takes, cut into small chunks so the server can send pictures in between.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.losses import get_loss
from glassnet.metrics.scores import labels_from_outputs, labels_from_targets
from glassnet.model.build import mlp
from glassnet.model.sequential import Sequential
from glassnet.optimizers import Optimizer, Parameter, get_optimizer
from glassnet.optimizers.base import is_bias
from glassnet.playground.features import expand
from glassnet.playground.limits import check_work, count_weights
from glassnet.playground.points import out_width, targets
from glassnet.playground.presets import Preset, preset_network
from glassnet.playground.session_points import PointsState
from glassnet.playground.validate import DataSpec, NetSpec, param_index
from glassnet.train import step as training

MAX_HISTORY = 400  # loss-chart points kept; older ones are thinned


class DivergedError(ValueError):
    """The loss became NaN or inf; the weights were put back as they were before the chunk.

    A ValueError (not :class:`glassnet.train.fit.DivergedError`, a RuntimeError) because the
    server answers ValueErrors as the user's mistake (a learning rate too high) and treats
    RuntimeErrors as a closed connection.
    """


class Session(PointsState):
    """The state of one tab: data points, network, optimiser, epoch counter and loss history.

    Examples
    --------
    >>> s = Session(DataSpec("xor", 0.1, 60, 0.25, 0), NetSpec([4], ["tanh"], lr=0.1))
    >>> s.n_train, s.n_test, s.net.out_features
    (45, 15, 1)
    >>> s.train(batches=3); s.epoch_float > 0
    True
    """

    def __init__(self, data: DataSpec | None = None, net: NetSpec | None = None) -> None:
        self.net_spec = net or NetSpec()
        self.notice: str | None = None
        self.given: np.ndarray | None = None  # targets given as they are (a preset's)
        self._scores: tuple[float | None, ...] | None = None  # see scores_now()
        self.set_data(data or DataSpec())  # the points, then the network

    # -- data: the points are kept by PointsState ---------------------------------------
    @property
    def loss_name(self) -> str:
        """The loss trained with: the chosen one, or the squared error for a regression."""
        return "mse" if self.regression else self.net_spec.loss

    def out_width(self, loss: str | None = None) -> int:
        """Output neurons for the points: one per given target, else
        :func:`glassnet.playground.points.out_width` of the loss (default the one trained
        with) and the classes."""
        if self.given is not None:
            return int(self.given.shape[1])
        return out_width(loss or self.loss_name, self.n_classes)

    # -- network -----------------------------------------------------------------------
    def weights_for(self, spec: NetSpec, n_classes: int | None = None) -> int:
        """Weights of the network ``spec`` describes, for data of ``n_classes`` (0: a
        regression; default the current data's).

        Examples
        --------
        >>> s = Session(DataSpec("xor", 0.1, 20, 0.25, 0), NetSpec([4], ["tanh"]))
        >>> s.weights_for(s.net_spec), s.net.n_params  # 2*4+4 + 4*1+1
        (17, 17)
        >>> s.weights_for(NetSpec([4], ["tanh"]), n_classes=3)  # 2*4+4 + 4*3+3
        27
        """
        if n_classes is None:  # the current points (whose targets may be given as they are)
            width = self.out_width("mse" if self.regression else spec.loss)
        else:  # new points, with classes or values
            width = out_width("mse" if n_classes == 0 else spec.loss, n_classes)
        return count_weights([len(spec.features), *spec.hidden, width])

    def check_work(self, n_points: int, n_weights: int | None = None) -> None:
        """Refuse ``n_points`` points for a network of ``n_weights`` (default the current
        one's) if every update would cost more than the playground's limit
        (:func:`glassnet.playground.limits.check_work`); called before anything changes."""
        check_work(n_points, self.net.n_params if n_weights is None else n_weights)

    def build(self, net: Sequential | None = None) -> None:
        """(Re)build the network from ``net_spec`` (or adopt ``net``) and reset training."""
        spec = self.net_spec
        if net is None:
            widths = [len(spec.features), *spec.hidden, self.out_width()]
            linear = self.regression or self.loss_name == "cross_entropy"  # values, or logits
            out_act = None if linear else "sigmoid"
            net = mlp(widths, spec.activations, output_activation=out_act, seed=spec.seed)
        net.feature_names = list(spec.features)  # saved with the model
        self.net = net
        self.loss = get_loss(self.loss_name)
        self.net.loss_ = self.loss
        self.epoch, self.pos, self.batches_done = 0, 0, 0
        self.history: list[tuple[float, float, float | None]] = []
        self.opt = self._optimizer()
        self._prepare()
        self.record()

    def adopt(self, net: Sequential, spec: NetSpec) -> None:
        """Use a loaded network (described by ``spec``) if its outputs fit the data's classes."""
        loss = "mse" if self.regression else spec.loss
        want = self.out_width(loss)
        self.check_work(len(self.X), net.n_params)
        if net.out_features != want:
            need = "a regression needs 1" if self.regression else (
                f"{self.n_classes} classes with {spec.loss} need {want}")  # fmt: skip
            raise ValueError(
                f"the model has {net.out_features} outputs but {need}; load data with "
                "matching classes first."
            )
        self.net_spec = spec
        self.build(net if net.dtype == np.float32 else net.copy("float32"))

    def load_preset(self, preset: Preset, name: str) -> None:
        """One sample, its targets and the preset's network (float64, so that its numbers come
        out to the published digits), trained with plain SGD at the preset's rate, one sample
        per batch."""
        net = preset_network(preset)
        self.data_spec = DataSpec(self.data_spec.dataset, 0.0, 1, 0.0, self.data_spec.seed)
        self.source = f"preset:{name}"
        given = np.array([preset.target])  # (1, outputs)
        self._set_points(np.array([preset.point]), given[:, 0], None, True, None, given)
        self.net_spec = NetSpec(
            hidden=[len(b) for _, b, _ in preset.layers[:-1]],
            activations=[act for _, _, act in preset.layers[:-1]],
            loss="mse",
            optimizer="sgd",
            lr=preset.lr,
            batch_size=1,
            features=list(preset.features),
        )
        self.build(net)

    def _optimizer(self) -> Optimizer:
        spec = self.net_spec
        # L2 regularisation: the optimiser adds l2 * W to dE/dW (AdamW decays W directly), on
        # the weights only, as TensorFlow Playground and scikit-learn do
        return get_optimizer(
            spec.optimizer, spec.lr, weight_decay=spec.l2, decay_biases=False
        ).bind(self.net)

    def set_network(self, spec: NetSpec) -> bool:
        """Apply new settings; rebuild (and return True) only if the architecture changed."""
        self.check_work(len(self.X), self.weights_for(spec))
        old, self.net_spec = self.net_spec, spec
        same = (old.hidden, old.activations, old.loss, old.seed, old.features) == (
            spec.hidden,
            spec.activations,
            spec.loss,
            spec.seed,
            spec.features,
        )
        if same:
            if old.optimizer != spec.optimizer:
                self.opt = self._optimizer()
            else:
                self.opt.lr, self.opt.weight_decay = spec.lr, spec.l2
            if old.batch_size != spec.batch_size:
                self.pos = 0
            return False
        self.build()
        return True

    def _prepare(self) -> None:
        """Cache the training arrays, restart the epoch's order and forget the old scores."""
        self._scores = None
        train = ~self.test
        self.X_train = self.inputs(self.X[train])  # (n_train, k)
        self.T_train = self._targets(train)
        self.X_test = self.inputs(self.X[self.test])  # (n_test, k)
        self.T_test = self._targets(self.test)
        rng = np.random.default_rng([self.net_spec.seed, self.epoch])
        self.order = rng.permutation(len(self.X_train))
        self.pos = 0

    def _targets(self, which: np.ndarray) -> np.ndarray:
        """The targets of the points ``which`` (a mask) as the loss takes them."""
        if self.given is not None:
            return self.given[which].astype(self.net.dtype)  # (m, outputs)
        return targets(self.y[which], self.loss_name, self.n_classes)

    def target_of(self, index: int) -> np.ndarray:
        """The target of point ``index`` as the loss takes it: a label (cross-entropy) or a row.

        Examples
        --------
        >>> s = Session(DataSpec("xor", 0.1, 20, 0.25, 0))
        >>> s.target_of(0).tolist() == [float(s.y[0])]
        True
        """
        if self.given is not None:
            return self.given[index]
        return targets(self.y[index : index + 1], self.loss_name, self.n_classes)[0]

    def set_param(self, layer: int, param: str, value: float) -> float:
        """Set weight "W[i,j]" or bias "b[j]" (0-based) of Dense layer ``layer`` (1-based) to
        ``value``, and score the network again; returns the value as the network holds it.

        Examples
        --------
        >>> s = Session(DataSpec("xor", 0.1, 20, 0.25, 0), NetSpec([3], ["tanh"]))
        >>> s.set_param(2, "W[1,0]", 0.25), float(s.net.layers[2].params["W"][1, 0])
        (0.25, 0.25)
        """
        dense = [lay for lay in self.net.layers if lay.params and "W" in lay.params]
        if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= len(dense):
            raise ValueError(f"layer must be a Dense layer number 1..{len(dense)}; got {layer}.")
        d = dense[layer - 1]
        i, j = param_index(param, d.in_features, d.out_features)
        if i is None:
            d.params["b"][j] = value
            held = d.params["b"][j]
        else:
            d.params["W"][i, j] = value
            held = d.params["W"][i, j]
        self.record()
        return float(held)

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """The network's inputs for points X (N, 2): the chosen features, (N, k).

        Examples
        --------
        >>> s = Session(net=NetSpec([2], ["tanh"], features=["x1", "x1*x2"]))
        >>> s.inputs(np.array([[2.0, 3.0]])).tolist(), s.net.in_features
        ([[2.0, 6.0]], 2)
        """
        return expand(X, self.net_spec.features, self.net.dtype)

    # -- training ----------------------------------------------------------------------
    @property
    def epoch_float(self) -> float:
        """Epochs done, counting the part of the current one."""
        return self.epoch + self.pos / max(1, len(self.X_train))

    def _batch(self) -> None:
        n = len(self.X_train)
        idx = self.order[self.pos : self.pos + self.net_spec.batch_size]
        xb, tb = self.X_train[idx], self.T_train[idx]  # (m, 2), (m,) or (m, out)
        self.net.train()
        # the training step (glassnet.train.step); where E is not finite it changes nothing
        hook = self._l1 if self.net_spec.l1 else None
        value, _ = training.train_step(self.net, self.loss, xb, tb, self.opt, grad_hook=hook)
        if not math.isfinite(value):
            raise DivergedError(
                f"training diverged at epoch {self.epoch + 1}: the loss became {value}. "
                f"Lower the learning rate (now {self.net_spec.lr:g})."
            )
        self.pos += len(idx)
        self.batches_done += 1
        if self.pos >= n:
            self.epoch += 1
            self.order = np.random.default_rng([self.net_spec.seed, self.epoch]).permutation(n)
            self.pos = 0

    def _l1(self, params: list[Parameter]) -> None:
        """The step's grad hook for L1: the slope of l1 |W| is l1 sign(W), added to each
        dE/dW (the biases are spared); it pulls the weights towards 0."""
        l1 = self.net_spec.l1
        for p in params:
            if not is_bias(p):
                p.grad += l1 * np.sign(p.value)

    def train(
        self,
        batches: int | None = None,
        epochs: int | None = None,
        seconds: float | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        """Train for a number of batches, whole epochs, or about ``seconds``, or until
        ``stop()`` says so (asked after each batch); record the losses.

        If the loss becomes NaN or inf, the weights go back to how they were before the call
        and :class:`DivergedError` is raised.
        """
        if len(self.X_train) == 0:
            raise ValueError("there are no training points; add some or load a data set.")
        saved = [p.value.copy() for p in self.net.parameters()]
        start, target = time.perf_counter(), None
        if epochs is not None:
            target = self.epoch + epochs
        count = 0
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                while True:
                    self._batch()
                    count += 1
                    if batches is not None and count >= batches:
                        break
                    if target is not None and self.epoch >= target:
                        break
                    if seconds is not None and time.perf_counter() - start >= seconds:
                        break
                    if stop is not None and stop():
                        break
        except DivergedError:
            for p, v in zip(self.net.parameters(), saved, strict=True):
                p.value[...] = v
            raise
        finally:
            self.net.eval()
        self.record()

    def scores(self, X: np.ndarray, T: np.ndarray) -> tuple[float | None, float | None]:
        """(loss, accuracy) of the network on X, T; (None, None) for no points, and no
        accuracy for a regression."""
        if len(X) == 0:
            return None, None
        out = self.net.predict(X)  # (n, out)
        loss = get_loss(self.loss_name)  # not self.loss, which holds the training batch
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            value = float(loss.forward(out, T))
        if self.regression:
            return value, None
        labels = labels_from_outputs(out, from_logits=False)  # (n,)
        return value, float((labels == labels_from_targets(T)).mean())

    def scores_now(self) -> tuple[float | None, ...]:
        """(train loss, train accuracy, test loss, test accuracy) of the current weights.

        Computed once and kept until the points, the network or its weights change:
        :meth:`_prepare` (new points, new network) forgets them and :meth:`record` (after
        training or a step-mode update) computes them again.
        """
        if self._scores is None:
            self._scores = (
                *self.scores(self.X_train, self.T_train),
                *self.scores(self.X_test, self.T_test),
            )
        return self._scores

    def record(self) -> None:
        """Score the new weights; append (epoch, train loss, test loss) to the history."""
        self._scores = None
        train, _, test, _ = self.scores_now()
        if train is not None and math.isfinite(train):
            self.history.append((self.epoch_float, train, test))
        if len(self.history) > MAX_HISTORY:
            self.history = self.history[:-1:2] + self.history[-1:]

    def summary(self) -> dict[str, Any]:
        """Epoch, losses and accuracies as JSON-able numbers (the scores are not recomputed)."""
        train, acc, test, test_acc = self.scores_now()
        return {
            "loss_name": self.loss_name,
            "epoch": self.epoch,
            "epoch_float": self.epoch_float,
            "train_loss": train,
            "test_loss": test,
            "train_accuracy": acc,
            "test_accuracy": test_acc,
            "history": [list(h) for h in self.history],
        }
