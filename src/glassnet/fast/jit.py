"""Compiled loops for the hottest elementwise steps of ``fit``, when numba is installed.

NumPy runs one pass over memory per call: ReLU's backward is a comparison and then a
multiply, and softmax cross-entropy is about ten calls, each with its own temporary. Each
kernel here does the same maths in a single compiled loop:

- :func:`gather_rows`: out[i] = X[idx[i]], asking for rows ahead so several come from memory at
  once (a software prefetch, :mod:`glassnet.fast.prefetch`, where numba's LLVM takes it);
- :func:`relu_backward`: dE/dz = dE/dy where y > 0, else 0;
- :func:`softmax_cross_entropy`: the mean of -log softmax(z)[t] and, in the same loop over
  each row, dE/dz = (softmax(z) - onehot(t)) / N.

The layers keep their NumPy code, the readable statement of the maths and the path used
outside ``fit``; they call these only while fitting, only for arrays of at least
``MIN_SIZE`` elements, and only when :func:`enabled` is True (numba importable, and
``GLASSNET_NO_JIT`` unset). The kernels give the same numbers as the NumPy code up to
rounding (tests hold them to 1e-6 in float32 and 1e-12 in float64). numba is imported on the first call,
not with glassnet, and compiled code is cached on disk, so only the very first ``fit`` of
a new installation waits for the compiler (a few seconds). Install it with
``pip install glassnet[fast]``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

#: arrays smaller than this stay with NumPy (the kernels pay off from a batch of 32 x 10)
MIN_SIZE = 256

_kernels: dict[str, Any] | None = None
_state = {"checked": False, "enabled": False}


def enabled() -> bool:
    """True when the compiled kernels are used: numba imports and GLASSNET_NO_JIT is unset.

    Examples
    --------
    >>> isinstance(enabled(), bool)
    True
    """
    if not _state["checked"]:
        _state["checked"] = True
        if not os.environ.get("GLASSNET_NO_JIT"):
            try:
                import numba  # noqa: F401
            except Exception:  # absent, or built for another NumPy: stay with NumPy
                pass
            else:
                _state["enabled"] = True
    return _state["enabled"]


def worth(size: int) -> bool:
    """Whether an array of ``size`` elements goes through a kernel: it is at least
    ``MIN_SIZE`` (tiny networks stay with NumPy and never import numba) and :func:`enabled`.

    Examples
    --------
    >>> worth(1)
    False
    """
    return size >= MIN_SIZE and enabled()


def _compile() -> dict[str, Any]:
    global _kernels
    if _kernels is not None:
        return _kernels
    from numba import njit

    @njit(nogil=True, cache=True)
    def gather(X, idx, out, ahead, step):  # pragma: no cover - compiled
        m, d = idx.shape[0], X.shape[1]
        touched = X.dtype.type(0)
        for i in range(m):
            if i + ahead < m:  # read one value per 64-byte line of a row further on, so
                r = idx[i + ahead]  # its lines are on their way while this row is copied
                for j in range(0, d, step):
                    touched += X[r, j]
            r = idx[i]
            for j in range(d):
                out[i, j] = X[r, j]
        return touched

    try:  # numba's internals (cgutils, llvmlite) move between releases: never fail on them
        from glassnet.fast.prefetch import AHEAD, build_gather

        prefetching = build_gather()
    except Exception:  # pragma: no cover - another numba: the read-ahead gather serves
        prefetching, AHEAD = None, 4

    @njit(nogil=True, cache=True)
    def relu_back(grad, y, out):  # pragma: no cover - compiled
        n, d = grad.shape
        for i in range(n):
            for j in range(d):
                out[i, j] = grad[i, j] if y[i, j] > 0 else 0

    @njit(nogil=True, cache=True)
    def softmax_ce(z, t, grad, losses, predicted):  # pragma: no cover - compiled
        n, k = z.shape
        total = 0.0  # float64 accumulator
        for i in range(n):
            zmax, arg = z[i, 0], 0  # the largest logit, and the first class that has it
            for j in range(1, k):
                if z[i, j] > zmax:
                    zmax, arg = z[i, j], j
            predicted[i] = arg
            s = 0.0  # sums in float64
            for j in range(k):
                e = np.exp(z[i, j] - zmax)
                grad[i, j] = e
                s += e
            losses[i] = np.log(s) - (z[i, t[i]] - zmax)  # -log p_t, never log(0)
            total += losses[i]
            scale = 1 / (s * n)  # p / N = e / (sum * N)
            for j in range(k):
                grad[i, j] *= scale
            grad[i, t[i]] -= 1 / n
        return total / n

    _kernels = {
        "gather": gather if prefetching is None else prefetching,
        "ahead": 4 if prefetching is None else AHEAD,
        "relu_back": relu_back,
        "softmax_ce": softmax_ce,
    }
    return _kernels


def gather_rows(X: np.ndarray, idx: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out[i] = X[idx[i]], the rows of a shuffled batch; returns ``out``.

    Rows picked at random from a large X come from main memory one after another. The
    kernel asks ahead: while it copies row i it prefetches every cache line of row i + 4
    (:mod:`glassnet.fast.prefetch`; where that instruction is missing it reads one value per line
    instead), so several rows are in flight at once: 31-34 us for 128 MNIST rows here, against
    about 80 us when reading ahead and 75-105 us for ``X.take``.

    Parameters
    ----------
    X : ndarray, shape (N, d)
    idx : ndarray of int, shape (m,)
        Rows to take, each in [0, N) (not checked: ``fit`` makes them).
    out : ndarray, shape (m, d), same dtype as X

    Examples
    --------
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> gather_rows(X, np.array([2, 0]), np.empty((2, 2)))
    array([[4., 5.],
           [0., 1.]])
    """
    if worth(out.size):
        kernels = _compile()
        kernels["gather"](X, idx, out, kernels["ahead"], max(1, 64 // X.itemsize))  # 64-B lines
        return out
    return X.take(idx, 0, out)


def relu_backward(grad: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
    """dE/dz = dE/dy where the ReLU's output y > 0, else 0, in one compiled loop.

    Examples
    --------
    >>> relu_backward(np.array([[5.0, 6.0]]), np.array([[0.0, 2.0]]), np.empty((1, 2))).tolist()
    [[0.0, 6.0]]
    """
    _compile()["relu_back"](grad, y, out)
    return out


def softmax_cross_entropy(
    z: np.ndarray,
    labels: np.ndarray,
    grad: np.ndarray,
    losses: np.ndarray | None = None,
    predicted: np.ndarray | None = None,
) -> float:
    """E = mean_n -log softmax(z_n)[t_n], and dE/dz = (softmax(z) - onehot(t)) / N into ``grad``
    (and each -log softmax(z_n)[t_n] into ``losses``, and each row's predicted class, the
    argmax of z_n that the loop finds anyway, into ``predicted``, when given).

    Parameters
    ----------
    z : ndarray, shape (N, K)
        Logits.
    labels : ndarray of int, shape (N,)
        Classes in [0, K) (not checked: ``fit`` checked them once).
    grad : ndarray, shape (N, K)
        Receives dE/dz; same dtype as z.
    losses : ndarray of float64, shape (N,), optional
        Receives each sample's error (the weighted mean of a fit with sample weights uses them).
    predicted : ndarray of int64, shape (N,), optional
        Receives argmax_k z_nk (the first such k on a tie, as ``np.argmax``).

    Examples
    --------
    >>> g = np.empty((1, 2))
    >>> E = softmax_cross_entropy(np.array([[0.0, 0.0]]), np.array([1]), g)
    >>> round(E, 6), g.tolist()  # log 2, and (p - onehot) / 1
    (0.693147, [[0.5, -0.5]])
    """
    rows = np.empty(len(z)) if losses is None else losses  # (N,)
    argmax = np.empty(len(z), np.int64) if predicted is None else predicted  # (N,)
    return float(_compile()["softmax_ce"](z, labels, grad, rows, argmax))
