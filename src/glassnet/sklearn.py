"""scikit-learn estimators backed by glassnet: :class:`MLPClassifier` and :class:`MLPRegressor`.

They follow the estimator contract (``__init__`` only stores its arguments, ``fit`` returns
self, learned attributes end in ``_``) and pass ``sklearn.utils.estimator_checks``, so they work
in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``. Parameter names follow
``sklearn.neural_network``. Like scikit-learn's own MLP they do not scale the inputs: put a
``StandardScaler`` in front of them in a ``Pipeline``.

The classifier always uses K softmax outputs with cross-entropy (K = 2 for binary problems
too), so ``predict_proba`` is a softmax whose rows sum to 1. ``alpha`` is the optimiser's
``weight_decay`` for every parameter: an L2 penalty entering the gradient as ``g + alpha W`` for
every solver except ``"adamw"``, whose decay is decoupled from the gradient
(``W <- W (1 - lr alpha)``, then the Adam step).
Training stops after ``max_iter`` epochs, or earlier when the training loss (or, with
``early_stopping``, the validation loss) has not improved by ``tol`` for ``n_iter_no_change``
epochs; with ``early_stopping`` the best weights are restored.

``fit`` takes ``sample_weight``: each batch's error is the weighted mean
sum_n w_n l_n / sum_n w_n, as in scikit-learn's MLP, and the validation split keeps the
weights of the samples it holds out (its loss is weighted too).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from glassnet.build import mlp
from glassnet.callbacks import EarlyStopping
from glassnet.datasets import train_test_split
from glassnet.optimizers import OPTIMIZERS, get_optimizer
from glassnet.training import fit as fit_network


class _BaseMLP(BaseEstimator):
    """Shared parameters and the training loop of the two estimators."""

    _loss = "mse"

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (100,),
        activation: str = "relu",
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate_init: float = 0.001,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
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

    def _check_params(self, n: int) -> tuple[list[int], int]:
        hidden = self.hidden_layer_sizes
        hidden = [hidden] if isinstance(hidden, int | np.integer) else list(hidden)
        if any(
            isinstance(h, bool) or not isinstance(h, int | np.integer) or h <= 0 for h in hidden
        ):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, e.g. (100,); got "
                f"{self.hidden_layer_sizes!r}."
            )
        if str(self.solver).lower() not in OPTIMIZERS:
            raise ValueError(
                f"solver must be one of {sorted(OPTIMIZERS)}; got {self.solver!r} "
                "(lbfgs is not available in glassnet)."
            )
        for name in ("max_iter", "n_iter_no_change"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")
        if self.alpha < 0 or self.tol < 0:
            raise ValueError(f"alpha and tol must be >= 0; got {self.alpha!r} and {self.tol!r}.")
        if not 0 < self.validation_fraction < 1:
            raise ValueError(
                f"validation_fraction must be in (0, 1); got {self.validation_fraction!r}."
            )
        if self.batch_size == "auto":
            batch = min(200, n)
        elif isinstance(self.batch_size, int | np.integer) and self.batch_size >= 1:
            batch = min(int(self.batch_size), n)
        else:
            raise ValueError(
                f"batch_size must be 'auto' or an integer >= 1; got {self.batch_size!r}."
            )
        return [int(h) for h in hidden], batch

    def _train(
        self, X: np.ndarray, T: np.ndarray, n_out: int, stratify: bool, sample_weight: Any
    ) -> None:
        """Build ``model_`` and fit it; sets loss_curve_, n_iter_ and friends."""
        hidden, batch = self._check_params(len(X))
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        dtype = self.dtype or X.dtype  # None: follow the input, float32 stays float32
        self.model_ = mlp([X.shape[1], *hidden, n_out], self.activation, dtype=dtype, seed=seed)
        w = None
        if sample_weight is not None:
            w = _check_sample_weight(sample_weight, X, dtype=np.float64)  # (N,)
        validation = None
        if self.early_stopping:
            rows = np.arange(len(X))  # split row numbers, then take X, T and w alike
            train, held, _, _ = train_test_split(
                rows, T, self.validation_fraction, seed=seed, stratify=stratify
            )
            validation = (X[held], T[held]) + (() if w is None else (w[held],))
            X, T = X[train], T[train]
            w = None if w is None else w[train]
        monitor = "val_loss" if self.early_stopping else "loss"
        stopper = EarlyStopping(
            monitor=monitor,
            patience=self.n_iter_no_change,
            min_delta=self.tol,
            restore_best_weights=bool(self.early_stopping),
        )
        optimizer = get_optimizer(
            str(self.solver).lower(), lr=self.learning_rate_init, weight_decay=self.alpha
        )
        history = fit_network(
            self.model_,
            X,
            T,
            loss=self._loss,
            optimizer=optimizer,
            epochs=self.max_iter,
            batch_size=batch,
            shuffle=self.shuffle,
            validation_data=validation,
            sample_weight=w,
            seed=seed,
            callbacks=[stopper],
            verbose=2 if self.verbose else 0,
        )
        self.loss_curve_ = list(history.history["loss"])
        self.n_iter_ = len(self.loss_curve_)
        self.best_loss_ = float(stopper.best)
        if self.early_stopping:
            self.validation_scores_ = list(history.history["val_loss"])
        if history.stopped is None:
            warnings.warn(
                f"{type(self).__name__}: max_iter={self.max_iter} epochs reached and the loss "
                "is still improving; raise max_iter.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _inputs(self, X: Any) -> np.ndarray:
        """X (N, d) checked against the fit and cast to the network's dtype."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return X.astype(self.model_.dtype, copy=False)  # (N, d)

    def _outputs(self, X: Any) -> np.ndarray:
        X = self._inputs(X)  # (N, d), checked before model_ is read
        return self.model_.predict(X)  # (N, out)


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier trained with softmax cross-entropy.

    Parameters are those of ``sklearn.neural_network.MLPClassifier`` (see the module
    docstring); ``solver`` takes any glassnet optimiser name and ``dtype`` the float type of
    the network: None (default) follows the input as scikit-learn does (float32 input trains
    in float32, about twice as fast; anything else in float64), or "float32"/"float64".

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
        The labels, sorted; output k of the network is ``classes_[k]``.
    n_features_in_ : int
    loss_curve_ : list of float
        Training loss per epoch.
    n_iter_ : int
        Epochs run.
    model_ : glassnet.Sequential
        The trained network (outputs are logits).

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 10)  # (40, 2)
    >>> y = np.array(["no", "yes", "yes", "no"] * 10)  # (40,)
    >>> clf = MLPClassifier((16,), activation="tanh", learning_rate_init=0.05,
    ...                     max_iter=300, random_state=0).fit(X, y)
    >>> clf.predict(X[:4]).tolist()
    ['no', 'yes', 'yes', 'no']
    >>> clf.predict_proba(X[:1]).sum().round(6)
    np.float64(1.0)
    """

    _loss = "cross_entropy"

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPClassifier:
        """Train on X (N, d) and labels y (N,) of any type; returns self.

        ``sample_weight`` (N,), optional, says how much each sample counts (see the module
        docstring); e.g. ``compute_sample_weight("balanced", y)`` evens out rare classes.
        """
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32))
        check_classification_targets(y)
        self.classes_, labels = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"MLPClassifier needs at least 2 classes in y; got 1 class ({self.classes_[0]!r})."
            )
        self._train(X, labels.astype(np.int64), len(self.classes_), True, sample_weight)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (N, K): the softmax of the network's logits; rows sum to 1."""
        X = self._inputs(X)  # (N, d), checked before model_ is read
        return self.model_.predict_proba(X).astype(np.float64)  # (N, K)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row, as one of ``classes_``."""
        labels = self._outputs(X).argmax(axis=1)  # (N,), checked before classes_ is read
        return self.classes_[labels]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor trained with the mean squared error.

    A linear output layer with one unit per target column; y may be (N,) or (N, k).

    Attributes
    ----------
    n_features_in_ : int
    n_outputs_ : int
    loss_curve_ : list of float
    n_iter_ : int
    model_ : glassnet.Sequential

    Examples
    --------
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)  # (50, 1)
    >>> reg = MLPRegressor((16,), learning_rate_init=0.01, max_iter=300, random_state=0)
    >>> reg.fit(X, 3 * X[:, 0] + 1).score(X, 3 * X[:, 0] + 1) > 0.99
    True
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Train on X (N, d) and targets y (N,) or (N, k); returns self.

        ``sample_weight`` (N,), optional, says how much each sample counts.
        """
        X, y = validate_data(
            self, X, y, dtype=(np.float64, np.float32), multi_output=True, y_numeric=True
        )
        T = y.reshape(-1, 1) if y.ndim == 1 else y  # (N, k)
        self.n_outputs_ = T.shape[1]
        self._train(X, T, self.n_outputs_, False, sample_weight)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predictions (N,) for a single target, (N, k) otherwise, as float64."""
        out = self._outputs(X).astype(np.float64)  # (N, k)
        return out[:, 0] if self.n_outputs_ == 1 else out

    def __sklearn_tags__(self) -> Any:
        """Declare multi-output support."""
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
