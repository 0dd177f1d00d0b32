"""The `[adapter]` and `[client]` tables of pagoconf.toml: how pagoconf reaches the partner's system, and who
that system speaks for on the platform."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pagoconf.engine.config import ConfigError, RunConfig, Table

CLIENT_CAPABILITIES = ("bulk", "aca", "checkout")
DEFAULT_TIMEOUT = 30.0
FISCAL_CODE = re.compile(r"[0-9]{11}")
SEGREGATION_CODE = re.compile(r"[0-9]{2}")


@dataclass(frozen=True, slots=True)
class AdapterConfig:
    """`[adapter]`: a command or an HTTP endpoint (exactly one), and the deadline of one request."""

    command: str | tuple[str, ...] | None = None
    url: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def describe(self) -> str:
        """The transport as the reports show it."""
        if self.url is not None:
            return f"http: {self.url}"
        command = self.command if isinstance(self.command, str) else " ".join(self.command or ())
        return f"command: {command}"


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    """`[client]`: the creditor institution the partner's system speaks for, its intermediary's code (bulk
    upload paths), the segregation code of its IUVs, and what it does beyond GPD positions and receipts."""

    organization: str = "77777777777"
    broker: str = "88888888888"
    segregation_code: str = "01"
    capabilities: frozenset[str] = frozenset(CLIENT_CAPABILITIES)


def read_adapter(run: RunConfig) -> AdapterConfig | None:
    """The `[adapter]` table, or None when the file has none (the reference client is used)."""
    if "adapter" not in run.raw:
        return None
    table = run.table("adapter")
    command = _command(table)
    url = table.text("url")
    timeout = table.number("timeout", DEFAULT_TIMEOUT)
    table.done()
    if (command is None) == (url is None):
        raise ConfigError(f"{run.source}: [adapter]: give exactly one of command or url")
    if url is not None and not re.match(r"https?://[^/\s]+", url):
        raise table.error("url", f"{url!r} is not an http(s) URL")
    return AdapterConfig(command, url, timeout)


def _command(table: Table) -> str | tuple[str, ...] | None:
    value = table.get("command", (str, list))
    if value is None:
        return None
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) for v in value):
            raise table.error("command", "must be a string or a non-empty list of strings")
        return tuple(value)
    if not value.strip():
        raise table.error("command", "must not be blank")
    return str(value)


def read_client(run: RunConfig, *, reference: bool) -> ClientIdentity:
    """The `[client]` table (the reference client declares every capability)."""
    default = ClientIdentity()
    if "client" not in run.raw:
        return default if reference else ClientIdentity(capabilities=frozenset())
    table = run.table("client")
    organization = table.text("organization", default.organization) or default.organization
    if not FISCAL_CODE.fullmatch(organization):
        raise table.error("organization", f"{organization!r} is not an 11-digit fiscal code")
    broker = table.text("broker", default.broker) or default.broker
    code = table.text("segregation_code", default.segregation_code) or default.segregation_code
    if not SEGREGATION_CODE.fullmatch(code):
        raise table.error("segregation_code", f"{code!r} is not a two-digit segregation code")
    caps = table.strings("capabilities", CLIENT_CAPABILITIES if reference else ())
    unknown = sorted(set(caps) - set(CLIENT_CAPABILITIES))
    if unknown:
        raise table.error("capabilities", f"unknown {unknown[0]!r}; known: {', '.join(CLIENT_CAPABILITIES)}")
    table.done()
    return ClientIdentity(organization, broker, code, frozenset(caps))
