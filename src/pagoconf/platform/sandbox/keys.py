"""Subscription keys (`Ocp-Apim-Subscription-Key`): which organizations and segregation codes each may
touch, from `--key` flags and the `[sandbox]` table of a config file. The journal names a key by its id."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pagoconf.engine.config import ConfigError, Table

HEADER = "Ocp-Apim-Subscription-Key"
SEGREGATION_CODE = re.compile(r"[0-9]{2}")


@dataclass(frozen=True, slots=True)
class Key:
    """One subscription key: its id (what the journal shows), its value, and its scope (None: any)."""

    id: str
    value: str
    organizations: frozenset[str] | None = None
    segregation_codes: frozenset[str] | None = None

    def scope(self) -> dict[str, Any]:
        """The key as the journal's snapshot records it: id and scope, never the value."""
        return {
            "id": self.id,
            "organizations": sorted(self.organizations) if self.organizations is not None else None,
            "segregation_codes": sorted(self.segregation_codes)
            if self.segregation_codes is not None
            else None,
        }


class KeyRing:
    """The keys the sandbox accepts."""

    def __init__(self, keys: Iterable[Key]) -> None:
        self.keys = tuple(keys)
        seen: set[str] = set()
        for key in self.keys:
            if not key.value or key.value in seen:
                raise ConfigError(f"subscription key {key.id} is empty or repeats another key")
            seen.add(key.value)
        self._by_value: Mapping[str, Key] = {k.value: k for k in self.keys}

    def find(self, value: str | None) -> Key | None:
        """The key with this value, or None (missing or unknown: both are 401)."""
        if value is None:
            return None
        found = None
        for candidate, key in self._by_value.items():
            if secrets.compare_digest(candidate.encode(), value.encode()):
                found = key
        return found


def generated_key() -> Key:
    """A fresh random key for every organization (when the operator gave none)."""
    return Key("generated", secrets.token_hex(16))


def cli_keys(values: Iterable[str]) -> list[Key]:
    """Keys from repeated `--key KEY` flags: each allowed for every organization."""
    return [Key(f"cli-{n}", v) for n, v in enumerate(values, start=1)]


def config_keys(sandbox: Table) -> list[Key]:
    """Keys from `[[sandbox.key]]` entries: value, and optionally organizations and segregation_codes."""
    raw = sandbox.get("key", list, [])
    keys = []
    for n, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise sandbox.error("key", "must be an array of tables ([[sandbox.key]])")
        table = Table(entry, f"[sandbox.key {n}]", sandbox.source)
        value = table.text("value", required=True)
        assert value is not None
        organizations = table.strings("organizations") if table.has("organizations") else None
        codes = table.strings("segregation_codes") if table.has("segregation_codes") else None
        if codes is not None:
            bad = [c for c in codes if not SEGREGATION_CODE.fullmatch(c)]
            if bad:
                raise table.error("segregation_codes", f"{bad[0]!r} is not a two-digit segregation code")
        table.done()
        keys.append(
            Key(
                f"config-{n}",
                value,
                frozenset(organizations) if organizations is not None else None,
                frozenset(codes) if codes is not None else None,
            )
        )
    return keys
