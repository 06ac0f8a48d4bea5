"""scikit-learn estimators backed by glassnet: :class:`MLPClassifier` and :class:`MLPRegressor`.

They follow the estimator contract (``__init__`` only stores its arguments, ``fit`` returns
self, learned attributes end in ``_``) and pass ``sklearn.utils.estimator_checks``, so they work
in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``. ``partial_fit`` trains one epoch a
call, continuing the model and its optimiser, as scikit-learn's does
(:mod:`glassnet.sklearn._partial` says exactly how). The signatures are
``sklearn.neural_network``'s, every parameter with its name, default and place (the
classifier's ``hidden_layer_sizes, activation``, the regressor's ``loss, hidden_layer_sizes,
activation`` positional, the rest keywords); ``solver`` takes scikit-learn's three ("lbfgs",
"sgd", "adam") and glassnet's other optimisers, and the keyword ``dtype`` (glassnet's own)
sets the network's float type. Like scikit-learn's own MLP they do not scale the
inputs: put a ``StandardScaler`` in front of them in a ``Pipeline``.

**Inputs** may be dense or scipy.sparse (CSR or CSC; other formats are converted to CSR, as
scikit-learn's do), so ``make_pipeline(TfidfVectorizer(), MLPClassifier())`` works. A sparse
matrix is never densified whole (:mod:`glassnet.sklearn._rows`): training densifies each
batch's rows, prediction, scoring and the validation score a chunk of rows at a time, and
L-BFGS sums its full-batch loss and gradient over such chunks. Float32 input trains a float32
network (``dtype=None``) whose ``coefs_``, ``predict``, ``predict_proba`` and
``predict_log_proba`` are float32, float64 input to it gives float64, and ``solver="lbfgs"``
works in float64 whatever the input (SciPy's L-BFGS-B does): all as scikit-learn's.

**random_state** is scikit-learn's (:mod:`glassnet.sklearn._init`): the initial weights are its
draws, U(-b, b) with b = sqrt(f / (fan_in + fan_out)), f = 2 for the logistic activation and 6
otherwise, coefficients then intercepts layer by layer, from ``check_random_state(random_state)``,
and the same generator then splits off the validation rows and shuffles every epoch
(``sklearn.utils.shuffle`` of the last order, :mod:`glassnet.sklearn._epochs`). So from the same
``random_state`` a ``fit`` (a warm start too, and a first ``partial_fit``) visits the same
batches and reaches the same ``loss_curve_``, ``validation_scores_`` and weights as
scikit-learn's, to rounding, with every solver (tested). One difference is deliberate: a
later ``partial_fit`` goes on with the generator and the order of rows the last call left
(scikit-learn seeds a new generator each call, so with an integer ``random_state`` every call
visits the rows in the same order), which makes n calls on the same data the n epochs of one
``fit``, bit for bit.

**verbose** prints scikit-learn's lines to stdout: "Iteration k, loss = %.8f" after each epoch,
"Validation score: %f" with early stopping, and the stopping rule's "Training loss did not
improve more than tol=%f for %d consecutive epochs. Stopping." (or "Validation score ...", "...
Setting learning rate to %f", "... Learning rate too small. Stopping."); with L-BFGS it is
SciPy's ``iprint``, which SciPy 1.15 and later no longer print, as in scikit-learn.

The classifier uses K softmax outputs with cross-entropy for K > 2 classes, so ``predict_proba``
is a softmax whose rows sum to 1; for two classes one sigmoid output (the probability of
``classes_[1]``) with binary cross-entropy, and ``predict_proba`` gives 1 - p and p; for
multilabel y (a 0/1 indicator matrix (N, K), several classes per row) K sigmoid outputs with
binary cross-entropy, and ``predict`` gives a 0/1 matrix: all three as scikit-learn's.

**The objective is scikit-learn's** (:mod:`glassnet.sklearn._objective`). The regressor fits
the squared error or, with ``loss="poisson"``, the Poisson deviance of log-rates (``predict``
then returns the rates exp(z)). Every batch's loss is scikit-learn's: half the mean squared
error, the sum over the outputs of the multilabel binary cross-entropy and of the Poisson
half deviance (its term free of the model included), plus the L2 term
(alpha / 2s) sum ||W||^2 over the weight matrices, s being the batch's size (or the sum of
its sample weights), so ``loss_curve_``, ``loss_`` and the stopping rule read scikit-learn's
numbers. The steps are scikit-learn's too: the output error is (y - t) / s for every loss,
the penalty adds (alpha / s) W to each weight gradient, a last, smaller batch divided by its
own s, and the intercepts are not penalised; an epoch's loss is the mean of its batches'
losses, each weighed by its rows (with ``sample_weight`` too), as scikit-learn's. From the same
weights on the same batches the estimators report the same losses and reach the same weights
as scikit-learn's to rounding, with ``solver="sgd"`` or ``"adam"``, in ``fit`` and
``partial_fit`` (tested). ``"adamw"`` (glassnet's) decouples its decay
(``W <- W (1 - lr alpha)``, then the Adam step; scikit-learn has no counterpart), which leaves
the L2 term out of its loss.

**solver="lbfgs"** (:mod:`glassnet.sklearn._lbfgs`) minimises that objective over the whole
training set with SciPy's L-BFGS-B, as scikit-learn's does: ``max_iter`` iterations and
``max_fun`` evaluations at most, ``tol`` as the gradient tolerance, a ConvergenceWarning at
either bound; it sets ``loss_`` and ``n_iter_`` (no ``loss_curve_``: there are no epochs),
ignores the batch and stopping settings, and has no ``partial_fit``. From the same weights
its iterations are scikit-learn's to rounding (tested for every loss, with sample weights),
and its ConvergenceWarning is scikit-learn's ("lbfgs failed to converge after k
iteration(s)...").

**Solver parameters.** As in scikit-learn, ``momentum``, ``nesterovs_momentum``,
``learning_rate`` and ``power_t`` are read by ``solver="sgd"`` only, ``beta_1``, ``beta_2`` and
``epsilon`` by ``"adam"`` (and glassnet's ``"adamw"``); other solvers ignore them (glassnet's
``"momentum"`` and ``"nesterov"`` keep their momentum 0.9 and a constant lr). Every value is
checked, whatever the solver, and a bad one is refused with a ValueError naming it.

- ``"sgd"`` is glassnet's ``SGD(momentum, nesterov=nesterovs_momentum and momentum > 0)``. Its
  velocity (PyTorch's) leaves the lr out, ``v <- mu v + g``, ``W <- W - lr v`` (Nesterov:
  ``W <- W - lr (g + mu v)``); scikit-learn's holds it, ``u <- mu u - lr g``, ``W <- W + u``
  (Nesterov: ``W <- W + mu u - lr g``). With a constant lr ``u = -lr v``: the same steps. When
  ``learning_rate`` changes the lr from a to b, the estimator scales v by a / b, which keeps u,
  so the steps stay scikit-learn's (``glassnet.sklearn._rules.set_lr``).
- ``"adam"`` is glassnet's ``Adam(betas=(beta_1, beta_2), eps=epsilon)``: the same moments and
  bias corrections, but ``epsilon`` sits elsewhere. glassnet (PyTorch) divides by
  ``sqrt(v_hat) + eps`` with ``v_hat = v / (1 - beta_2**t)``, scikit-learn by
  ``sqrt(v) + epsilon``, so its step is glassnet's with ``eps = epsilon / sqrt(1 - beta_2**t)``
  (about 32 ``epsilon`` at the first step, tending to ``epsilon``): the estimators set that
  eps before every step, which makes their Adam steps scikit-learn's.
- ``learning_rate="invscaling"``: scikit-learn sets ``lr = learning_rate_init / (t + 1)**power_t``
  after every epoch, t being the samples trained on so far (``t_``), and starts every ``fit`` at
  ``learning_rate_init``. glassnet sets the same lr at the start of each epoch, so epoch e > 0
  of a fit that starts at ``t0`` trains with ``learning_rate_init / (t0 + e n + 1)**power_t``
  (n training samples): exactly scikit-learn's lrs.
- ``learning_rate="adaptive"``: the stopping rule below divides the lr by 5 instead of
  stopping, until the lr is 1e-6 or less; then it stops.

**Stopping** is scikit-learn's rule: after every epoch, with v its training loss, the count
of epochs without improvement goes up by one if ``v > best - tol`` and back to 0 otherwise,
and ``best = min(best, v)`` (``best_loss_``); once the count exceeds ``n_iter_no_change``
(``n_iter_no_change + 1`` epochs in a row), training stops, or the "adaptive" lr drops and the
count restarts; ``n_iter_no_change=np.inf`` never acts. Training also ends after ``max_iter``
epochs, with scikit-learn's ``ConvergenceWarning`` "Stochastic Optimizer: Maximum iterations
(k) reached and the optimization hasn't converged yet.". With ``early_stopping`` a
``validation_fraction`` of the samples is held out by scikit-learn's ``train_test_split``
(stratified for a classifier with one or two classes, as scikit-learn's, which does not
stratify K > 2 classes or multilabel y), with its errors (a class of one member, no row held
out) and scikit-learn's ValueError for fewer than 2 held-out rows, and v is their score
instead, accuracy for the classifier and R^2 for the regressor (weighted with
``sample_weight``), with the comparisons turned round (``v < best + tol`` counts,
``best = max(best, v)``): the scores are ``validation_scores_``, the best
``best_validation_score_`` (and ``best_loss_`` is None), and the weights of the best epoch
(the initial ones if no score was ever finite) are restored at the end, all as in
scikit-learn.

**Divergence**: weights that become NaN or infinite raise scikit-learn's ValueError "Solver
produced non-finite parameter weights. The input data may contain large values and need to be
preprocessed." (the network keeps its last finite weights, from the start of that epoch); with
early stopping the best weights are kept instead, as in scikit-learn. glassnet stops at the
first such epoch, where scikit-learn runs its remaining epochs on NaN (which cannot change the
outcome, only ``n_iter_`` and the curves' lengths), and then says so with a
ConvergenceWarning.

**One class** in y is fitted as scikit-learn fits it: one logistic output trained towards 0,
``predict`` gives that class, ``predict_proba`` two columns [1 - p, p].

**warm_start=True** makes ``fit`` continue the fitted ``model_`` (same features, layer sizes and
classes, else a ValueError) instead of building a new network. Like scikit-learn's, it starts a
new optimiser (the lr back at ``learning_rate_init``, momentum and Adam moments at zero), keeps
``t_`` (so "invscaling" goes on from it), the best value, the count and the best weights,
appends to ``loss_curve_`` and ``validation_scores_``, and sets ``n_iter_`` to this fit's epochs.

``fit`` takes ``sample_weight``: each batch's error is the weighted mean
sum_n w_n l_n / sum_n w_n, as in scikit-learn's MLP, and the validation split keeps the
weights of the samples it holds out (its score is weighted too).

Examples
--------
>>> X = np.linspace(-1, 1, 40).reshape(-1, 1)  # (40, 1)
>>> reg = MLPRegressor(hidden_layer_sizes=(8,), solver="sgd", learning_rate="invscaling", power_t=0.25,
...                    learning_rate_init=0.1, batch_size=40, max_iter=3, random_state=0)
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")  # 3 epochs do not converge
...     lrs = reg.fit(X, 2 * X[:, 0]).model_.history_.history["lr"]
>>> [round(lr, 6) for lr in lrs]  # 0.1, 0.1 / 41**0.25, 0.1 / 81**0.25
[0.1, 0.039519, 0.033333]
"""

from __future__ import annotations

import warnings  # noqa: F401  (the example)

import numpy as np  # noqa: F401  (the example)

from glassnet.sklearn._classifier import MLPClassifier
from glassnet.sklearn._regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
