"""``MLPClassifier``: softmax cross-entropy over K classes, or K sigmoids for multilabel y."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import softmax
from sklearn.base import ClassifierMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d, validate_data

from glassnet.sklearn._base import _BaseMLP
from glassnet.sklearn._partial import partial_train, stochastic

__all__ = ["MLPClassifier"]


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier trained with softmax cross-entropy.

    Parameters are those of ``sklearn.neural_network.MLPClassifier``, with its names and
    defaults (see the module docstring for what each does and where it differs); ``solver``
    takes "lbfgs" or any glassnet optimiser name and ``dtype`` the float
    type of the network: None (default) follows the input as scikit-learn does (float32 input
    trains in float32, about twice as fast, and predicts float32; anything else, and L-BFGS
    whatever the input, in float64), or "float32"/"float64". X may be dense or scipy.sparse
    (CSR, CSC), and y may hold a single class (fitted and predicted as scikit-learn does).

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
        The labels, sorted; output k of the network is ``classes_[k]``.
    model_ : glassnet.Sequential
        The trained network (outputs are logits).
    n_features_in_ : int
    coefs_ : list of ndarray
        ``coefs_[i]`` is layer i's weight matrix, shape (in_i, out_i), as in scikit-learn (the
        network's own arrays: writing into them changes the model).
    intercepts_ : list of ndarray
        ``intercepts_[i]`` is layer i's bias vector, shape (out_i,).
    n_layers_ : int
        Layers of units, input and output included.
    n_outputs_ : int
        Output units: 1 for two classes, else one per class.
    out_activation_ : str
        "softmax" for more than two classes, "logistic" for two classes or multilabel y.
    loss_ : float
        The training loss of the last epoch.
    loss_curve_ : list of float
        Training loss per epoch; a warm start appends to it.
    n_iter_ : int
        Epochs run by the last ``fit`` (as in scikit-learn, a warm start counts afresh).
    t_ : int
        Samples trained on, over the fits a warm start joins (scikit-learn's ``t_``).
    best_loss_ : float or None
        The lowest training loss seen; None with ``early_stopping``.
    validation_scores_ : list of float or None
        With ``early_stopping``, the accuracy on the held-out samples after each epoch (the
        regressor's: R^2), else None; a warm start appends.
    best_validation_score_ : float or None
        The best of ``validation_scores_``, whose weights the model ends with; None without
        ``early_stopping``.

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

    _multilabel = False  # set by fit: y was a 0/1 indicator matrix (N, K)

    @property
    def n_outputs_(self) -> int:
        """Output units: 1 for two classes (one logistic output), else K (scikit-learn's)."""
        return int(self.coefs_[-1].shape[1])  # an AttributeError before fit, as scikit-learn's

    @property
    def _logistic(self) -> bool:
        """Sigmoid outputs with binary cross-entropy: multilabel y, or two classes (one output,
        the probability of classes_[1]) or one (scikit-learn's LabelBinarizer gives a single
        class a column of zeros to fit), as scikit-learn's; else K softmax outputs."""
        return self._multilabel or len(getattr(self, "classes_", ())) <= 2

    @property
    def _loss(self) -> str:
        return "binary_cross_entropy" if self._logistic else "cross_entropy"

    @property
    def _out_activation(self) -> str:
        return "logistic" if self._logistic else "softmax"

    @property
    def _output_activation(self) -> str | None:
        return "sigmoid" if self._logistic else None

    def _decide(self, out: np.ndarray) -> np.ndarray:
        """Predictions shaped like the training targets: 0/1 where a sigmoid is above 0.5
        ((N, K) multilabel, (N, 1) binary), else class indices (N,) (the largest logit); with
        a single class, that class (index 0) whatever the output, as scikit-learn's."""
        if len(self.classes_) == 1 and not self._multilabel:
            return np.zeros(out.shape, dtype=np.int64)  # (N, 1)
        return (out > 0.5).astype(np.int64) if self._logistic else out.argmax(axis=1)

    def _encoded(self, indices: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, int]:
        """(targets, outputs) for class indices (N,): a 0/1 column and one output for two
        classes (a column of zeros for one, as scikit-learn's), else the indices and K outputs."""
        if len(self.classes_) <= 2:
            return indices.reshape(-1, 1).astype(dtype), 1  # (N, 1), P(classes_[1])
        return indices.astype(np.int64), len(self.classes_)  # (N,)

    def _strata(self, T: np.ndarray, multilabel: bool) -> np.ndarray | None:
        """What early stopping's split stratifies by: scikit-learn's binarised y, (N, 1) of
        bools, where it has one output (one or two classes); None (no stratifying) for K > 2
        classes or multilabel y, whose K columns scikit-learn does not stratify."""
        if multilabel or T.ndim == 1:
            return None
        return T.astype(bool)  # (N, 1)

    def _targets(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray, bool]:
        """(X, y, multilabel): y (N,) of labels, or a 0/1 indicator matrix (N, K)."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            multi_output=True,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)  # a column of labels (scikit-learn warns, as here)
        multilabel = type_of_target(y) == "multilabel-indicator"
        if not multilabel:
            check_classification_targets(y)
            if y.ndim != 1:
                raise ValueError(
                    f"y must be labels (N,) or a 0/1 indicator matrix (N, K) for multilabel "
                    f"classification; got {type_of_target(y)} targets of shape {y.shape}."
                )
        return X, y, multilabel

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPClassifier:
        """Train on X (N, d) and labels y (N,) of any type, or a 0/1 matrix (N, K) of labels
        that may hold together (multilabel); returns self.

        ``sample_weight`` (N,), optional, says how much each sample counts (see the module
        docstring); e.g. ``compute_sample_weight("balanced", y)`` evens out rare classes. With
        ``warm_start`` a second fit continues the first: same features and classes.
        """
        warm = self._warm()
        X, y, multilabel = self._targets(X, y, reset=not warm)
        if multilabel:
            classes, labels = np.arange(y.shape[1]), y.astype(X.dtype)  # (K,), (N, K)
        else:
            classes, labels = np.unique(y, return_inverse=True)  # labels: (N,) indices
        if warm and (multilabel != self._multilabel or not np.array_equal(classes, self.classes_)):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the previous "
                f"call to fit. Previously got {self.classes_}, `y` has {classes}; set "
                "warm_start=False to start afresh."
            )
        self.classes_, self._multilabel = classes, multilabel
        T, n_out = (labels, len(classes)) if multilabel else self._encoded(labels, X.dtype)
        self._train(X, T, n_out, self._strata(T, multilabel), sample_weight)
        return self

    @available_if(stochastic)
    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None
    ) -> MLPClassifier:
        """Train one more epoch on X (N, d) and labels y (N,) (or a 0/1 matrix (N, K)); returns
        self.

        The first call needs ``classes``, every label the model will ever see (y may hold only
        some of them; for a 0/1 matrix any value, as in scikit-learn: its columns are the
        classes); later calls continue the model and its optimiser (see
        :mod:`glassnet.sklearn._partial`), as scikit-learn's ``partial_fit`` does.
        """
        first = not hasattr(self, "model_")
        if first and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: every label the "
                "model will see, e.g. classes=np.unique(y_all)."
            )
        X, y, multilabel = self._targets(X, y, reset=first)
        if not first and multilabel != self._multilabel:
            raise ValueError(
                "y must have the form of the first partial_fit: labels (N,) or a 0/1 matrix."
            )
        if multilabel:
            known, labels = np.arange(y.shape[1]), y.astype(X.dtype)  # (K,), (N, K)
            if not first and len(known) != len(self.classes_):
                raise ValueError(
                    f"y has {len(known)} columns but the model has {len(self.classes_)} classes."
                )
        else:
            known = self._known_classes(classes, first)
            unknown = np.setdiff1d(np.unique(y), known)
            if len(unknown):
                raise ValueError(
                    f"y has classes not in classes_ {known.tolist()}: {unknown.tolist()}. "
                    "Pass every class to the first partial_fit."
                )
            labels = np.searchsorted(known, y)  # (N,) indices into classes_
        self.classes_, self._multilabel = known, multilabel
        T, n_out = (labels, len(known)) if multilabel else self._encoded(labels, X.dtype)
        partial_train(self, X, T, n_out, sample_weight)
        return self

    def _known_classes(self, classes: Any, first: bool) -> np.ndarray:
        """classes_ from partial_fit's ``classes`` (first call) or the fitted ones."""
        if classes is None:
            return self.classes_
        classes = np.unique(np.asarray(classes))
        if not first and not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"classes={classes.tolist()} is not the same as on the first call to "
                f"partial_fit (or fit), which gave {self.classes_.tolist()}."
            )
        return classes

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (N, K): the softmax of the network's logits, rows summing to 1
        (two classes, or one: 1 - p and p, p the sigmoid output, as scikit-learn's); for
        multilabel y, each class's own probability (its sigmoid). float32 for float32 X to a
        float32 model, else float64, as scikit-learn's."""
        out = self._outputs(X)  # (N, K) or (N, 1), checked as fitted first
        if not self._logistic:
            return softmax(out, axis=1)  # (N, K)
        if not self._multilabel:
            return np.hstack([1 - out, out])  # (N, 2)
        return out

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """The logarithm of :meth:`predict_proba`, as scikit-learn's (-inf where a probability
        underflows to 0).

        Examples
        --------
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
        >>> clf = MLPClassifier((4,), solver="lbfgs", random_state=0).fit(X, y)
        >>> bool(np.allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X)))
        True
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row, as one of ``classes_``; for multilabel y, a 0/1
        matrix (N, K) with 1 where a class's probability is above 0.5."""
        decided = self._decide(self._outputs(X))  # checked as fitted before classes_ is read
        if self._multilabel:
            return decided
        return self.classes_[decided[:, 0] if decided.ndim == 2 else decided]

    def __sklearn_tags__(self) -> Any:
        """Declare multilabel support (y as a 0/1 indicator matrix)."""
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
