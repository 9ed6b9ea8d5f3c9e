"""A bounded, thread-safe memo of answers per (path, content digest), for the process.

Analyses in one process share file versions (branches on one base share their base versions,
backports their head versions): a parse is remembered by what it read.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ContentMemo(Generic[T]):
    """At most `size` answers; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[tuple[str, bytes], T] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(path: str, data: bytes) -> tuple[str, bytes]:
        return path, hashlib.blake2b(data, digest_size=16).digest()

    def get_or_compute(self, key: tuple[str, bytes], compute: Callable[[], T]) -> T:
        """The remembered answer, else `compute()`'s (run outside the lock), remembered."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        answer = compute()
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer
