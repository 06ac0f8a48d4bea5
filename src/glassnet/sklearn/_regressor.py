"""``MLPRegressor``: the mean squared error, or the Poisson loss for counts."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import validate_data

from glassnet.sklearn._base import _BaseMLP
from glassnet.sklearn._partial import partial_train, stochastic

__all__ = ["MLPRegressor"]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor: the mean squared error, or Poisson for counts.

    A linear output layer with one unit per target column; y may be (N,) or (N, k). The
    parameters are those of :class:`MLPClassifier` after ``loss``, first as in scikit-learn:
    "squared_error" (default) trains with the squared error; "poisson" with the Poisson
    negative log-likelihood (:class:`glassnet.losses.PoissonNLL`) for counts y >= 0: the
    network outputs log-rates z and ``predict`` returns the rates exp(z), as scikit-learn's.

    Attributes
    ----------
    n_outputs_ : int
        Target columns k.
    model_ : glassnet.Sequential
        The trained network (outputs are the predictions, or their logarithms with "poisson").
    n_features_in_, coefs_, intercepts_, n_layers_, loss_, loss_curve_, n_iter_, t_, best_loss_,
    validation_scores_, best_validation_score_
        As for :class:`MLPClassifier`.
    out_activation_ : str
        "identity", or "exp" with ``loss="poisson"``.

    Examples
    --------
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)  # (50, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.02, max_iter=300, random_state=0)
    >>> reg.fit(X, 3 * X[:, 0] + 1).score(X, 3 * X[:, 0] + 1) > 0.99
    True
    >>> counts = np.round(np.exp(1 + X[:, 0]))  # (50,), counts with a rate exp(1 + x)
    >>> poisson = MLPRegressor(hidden_layer_sizes=(8,), loss="poisson", learning_rate_init=0.02, max_iter=300,
    ...                        random_state=0).fit(X, counts)
    >>> bool(poisson.predict(X).min() > 0), poisson.out_activation_
    (True, 'exp')
    """

    # the whole signature again, as scikit-learn's own estimators repeat it: get_params and
    # clone read each estimator's parameters from its __init__ (no **kwargs allowed)
    def __init__(
        self,
        loss: str = "squared_error",
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
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dtype=dtype,
        )
        self.loss = loss

    @property
    def _loss(self) -> str:
        """glassnet's loss for ``loss``: "mse" or "poisson" (checked when fitting)."""
        return "poisson" if self.loss == "poisson" else "mse"

    @property
    def _out_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Train on X (N, d) and targets y (N,) or (N, k); returns self.

        ``sample_weight`` (N,), optional, says how much each sample counts. With
        ``warm_start`` a second fit continues the first: same features and outputs.
        """
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=True,
            reset=not self._warm(),
        )
        T = y.reshape(-1, 1) if y.ndim == 1 else y  # (N, k)
        self._train(X, T, T.shape[1], None, sample_weight)
        self.n_outputs_ = T.shape[1]  # once trained: a refused warm start keeps the last fit
        return self

    @available_if(stochastic)
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Train one more epoch on X (N, d) and targets y (N,) or (N, k); returns self.

        The first call builds the model; later calls continue it and its optimiser (see
        :mod:`glassnet.sklearn._partial`), as scikit-learn's ``partial_fit`` does.
        """
        first = not hasattr(self, "model_")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=True,
            reset=first,
        )
        T = y.reshape(-1, 1) if y.ndim == 1 else y  # (N, k)
        if not first and T.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {T.shape[1]} target columns but the model was trained with "
                f"{self.n_outputs_}; keep the same targets across partial_fit calls."
            )
        partial_train(self, X, T, T.shape[1], sample_weight)
        self.n_outputs_ = T.shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predictions (N,) for a single target, (N, k) otherwise (the rates exp(z) with
        ``loss="poisson"``): float32 for float32 X to a float32 model, else float64, as
        scikit-learn's."""
        out = self._outputs(X)  # (N, k), checked as fitted first
        out = self.model_.loss_.predictions(out)
        return out[:, 0] if self.n_outputs_ == 1 else out

    def __sklearn_tags__(self) -> Any:
        """Declare multi-output support."""
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
