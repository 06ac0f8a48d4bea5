r"""Gradient checking: analytic gradients against central finite differences, in float64.

For every parameter entry w (and every input entry), the numerical derivative is

.. math:: \frac{\partial E}{\partial w} \approx \frac{E(w + h) - E(w - h)}{2h}

and the relative error between it (n) and the analytic gradient from backward (a) is

.. math:: \text{rel} = \frac{|a - n|}{\max(|a| + |n|, f)}, \qquad
          f = \frac{16\,\epsilon_{64} \max(|E|, 1)}{h \cdot \text{tolerance}}

The floor f is the rounding noise of the difference quotient (a few ulps of E over h; the
two evaluations of E each round several sums, so their difference is off by more than one
ulp) scaled
by the tolerance: a gradient entry smaller than that cannot be measured by central
differences, so it is judged on its absolute error instead of reporting a false failure.
A correct backward gives relative errors around 1e-8 or smaller in float64.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet.losses import get_loss
from glassnet.losses.targets import prepare_targets
from glassnet.model.sequential import Sequential
from glassnet.utils.validation import as_2d_array


@dataclass
class GradcheckReport:
    """Worst relative error per layer, for each parameter and for the input.

    Attributes
    ----------
    errors : dict[str, float]
        "0.W", "0.b", ..., and "input" -> worst relative error over its entries. Entries
        smaller than the noise floor f (module docstring) are divided by f instead, and f
        grows as the tolerance shrinks, so those entries' errors scale with the tolerance.
    tolerance : float
        Bound used by ``passed``.
    """

    errors: dict[str, float] = field(default_factory=dict)
    tolerance: float = 1e-6

    @property
    def passed(self) -> bool:
        """True when every relative error is within the tolerance."""
        return all(e <= self.tolerance for e in self.errors.values())

    @property
    def worst(self) -> float:
        """Largest relative error of all."""
        return max(self.errors.values(), default=0.0)

    def per_layer(self) -> dict[str, float]:
        """Worst error of each layer index (as a string) over its parameters, plus "input".

        Examples
        --------
        >>> GradcheckReport({"0.W": 1e-9, "0.b": 2e-9, "input": 1e-10}).per_layer()
        {'0': 2e-09, 'input': 1e-10}
        """
        out: dict[str, float] = {}
        for name, err in self.errors.items():
            key = name.split(".")[0]
            out[key] = max(out.get(key, 0.0), err)
        return out

    def __str__(self) -> str:
        lines = [f"{'parameter':<12}{'worst relative error':>22}"]
        for name, err in self.errors.items():
            mark = "ok" if err <= self.tolerance else "FAIL"
            lines.append(f"{name:<12}{err:>22.3e}  {mark}")
        verdict = "PASSED" if self.passed else "FAILED"
        lines.append(f"{verdict}: worst {self.worst:.3e} (tolerance {self.tolerance:.0e})")
        return "\n".join(lines)


def _relative_error(a: np.ndarray, n: np.ndarray, floor: float = 1e-12) -> float:
    denom = np.maximum(np.abs(a) + np.abs(n), floor)
    return float(np.max(np.abs(a - n) / denom)) if a.size else 0.0


def gradcheck(
    net: Sequential,
    X: Any,
    T: Any,
    loss: Any = "mse",
    eps: float = 1e-6,
    tolerance: float = 1e-6,
) -> GradcheckReport:
    """Compare backward's gradients with central differences for every parameter and input.

    The check runs on a float64 copy of ``net`` in inference mode; ``net`` is untouched.

    Parameters
    ----------
    net : Sequential
        The network to check.
    X, T : array-like
        A small batch of inputs and targets.
    loss : str or Loss
        The loss E to differentiate.
    eps : float
        Step h of the central difference.
    tolerance : float
        Largest relative error that passes.

    Examples
    --------
    >>> from glassnet import Dense, Tanh, Sequential
    >>> net = Sequential([Dense(3, 4), Tanh(), Dense(4, 2)], seed=0)
    >>> rng = np.random.default_rng(0)
    >>> report = gradcheck(net, rng.normal(size=(5, 3)), rng.normal(size=(5, 2)))
    >>> report.passed, sorted(report.errors)
    (True, ['0.W', '0.b', '2.W', '2.b', 'input'])
    """
    net64 = net.copy("float64").eval()
    loss_obj = get_loss(loss)
    X = as_2d_array(X, "X", np.float64).copy()
    T = prepare_targets(net64, loss_obj, T, len(X))

    def error() -> float:
        return loss_obj.forward(net64.forward(X), T)

    net64.zero_grad()
    value = error()
    grad_x = net64.backward(loss_obj.backward())
    noise = 16 * np.finfo(np.float64).eps * max(abs(value), 1.0) / eps  # several ulps of E, / h
    floor = max(noise / tolerance, 1e-12)
    report = GradcheckReport(tolerance=tolerance)
    for p in net64.parameters():
        num = _numeric(p.value, error, eps)
        report.errors[p.name] = _relative_error(p.grad.copy(), num, floor)
    report.errors["input"] = _relative_error(grad_x, _numeric(X, error, eps), floor)
    return report


def _numeric(arr: np.ndarray, error: Any, eps: float) -> np.ndarray:
    """Central differences of error() with respect to each entry of ``arr`` (changed in place)."""
    grad = np.zeros_like(arr)
    flat, gflat = arr.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = error()
        flat[i] = old - eps
        minus = error()
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return grad
