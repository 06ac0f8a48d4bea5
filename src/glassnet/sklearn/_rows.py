"""Inputs dense or sparse (scipy.sparse CSR or CSC), turned into dense rows a batch at a time.

scikit-learn's MLP takes sparse X (a ``TfidfVectorizer``'s output, say) and multiplies it as it
is. glassnet's layers take dense arrays, so the estimators never densify the whole matrix:
training gathers a batch's rows and densifies those only (``rows``), and prediction, scoring
and L-BFGS's full-batch products go through the rows in chunks of at most :data:`CHUNK`
values (``chunks``, ``outputs``). A CSC matrix is turned into CSR once (still sparse, the same
size), whose rows are cheap to gather. Dense X is cast once to the network's dtype and
gathered as ``fit`` gathers it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp

from glassnet.fast import jit

__all__ = ["CHUNK", "as_rows", "chunks", "outputs", "rows"]

#: values (rows x features) densified at once when a sparse X goes through in chunks: 2**20,
#: 8 MiB in float64
CHUNK = 1 << 20


def as_rows(X: Any, dtype: Any) -> Any:
    """X ready to gather rows from: a C-contiguous array of ``dtype``, or a CSR matrix of it.

    Examples
    --------
    >>> as_rows(sp.csc_matrix(np.eye(2)), np.float32).format, as_rows([[1, 2]], "float64").dtype
    ('csr', dtype('float64'))
    """
    if sp.issparse(X):
        return X.tocsr().astype(dtype, copy=False)  # sparse, never densified here
    return np.ascontiguousarray(X, dtype=dtype)  # (N, d)


def rows(X: Any, idx: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The rows ``idx`` (m,) of X as a dense (m, d) array, written into ``out`` (m, d).

    Examples
    --------
    >>> X = sp.csr_matrix(np.array([[0.0, 1.0], [2.0, 0.0], [0.0, 3.0]]))
    >>> rows(X, np.array([2, 0]), np.empty((2, 2)))
    array([[0., 3.],
           [0., 1.]])
    """
    if sp.issparse(X):
        out.fill(0)
        return X[idx].toarray(out=out)  # only this batch's rows dense
    return jit.gather_rows(X, idx, out)


def chunks(X: Any) -> Iterator[tuple[int, int]]:
    """(start, stop) of consecutive row blocks of X: all of it at once when X is dense, blocks
    of at most :data:`CHUNK` values (and at least one row) when it is sparse.

    Examples
    --------
    >>> list(chunks(np.zeros((5, 2)))), list(chunks(sp.csr_matrix((5, 2**19))))
    ([(0, 5)], [(0, 2), (2, 4), (4, 5)])
    """
    n, d = X.shape
    step = max(1, CHUNK // max(d, 1)) if sp.issparse(X) else max(n, 1)
    for start in range(0, n, step):
        yield start, min(start + step, n)


def dense(X: Any, start: int, stop: int, dtype: Any) -> np.ndarray:
    """Rows start:stop of X as a dense array of ``dtype`` (a view when X is dense already).

    Examples
    --------
    >>> dense(sp.csr_matrix(np.eye(3)), 1, 3, np.float32)
    array([[0., 1., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    if sp.issparse(X):
        return X[start:stop].toarray().astype(dtype, copy=False)
    return np.asarray(X[start:stop], dtype=dtype)


def outputs(net: Any, X: Any) -> np.ndarray:
    """The network's outputs (N, out) for X (N, d), dense or sparse, in inference mode: a sparse
    X is densified one chunk at a time.

    Examples
    --------
    >>> from glassnet import Dense, Sequential
    >>> net = Sequential([Dense(2, 1, weights=[[1.0], [2.0]], bias=[0.0])], dtype="float64")
    >>> outputs(net, sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]])))
    array([[1.],
           [2.]])
    """
    if not sp.issparse(X):
        return net.predict(X)  # (N, out)
    parts = [net.predict(dense(X, a, b, net.dtype)) for a, b in chunks(X)]
    if not parts:  # no rows
        return net.predict(np.zeros((0, X.shape[1]), net.dtype))
    return np.concatenate(parts)  # (N, out)
