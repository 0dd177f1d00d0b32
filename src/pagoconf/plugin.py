"""The pytest plugin: options, the run's session (target, station, ledger), fixtures, hooks, reports."""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from . import __version__
from .config import ConfigError, TargetConfig, load
from .contracts import DEFAULT_SANP, ContractError, pa_for_node_schema
from .evidence import evidence_files
from .ledger import Ledger
from .ledger import verdict as overall_verdict
from .node import Node
from .notices import MissingData, NoticeBook
from .paths import FEATURES
from .reporting.report import RunReport
from .rules import catalogue
from .transport import Exchange, SoapClient, TransportSettings
from .verdict import ConformanceFailure, Inconclusive, Verdict

SESSION = pytest.StashKey["RunSession"]()
AREAS = {"pa_for_node": "paForNode (synchronous)", "gpd": "GPD (asynchronous)", "aca": "ACA"}
VERDICT = pytest.StashKey[Verdict]()
STEP_FAILED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("pagoconf", "pagoconf conformance run")
    g.addoption("--pagoconf-config", metavar="FILE", help="pagoconf.toml describing the station under test")
    g.addoption("--station", metavar="URL", help="the station's paForNode URL (overrides the config)")
    g.addoption("--sanp", metavar="VERSION", help=f"SANP version of the contracts (default {DEFAULT_SANP})")
    g.addoption("--primitive-version", type=int, choices=(1, 2), help="the station's primitive version")
    g.addoption("--contracts", metavar="DIR", help="a contracts root holding sanp-<version>/ folders")
    g.addoption(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="embedded reference station only: start it with this defect (repeatable)",
    )
    g.addoption(
        "--station-delay", type=float, default=None, help="embedded station: delay of slow defects (s)"
    )
    g.addoption("--node-timeout", type=float, default=None, help="the Node's deadline for every exchange (s)")
    g.addoption("--service-level", type=float, default=None, help="service-level time (s; default 2)")
    g.addoption(
        "--pagoconf-reports", metavar="DIR", help="write conformance.json/.md (and Allure extras) here"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rule(id): the catalogue rule a scenario exercises")
    config.addinivalue_line("markers", "needs(capability): the scenario runs only if the station declares it")
    from .rules.coverage import scenario_tags

    for tag in sorted({t for _, _, tags in scenario_tags() for t in tags if ":" not in t}):
        config.addinivalue_line("markers", f"{tag}: feature tag (select with -m {tag})")
    _hypothesis_profiles(config)


def _hypothesis_profiles(config: pytest.Config) -> None:
    """Deterministic by default (seeded, small budget); `--hypothesis-profile deep` for certification runs."""
    from hypothesis import HealthCheck, settings

    common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
    settings.register_profile("pagoconf-ci", derandomize=True, max_examples=50, database=None, **common)
    settings.register_profile("deep", max_examples=2000, **common)
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile("pagoconf-ci")


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    """@rule:ID and @needs:CAP become marks with arguments; other tags keep pytest-bdd's default."""
    for prefix, mark in (("rule:", pytest.mark.rule), ("needs:", pytest.mark.needs)):
        if tag.startswith(prefix):
            mark(tag[len(prefix) :])(function)
            return True
    return None


def tagged_rules(item: pytest.Item) -> list[str]:
    """Rule ids a scenario is tagged with (unknown ids are an error)."""
    ids = [m.args[0] for m in item.iter_markers("rule")]
    unknown = [i for i in ids if i not in catalogue()]
    if unknown:
        raise pytest.UsageError(f"{item.nodeid}: unknown rule tag(s) {unknown}")
    return list(dict.fromkeys(ids))


def _template(item: pytest.Item) -> Any:
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    obj = getattr(item, "obj", None)
    try:
        return scenario_wrapper_template_registry.get(obj) if obj is not None else None
    except TypeError:  # not weak-referenceable: not a scenario
        return None


def is_scenario(item: pytest.Item) -> bool:
    """A pytest-bdd scenario (as opposed to one of the harness's own tests)."""
    return _template(item) is not None


def scenario_name(item: pytest.Item) -> str:
    """'Feature › Scenario [example]' for reports."""
    sc = _template(item)
    name = f"{sc.feature.name} › {sc.name}"
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params:
        params = callspec.params.get("_pytest_bdd_example") or {}
        if params:
            name += " [" + ", ".join(f"{v}" for v in params.values()) + "]"
    return name


@dataclass
class RunSession:
    """What one conformance run shares across scenarios."""

    target: TargetConfig
    schema: Any
    client: SoapClient
    reports: Path | None
    allure: bool
    ledger: Ledger = field(default_factory=Ledger)
    exchanges: list[tuple[str, float, bool]] = field(default_factory=list)
    scenario_counts: dict[str, int] = field(
        default_factory=lambda: {"passed": 0, "failed": 0, "skipped": 0, "broken": 0}
    )
    started: float = field(default_factory=time.time)
    station: Any = None  # the embedded reference station, when no target was given
    stories: set[str] = field(default_factory=set)  # operations already labelled in the current scenario
    report: RunReport | None = None

    def record(self, exchange: Exchange) -> None:
        """Keep the timing and attach the evidence to the current Allure step."""
        answered = exchange.status != 0 and not exchange.error
        self.exchanges.append((exchange.operation, exchange.elapsed_ms, answered))
        if self.allure:
            import allure

            if exchange.operation not in self.stories:
                self.stories.add(exchange.operation)
                allure.dynamic.story(exchange.operation)
            for name, content, mime in evidence_files(exchange, len(self.exchanges)):
                allure.attach(content, name=name, attachment_type=mime, extension=name.rsplit(".", 1)[-1])


def _open_session(config: pytest.Config) -> RunSession:
    """Resolve the target (config, flags, or the embedded reference station) and the contracts."""
    opt = config.getoption
    cfg_path, url = opt("pagoconf_config"), opt("station")
    station = None
    if cfg_path:
        target = load(cfg_path)
    elif url:
        raise pytest.UsageError("--station needs --pagoconf-config (the station's identity and notices)")
    else:
        from .reference import ReferenceStation, write_config

        kw = (
            {"delay": opt("station_delay"), "sluggish_delay": opt("station_delay")}
            if opt("station_delay")
            else {}
        )
        station = ReferenceStation(
            defects=tuple(opt("defect")),
            sanp=opt("sanp") or DEFAULT_SANP,
            primitive_version=opt("primitive_version") or 2,
            **kw,
        ).start()
        reports = Path(opt("pagoconf_reports") or "reports")
        reports.mkdir(parents=True, exist_ok=True)
        target = load(
            write_config(
                reports / "reference-station.toml",
                station.url,
                primitive_version=opt("primitive_version") or 2,
                sanp=opt("sanp") or DEFAULT_SANP,
            )
        )
    if opt("defect") and cfg_path:
        raise pytest.UsageError("--defect applies to the embedded reference station only (no --config)")
    target = target.with_overrides(
        url=url,
        sanp=opt("sanp"),
        primitive_version=opt("primitive_version"),
        timeout=opt("node_timeout"),
        service_level_seconds=opt("service_level"),
    )
    if not target.station.url:
        raise pytest.UsageError(f"no station URL: set [station] url in {target.source} or pass --station")
    schema = pa_for_node_schema(target.sanp, opt("contracts"))
    s = target.station
    client = SoapClient(
        s.url,
        TransportSettings(
            verify_tls=s.verify_tls, client_cert=s.client_cert, headers=s.headers, timeouts=target.timeouts
        ),
    )
    reports_dir = opt("pagoconf_reports")
    return RunSession(
        target,
        schema,
        client,
        Path(reports_dir) if reports_dir else None,
        bool(getattr(config.option, "allure_report_dir", None)),
        station=station,
    )


def session_of(config: pytest.Config) -> RunSession:
    """The run's session, opened on first use."""
    if SESSION not in config.stash:
        try:
            config.stash[SESSION] = _open_session(config)
        except (ConfigError, ContractError) as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[SESSION]


def pytest_collection_finish(session: pytest.Session) -> None:
    """After -k/-m deselection: note which rules the selected scenarios exercise, skip what cannot run."""
    config = session.config
    scenarios = [i for i in session.items if is_scenario(i)]
    if not scenarios:
        return
    run = session_of(config)
    caps = run.target.capabilities
    for item in scenarios:
        rules = tagged_rules(item)
        name = scenario_name(item)
        for rid in rules:
            run.ledger.select(rid, name)
        missing = sorted({m.args[0] for m in item.iter_markers("needs")} - caps)
        if missing:
            reason = f"the station does not declare capability {', '.join(missing)}"
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(trylast=True)
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    run = session_of(request.config)
    rules = tagged_rules(request.node)
    if not run.allure:
        return
    import allure

    area = Path(feature.filename).resolve().relative_to(FEATURES).parts[0]
    allure.dynamic.epic(AREAS.get(area, area))
    allure.dynamic.feature(feature.name)
    run.stories = set()
    severities = [catalogue()[rid].severity for rid in rules]
    order = ("blocker", "critical", "normal", "minor")
    if severities:
        allure.dynamic.severity(allure.severity_level[min(severities, key=order.index).upper()])
    from .rules import spec_url

    for rid in rules:
        allure.dynamic.label("rule", rid)
        allure.dynamic.link(
            spec_url(catalogue()[rid], run.target.sanp), name=f"{rid} (SANP {run.target.sanp})"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):  # type: ignore[no-untyped-def]
    """A scenario whose test data is missing is not run (with the reason), never failed."""
    outcome = yield
    if isinstance(outcome.exception, MissingData):
        outcome.force_exception(
            pytest.skip.Exception(f"not run: {outcome.exception}", _use_item_location=True)
        )


def pytest_bdd_step_error(request: pytest.FixtureRequest, **_: Any) -> None:
    request.node.stash[STEP_FAILED] = True


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, **_: Any) -> None:
    v = request.node.stash.get(VERDICT, None)
    if v is not None and not request.node.stash.get(STEP_FAILED, False):
        v.finish()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if not is_scenario(item) or SESSION not in item.config.stash:
        return
    run = item.config.stash[SESSION]
    name = scenario_name(item)
    if report.skipped and report.when in ("setup", "call"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        for rid in tagged_rules(item):
            run.ledger.not_run(rid, name, reason)
        run.scenario_counts["skipped"] += 1
    elif report.when == "call":
        exc = call.excinfo.value if call.excinfo else None
        if exc is None:
            run.scenario_counts["passed"] += 1
        elif isinstance(exc, ConformanceFailure):
            run.scenario_counts["failed"] += 1
        else:
            run.scenario_counts["broken"] += 1
            if not isinstance(exc, Inconclusive):
                for rid in tagged_rules(item):
                    if catalogue()[rid].kind == "scenario":
                        run.ledger.broke(rid, name, f"harness error: {type(exc).__name__}: {exc}")


@pytest.fixture(scope="session")
def pagoconf_run(request: pytest.FixtureRequest) -> RunSession:
    """The conformance run this scenario belongs to."""
    return session_of(request.config)


@pytest.fixture(scope="session")
def target(pagoconf_run: RunSession) -> TargetConfig:
    """The station under test, as configured."""
    return pagoconf_run.target


@pytest.fixture(scope="session")
def notices(target: TargetConfig) -> NoticeBook:
    """The notices scenarios may talk about."""
    return NoticeBook(target)


@pytest.fixture
def verdict(request: pytest.FixtureRequest, pagoconf_run: RunSession) -> Verdict:
    """This scenario's verdict."""
    item = request.node
    v = Verdict(
        pagoconf_run.ledger,
        scenario_name(item),
        tagged_rules(item),
        sanp=pagoconf_run.target.sanp,
        capabilities=pagoconf_run.target.capabilities,
        schema=pagoconf_run.schema,
    )
    item.stash[VERDICT] = v
    return v


@pytest.fixture
def node(pagoconf_run: RunSession, verdict: Verdict) -> Node:
    """The Node, speaking for the configured institution."""
    return Node(pagoconf_run.target, pagoconf_run.client, verdict, pagoconf_run.record)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    run = session.config.stash.get(SESSION, None)
    if run is None:
        return
    results = tuple(run.ledger.results(run.target.capabilities))
    run.report = RunReport(
        verdict=overall_verdict(results),
        sanp=run.target.sanp,
        target=run.target.describe()
        | (
            {"embedded_reference_station": True, "defects": list(session.config.getoption("defect"))}
            if run.station
            else {}
        ),
        started=datetime.fromtimestamp(run.started, UTC).isoformat(timespec="seconds"),
        duration_s=time.time() - run.started,
        results=results,
        harness_version=__version__,
        service_level=_service_level(run),
        exchanges=len(run.exchanges),
        scenarios=run.scenario_counts,
    )
    if run.reports:
        _write_reports(session.config, run)
    run.client.close()
    if run.station is not None:
        run.station.stop()


def _service_level(run: RunSession) -> dict[str, Any] | None:
    answered = [ms for _, ms, ok in run.exchanges if ok]
    if not answered:
        return None
    sl = run.target.service_level
    within = sum(1 for ms in answered if ms <= sl.seconds * 1000)
    return {
        "seconds": sl.seconds,
        "target_share": sl.share,
        "answers": len(answered),
        "within": within,
        "share": round(within / len(answered), 4),
        "max_ms": round(max(answered), 1),
    }


def _write_reports(config: pytest.Config, run: RunSession) -> None:
    from .reporting.allure_files import write_categories, write_environment
    from .reporting.conformance import write_json, write_markdown

    assert run.report is not None and run.reports is not None
    write_json(run.report, run.reports / "conformance.json")
    write_markdown(run.report, run.reports / "conformance.md")
    allure_dir = getattr(config.option, "allure_report_dir", None)
    if allure_dir:
        t = run.target
        write_environment(
            Path(allure_dir),
            {
                "target": t.station.url or "",
                "sanp": t.sanp,
                "primitive_version": str(t.station.primitive_version),
                "harness": f"pagoconf {__version__}",
                "id_pa": t.station.identity.id_pa,
                "id_broker_pa": t.station.identity.id_broker_pa,
                "id_station": t.station.identity.id_station,
                "capabilities": ", ".join(sorted(t.capabilities)),
                "python": platform.python_version(),
            },
        )
        write_categories(Path(allure_dir))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(SESSION, None)
    if run is None or run.report is None:
        return
    from .reporting.conformance import terminal_summary

    paths: dict[str, Path] = {}
    if run.reports:
        paths = {
            "conformance.json": run.reports / "conformance.json",
            "conformance.md": run.reports / "conformance.md",
        }
        junit = getattr(config.option, "xmlpath", None)
        if junit:
            paths["junit.xml"] = Path(junit)
        allure_dir = getattr(config.option, "allure_report_dir", None)
        if allure_dir:
            paths["allure-results"] = Path(allure_dir)
    terminalreporter.write_sep("=", "pagoconf conformance")
    terminalreporter.write_line(terminal_summary(run.report, paths))
