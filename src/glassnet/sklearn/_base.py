"""``_BaseMLP``: the parameters and the training loop the two estimators share."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from glassnet.callbacks.base import restore
from glassnet.losses import get_loss
from glassnet.model.build import mlp
from glassnet.sklearn._init import init_weights
from glassnet.sklearn._lbfgs import fit_lbfgs
from glassnet.sklearn._objective import objective
from glassnet.sklearn._params import check_params
from glassnet.sklearn._rows import as_rows, outputs
from glassnet.sklearn._rules import NoImprovement
from glassnet.sklearn._stochastic import NON_FINITE, fit_stochastic

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
        self,
        X: Any,
        T: np.ndarray,
        n_out: int,
        stratify: np.ndarray | None,
        sample_weight: Any,
        incremental: bool = False,
    ) -> None:
        """Build ``model_`` (or continue it) and fit it; sets loss_curve_, n_iter_ and friends.

        As scikit-learn's ``_fit``: a first pass (no model yet, or neither ``warm_start`` nor
        ``partial_fit``) draws scikit-learn's initial weights from
        ``check_random_state(random_state)`` (:mod:`glassnet.sklearn._init`), and the same
        generator then splits off the validation rows and shuffles the epochs. A later
        ``partial_fit`` goes on with the generator the last call left (scikit-learn seeds a
        new one each call), so n calls are the n epochs of one ``fit``. ``stratify``: the
        labels the validation split keeps in proportion, or None.
        """
        hidden, _ = check_params(self, X.shape[0])
        lbfgs = str(self.solver).lower() == "lbfgs"
        continuing = hasattr(self, "model_") and (incremental or bool(self.warm_start))
        random_state = check_random_state(self.random_state)
        if incremental and continuing:
            random_state = getattr(self, "_random_state", random_state)
        if not (incremental and continuing):  # partial_fit trains the model it has
            # None: follow the input, float32 stays float32, as scikit-learn's; L-BFGS works in
            # float64 (SciPy's), as scikit-learn's does whatever the input
            dtype = self.dtype or (np.float64 if lbfgs else X.dtype)
            net = mlp(
                [X.shape[1], *hidden, n_out],
                self.activation,
                output_activation=self._output_activation,
                dtype=dtype,
                seed=0,  # its own initial weights are replaced just below
            )
            if continuing:  # a warm start: the fitted weights, same shapes or an error
                continue_from(self.model_, net)
            else:
                init_weights(net, self.activation, random_state)
            self.model_ = net
        w = None
        if sample_weight is not None:
            w = _check_sample_weight(sample_weight, X, dtype=np.float64)  # (N,)
        if lbfgs:  # the whole set as one batch, no epochs
            self._train_lbfgs(X, T, w, continuing)
        else:
            fit_stochastic(
                self,
                X,
                T,
                w,
                stratify=stratify,
                continuing=continuing,
                incremental=incremental,
                random_state=random_state,
            )
        if not all(np.isfinite(p.value).all() for p in self.model_.parameters()):
            raise ValueError(NON_FINITE)  # scikit-learn's check after every solver

    def _train_lbfgs(self, X: Any, T: np.ndarray, w: Any, warm: bool) -> None:
        """``solver="lbfgs"`` (:mod:`glassnet.sklearn._lbfgs`): sets ``loss_`` and ``n_iter_``
        as scikit-learn's does (no ``loss_curve_``: there are no epochs); a first fit sets
        ``t_`` to 0, a warm start keeps it."""
        dtype = self.model_.dtype
        loss = objective(self._loss, self.coefs_[-1].shape[1], 0.0, self.coefs_, None)
        T = T.astype(dtype, copy=False) if T.dtype.kind == "f" else T  # labels stay integers
        self.loss_, self.n_iter_ = fit_lbfgs(
            self.model_, as_rows(X, dtype), T, w, loss,
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

    def _inputs(self, X: Any) -> Any:
        """X (N, d), an array or a CSR/CSC matrix, checked against the fit (float64 or
        float32, as scikit-learn keeps them)."""
        check_is_fitted(self, "model_")
        return validate_data(
            self, X, reset=False, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32)
        )

    def _outputs(self, X: Any) -> np.ndarray:
        """The network's outputs (N, out) for X, in the dtype scikit-learn's would have:
        float32 only when both X and the weights are (float32 input to a float32 model)."""
        X = self._inputs(X)  # (N, d), checked before model_ is read
        out = outputs(self.model_, X)  # (N, out); a sparse X a chunk of rows at a time
        return out.astype(np.result_type(X.dtype, self.model_.dtype), copy=False)

    def __sklearn_tags__(self) -> Any:
        """Declare sparse input (CSR and CSC), as scikit-learn's MLP does."""
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


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
