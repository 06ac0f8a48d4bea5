"""Small validators that turn bad input into errors a user can act on.

Every message says which argument was wrong, what was expected and what was received,
so nobody has to read a NumPy broadcasting traceback to find their mistake.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from glassnet.fast import blas


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int, or raise if it is not a positive integer.

    Examples
    --------
    >>> check_positive_int(3, "epochs")
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be a positive integer; got {value!r} ({type(value).__name__})."
        )
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer; got {value}. Use a value >= 1.")
    return int(value)


def check_positive_float(value: Any, name: str) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0.

    Examples
    --------
    >>> check_positive_float(0.1, "lr")
    0.1
    """
    return _check_number(value, name, positive=True)


def check_count(value: Any, name: str) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= 0.

    Examples
    --------
    >>> check_count(0, "patience")
    0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0; got {value!r}.")
    return int(value)


def check_non_negative(value: Any, name: str) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number >= 0.

    Examples
    --------
    >>> check_non_negative(0, "min_lr")
    0.0
    """
    return _check_number(value, name, positive=False)


def _check_number(value: Any, name: str, positive: bool) -> float:
    """``value`` as a finite float > 0 (``positive``) or >= 0, or an error naming ``name``."""
    kind, bound = ("a positive number", "> 0") if positive else ("a number >= 0", ">= 0")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {kind}; got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not np.isfinite(value) or (value <= 0 if positive else value < 0):
        raise ValueError(f"{name} must be a finite number {bound}; got {value}.")
    return value


def check_fraction(value: Any, name: str, *, allow_zero: bool = True) -> float:
    """Return ``value`` as a float in [0, 1) (or (0, 1) when ``allow_zero`` is False).

    Examples
    --------
    >>> check_fraction(0.2, "validation_split")
    0.2
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1); got {value!r}.")
    value = float(value)
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and value < 1):
        bound = "[0, 1)" if allow_zero else "(0, 1)"
        raise ValueError(f"{name} must be in {bound}; got {value}.")
    return value


def as_2d_array(x: Any, name: str, dtype: np.dtype | None = None) -> np.ndarray:
    """Convert ``x`` to a finite, non-empty 2-D array (a 1-D array becomes one column).

    Raises
    ------
    TypeError
        If ``x`` is not numeric, or complex (NumPy would drop the imaginary parts; scikit-learn
        refuses complex data too).
    ValueError
        If ``x`` is empty, has more than two dimensions, or holds NaN or inf.

    Examples
    --------
    >>> as_2d_array([1.0, 2.0], "X").shape
    (2, 1)
    >>> as_2d_array([1 + 2j], "X")
    Traceback (most recent call last):
    ...
    TypeError: X holds complex numbers (dtype complex128); a network takes real inputs. Pass the real part (X.real), the magnitude (abs(X)) or both as separate columns.
    """
    check_not_complex(x, name)
    try:
        arr = np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric array-like; could not convert it: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers; got an array of dtype {arr.dtype}.")
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (n_samples, n_features); got shape {arr.shape}. "
            "Flatten images first, e.g. X.reshape(len(X), -1)."
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); give at least one sample.")
    check_finite(arr, name)
    return arr


def check_not_complex(x: Any, name: str) -> None:
    """Raise TypeError if ``x`` holds complex numbers, before any conversion could drop their
    imaginary parts (``np.asarray(x, dtype=np.float32)`` does, with only a warning).

    Examples
    --------
    >>> check_not_complex(np.ones(2), "X")
    >>> check_not_complex(np.array([1j]), "T")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: T holds complex numbers (dtype complex128); ...
    """
    dtype = getattr(x, "dtype", None)
    if dtype is None and hasattr(x, "dtypes"):  # a DataFrame: its columns' dtypes, no copy
        complex_columns = [d for d in x.dtypes if getattr(d, "kind", "") == "c"]
        dtype = complex_columns[0] if complex_columns else np.float64
    if dtype is None:  # a list or a scalar: what NumPy would make of it
        if isinstance(x, str | bytes):
            return
        try:
            dtype = np.asarray(x).dtype
        except (TypeError, ValueError):
            return  # not array-like: the caller's conversion says why
    if getattr(dtype, "kind", "") == "c":
        raise TypeError(
            f"{name} holds complex numbers (dtype {np.dtype(dtype)}); a network takes real "
            f"inputs. Pass the real part ({name}.real), the magnitude (abs({name})) or both as "
            "separate columns."
        )


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ValueError if ``arr`` holds NaN or inf, saying where the first one is.

    Examples
    --------
    >>> check_finite(np.ones(3), "X")
    """
    # Any NaN or inf makes the sum NaN or inf (inf - inf too), so a finite sum proves every
    # value finite: one pass, and no temporary as big as arr (isfinite(arr).all() made one:
    # a first fit on MNIST spent 0.15 s faulting its pages; min and max took two passes).
    # A large array is summed as sum |x| by the BLAS on two threads (glassnet.fast.blas.abs_sum,
    # 3.5 ms over MNIST's X against 7.6 ms for arr.sum()). A sum that overflows with every
    # value finite is told apart by the exact search below.
    if arr.dtype.kind != "f" or not arr.size:
        return
    total = blas.abs_sum(arr) if arr.size >= blas.MIN_SIZE else None
    if total is None:
        with np.errstate(over="ignore", invalid="ignore"):  # inf - inf, overflow: no warning
            total = arr.sum()
    if not np.isfinite(total):
        bad_at = np.argwhere(~np.isfinite(arr))
        if not len(bad_at):  # only the sum overflowed
            return
        bad = bad_at[0]
        where = ", ".join(str(int(i)) for i in bad)
        raise ValueError(
            f"{name} contains NaN or inf (first at index ({where}): {arr[tuple(bad)]}). "
            "Remove or impute those values before training."
        )


def check_sample_weight(w: Any, n: int, name: str = "sample_weight") -> np.ndarray:
    """Sample weights as a float64 array of shape (n,): finite, >= 0, not all zero.

    Examples
    --------
    >>> check_sample_weight([1, 2], 2)
    array([1., 2.])
    >>> check_sample_weight([1, -2], 2)
    Traceback (most recent call last):
    ...
    ValueError: sample_weight must be >= 0; got -2.0 at index 1. Weight 0 leaves a sample out.
    """
    arr = np.asarray(w)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers; got dtype {arr.dtype}.")
    arr = arr.astype(np.float64)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(
            f"{name} must have shape ({n},), one weight per sample; got shape {arr.shape}."
        )
    check_finite(arr, name)
    if n and arr.min() < 0:
        i = int(arr.argmin())
        raise ValueError(
            f"{name} must be >= 0; got {arr[i]} at index {i}. Weight 0 leaves a sample out."
        )
    if n and not arr.any():
        raise ValueError(f"{name} is all zeros: no sample would count. Give some weight > 0.")
    return arr


def unknown_name(kind: str, name: Any, choices: list[str]) -> ValueError:
    """Build the error for a name that is not one of ``choices``.

    Examples
    --------
    >>> str(unknown_name("loss", "mae2", ["mse"]))
    "unknown loss 'mae2'; expected one of: mse."
    """
    return ValueError(f"unknown {kind} {name!r}; expected one of: {', '.join(choices)}.")
