"""A gather of shuffled rows that asks the CPU for rows before it needs them (numba only).

A mini-batch in a fresh random order means rows from all over a large X: each comes from
main memory, and a plain copy waits for every one in turn. A *software prefetch* (LLVM's
``llvm.prefetch``) asks the CPU to start loading a cache line and does not wait for it, so
while row i is copied the lines of row i + ``ahead`` are already on their way. numba has no
prefetch of its own; :func:`_prefetch` emits the LLVM instruction (an ``@intrinsic``).

This module imports numba, so only :mod:`glassnet.fast.jit` imports it, and only when numba is
there. :func:`build_gather` returns None where the LLVM behind numba does not take the
instruction, and ``_jit`` then keeps its portable gather.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: rows requested ahead of the one being copied (31-34 us for 128 MNIST rows at 2 to 16 here,
#: against 81-86 us for the gather that only reads ahead)
AHEAD = 4


def _prefetch_codegen(llvm_name: str) -> Any:
    """The LLVM code of ``prefetch(X, i, j)``: start loading the cache line of X[i, j]."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(
            context, builder, aryty, ary, [args[1], args[2]], wraparound=False
        )
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, llvm_name)
        # read (0), locality 2 (x86: prefetcht1, to L2 but not L1), data (1). A row is copied
        # once and never read again; asked for at locality 3 (every level, L1 included) a batch
        # of 128 MNIST rows took 52-56 us here instead of 31-34
        flags = [ir.Constant(i32, v) for v in (0, 2, 1)]
        builder.call(fn, [builder.bitcast(ptr, i8p), *flags])
        return context.get_dummy_value()

    return codegen


# Each intrinsic is defined at module level: numba's on-disk cache finds a function again in
# a new process only when what it calls is (one made by a factory missed it every time).
@intrinsic
def _prefetch_opaque(typingctx: Any, arr: Any, i: Any, j: Any) -> Any:  # pragma: no cover
    return types.void(arr, i, j), _prefetch_codegen("llvm.prefetch.p0")


@intrinsic
def _prefetch_typed(typingctx: Any, arr: Any, i: Any, j: Any) -> Any:  # pragma: no cover
    return types.void(arr, i, j), _prefetch_codegen("llvm.prefetch.p0i8")


def _gather(X, idx, out, ahead, step):  # type: ignore[no-untyped-def]  # pragma: no cover
    """out[i] = X[idx[i]], asking for row i + ``ahead`` while row i is copied; ``prefetch`` is
    bound by :func:`_make_gather`."""
    m, d = idx.shape[0], X.shape[1]
    for i in range(min(ahead, m)):  # the first rows: ask for them all at once
        for j in range(0, d, step):
            prefetch(X, idx[i], j)  # noqa: F821 - a global of each compiled copy
    for i in range(m):
        if i + ahead < m:  # ask for row i + ahead, one request per 64-byte line
            r = idx[i + ahead]
            for j in range(0, d, step):
                prefetch(X, r, j)  # noqa: F821
        r = idx[i]
        for j in range(d):
            out[i, j] = X[r, j]


def _make_gather(prefetch: Any, name: str) -> Any:
    """The gather, compiled with ``prefetch`` as its request for a cache line. ``prefetch`` is
    a global of the copy, not a closure variable: numba keys its on-disk cache by a closure's
    variables, and an intrinsic's differ in every process, so a closure was compiled anew by
    each one (and its cache grew by a file each time). ``name`` keeps the copies apart."""
    fn = FunctionType(_gather.__code__, {**globals(), "prefetch": prefetch}, name)
    fn.__qualname__ = name
    return njit(nogil=True, cache=True)(fn)


# the name of the instruction depends on LLVM's pointer types: opaque (new) or typed (old)
_gather_opaque = _make_gather(_prefetch_opaque, "gather_opaque")
_gather_typed = _make_gather(_prefetch_typed, "gather_typed")


def build_gather() -> Callable[..., None] | None:
    """The prefetching gather ``fn(X, idx, out, ahead, step)`` that this LLVM compiles, or None.

    Each candidate is compiled and checked on a small array before it is returned.

    Examples
    --------
    >>> X = np.arange(12.0).reshape(4, 3); out = np.empty((2, 3))
    >>> fn = build_gather()
    >>> fn is None or fn(X, np.array([3, 1]), out, AHEAD, 8) or out[:, 0].tolist()
    [9.0, 3.0]
    """
    X = np.arange(12.0).reshape(4, 3)  # (4, 3)
    idx = np.array([3, 1, 2])
    for fn in (_gather_opaque, _gather_typed):
        out = np.zeros((3, 3))
        try:
            fn(X, idx, out, AHEAD, 8)
        except Exception:  # this LLVM does not know the instruction by that name
            continue
        if np.array_equal(out, X[idx]):
            return fn
    return None
