"""HeapTrimmer (app/core/heap.py): freed heap goes back to the system while a block runs, not at its end."""

from __future__ import annotations

import ctypes
import time

import pytest

from app.core.heap import HeapTrimmer

try:
    ctypes.CDLL(None).malloc_trim  # noqa: B018 - glibc only
except (OSError, AttributeError):  # pragma: no cover - another C library
    pytest.skip("no glibc malloc_trim", allow_module_level=True)


def _anon_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status")


def _free_80_mb_inside_the_heap() -> list[bytes]:
    """80 MB of 2 KB blocks (glibc's heap, not pymalloc's nor mmap's), freed but for a block after them all,
    which keeps glibc from shrinking the heap from its top: the pages stay the process's until a trim."""
    blocks = [bytes(2048) + bytes([i % 256]) for i in range(40_000)]
    pin = [bytes(2048) + b"pin"]
    del blocks
    return pin


def test_freed_heap_is_given_back_while_the_block_runs():
    before = _anon_mb()
    pin = _free_80_mb_inside_the_heap()
    kept = _anon_mb()
    assert kept - before > 40, (before, kept)  # the freed blocks are still the process's
    with HeapTrimmer(every=0.05) as trimmer:
        deadline = time.monotonic() + 10
        while _anon_mb() > kept - 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        during = _anon_mb()
    assert during < kept - 40, (before, kept, during)  # given back before the block ended
    assert trimmer.trims >= 2 and not trimmer._thread.is_alive()  # by the thread, and once at the end
    assert pin
