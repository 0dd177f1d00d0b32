"""The station under test, as pagoconf.toml and the flags describe it: identity, primitive version,
capabilities, the Node's deadlines, the service level, the notices prepared in each state."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pagoconf.engine.config import ConfigError, RunConfig, Table, load
from pagoconf.identifiers import NAV_PATTERN

NOTICE_KINDS = ("payable", "multi_beneficiary", "postal", "bollo", "expired", "annulled", "paid")
TO_PAY_KINDS = ("payable", "multi_beneficiary", "bollo")
CAPABILITIES = ("multi", "postal", "bollo", "spontaneous")
NODE_TIMEOUTS = {"sync": 7.0, "receipt": 15.0}
"""The Node's deadlines toward a station: verify, activation and demand 7 s, receipts 15 s."""
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NEVER_ISSUED = re.compile(r"[0-9]{1,18}")

__all__ = [
    "CAPABILITIES",
    "NODE_TIMEOUTS",
    "ConfigError",
    "Identity",
    "ServiceLevel",
    "SpontaneousService",
    "StationConfig",
    "TargetConfig",
    "check_url",
    "from_file",
    "parse",
]


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
    """The service level the station is measured against (TVP/TGP: 98 % of answers within 2 s)."""

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
    """Everything the harness needs to know about the station."""

    station: StationConfig
    sanp: str = "3.8.0"
    timeouts: dict[str, float] = field(default_factory=lambda: dict(NODE_TIMEOUTS))
    service_level: ServiceLevel = ServiceLevel()
    notices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    to_pay: dict[str, tuple[str, ...]] = field(default_factory=dict)
    never_issued: tuple[str, ...] = ()  # whole numbers or prefixes the station never issued
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
            station = replace(station, url=check_url(url, "--station"))
        if primitive_version:
            station = replace(station, primitive_version=_version(primitive_version, "--primitive-version"))
        service_level = self.service_level
        if service_level_seconds is not None:
            if service_level_seconds <= 0:
                raise ConfigError("--service-level must be a positive number of seconds")
            service_level = replace(service_level, seconds=float(service_level_seconds))
        return replace(self, station=station, timeouts=timeouts, service_level=service_level)

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


def check_url(url: str, where: str) -> str:
    """An http(s) URL with a host, or a ConfigError saying what is wrong with it."""
    text = url.strip()
    parts = urlsplit(text)
    if not text:
        raise ConfigError(f"{where}: the station URL is empty")
    if parts.scheme not in ("http", "https"):
        got = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
        raise ConfigError(f"{where}: {url!r} is not an http(s) URL ({got}); e.g. https://host/path/paForNode")
    if not parts.hostname:
        raise ConfigError(f"{where}: {url!r} names no host; e.g. https://host/path/paForNode")
    try:
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise ConfigError(f"{where}: {url!r}: {exc}") from None
    return text


def from_file(path: str | Path) -> TargetConfig:
    """Read a pagoconf.toml that describes a station (the whole file, checked)."""
    from pagoconf.suites import config_keys

    return parse(load(path, suite_keys=config_keys()))


def parse(run: RunConfig) -> TargetConfig:
    """The station's description from the run's configuration file."""
    source = run.source
    st = run.table("station", required=True)
    identity = Identity(
        *(str(st.text(k, required=True)).strip() for k in ("id_pa", "id_broker_pa", "id_station"))
    )
    caps = st.strings("capabilities")
    unknown = sorted(set(caps) - set(CAPABILITIES))
    if unknown:
        raise st.error("capabilities", f"unknown {unknown}; known: {list(CAPABILITIES)}")
    version = _version(st.get("primitive_version", (int, str), 2), f"{source}: [station] primitive_version")
    if version == 1 and "bollo" in caps:
        raise ConfigError(f"{source}: @e.bollo needs primitive_version 2 (paGetPaymentV2)")
    url = st.text("url")
    cert, key = st.text("client_cert"), st.text("client_key")
    tls: bool | str = (
        run.path(str(st.text("ca_bundle"))) if st.has("ca_bundle") else st.get("verify_tls", bool, True)
    )
    headers = st.table("headers")
    station = StationConfig(
        url=check_url(url, f"{source}: [station] url") if url is not None else None,
        identity=identity,
        primitive_version=version,
        capabilities=caps,
        verify_tls=tls,
        client_cert=(run.path(cert), run.path(key)) if cert and key else (run.path(cert) if cert else None),
        headers={str(k): _expand(headers.get(str(k), str), source) for k in headers.raw},
    )
    headers.done()
    st.done()
    timeouts = _timeouts(run.table("timeouts"))
    sl_table = run.table("service_level")
    service_level = ServiceLevel(
        sl_table.number("seconds", 2.0),
        sl_table.number("share", 0.98),
        int(sl_table.get("samples", int, 20)),
    )
    if not 0 < service_level.share <= 1:
        raise sl_table.error("share", "must be a fraction between 0 and 1 (0.98 for 98 %)")
    sl_table.done()
    notices_table = run.table("notices")
    to_pay = _notice_lists(notices_table.table("to_pay"), TO_PAY_KINDS)
    never_issued = notices_table.strings("never_issued")
    bad = [n for n in never_issued if not _NEVER_ISSUED.fullmatch(n)]
    if bad:
        raise notices_table.error(
            "never_issued", f"{bad[0]!r} is not a notice number or a prefix of one (1 to 18 digits)"
        )
    notices = _notice_lists(notices_table, NOTICE_KINDS, also=("to_pay", "never_issued"))
    spontaneous = None
    if "spontaneous" in run.raw:
        sp = run.table("spontaneous")
        spontaneous = SpontaneousService(
            str(sp.text("id_servizio", required=True)),
            str(sp.text("id_soggetto_servizio", required=True)),
            str(sp.text("service_xsd", required=True)),
        )
        sp.done()
    if "spontaneous" in caps and spontaneous is None:
        raise ConfigError(f"{source}: capability spontaneous needs a [spontaneous] table")
    return TargetConfig(
        station=station,
        sanp=run.sanp,
        timeouts=timeouts,
        service_level=service_level,
        notices=notices,
        to_pay=to_pay,
        never_issued=never_issued,
        spontaneous=spontaneous,
        seed=run.seed,
        source=source,
    )


def _timeouts(table: Table) -> dict[str, float]:
    out = {kind: table.number(kind, default) for kind, default in NODE_TIMEOUTS.items()}
    table.done()
    return out


def _notice_lists(
    table: Table, kinds: tuple[str, ...], *, also: tuple[str, ...] = ()
) -> dict[str, tuple[str, ...]]:
    """A table of notice-number lists, one per kind."""
    out = {}
    for kind in kinds:
        if not table.has(kind):
            continue
        values = table.strings(kind)
        bad = [v for v in values if not NAV_PATTERN.fullmatch(v)]
        if bad:
            raise table.error(kind, f"{bad[0]!r} is not an 18-digit notice number")
        out[kind] = values
    table.done(also=also)
    return out


def _version(value: object, where: str) -> int:
    if value not in (1, 2, "1", "2") or isinstance(value, bool):
        raise ConfigError(f"{where} must be 1 or 2, not {value!r}")
    return int(str(value))


def _expand(value: str, source: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in os.environ:
            raise ConfigError(
                f"{source}: header value refers to ${{{name}}}, which is not set in the environment"
            )
        return os.environ[name]

    return _ENV_REF.sub(sub, value)
