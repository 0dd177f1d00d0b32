"""The sandbox clock: real UTC time moved forward by an offset the control API sets."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    """The real current time, UTC."""
    return datetime.now(UTC)


class SandboxClock:
    """UTC time as the sandbox sees it: the real time plus an offset that only moves forward."""

    def __init__(self, offset: timedelta = timedelta(0), *, source: Callable[[], datetime] = utc_now) -> None:
        self._offset = offset
        self._source = source
        self._lock = threading.Lock()

    @property
    def offset(self) -> timedelta:
        """How far the sandbox runs ahead of real time."""
        with self._lock:
            return self._offset

    def now(self) -> datetime:
        """The sandbox's current time (UTC, timezone-aware)."""
        with self._lock:
            return self._source() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by `delta` (never back); return the new time."""
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += delta
            return self._source() + self._offset
