"""The C heap under Python: how many malloc arenas the process keeps, and giving freed memory back.

Both are glibc's (mallopt, malloc_trim) and no-ops where the C library is another."""

from __future__ import annotations


def one_malloc_arena() -> None:
    """One glibc malloc arena for the process. Each thread that allocates while another holds the
    main arena gets an arena of its own (up to 8 per core), and memory freed in one is not reused by
    another: the TUI's analysis, graph and pool threads held 34 MB more heap on the ansible scenario
    (main process 241 -> 207 MB). Python allocates under the GIL, so the lock costs little."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    m_arena_max = -8  # from glibc's malloc.h
    mallopt(m_arena_max, 1)


def give_back_heap() -> None:
    """Return the heap freed so far to the system (glibc keeps it for reuse otherwise)."""
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass
