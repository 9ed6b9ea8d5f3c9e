"""A bounded, thread-safe memo of answers per (path, content digest), for the process.

Analyses in one process share file versions (branches on one base share their base versions,
backports their head versions): a parse is remembered by what it read. An answer can also be offered
as a future (a worker process computing it): the first reader takes it over, and computes the answer
itself if no worker has started on it yet.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, InvalidStateError
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Submit = Callable[..., Future[Any]]  # ProcessPoolExecutor.submit: (fn, *args) -> future


def digest(data: bytes) -> bytes:
    """What a memo key holds of a version's content (ContentMemo.key): a reader that hashed these bytes
    already (the offering thread, once per blob) builds the key as (path, digest) without hashing again."""
    return hashlib.blake2b(data, digest_size=16).digest()


class ContentMemo(Generic[T]):
    """At most `size` answers; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[tuple[str, bytes], T] = OrderedDict()
        self._pending: dict[tuple[str, bytes], Future[T]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(path: str, data: bytes) -> tuple[str, bytes]:
        return path, digest(data)

    def wants(self, key: tuple[str, bytes]) -> bool:
        """Whether an answer for `key` is neither remembered nor offered, and there is room to offer one."""
        with self._lock:
            return key not in self._answers and key not in self._pending and len(self._pending) < self.size

    def offer(self, key: tuple[str, bytes], future: Future[T]) -> None:
        """An answer under way elsewhere; `get_or_compute` takes it over (at most `size` are held)."""
        with self._lock:
            if key not in self._answers and key not in self._pending and len(self._pending) < self.size:
                self._pending[key] = future
                return
        future.cancel()

    def get_or_compute(self, key: tuple[str, bytes], compute: Callable[[], T]) -> T:
        """The remembered answer, else the offered one, else `compute()`'s (run outside the lock),
        remembered. An offered answer that no worker has started is cancelled and computed here; one
        that is under way is waited for; one that failed (a broken pool) is computed here."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
            future = self._pending.pop(key, None)
        answer = take_over(future, compute) if future is not None else compute()
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer

    def remember(self, key: tuple[str, bytes], answer: T) -> None:
        """Keep an answer worked out elsewhere (another task parsed the same content), unless one is known
        or offered already."""
        with self._lock:
            if key in self._answers or key in self._pending:
                return
            self._answers[key] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def drop_offers(self) -> None:
        """Cancel what no reader took over (the analysis that offered it has ended)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for future in pending.values():
            future.cancel()


def take_over(future: Future[T], compute: Callable[[], T]) -> T:
    """The answer a worker is computing (waited for), or `compute()`'s when no worker has started on it
    (the offer is cancelled) or its worker failed (a broken pool). Once the process is exiting
    (workers.release_workers), the worker's failure is raised instead: a walk computed here would hold
    the exit up for seconds."""
    from app.core.workers import ParentExiting, released

    try:
        if not future.cancel():
            return future.result()
    except (CancelledError, Exception):
        pass
    if released():  # the process is exiting and its workers drop their tasks: so does this thread
        raise ParentExiting("review-tui is exiting")
    return compute()


class _Part(Future[Any]):
    """Item `index` of the tuple `whole` (a worker's future) gives: it fails and is cancelled with `whole`, and
    cancelling it cancels `whole` if no worker has started it (take_over then computes each part itself)."""

    def __init__(self, whole: Future[Any], index: int) -> None:
        super().__init__()
        self._whole, self._index = whole, index
        whole.add_done_callback(self._copy)

    def _copy(self, whole: Future[Any]) -> None:
        try:
            if whole.cancelled():
                super().cancel()
            elif (error := whole.exception()) is not None:
                self.set_exception(error)
            else:
                self.set_result(whole.result()[self._index])
        except InvalidStateError:  # cancelled already
            pass

    def cancel(self) -> bool:
        if self.done():
            return super().cancel()
        return self._whole.cancel() and super().cancel()


def part(whole: Future[Any], index: int) -> Future[Any]:
    """A future of `whole`'s answer's item `index`: one worker task answering for two memos (one parse for both)."""
    return _Part(whole, index)


class _SharedPart(_Part):
    """Item `index` of the tuple `whole` gives, as _Part, except for cancelling: a reader that gives its part
    up (take_over, drop_offers) cancels `whole` only when every other part is given up too, and its cancel
    then succeeds (the reader computes its own answer); while another part is still wanted the task runs
    for it, and the reader waits for its own part rather than parse the same version a second time."""

    def __init__(self, whole: Future[Any], index: int, siblings: list[_SharedPart], lock: threading.Lock) -> None:
        self._siblings, self._lock = siblings, lock
        self.given_up = False
        super().__init__(whole, index)

    def cancel(self) -> bool:
        if self.done():
            return Future.cancel(self)
        with self._lock:
            self.given_up = True
            if not all(p.given_up for p in self._siblings) or not self._whole.cancel():
                return False  # wanted by another reader, or under way: the answer comes
        return Future.cancel(self)  # (the callback of the cancelled whole cancelled it already)


def shared_parts(whole: Future[Any], indexes: list[int]) -> list[Future[Any]]:
    """Futures of items `indexes` of `whole`'s answer (one worker task answering for several memos from one
    parse), given up together (_SharedPart): a reader that finds the task not yet started waits for it
    while another reader still wants it, and computes its part itself only when no one does."""
    siblings: list[_SharedPart] = []
    lock = threading.Lock()
    siblings.extend(_SharedPart(whole, index, siblings, lock) for index in indexes)
    return list(siblings)
