"""The process's embedded Chroma systems: which index generation they reflect, and when they must be reopened."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

__all__ = ["CACHE", "CREATE_LOCK", "ChromaCache"]


class ChromaCache:
    """Embedded Chroma keeps one cached system per folder per process, and it goes stale when another process
    writes. This tracks which index generation the process's cache reflects, and lets a reset wait until no call
    is using the cache (a readers-writer lock: Chroma calls share it, a reset holds it alone)."""

    def __init__(self) -> None:
        self.synced: dict[str, int] = {}
        self.epoch = 0
        self._cond = threading.Condition()
        self._readers = 0
        self._resetting = False

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        """Held by every Chroma call."""
        with self._cond:
            while self._resetting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    def reset(self, key: str, generation: int) -> None:
        """Drop the process's cached Chroma systems once no call uses them; stores reopen on their next call."""
        with self._cond:
            while self._resetting or self._readers:
                self._cond.wait()
            if self.synced.get(key) == generation:
                return
            self._resetting = True
        try:
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
            self.epoch += 1
            self.synced[key] = generation
        finally:
            with self._cond:
                self._resetting = False
                self._cond.notify_all()

    def forget(self, key: str) -> None:
        """The folder's Chroma data was deleted: drop the cached systems so nothing reads the old state."""
        self.reset(key, -1)
        with self._cond:
            self.synced.pop(key, None)

    def start(self, key: str, generation: int) -> None:
        """A client opens: unless one was cached before, what it reads from disk is ``generation``."""
        with self._cond:
            self.synced.setdefault(key, generation)

    def wrote(self, key: str, generation: int) -> None:
        """This process wrote ``generation`` through its own client: the cache holds it already, if it held the one
        before."""
        with self._cond:
            if self.synced.get(key) == generation - 1:
                self.synced[key] = generation


CACHE = ChromaCache()
CREATE_LOCK = threading.Lock()  # held while a Chroma client is created
