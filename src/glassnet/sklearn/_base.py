"""``_BaseMLP``: the parameters and the training loop the two estimators share."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from glassnet.callbacks.base import restore
from glassnet.datasets import train_test_split
from glassnet.losses import get_loss
from glassnet.model.build import mlp
from glassnet.sklearn._lbfgs import fit_lbfgs
from glassnet.sklearn._objective import objective
from glassnet.sklearn._params import check_params, solver_optimizer
from glassnet.sklearn._rules import InvScaling, NoImprovement, ValidationScore
from glassnet.train.fit import fit as fit_network

__all__ = ["continue_from"]


class _BaseMLP(BaseEstimator):
    """Shared parameters and the training loop of the two estimators."""

    _loss = "mse"
    #: scikit-learn's name of the output layer's function (``out_activation_``)
    _out_activation = "identity"
    #: the network's own output activation (None: linear outputs, the loss takes them)
    _output_activation: str | None = None

    def _decide(self, out: np.ndarray) -> np.ndarray:
        """Predictions, shaped like the training targets, from the network's outputs (N, k):
        here the values on the targets' scale (a Poisson model's exp)."""
        return self.model_.loss_.predictions(out)

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        dtype: str | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.dtype = dtype
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.max_fun = max_fun

    @property
    def coefs_(self) -> list[np.ndarray]:
        """The weight matrices, layer by layer, W_i of shape (in_i, out_i) (scikit-learn's
        layout): the network's own arrays, so writing into them changes the model."""
        return [layer.params["W"] for layer in self._dense_layers()]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The bias vectors, layer by layer, b_i of shape (out_i,): the network's own arrays."""
        return [layer.params["b"] for layer in self._dense_layers()]

    @property
    def n_layers_(self) -> int:
        """Layers of units, input and output included (scikit-learn's count)."""
        return len(self._dense_layers()) + 1

    @property
    def out_activation_(self) -> str:
        """scikit-learn's name of the output layer's function: "softmax" or "logistic" (the
        classifier), "identity" or "exp" (the regressor, with ``loss="poisson"``)."""
        self._dense_layers()  # only once fitted, as scikit-learn's attribute
        return self._out_activation

    def _dense_layers(self) -> list[Any]:
        net = self.__dict__.get("model_")
        if net is None:  # an AttributeError, so hasattr() says False before fit
            raise AttributeError(
                f"This {type(self).__name__} is not fitted yet; call fit before reading its "
                "learned attributes."
            )
        return [layer for layer in net.layers if layer.params]

    def _warm(self) -> bool:
        """Whether this fit continues the last one: ``warm_start`` and a fitted ``model_``."""
        return bool(self.warm_start) and hasattr(self, "model_")

    def _train(
        self, X: np.ndarray, T: np.ndarray, n_out: int, stratify: bool, sample_weight: Any
    ) -> None:
        """Build ``model_`` (or continue it) and fit it; sets loss_curve_, n_iter_ and friends."""
        hidden, batch = check_params(self, len(X))
        warm = self._warm()
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        dtype = self.dtype or X.dtype  # None: follow the input, float32 stays float32
        net = mlp(
            [X.shape[1], *hidden, n_out],
            self.activation,
            output_activation=self._output_activation,
            dtype=dtype,
            seed=seed,
        )
        if warm:
            continue_from(self.model_, net)
        self.model_ = net
        w = None
        if sample_weight is not None:
            w = _check_sample_weight(sample_weight, X, dtype=np.float64)  # (N,)
        if str(self.solver).lower() == "lbfgs":  # the whole set as one batch, no epochs
            self._train_lbfgs(X, T, w, warm)
            return
        callbacks: list[Any] = []
        if self.early_stopping:  # scikit-learn's: the score (accuracy, R^2) of held-out rows
            rows = np.arange(len(X))  # split row numbers, then take X, T and w alike
            strata = T[:, 0] if T.ndim == 2 and T.shape[1] == 1 else T  # a 0/1 column: labels
            train, held, _, _ = train_test_split(
                rows, strata, self.validation_fraction, seed=seed, stratify=stratify
            )
            score = accuracy_score if is_classifier(self) else r2_score
            w_held = None if w is None else w[held]
            callbacks.append(ValidationScore(X[held], T[held], w_held, score, self._decide))
            X, T = X[train], T[train]
            w = None if w is None else w[train]
        # scikit-learn's learning_rate applies to solver="sgd" only; the others keep a constant lr
        schedule = self.learning_rate if str(self.solver).lower() == "sgd" else "constant"
        rule = NoImprovement(
            "val_score" if self.early_stopping else "loss",
            self.tol,
            self.n_iter_no_change,
            adaptive=schedule == "adaptive",
            restore_best=bool(self.early_stopping),
            resume=getattr(self, "_progress", None) if warm else None,
            mode="max" if self.early_stopping else "min",
        )
        t0 = getattr(self, "t_", 0) if warm else 0
        callbacks.append(rule)  # after the score it reads
        if schedule == "invscaling":
            callbacks.append(InvScaling(len(X), self.power_t, t0))
        # kept as _optimizer: a partial_fit after this fit continues it (scikit-learn's rule)
        self._optimizer = solver_optimizer(self, batch * (1.0 if w is None else float(w.mean())))
        history = fit_network(
            self.model_,
            X,
            T,
            loss=self._objective(self._optimizer),
            optimizer=self._optimizer,
            epochs=self.max_iter,
            batch_size=batch,
            shuffle=self.shuffle,
            sample_weight=w,
            seed=seed,
            callbacks=callbacks,
            verbose=2 if self.verbose else 0,
        )
        self.model_.loss_ = get_loss(self._loss)  # glassnet's own loss on the fitted network
        scores = callbacks[0].scores if self.early_stopping else None
        self._record(history.history, rule, warm, t0, len(X), scores)
        if history.stopped is None:
            warnings.warn(
                f"{type(self).__name__}: max_iter={self.max_iter} epochs reached and the loss "
                "is still improving; raise max_iter.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _train_lbfgs(self, X: np.ndarray, T: np.ndarray, w: Any, warm: bool) -> None:
        """``solver="lbfgs"`` (:mod:`glassnet.sklearn._lbfgs`): sets ``loss_`` and ``n_iter_``
        as scikit-learn's does (no ``loss_curve_``: there are no epochs); a first fit sets
        ``t_`` to 0, a warm start keeps it."""
        dtype = self.model_.dtype
        loss = objective(self._loss, self.coefs_[-1].shape[1], 0.0, self.coefs_, None)
        T = T.astype(dtype, copy=False) if T.dtype.kind == "f" else T  # labels stay integers
        self.loss_, self.n_iter_ = fit_lbfgs(
            self.model_, X.astype(dtype, copy=False), T, w, loss,
            float(self.alpha), self.max_iter, self.max_fun, float(self.tol), bool(self.verbose),
        )  # fmt: skip
        self.t_ = getattr(self, "t_", 0) if warm else 0
        self.model_.loss_ = get_loss(self._loss)  # glassnet's own loss on the fitted network

    def _objective(self, optimizer: Any) -> Any:
        """scikit-learn's batch objective for ``model_`` (:mod:`glassnet.sklearn._objective`):
        its loss values, its output error and its L2 term, the decay following each batch, and
        for ``solver="adam"`` its epsilon."""
        solver = str(self.solver).lower()
        coefs = self.coefs_  # (in_i, out_i) each, the network's own arrays
        return objective(
            self._loss,
            coefs[-1].shape[1],  # the outputs
            float(self.alpha),
            coefs,
            None if solver == "adamw" else optimizer,  # adamw's decay is not in the objective
            float(self.epsilon) if solver == "adam" else None,  # scikit-learn's Adam steps
        )

    def _record(
        self,
        logs: dict[str, list[float]],
        rule: NoImprovement,
        warm: bool,
        t0: int,
        n: int,
        scores: list[float] | None,
    ) -> None:
        """The learned attributes of a fit; a warm start extends the curves of the last one."""
        curve = list(logs["loss"])
        self.loss_curve_ = (list(self.loss_curve_) if warm else []) + curve
        self.loss_ = float(curve[-1]) if curve else float("nan")  # the last epoch's loss
        self.n_iter_ = len(curve)  # epochs of this fit, as in scikit-learn
        self.t_ = t0 + self.n_iter_ * n  # samples trained on, over the fits a warm start joins
        self._progress = rule.progress()
        earlier = getattr(self, "validation_scores_", None) if warm else None
        # scikit-learn's: best_loss_ without early stopping, the best_validation_score_ with it
        self.best_loss_ = None if self.early_stopping else float(rule.best)
        self.best_validation_score_ = float(rule.best) if self.early_stopping else None
        self.validation_scores_ = None
        if scores is not None:
            self.validation_scores_ = list(earlier or []) + list(scores)

    def _inputs(self, X: Any) -> np.ndarray:
        """X (N, d) checked against the fit and cast to the network's dtype."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return X.astype(self.model_.dtype, copy=False)  # (N, d)

    def _outputs(self, X: Any) -> np.ndarray:
        X = self._inputs(X)  # (N, d), checked before model_ is read
        return self.model_.predict(X)  # (N, out)


def continue_from(fitted: Any, net: Any) -> None:
    """Start ``net`` from the weights of ``fitted`` (a warm start): same shapes, or an error.

    Raises
    ------
    ValueError
        If the shapes differ (hidden_layer_sizes, features or outputs changed), saying so.

    Examples
    --------
    >>> a, b = mlp("2,3,1", seed=0), mlp("2,3,1", seed=1)
    >>> continue_from(a, b); (b.parameters()[0].value == a.parameters()[0].value).all()
    np.True_
    >>> continue_from(a, mlp("2,4,1"))
    Traceback (most recent call last):
    ...
    ValueError: warm_start=True continues the fitted network, whose weights have shapes [(2, 3), (3,), (3, 1), (1,)], but this fit builds [(2, 4), (4,), (4, 1), (1,)] (hidden_layer_sizes or the number of outputs changed); set warm_start=False to start afresh.
    """
    old = [p.value.shape for p in fitted.parameters()]
    new = [p.value.shape for p in net.parameters()]
    if old != new:
        raise ValueError(
            f"warm_start=True continues the fitted network, whose weights have shapes {old}, "
            f"but this fit builds {new} (hidden_layer_sizes or the number of outputs changed); "
            "set warm_start=False to start afresh."
        )
    restore(net, [p.value for p in fitted.parameters()])
