"""Reading pagoconf.toml strictly: every key known, every value of its type, every error naming the key and
the file. The engine owns the file and its top-level keys; each suite reads its own tables through `Table`."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pagoconf.engine.contracts import DEFAULT_SANP, SUPPORTED_SANP

TOP_LEVEL = ("sanp", "seed")


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which key, in which file, and why."""


class Table:
    """One table of the file, read key by key; `done()` refuses the keys nobody read."""

    def __init__(self, raw: Mapping[str, Any], where: str, source: str) -> None:
        self.raw = raw
        self.where = where  # "[station]", "[notices.to_pay]", "" for the top level
        self.source = source
        self._read: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.where} {key}".strip()

    def error(self, key: str, problem: str) -> ConfigError:
        """A ConfigError naming this key and the file."""
        return ConfigError(f"{self.source}: {self._name(key)}: {problem}")

    def has(self, key: str) -> bool:
        """The key is present (and counts as read)."""
        self._read.add(key)
        return key in self.raw

    def get(
        self, key: str, kind: type | tuple[type, ...], default: Any = None, *, required: bool = False
    ) -> Any:
        """The value of `key`, checked against `kind` (bool is never an int here)."""
        self._read.add(key)
        if key not in self.raw:
            if required:
                raise self.error(key, "is required")
            return default
        value = self.raw[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.error(key, f"must be {_names(kinds)}, not {value!r}")
        if int in kinds and float in kinds and isinstance(value, int):
            return value
        if not isinstance(value, kinds):
            raise self.error(key, f"must be {_names(kinds)}, not {_show(value)}")
        return value

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        """A string value; a required one must not be blank."""
        value = self.get(key, str, default, required=required)
        if required and not str(value).strip():
            raise self.error(key, "must not be blank")
        return value

    def number(self, key: str, default: float, *, positive: bool = True) -> float:
        """A number (int or float)."""
        value = float(self.get(key, (int, float), default))
        if positive and value <= 0:
            raise self.error(key, f"must be a positive number, not {value:g}")
        return value

    def strings(self, key: str, default: Iterable[str] = ()) -> tuple[str, ...]:
        """A list of strings."""
        value = self.get(key, list, list(default))
        bad = [v for v in value if not isinstance(v, str)]
        if bad:
            raise self.error(key, f"must be a list of strings; {_show(bad[0])} is not one")
        return tuple(value)

    def choice(self, key: str, allowed: Iterable[Any], default: Any) -> Any:
        """One of `allowed`."""
        options = tuple(allowed)
        self._read.add(key)
        value = self.raw.get(key, default)
        if isinstance(value, bool | dict | list) or value not in options:
            raise self.error(key, f"must be one of {', '.join(map(repr, options))}, not {_show(value)}")
        return value

    def table(self, key: str, *, required: bool = False) -> Table:
        """A sub-table, e.g. [station.headers]."""
        value = self.get(key, dict, {}, required=required)
        where = f"[{key}]" if not self.where else f"{self.where[:-1]}.{key}]"
        return Table(value, where, self.source)

    def done(self, *, also: Iterable[str] = ()) -> None:
        """Refuse the keys nobody read (a typo, a table in the wrong place)."""
        unknown = sorted(set(self.raw) - self._read - set(also))
        if unknown:
            known = sorted(self._read | set(also))
            kind = "key" if not isinstance(self.raw[unknown[0]], dict) else "table"
            raise ConfigError(
                f"{self.source}: unknown {kind} {self._name(unknown[0])!r}"
                + (f"; known here: {', '.join(known)}" if known else "")
            )


@dataclass(frozen=True)
class RunConfig:
    """The configuration file of a run (or none): its top level and the tables the suites read."""

    source: str = "(flags)"
    base: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    sanp: str = DEFAULT_SANP
    seed: int = 0

    def table(self, key: str, *, required: bool = False) -> Table:
        """One top-level table of the file."""
        return Table(self.raw, "", self.source).table(key, required=required)

    def path(self, value: str) -> str:
        """A path from the file, relative to the file's folder."""
        p = Path(value)
        return str(p if p.is_absolute() or self.base is None else self.base / p)


def load(path: str | Path | None, *, suite_keys: Iterable[str]) -> RunConfig:
    """Read a pagoconf.toml (None: no file) and check its top level: `sanp`, `seed` and the suites' tables."""
    if path is None:
        return RunConfig()
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {p} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {p} is a folder") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {p}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p} is not valid TOML: {exc}") from None
    top = Table(raw, "", str(p))
    sanp = top.choice("sanp", SUPPORTED_SANP, DEFAULT_SANP)
    seed = int(top.get("seed", int, 0))
    top.done(also=suite_keys)
    return RunConfig(str(p), p.parent, raw, sanp, seed)


def _names(kinds: tuple[type, ...]) -> str:
    words = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "a list",
             dict: "a table"}  # fmt: skip
    return " or ".join(words.get(k, k.__name__) for k in kinds)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)
