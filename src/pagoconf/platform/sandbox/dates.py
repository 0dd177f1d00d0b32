"""Date-times as GPD reads and writes them: UTC inside, offsets optional on the way in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from functools import lru_cache

LOCAL_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?")
"""A date-time without a UTC offset: not RFC 3339, but what GPD's LocalDateTime fields accept."""


@lru_cache(maxsize=4096)
def parse_datetime(text: str) -> datetime:
    """A date-time with or without offset (none: UTC), as an aware UTC datetime; ValueError if neither."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_date(text: str) -> date:
    """A yyyy-MM-dd date; ValueError otherwise."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError(f"{text!r} is not a yyyy-MM-dd date")
    return date.fromisoformat(text)


def start_of(day: date) -> datetime:
    """00:00 UTC of `day`."""
    return datetime.combine(day, time.min, UTC)


def end_of(day: date) -> datetime:
    """The last microsecond of `day`, UTC."""
    return datetime.combine(day, time.max, UTC)


def wire(moment: datetime | None, *, strict: bool = False) -> str | None:
    """A date-time as the sandbox answers it: like GPD's LocalDateTime (UTC, no offset), or RFC 3339 with
    `Z` when strict (what the contract's `format: date-time` says)."""
    if moment is None:
        return None
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return text + "Z" if strict else text


def stored(moment: datetime | None) -> str | None:
    """A date-time as the store keeps it: fixed-width UTC ISO 8601 text that sorts as it compares."""
    if moment is None:
        return None
    return _stored(moment)


@lru_cache(maxsize=1024)
def _stored(moment: datetime) -> str:
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return utc.isoformat(timespec="microseconds")[:-6] + "Z"


def from_stored(text: str | None) -> datetime | None:
    """A date-time from the store."""
    return None if text is None else parse_datetime(text)
