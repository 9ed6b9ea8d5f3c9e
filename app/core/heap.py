"""The C heap under Python: how many malloc arenas the process keeps, and giving freed memory back.

Both are glibc's (mallopt, malloc_trim) and no-ops where the C library is another."""

from __future__ import annotations

from collections.abc import Callable


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


TRIM_SECONDS = 0.5


class HeapTrimmer:
    """Give freed heap back to the system every `every` seconds while a block runs (`with HeapTrimmer():`),
    from a thread of its own. A cold analysis frees much of what it allocates (each change's diff once it is
    finished, the dependency graph's summaries once they are a graph, a scan's file contents), and glibc keeps
    those pages for reuse: the TUI's main process on the ansible scenario ended its first analysis holding
    20-30 MB of free heap, at the process tree's peak. A no-op where the C library has no malloc_trim."""

    def __init__(self, every: float = TRIM_SECONDS) -> None:
        import threading

        self.every = every
        self.trims = 0
        # found here, on the caller's thread: the thread imports nothing (an import there could wait forever on
        # an import lock that a Ctrl-C left held, and the block's end would wait for the thread)
        self._trim = _malloc_trim()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="review-tui-heap-trim", daemon=True)

    def __enter__(self) -> HeapTrimmer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._give_back()  # what the block's end freed

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._give_back()

    def _give_back(self) -> None:
        if self._trim is not None:
            self._trim(0)
            self.trims += 1


def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes

    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    return trim


_collection_paused = False


def pause_collection() -> None:
    """Hold Python's cyclic garbage collector off while the TUI starts (the CLI's open_tui), until
    `resume_collection` (its first paint): the imports and the first screen make objects that live on, and
    collecting young objects 120 times over them took 25-30 ms of a warm start's 0.29 s of CPU before the
    queue was painted (a trivial Textual app: 15 ms)."""
    import gc

    global _collection_paused
    if gc.isenabled():
        gc.disable()
        _collection_paused = True


def resume_collection() -> None:
    """Collect again, if `pause_collection` held the collector off."""
    import gc

    global _collection_paused
    if _collection_paused:
        _collection_paused = False
        gc.enable()
