"""The platform suite during one run: the embedded sandbox the partner's system talks to, the adapter pagoconf
asks it through (the reference client's command unless `[adapter]` is configured), and the journal read as
the run goes: each request the partner sent is the run's evidence, then judged by the sandbox's rules."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import sys
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pagoconf import resources
from pagoconf.engine.checks import Judgement
from pagoconf.engine.config import ConfigError, RunConfig
from pagoconf.engine.exchange import Exchange
from pagoconf.engine.run import RunState
from pagoconf.engine.server import AsgiServer, ServerError
from pagoconf.engine.transport import HttpClient
from pagoconf.platform.adapter import Adapter, CommandAdapter, HttpAdapter
from pagoconf.platform.adapter.config import AdapterConfig, ClientIdentity, read_adapter, read_client
from pagoconf.platform.calls import Call, subject
from pagoconf.platform.client.defects import defect_names
from pagoconf.platform.issuing import Numbering, PositionBook
from pagoconf.platform.judging import judgements
from pagoconf.platform.sandbox.journal import JournalEntry
from pagoconf.platform.sandbox.server import RUN_KEYS, Sandbox

JOURNAL_PAGE = 1000
REFERENCE_TIMEOUT = 60.0
PLATFORM_APIS = ("gpd", "gpd_payments", "gpd_massive", "aca", "checkout")


def sandbox_address(run_config: RunConfig) -> tuple[str, int, bool]:
    """Where the run's sandbox listens (`[sandbox] host`, `port`), and whether `[sandbox]` says more (keys,
    strictness, a station) for the sandbox itself to read."""
    if "sandbox" not in run_config.raw:
        return "127.0.0.1", 0, False
    table = run_config.table("sandbox")
    host = table.text("host", "127.0.0.1") or "127.0.0.1"
    port = int(table.get("port", int, 0))
    if not 0 <= port <= 65535:
        raise table.error("port", f"{port} is not between 0 and 65535")
    return host, port, bool(set(table.raw) - set(RUN_KEYS))


class PlatformSession:
    """The sandbox, the adapter and the partner's identity for one run."""

    def __init__(self, config: pytest.Config, run_config: RunConfig) -> None:
        opt = config.getoption
        self.config = config
        self.sanp = run_config.sanp
        self.contracts: str | None = opt("contracts")
        self.adapter_config: AdapterConfig | None = read_adapter(run_config)
        self.defects = tuple(opt("client_defect") or ())
        if self.adapter_config is not None and self.defects:
            raise ConfigError(
                "--client-defect applies to the embedded reference client only (no [adapter] in --config)"
            )
        try:
            defect_names(self.defects)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        self.identity: ClientIdentity = read_client(run_config, reference=self.adapter_config is None)
        self.capabilities = self.identity.capabilities
        host, port, more = sandbox_address(run_config)
        self.key = secrets.token_hex(16)
        self.sandbox = Sandbox(
            host,
            port,
            sanp=self.sanp,
            keys=[self.key],
            config=run_config.source if more else None,
            contracts=self.contracts,
        )
        self._folder = Path(tempfile.mkdtemp(prefix="pagoconf-client-"))
        self.front_end: AsgiServer | None = None
        try:
            self.sandbox.start()
            self.adapter: Adapter = self._adapter()
        except BaseException:
            self.close()
            raise
        self.cursor = self.sandbox.store.journal_count()
        self.http = HttpClient()
        self.numbering = Numbering(self.identity.segregation_code)
        self.book = PositionBook(
            self.sandbox.service.contract, self.identity, self.numbering, self.sandbox.service.clock.now
        )
        self.adapter_calls = 0
        self.adapter_ms = 0.0

    def _adapter(self) -> Adapter:
        """The configured adapter, or the reference client's command (with its front end started)."""
        configured = self.adapter_config
        if configured is not None and configured.url is not None:
            return HttpAdapter(configured.url, timeout=configured.timeout)
        if configured is not None and configured.command is not None:
            return CommandAdapter(configured.command, timeout=configured.timeout)
        from pagoconf.platform.client.frontend import front_end

        try:
            self.front_end = AsgiServer(front_end).start()
        except ServerError as exc:
            raise ConfigError(str(exc)) from None
        # -S: the command needs only the standard library and pagoconf, which PYTHONPATH points at
        argv = [sys.executable, "-S", "-m", "pagoconf.platform.client"]
        argv += ["--state", str(self._folder / "state.json")]
        argv += ["--front-end", f"http://127.0.0.1:{self.front_end.port}"]
        for name in self.defects:
            argv += ["--defect", name]
        return CommandAdapter(
            argv, timeout=REFERENCE_TIMEOUT, env={"PYTHONPATH": str(resources.PACKAGE.parent)}
        )

    # --- what the steps use -------------------------------------------------------------------------------

    @property
    def reference(self) -> bool:
        """The partner's system is pagoconf's own reference client."""
        return self.adapter_config is None

    @property
    def platform(self) -> dict[str, Any]:
        """The protocol's `platform`: the sandbox's API base URLs, the key, the institution."""
        urls = self.sandbox.base_urls
        out: dict[str, Any] = {api: urls[api] for api in PLATFORM_APIS if api in urls}
        out.update(
            key=self.key,
            organization=self.identity.organization,
            broker=self.identity.broker,
            segregationCode=self.identity.segregation_code,
        )
        return out

    def request_id(self) -> str:
        """A new adapter request id."""
        self.adapter_calls += 1
        return f"{self.adapter_calls}-{uuid.uuid4().hex[:12]}"

    def new_entries(self) -> list[JournalEntry]:
        """The journal entries since the last read, oldest first."""
        found: list[JournalEntry] = []
        while True:
            page = self.sandbox.store.journal(after=self.cursor, limit=JOURNAL_PAGE)
            found += page
            if page:
                self.cursor = page[-1].seq
            if len(page) < JOURNAL_PAGE:
                return found

    # --- SuiteSession ---------------------------------------------------------------------------------------

    def describe(self) -> Mapping[str, Any]:
        out: dict[str, Any] = {
            "sandbox": self.sandbox.url,
            "adapter": self.adapter.describe() if hasattr(self, "adapter") else "",
            "organization": self.identity.organization,
            "broker": self.identity.broker,
            "segregation_code": self.identity.segregation_code,
            "capabilities": sorted(self.capabilities),
        }
        if self.reference:
            out |= {"embedded_reference_client": True, "client_defects": list(self.defects)}
        return out

    def environment(self) -> Mapping[str, str]:
        return {
            "sandbox": self.sandbox.url,
            "adapter": self.adapter.describe(),
            "client_organization": self.identity.organization,
            "client_capabilities": ", ".join(sorted(self.capabilities)),
        }

    def judge(self, message: Any) -> list[Judgement]:
        if not isinstance(message, Call):
            return []
        return judgements(message, sanp=self.sanp, contracts=self.contracts, again=False)

    def subject(self, exchange: Exchange) -> str:
        return subject(exchange)

    def preflight(self, run: RunState) -> None:
        """Nothing to probe: the sandbox is pagoconf's own, and an adapter is only known by its answers."""

    def extras(self, run: RunState) -> Mapping[str, Any]:
        return {
            "adapter": {
                "transport": self.adapter.describe(),
                "requests": self.adapter_calls,
                "elapsed_s": round(self.adapter_ms / 1000, 3),
            }
        }

    def close(self) -> None:
        for stop in (
            lambda: self.adapter.close(),
            lambda: self.http.close(),
            lambda: self.front_end.stop() if self.front_end is not None else None,
            self.sandbox.stop,
        ):
            with contextlib.suppress(Exception):
                stop()
        shutil.rmtree(self._folder, ignore_errors=True)
