"""The pytest plugin: the run's options, its state, the scenario verdicts, the outcome of each scenario and
the reports. It knows no protocol: the suites register themselves and answer for their own scenarios."""

from __future__ import annotations

import platform
from collections.abc import Generator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from pagoconf import __version__, resources
from pagoconf.engine.config import ConfigError, RunConfig, load
from pagoconf.engine.contracts import ContractError
from pagoconf.engine.coverage import feature_tags
from pagoconf.engine.evidence import evidence_files
from pagoconf.engine.exchange import Exchange
from pagoconf.engine.rules import DEFAULT_PROFILE, PROFILES, catalogue, operations, spec_url
from pagoconf.engine.run import RunState, ScenarioRecord
from pagoconf.engine.suite import MissingData, Suite, SuiteSession
from pagoconf.engine.verdict import (
    ConformanceFailure,
    HarnessError,
    Inconclusive,
    NotJudged,
    ScenarioVerdict,
)

PLUGIN = pytest.StashKey["Plugin"]()
VERDICT = pytest.StashKey[ScenarioVerdict]()
SEVERITY_ORDER = ("blocker", "critical", "normal", "minor")


@dataclass
class Plugin:
    """The plugin's state for one pytest session: the registered suites, and the run once opened."""

    suites: dict[str, Suite] = field(default_factory=dict)
    sessions: dict[str, SuiteSession] = field(default_factory=dict)
    run: RunState | None = None
    reports: Path | None = None
    allure: Path | None = None
    current_stories: set[str] = field(default_factory=set)
    in_scenario: bool = False  # Allure has a test to attach evidence to


def register(config: pytest.Config, suite: Suite) -> None:
    """A suite's plugin registers its suite here (from its pytest_configure)."""
    plugin_of(config).suites[suite.name] = suite


def plugin_of(config: pytest.Config) -> Plugin:
    """The plugin state of this pytest session."""
    if PLUGIN not in config.stash:
        config.stash[PLUGIN] = Plugin()
    return config.stash[PLUGIN]


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("pagoconf", "pagoconf conformance run")
    g.addoption("--pagoconf-config", metavar="FILE", help="pagoconf.toml describing the target")
    g.addoption(
        "--sanp", metavar="VERSION", help="SANP version of the contracts (default: config, else 3.8.0)"
    )
    g.addoption("--contracts", metavar="DIR", help="a contracts root holding sanp-<version>/ folders")
    g.addoption("--pagoconf-profile", choices=tuple(PROFILES), default=DEFAULT_PROFILE, help="rules judged")
    g.addoption("--pagoconf-reports", metavar="DIR", help="write conformance.json/.md/.html here")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rule(id): a catalogue rule the scenario exercises")
    config.addinivalue_line("markers", "needs(capability): the scenario runs only if the target declares it")
    for tag in feature_tags():
        config.addinivalue_line("markers", f"{tag}: feature tag (select with -m {tag})")
    _hypothesis_profiles(config)
    reports = config.getoption("pagoconf_reports", None)
    allure = getattr(config.option, "allure_report_dir", None)
    state = plugin_of(config)
    state.reports = Path(reports) if reports else None
    state.allure = Path(allure) if allure else None


def _hypothesis_profiles(config: pytest.Config) -> None:
    """Deterministic by default (seeded, small budget); `--hypothesis-profile deep` for certification runs."""
    from hypothesis import HealthCheck, settings

    slow = [HealthCheck.too_slow]
    settings.register_profile(
        "pagoconf-ci",
        derandomize=True,
        max_examples=50,
        deadline=None,
        suppress_health_check=slow,
        database=None,
    )
    settings.register_profile(
        "deep", max_examples=2000, deadline=None, suppress_health_check=slow, database=None
    )
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


# ------------------------------------------------------------------------------------------ scenarios


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


def tagged_rules(item: pytest.Item) -> tuple[str, ...]:
    """The rules a scenario exercises (its @rule tags, its Rule block's too); unknown ids are an error."""
    ids = [m.args[0] for m in item.iter_markers("rule")]
    unknown = [i for i in ids if i not in catalogue()]
    if unknown:
        raise pytest.UsageError(f"{item.nodeid}: unknown rule tag(s) {unknown}")
    return tuple(dict.fromkeys(ids))


def rule_block(item: pytest.Item) -> str | None:
    """The rule of the scenario's Gherkin `Rule:` block (its one @rule tag), if any."""
    sc = _template(item)
    block = getattr(sc, "rule", None)
    ids = [t[5:] for t in getattr(block, "tags", ()) if t.startswith("rule:")]
    return ids[0] if len(ids) == 1 else None


def scenario_name(item: pytest.Item) -> str:
    """'Feature › Scenario [example values]' for reports: distinct for each example of an outline."""
    sc = _template(item)
    name = f"{sc.feature.name} › {sc.name}"
    callspec = getattr(item, "callspec", None)
    params = callspec.params.get("_pytest_bdd_example") if callspec is not None else None
    if params:
        name += " [" + ", ".join(str(v) for v in params.values()) + "]"
    return name


def area_of(item: pytest.Item) -> str:
    """The feature folder of a scenario ('pa_for_node', 'gpd', …)."""
    filename = Path(_template(item).feature.filename).resolve()
    try:
        return filename.relative_to(resources.FEATURES.resolve()).parts[0]
    except ValueError:
        return filename.parent.name


def suite_of(config: pytest.Config, item: pytest.Item) -> str:
    """The suite owning a scenario's feature folder."""
    area = area_of(item)
    for name, suite in plugin_of(config).suites.items():
        if area in suite.areas:
            return name
    raise pytest.UsageError(f"{item.nodeid}: no suite owns the feature folder {area!r}")


def _open(config: pytest.Config, suites: list[str]) -> RunState:
    """Open the selected suites' sessions and the run's state."""
    state = plugin_of(config)
    opt = config.getoption
    run_config = _run_config(config)
    run_config = replace(run_config, sanp=opt("sanp") or run_config.sanp)
    sanp = run_config.sanp
    try:
        for name in suites:
            state.sessions[name] = state.suites[name].open(config, run_config)
    except (ConfigError, ContractError) as exc:
        _close_sessions(state)
        raise pytest.UsageError(str(exc)) from None
    caps = frozenset().union(*(s.capabilities for s in state.sessions.values()))
    target = {name: dict(s.describe()) for name, s in state.sessions.items()}
    run = RunState(sanp, opt("pagoconf_profile"), tuple(suites), caps, target)
    run.subjects = {name: s.subject for name, s in state.sessions.items()}
    if state.allure is not None:
        run.listeners.append(_attach_evidence(state))
    state.run = run
    return run


def _run_config(config: pytest.Config) -> RunConfig:
    keys = [k for s in plugin_of(config).suites.values() for k in s.config_keys]
    try:
        return load(config.getoption("pagoconf_config"), suite_keys=keys)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None


def run_of(config: pytest.Config) -> RunState:
    """The run, once its scenarios were collected."""
    run = plugin_of(config).run
    if run is None:
        raise pytest.UsageError("the pagoconf run is not open: no scenario was selected")
    return run


def pytest_collection_finish(session: pytest.Session) -> None:
    """After -k/-m selection: open the suites the selected scenarios need, note the rules they exercise,
    skip what the target's declared capabilities rule out, and check the target before anything runs."""
    config = session.config
    scenarios = [i for i in session.items if is_scenario(i)]
    if not scenarios:
        return
    by_suite = {item: suite_of(config, item) for item in scenarios}
    chosen = [name for name in plugin_of(config).suites if name in by_suite.values()]
    run = _open(config, chosen)
    sessions = plugin_of(config).sessions
    for item in scenarios:
        for rid in tagged_rules(item):
            run.ledger.select(rid)
        caps = sessions[by_suite[item]].capabilities
        missing = sorted({m.args[0] for m in item.iter_markers("needs")} - caps)
        if missing:
            item.add_marker(pytest.mark.skip(reason=f"the target does not declare {', '.join(missing)}"))
    for s in sessions.values():
        s.preflight(run)
    if run.aborted:
        for item in scenarios:
            item.add_marker(pytest.mark.skip(reason=f"not run: {run.aborted}"))


@pytest.fixture(scope="session")
def pagoconf_run(request: pytest.FixtureRequest) -> RunState:
    """The conformance run this scenario belongs to."""
    return run_of(request.config)


@pytest.fixture
def verdict(request: pytest.FixtureRequest, pagoconf_run: RunState) -> ScenarioVerdict:
    """This scenario's verdict, judging with its suite's always-on checks."""
    item = request.node
    session = plugin_of(request.config).sessions[suite_of(request.config, item)]
    v = ScenarioVerdict(
        pagoconf_run,
        scenario_name(item),
        tagged_rules(item),
        rule_block=rule_block(item),
        judge=session.judge,
        subject=session.subject,
    )
    item.stash[VERDICT] = v
    return v


def suite_session(request: pytest.FixtureRequest, name: str) -> SuiteSession:
    """A suite's session, for the suite's own fixtures."""
    return plugin_of(request.config).sessions[name]


def current_scenario(request: pytest.FixtureRequest) -> str:
    """The running scenario's report name."""
    return scenario_name(request.node)


# ------------------------------------------------------------------------------------------ Allure


def _allure() -> Any:
    import allure

    return allure


def _attach_evidence(state: Plugin) -> Any:
    from pagoconf.engine.reporting.allure_files import attachment_extension

    def attach(exchange: Exchange) -> None:
        if not state.in_scenario:  # the preflight: kept in the run's evidence, before any scenario
            return
        allure = _allure()
        op = operations().get(exchange.operation)
        story = op.group if op is not None else exchange.operation
        if story not in state.current_stories:
            if not state.current_stories:  # the tree groups a scenario under the first operation it calls
                allure.dynamic.suite(story)
            state.current_stories.add(story)
            allure.dynamic.story(story)
        for name, content, mime in evidence_files(exchange):
            allure.attach(content, name=name, attachment_type=mime, extension=attachment_extension(name))

    return attach


@pytest.hookimpl(trylast=True)
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    state = plugin_of(request.config)
    state.in_scenario = True
    if state.allure is None or state.run is None:
        return
    from pagoconf.engine.reporting.allure_files import install_result_shaper

    install_result_shaper()  # titlePath (Allure 3's tree) and the severity, settled as the result is written
    allure = _allure()
    item = request.node
    rules = tagged_rules(item)
    suite = suite_of(request.config, item)
    area = area_of(item)
    state.current_stories = set()
    allure.dynamic.title(scenario_name(item).split(" › ", 1)[1])
    title = plugin_of(request.config).suites[suite].areas.get(area, area)
    allure.dynamic.epic(title)
    allure.dynamic.feature(feature.name)
    allure.dynamic.parent_suite(title)
    allure.dynamic.sub_suite(feature.name)
    allure.dynamic.label("suite_name", suite)
    severities = [catalogue()[rid].severity for rid in rules]
    if severities:
        allure.dynamic.severity(allure.severity_level[min(severities, key=SEVERITY_ORDER.index).upper()])
    sanp = state.run.sanp
    for rid in rules:
        allure.dynamic.label("rule", rid)
        allure.dynamic.link(spec_url(catalogue()[rid], sanp), name=f"{rid} (SANP {sanp})")


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, **_: Any) -> None:
    plugin_of(request.config).in_scenario = False


def pytest_bdd_step_error(request: pytest.FixtureRequest, exception: BaseException, **_: Any) -> None:
    """A failed rule sets the severity shown: the failed rule's, not the scenario's highest (the result
    shaper keeps the last severity set)."""
    rid = getattr(exception, "rule_id", None)
    if rid and plugin_of(request.config).allure is not None:
        allure = _allure()
        allure.dynamic.severity(allure.severity_level[catalogue()[rid].severity.upper()])
        allure.dynamic.label("failed_rule", rid)


# ------------------------------------------------------------------------------------------ outcomes


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Missing test data: not run (with the reason). Nothing left to judge: not judged (with the reason).
    A scenario that passed without judging a rule it is tagged with: a harness defect."""
    try:
        result = yield
    except MissingData as exc:
        raise pytest.skip.Exception(f"not run: {exc}", _use_item_location=True) from None
    except NotJudged as exc:
        raise pytest.skip.Exception(str(exc), _use_item_location=True) from None
    missed = item.stash[VERDICT].unjudged() if VERDICT in item.stash else []
    if missed:
        raise HarnessError(
            f"the scenario passed without judging {', '.join(missed)}, which it is tagged with"
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    state = plugin_of(item.config)
    if is_scenario(item) and state.run is not None:
        _record_outcome(item, call, report, state.run)
    return report


def _record_outcome(
    item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport, run: RunState
) -> None:
    """What became of a scenario, and the rules it could not run or a harness error broke."""
    name = scenario_name(item)
    rules = tagged_rules(item)
    v = item.stash.get(VERDICT, None)
    exchanges = tuple(m.exchange.number for m in v.messages) if v is not None else ()
    if report.skipped and report.when in ("setup", "call"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        judged = reason.startswith("not judged:")
        if not judged:
            for rid in rules:
                run.ledger.not_run(rid, name, reason.removeprefix("not run: "))
        run.finished(
            ScenarioRecord(name, "not_judged" if judged else "skipped", rules, reason, exchanges, item.nodeid)
        )
    elif report.when == "call" or (report.when == "setup" and report.failed):
        exc = call.excinfo.value if call.excinfo else None
        if exc is None:
            run.finished(ScenarioRecord(name, "passed", rules, "", exchanges, item.nodeid))
        elif isinstance(exc, ConformanceFailure):
            run.finished(
                ScenarioRecord(name, "failed", rules, str(exc).splitlines()[0], exchanges, item.nodeid)
            )
        else:
            message = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, Inconclusive):
                for rid in rules:
                    run.ledger.broke(rid, name, f"harness error: {message}")
            run.finished(ScenarioRecord(name, "broken", rules, message, exchanges, item.nodeid))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the reports (after JUnit's own file, which they complete) and stop what the suites started."""
    state = plugin_of(session.config)
    run = state.run
    if run is None:
        return
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        run.abort("the run was interrupted (Ctrl-C) before every scenario ran")
    try:
        from pagoconf.engine.reporting.writers import RunOutputs, build_report, write_all

        extras: dict[str, Any] = {}
        for s in state.sessions.values():
            extras.update(s.extras(run))
        report = build_report(run, harness_version=__version__, extras=extras)
        session.config.stash[REPORT] = report
        junit = getattr(session.config.option, "xmlpath", None)
        environment = {
            "verdict": report.verdict,
            "profile": run.profile,
            "sanp": run.sanp,
            "harness": f"pagoconf {__version__}",
            "python": platform.python_version(),
        }
        for s in state.sessions.values():
            environment.update(s.environment())
        if state.reports is not None:
            write_all(
                report,
                run,
                RunOutputs(state.reports, Path(junit) if junit else None, state.allure),
                environment=environment,
            )
    finally:
        _close_sessions(state)


REPORT = pytest.StashKey[Any]()


def _close_sessions(state: Plugin) -> None:
    for s in state.sessions.values():
        s.close()
    state.sessions = {}


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    report = config.stash.get(REPORT, None)
    state = plugin_of(config)
    if report is None or state.run is None:
        return
    from pagoconf.engine.reporting.terminal import terminal_summary

    paths: dict[str, Path] = {}
    if state.reports is not None:
        for name in ("conformance.json", "conformance.md", "conformance.html"):
            paths[name] = state.reports / name
        junit = getattr(config.option, "xmlpath", None)
        if junit:
            paths["junit.xml"] = Path(junit)
        if state.allure is not None:
            paths["allure-results"] = state.allure
    terminalreporter.write_sep("=", "pagoconf conformance")
    terminalreporter.write_line(terminal_summary(report, state.run, paths))
