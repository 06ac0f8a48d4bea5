"""glassnet.fast.threads: the halves run at once and in order, BLAS is held to one thread while
they run and given back after (also after an error), small batches stay on one thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from glassnet.fast import threads


def test_halves_cover_the_batch_in_order_on_two_threads(monkeypatch):
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    seen = []

    def work(lo, hi, part):
        seen.append(threading.get_ident())
        return part, lo, hi

    assert threads.split(7, work) == [(0, 0, 3), (1, 3, 7)]
    assert len(set(seen)) == 2  # the second half ran on the worker thread
    assert threads.split(3, work) == [(0, 0, 3)]  # below MIN_SPLIT: one part, this thread
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 1)
    assert threads.split(100, work) == [(0, 0, 100)]


@pytest.mark.skipif(threads._THREADS is None, reason="NumPy's OpenBLAS thread calls not found")
def test_blas_is_held_to_one_thread_inside_and_given_back():
    get, put = threads._THREADS
    put(2)
    inside = []
    threads.split(8, lambda lo, hi, part: inside.append(get()))
    assert inside == [1, 1] and get() == 2

    def boom(lo, hi, part):
        raise RuntimeError(f"part {part}")

    with pytest.raises(RuntimeError, match="part 0"):
        threads.split(8, boom)
    assert get() == 2  # restored after the error too


def test_products_on_both_halves_at_once_are_right():
    rng = np.random.default_rng(0)
    A = rng.random((8, 300, 200))
    B = rng.random((200, 100))
    out = np.empty((8, 300, 100))

    def work(lo, hi, part):
        for i in range(lo, hi):
            np.matmul(A[i], B, out=out[i])

    threads.split(8, work)
    np.testing.assert_allclose(out, A @ B)


@pytest.mark.skipif(threads._THREADS is None, reason="NumPy's OpenBLAS thread calls not found")
def test_overlapping_holds_give_the_setting_back_once_all_are_out():
    get, put = threads._THREADS
    put(2)
    with threads.one_blas_thread():
        with threads.one_blas_thread():
            assert get() == 1
        assert get() == 1  # the outer hold is still on
    assert get() == 2
