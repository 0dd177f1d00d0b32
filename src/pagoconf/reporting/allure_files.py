"""The Allure side files of a results folder: environment.properties and categories.json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .conformance import write_text_atomic

FAILURE_PREFIX = "Non-conformant:"
BROKEN_PREFIX = "Inconclusive:"
_PROPERTY_ESCAPES = {"\\": "\\\\", "=": "\\=", ":": "\\:", "#": "\\#", "!": "\\!",
                     "\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}  # fmt: skip

CATEGORIES: list[dict[str, Any]] = [
    {
        "name": "Non-conformant station (product defect)",
        "matchedStatuses": ["failed"],
        # Allure matches the whole message (Java String.matches); (?s) lets '.' cross newlines,
        # and the leading .* allows an exception-type prefix such as "AssertionError: ".
        "messageRegex": f"(?s).*{FAILURE_PREFIX}.*",
    },
    {
        "name": "Station unreachable or harness problem (broken)",
        "matchedStatuses": ["broken"],
    },
    {
        "name": "Not run: missing test data or capability",
        "matchedStatuses": ["skipped"],
    },
    {
        "name": "Failed outside a conformance check (harness defect)",
        "matchedStatuses": ["failed"],
        "messageRegex": f"(?s)(?!.*{FAILURE_PREFIX}).*",
    },
]


def escape_property(text: str, *, key: bool = False) -> str:
    """Java .properties escaping: \\ = : # ! and control characters; spaces in keys, a leading one in values;
    non-ASCII as \\uXXXX so the file reads the same as ISO-8859-1 or UTF-8."""
    out = []
    for i, ch in enumerate(text):
        if ch in _PROPERTY_ESCAPES:
            out.append(_PROPERTY_ESCAPES[ch])
        elif ch == " " and (key or i == 0):
            out.append("\\ ")
        elif ord(ch) < 0x20 or ord(ch) > 0x7E:
            out.append(_unicode_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def _unicode_escape(ch: str) -> str:
    data = ch.encode("utf-16-be")
    return "".join(f"\\u{int.from_bytes(data[i : i + 2], 'big'):04x}" for i in range(0, len(data), 2))


def write_environment(results_dir: Path, entries: Mapping[str, str]) -> Path:
    """Write environment.properties (the Allure "Environment" widget), keys in the given order."""
    lines = [f"{escape_property(str(k), key=True)}={escape_property(str(v))}" for k, v in entries.items()]
    return write_text_atomic(Path(results_dir) / "environment.properties", "".join(f"{ln}\n" for ln in lines))


def write_categories(results_dir: Path) -> Path:
    """Write categories.json: product defects, broken runs, and tests not run, kept apart."""
    text = json.dumps(CATEGORIES, indent=2, ensure_ascii=False) + "\n"
    return write_text_atomic(Path(results_dir) / "categories.json", text)
