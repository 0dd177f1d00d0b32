"""JSON text the sandbox writes (answers, stored documents, journal rows): by orjson, several times faster
than the standard library on the hot path, and by the standard library for what orjson refuses (an integer
beyond 64 bits, a key that is not a string), so that no value a client sent can make the sandbox fail."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

PASSTHROUGH_DATETIME = orjson.OPT_PASSTHROUGH_DATETIME
"""Hand date-times to `default` (the stores write their own fixed-width UTC form)."""


def dumps(value: Any, *, default: Callable[[Any], Any] | None = None, option: int = 0) -> bytes:
    """`value` as compact UTF-8 JSON."""
    try:
        return orjson.dumps(value, default=default, option=option)
    except TypeError:  # orjson.JSONEncodeError: fall back to the standard library, which refuses less
        return json.dumps(value, default=default, ensure_ascii=False, separators=(",", ":")).encode()


def text(value: Any) -> str:
    """`value` as compact JSON text."""
    return dumps(value).decode()
