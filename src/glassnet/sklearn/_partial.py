"""``partial_fit``: one more epoch over the data given, continuing the model and its optimiser.

scikit-learn's rule, which this follows: the first call builds the network (and, for the
classifier, fixes ``classes_`` from its ``classes`` argument); every call then trains one epoch
over its X and y with the optimiser the model already has (momentum and Adam moments kept, the
one ``fit`` used included), appends that epoch's loss to ``loss_curve_``, adds its samples to
``t_`` and sets ``n_iter_`` to 1 (the epochs of the last call, as after a ``fit``).
``learning_rate="invscaling"`` starts each call at lr0 / (t_ + 1)^power_t, the lr
scikit-learn's optimiser sets after each epoch; "adaptive" keeps dividing the lr by 5 after
``n_iter_no_change + 1`` epochs without improvement, counted across calls. ``max_iter`` is not
read, and ``early_stopping`` is refused (a validation split of each call's rows means nothing).
The first call draws scikit-learn's initial weights and shuffles from
``check_random_state(random_state)``, as scikit-learn's first call does; later calls go on with
that generator and, on as many rows, with the last order of the rows (scikit-learn seeds a new
generator each call), so n calls on the same data are the n epochs of one ``fit``, bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np  # noqa: F401  (the example)

__all__ = ["partial_train", "stochastic"]


def stochastic(est: Any) -> bool:
    """Whether ``partial_fit`` exists: for every solver that trains by batches, not lbfgs
    (scikit-learn's rule; ``hasattr(est, "partial_fit")`` is then False).

    Raises
    ------
    AttributeError
        For ``solver="lbfgs"``, saying which solvers have it.
    """
    if str(est.solver).lower() == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for stochastic solvers; lbfgs is not stochastic "
            "(it trains on the whole set at once): use fit, or solver='sgd' or 'adam'."
        )
    return True


def partial_train(est: Any, X: Any, T: np.ndarray, n_out: int, sample_weight: Any) -> None:
    """Train ``est`` one epoch on X (N, d) and encoded targets T, continuing what it learned.

    Examples
    --------
    >>> from glassnet.sklearn import MLPRegressor
    >>> reg = MLPRegressor(hidden_layer_sizes=(3,), random_state=0)
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1); T = 2 * X
    >>> for _ in range(3):
    ...     partial_train(reg, X, T, 1, None)
    >>> reg.n_iter_, reg.t_, len(reg.loss_curve_)
    (1, 60, 3)
    """
    if est.early_stopping:
        raise ValueError(
            "partial_fit does not support early_stopping=True (as in scikit-learn); set "
            "early_stopping=False, or use fit."
        )
    est._train(X, T, n_out, None, sample_weight, incremental=True)
