"""The synchronous suite's pytest plugin: its options, its session (the station reached, or the embedded
reference station started), its fixtures for the steps (target, notices, the Node)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pagoconf.engine import plugin as engine
from pagoconf.engine.config import ConfigError, RunConfig
from pagoconf.engine.exchange import Exchange
from pagoconf.engine.run import RunState
from pagoconf.engine.transport import TransportSettings
from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.sync import AREAS, CONFIG_KEYS, NAME
from pagoconf.sync.answer import Answer, subject
from pagoconf.sync.checks import judge
from pagoconf.sync.client import SoapClient
from pagoconf.sync.config import TargetConfig, parse
from pagoconf.sync.node import Node, NodeState
from pagoconf.sync.notices import NoticeBook
from pagoconf.sync.requests.primitives import verify_request
from pagoconf.sync.schema import pa_for_node_schema
from pagoconf.sync.soap import OPERATIONS, PAFN, SOAP_ENV, local


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("pagoconf-sync", "pagoconf synchronous suite (the station)")
    g.addoption("--station", metavar="URL", help="the station's paForNode URL (overrides the config)")
    g.addoption("--primitive-version", type=int, choices=(1, 2), help="the station's primitive version")
    g.addoption("--defect", action="append", default=[], metavar="NAME", help="embedded station: a defect")
    g.addoption(
        "--station-delay", type=float, default=None, help="embedded station: delay of slow defects (s)"
    )
    g.addoption("--node-timeout", type=float, default=None, help="the Node's deadline for every exchange (s)")
    g.addoption("--service-level", type=float, default=None, help="service-level time (s; default 2)")


class FreshNoticeHooks:
    """The hook through which a run asks the institution's system for a fresh notice to pay (the platform
    suite answers it when a partner adapter is configured); the sync suite knows no adapter."""

    @pytest.hookspec(firstresult=True)
    def pytest_pagoconf_fresh_notice(self, config: pytest.Config, kind: str, fiscal_code: str) -> str | None:
        """The number of a notice of `kind` the institution `fiscal_code` has just issued (None: nobody to
        ask, [notices.to_pay] is read instead); MissingData when there is none of that kind."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(FreshNoticeHooks)


class SyncSuite:
    """pagoconf plays the Node against a station."""

    name: str = NAME
    areas: Mapping[str, str] = AREAS
    config_keys: tuple[str, ...] = CONFIG_KEYS

    def open(self, config: pytest.Config, run_config: RunConfig) -> SyncSession:
        opt = config.getoption
        station = None
        if run_config.raw.get("station") is not None:
            if opt("defect"):
                raise ConfigError(
                    "--defect applies to the embedded reference station only (no [station] in --config)"
                )
            target = parse(run_config)
        elif opt("station"):
            raise ConfigError(
                "--station needs --config: a pagoconf.toml with the station's identity and notices"
            )
        else:
            target, station = _embedded(config, run_config)
        try:
            target = target.with_overrides(
                url=opt("station"),
                primitive_version=opt("primitive_version"),
                timeout=opt("node_timeout"),
                service_level_seconds=opt("service_level"),
            )
            if not target.station.url:
                raise ConfigError(f"no station URL: set [station] url in {target.source} or pass --station")
            schema = pa_for_node_schema(target.sanp, opt("contracts"))
        except BaseException:
            if station is not None:
                station.stop()
            raise
        session = SyncSession(target, schema, station, tuple(opt("defect")))
        fiscal_code = target.station.identity.id_pa
        session.notices = NoticeBook(
            target,
            fresh=lambda kind: config.hook.pytest_pagoconf_fresh_notice(
                config=config, kind=kind, fiscal_code=fiscal_code
            ),
        )
        return session


def _embedded(config: pytest.Config, run_config: RunConfig) -> tuple[TargetConfig, Any]:
    """Start the reference station (with the chosen defects) and describe it as a station's config."""
    from pagoconf.engine.config import load
    from pagoconf.sync.reference import ReferenceStation, render_config

    opt = config.getoption
    version = opt("primitive_version") or 2
    delay = opt("station_delay")
    station = ReferenceStation(
        defects=tuple(opt("defect")),
        sanp=run_config.sanp,
        primitive_version=version,
        **({"delay": delay, "sluggish_delay": delay} if delay else {}),
    ).start()
    try:
        reports = Path(opt("pagoconf_reports") or "reports")
        reports.mkdir(parents=True, exist_ok=True)
        path = reports / "reference-station.toml"
        path.write_text(
            render_config(station.url, primitive_version=version, sanp=run_config.sanp), encoding="utf-8"
        )
        from pagoconf.suites import config_keys

        return parse(load(path, suite_keys=config_keys())), station
    except BaseException:
        station.stop()
        raise


class SyncSession:
    """The station during one run."""

    def __init__(self, target: TargetConfig, schema: Any, station: Any, defects: tuple[str, ...]) -> None:
        self.target = target
        self.schema = schema
        self.station = station  # the embedded reference station, when no target was given
        self.defects = defects
        s = target.station
        assert s.url is not None
        settings = TransportSettings(verify_tls=s.verify_tls, client_cert=s.client_cert, headers=s.headers)
        self.client = SoapClient(s.url, settings, timeouts=target.timeouts)
        self.notices = NoticeBook(target)
        self.node_state = NodeState()
        self.capabilities = target.capabilities

    def describe(self) -> Mapping[str, Any]:
        out = self.target.describe()
        if self.station is not None:
            out |= {"embedded_reference_station": True, "defects": list(self.defects)}
        return out

    def environment(self) -> Mapping[str, str]:
        t = self.target
        return {
            "target": t.station.url or "",
            "primitive_version": str(t.station.primitive_version),
            "id_pa": t.station.identity.id_pa,
            "id_broker_pa": t.station.identity.id_broker_pa,
            "id_station": t.station.identity.id_station,
            "capabilities": ", ".join(sorted(t.capabilities)),
        }

    def judge(self, message: Any) -> list[Any]:
        return judge(message, capabilities=self.capabilities)

    def subject(self, exchange: Exchange) -> str:
        return subject(exchange)

    def preflight(self, run: RunState) -> None:
        """One description of a never-issued notice: a station answers it with a SOAP envelope. A URL that
        answers something else (404, an HTML page) is not a paForNode endpoint: the run ends INCONCLUSIVE."""
        notice = self.notices.never_issued()
        body = verify_request(self.target.station.identity, notice.fiscal_code, notice.number)
        exchange = run.record(
            self.client.call("paVerifyPaymentNotice", body), "preflight: is this a station?"
        )
        url = self.target.station.url
        if exchange.unreachable:
            run.abort(f"the station at {url} cannot be reached: {exchange.error}")
            return
        if exchange.timed_out or _is_soap(Answer.of(exchange, self.schema)):
            return
        if exchange.status == 0:
            run.abort(f"the URL {url} does not answer HTTP ({exchange.error}): are the host and port right?")
            return
        what = f"HTTP {exchange.status}" + (f" ({exchange.content_type})" if exchange.content_type else "")
        run.abort(
            f"the URL {url} answers a paForNode request with {what}, not a SOAP envelope: is the path right?"
        )

    def extras(self, run: RunState) -> Mapping[str, Any]:
        sl = self.target.service_level
        answered = [e.elapsed_ms for e in run.exchanges if e.operation in OPERATIONS and e.answered]
        if not answered:
            return {"service_level": None}
        within = sum(1 for ms in answered if ms <= sl.seconds * 1000)
        return {
            "service_level": {
                "seconds": sl.seconds,
                "target_share": sl.share,
                "answers": len(answered),
                "within": within,
                "share": round(within / len(answered), 4),
                "max_ms": round(max(answered), 1),
            }
        }

    def close(self) -> None:
        self.client.close()
        if self.station is not None:
            self.station.stop()
            self.station = None


def _is_soap(answer: Answer) -> bool:
    """A SOAP 1.1 envelope whose Body holds a paForNode element or a SOAP Fault: a station's answer."""
    if answer.body is None:
        return False
    return any(
        c.tag == f"{{{SOAP_ENV}}}Fault" or (local(c).startswith("pa") or PAFN in c.tag) for c in answer.body
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    engine.register(config, SyncSuite())


def _session(request: pytest.FixtureRequest) -> SyncSession:
    session = engine.suite_session(request, NAME)
    assert isinstance(session, SyncSession)
    return session


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> TargetConfig:
    """The station under test, as configured."""
    return _session(request).target


@pytest.fixture(scope="session")
def notices(request: pytest.FixtureRequest) -> NoticeBook:
    """The notices scenarios may talk about."""
    return _session(request).notices


@pytest.fixture(scope="session")
def pa_for_node_schema_of_run(request: pytest.FixtureRequest) -> Any:
    """paForNode.xsd of the run's SANP version."""
    return _session(request).schema


@pytest.fixture
def node(request: pytest.FixtureRequest, verdict: ScenarioVerdict) -> Node:
    """The Node, speaking for the configured institution."""
    s = _session(request)
    return Node(s.target, s.client, verdict, s.schema, s.node_state)
