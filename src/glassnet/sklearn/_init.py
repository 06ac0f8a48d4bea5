"""scikit-learn's initial weights: the same draws from the same ``random_state``.

scikit-learn's MLP (``_init_coef``) starts every layer, from the input on, with a Glorot
uniform bound

.. math:: b = \\sqrt{f / (\\text{fan\\_in} + \\text{fan\\_out})},\\quad
          f = 2 \\text{ for the logistic activation, else } 6

and draws the layer's coefficients W (fan_in, fan_out) from U(-b, b), then its intercepts
(fan_out,) from U(-b, b) too, all from one generator ``check_random_state(random_state)``,
in float64, then cast to the network's dtype. :func:`init_weights` makes the same draws in the
same order into a glassnet network, so an estimator with ``random_state=0`` starts where
scikit-learn's does, and the generator is left where scikit-learn leaves it (its validation
split and its shuffles draw next).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["init_weights"]

#: the hidden activations whose bound uses f = 2 (scikit-learn's "logistic", glassnet's alias)
_LOGISTIC = ("logistic", "sigmoid")


def init_weights(net: Any, activation: Any, random_state: np.random.RandomState) -> None:
    """Draw ``net``'s weights and biases as scikit-learn's MLP does, from ``random_state``.

    Parameters
    ----------
    net : Sequential
        An MLP; its parameters (``net.parameters()``: W, b of each Dense layer, in order) are
        overwritten in place.
    activation : str
        The hidden activation: "logistic" (or "sigmoid") takes f = 2, any other f = 6.
    random_state : numpy.random.RandomState
        The generator, advanced by the draws (``sklearn.utils.check_random_state`` makes it).

    Examples
    --------
    >>> from glassnet import mlp
    >>> net = mlp([2, 3, 1], dtype="float64")
    >>> init_weights(net, "relu", np.random.RandomState(0))
    >>> rs = np.random.RandomState(0); bound = np.sqrt(6 / (2 + 3))
    >>> bool(np.array_equal(net.parameters()[0].value, rs.uniform(-bound, bound, (2, 3))))
    True
    >>> bool(np.array_equal(net.parameters()[1].value, rs.uniform(-bound, bound, 3)))
    True
    """
    factor = 2.0 if str(activation).lower() in _LOGISTIC else 6.0
    params = net.parameters()  # W0, b0, W1, b1, ... (the Dense layers in order)
    for W, b in zip(params[0::2], params[1::2], strict=True):
        fan_in, fan_out = W.value.shape  # (in, out)
        bound = np.sqrt(factor / (fan_in + fan_out))
        W.value[...] = random_state.uniform(-bound, bound, (fan_in, fan_out))
        b.value[...] = random_state.uniform(-bound, bound, fan_out)
