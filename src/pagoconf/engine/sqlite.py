"""One SQLite connection shared by a server's threads: serialised by a re-entrant lock, with transactions
that nest (an inner one joins the outer). The reference station's store and the sandbox's build on it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SqliteConnection:
    """The connection, its lock and the depth of the transaction in progress."""

    path: str
    _db: sqlite3.Connection
    _lock: threading.RLock
    _depth: int

    def _connect(self, path: str | Path) -> None:
        """Open `path` in autocommit mode (transactions are explicit); sqlite3.Error if it cannot."""
        self.path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and run the enclosed calls as one SQLite transaction (nested calls join it)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0
