"""The target's description (pagoconf.toml and flags): identity, version, capabilities, notices."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .notice_numbers import NAV_PATTERN

NOTICE_KINDS = ("payable", "multi_beneficiary", "postal", "bollo", "expired", "annulled", "paid")
TO_PAY_KINDS = ("payable", "multi_beneficiary", "bollo")
CAPABILITIES = ("multi", "postal", "bollo", "spontaneous")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which key and why."""


@dataclass(frozen=True)
class Identity:
    """The triple every Node → station call carries."""

    id_pa: str
    id_broker_pa: str
    id_station: str


@dataclass(frozen=True)
class StationConfig:
    """How to reach the station under test and what it declares."""

    url: str | None
    identity: Identity
    primitive_version: int = 2
    capabilities: tuple[str, ...] = ()
    verify_tls: bool | str = True
    client_cert: str | tuple[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceLevel:
    """The service level the station is measured against (domain-brief §5)."""

    seconds: float = 2.0
    share: float = 0.98
    samples: int = 20


@dataclass(frozen=True)
class SpontaneousService:
    """A catalogue service the station offers for spontaneous payments (paDemandPaymentNotice)."""

    id_servizio: str
    id_soggetto_servizio: str
    service_xsd: str


@dataclass(frozen=True)
class TargetConfig:
    """Everything the harness needs to know about the target."""

    station: StationConfig
    sanp: str = "3.8.0"
    timeouts: dict[str, float] = field(default_factory=lambda: {"sync": 7.0, "receipt": 15.0})
    service_level: ServiceLevel = ServiceLevel()
    notices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    to_pay: dict[str, tuple[str, ...]] = field(default_factory=dict)
    spontaneous: SpontaneousService | None = None
    seed: int = 0
    source: str = "(flags)"

    @property
    def capabilities(self) -> frozenset[str]:
        """Declared capabilities plus the primitive version (v1 or v2)."""
        return frozenset(self.station.capabilities) | {f"v{self.station.primitive_version}"}

    def with_overrides(
        self,
        *,
        url: str | None = None,
        sanp: str | None = None,
        primitive_version: int | None = None,
        timeout: float | None = None,
        service_level_seconds: float | None = None,
    ) -> TargetConfig:
        """A copy with command-line overrides applied."""
        station = self.station
        timeouts = dict(self.timeouts)
        if timeout is not None:
            if timeout <= 0:
                raise ConfigError("--timeout must be a positive number of seconds")
            timeouts = {kind: float(timeout) for kind in timeouts}
        if url:
            station = replace(station, url=url)
        if primitive_version:
            station = replace(station, primitive_version=_version(primitive_version, "--primitive-version"))
        service_level = self.service_level
        if service_level_seconds is not None:
            if service_level_seconds <= 0:
                raise ConfigError("--service-level must be a positive number of seconds")
            service_level = replace(service_level, seconds=float(service_level_seconds))
        return replace(
            self, station=station, sanp=sanp or self.sanp, timeouts=timeouts, service_level=service_level
        )

    def describe(self) -> dict[str, Any]:
        """The target as reports show it (no secrets)."""
        s = self.station
        return {
            "url": s.url,
            "id_pa": s.identity.id_pa,
            "id_broker_pa": s.identity.id_broker_pa,
            "id_station": s.identity.id_station,
            "primitive_version": s.primitive_version,
            "capabilities": sorted(self.capabilities),
            "config": self.source,
        }


def load(path: str | Path) -> TargetConfig:
    """Read and check a pagoconf.toml."""
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {p} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {p}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p} is not valid TOML: {exc}") from None
    return parse(raw, source=str(p), base=p.parent)


def parse(raw: dict[str, Any], *, source: str = "(inline)", base: Path | None = None) -> TargetConfig:
    """Build a TargetConfig from the TOML document's dict."""
    st = _table(raw, "station", source)
    identity = Identity(*(_text(st, k, source) for k in ("id_pa", "id_broker_pa", "id_station")))
    caps = tuple(st.get("capabilities", ()))
    unknown = set(caps) - set(CAPABILITIES)
    if unknown:
        raise ConfigError(
            f"{source}: [station] capabilities: unknown {sorted(unknown)}; known: {list(CAPABILITIES)}"
        )
    version = _version(st.get("primitive_version", 2), f"{source}: [station] primitive_version")
    if version == 1 and "bollo" in caps:
        raise ConfigError(f"{source}: @e.bollo needs primitive_version 2 (paGetPaymentV2)")
    cert = st.get("client_cert")
    key = st.get("client_key")
    station = StationConfig(
        url=st.get("url"),
        identity=identity,
        primitive_version=version,
        capabilities=caps,
        verify_tls=_tls(st, base),
        client_cert=(_path(cert, base), _path(key, base))
        if cert and key
        else (_path(cert, base) if cert else None),
        headers={str(k): _expand(str(v), source) for k, v in st.get("headers", {}).items()},
    )
    timeouts = {"sync": 7.0, "receipt": 15.0}
    for k, v in raw.get("timeouts", {}).items():
        if not isinstance(v, int | float) or v <= 0:
            raise ConfigError(f"{source}: [timeouts] {k} must be a positive number of seconds")
        timeouts[k] = float(v)
    sl = raw.get("service_level", {})
    service_level = ServiceLevel(
        float(sl.get("seconds", 2.0)), float(sl.get("share", 0.98)), int(sl.get("samples", 20))
    )
    raw_notices = dict(raw.get("notices", {}))
    to_pay = _notice_lists(raw_notices.pop("to_pay", {}), TO_PAY_KINDS, "[notices.to_pay]", source)
    notices = _notice_lists(raw_notices, NOTICE_KINDS, "[notices]", source)
    spontaneous = None
    if "spontaneous" in raw:
        sp = raw["spontaneous"]
        try:
            spontaneous = SpontaneousService(
                str(sp["id_servizio"]), str(sp["id_soggetto_servizio"]), str(sp["service_xsd"])
            )
        except (KeyError, TypeError):
            raise ConfigError(
                f"{source}: [spontaneous] needs id_servizio, id_soggetto_servizio and service_xsd"
            ) from None
    if "spontaneous" in caps and spontaneous is None:
        raise ConfigError(f"{source}: capability spontaneous needs a [spontaneous] table")
    return TargetConfig(
        station=station,
        sanp=str(raw.get("sanp", "3.8.0")),
        timeouts=timeouts,
        service_level=service_level,
        notices=notices,
        to_pay=to_pay,
        spontaneous=spontaneous,
        seed=int(raw.get("seed", 0)),
        source=source,
    )


def _notice_lists(
    table: dict[str, Any], kinds: tuple[str, ...], where: str, source: str
) -> dict[str, tuple[str, ...]]:
    """Check a table of notice-number lists, one per kind."""
    out = {}
    for kind, values in table.items():
        if kind not in kinds:
            raise ConfigError(f"{source}: {where} {kind}: unknown kind; known: {', '.join(kinds)}")
        if not isinstance(values, list):
            raise ConfigError(f"{source}: {where} {kind} must be a list of notice numbers")
        bad = [v for v in values if not isinstance(v, str) or not NAV_PATTERN.fullmatch(v)]
        if bad:
            raise ConfigError(f"{source}: {where} {kind}: {bad[0]!r} is not an 18-digit notice number")
        out[kind] = tuple(values)
    return out


def _table(raw: dict[str, Any], name: str, source: str) -> dict[str, Any]:
    value = raw.get(name)
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: missing [{name}] table")
    return value


def _text(table: dict[str, Any], key: str, source: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{source}: [station] {key} is required (a non-empty string)")
    return value


def _version(value: object, where: str) -> int:
    if value not in (1, 2, "1", "2"):
        raise ConfigError(f"{where} must be 1 or 2, not {value!r}")
    return int(value)  # type: ignore[call-overload]


def _tls(st: dict[str, Any], base: Path | None) -> bool | str:
    if "ca_bundle" in st:
        return _path(st["ca_bundle"], base)
    return bool(st.get("verify_tls", True))


def _path(value: str, base: Path | None) -> str:
    p = Path(value)
    return str(p if p.is_absolute() or base is None else base / p)


def _expand(value: str, source: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in os.environ:
            raise ConfigError(
                f"{source}: header value refers to ${{{name}}}, which is not set in the environment"
            )
        return os.environ[name]

    return _ENV_REF.sub(sub, value)
