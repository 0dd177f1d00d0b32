"""The platform suite's pytest plugin (pagoconf plays GPD, ACA and Checkout): its options, its suite, which
scenarios a run drives (or, judging a recorded journal, which it cannot), its fixtures for the steps, and the
synchronous suite's fresh notices asked of the partner adapter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from pagoconf.engine import plugin as engine
from pagoconf.engine.config import RunConfig
from pagoconf.engine.suite import SuiteSession
from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.platform import AREAS, CONFIG_KEYS, NAME
from pagoconf.platform.issuing import PositionBook

DRIVEN = pytest.StashKey[list[tuple[str, tuple[str, ...]]]]()
JOURNAL_TAG = "journal"


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("pagoconf-async", "pagoconf asynchronous suite (the GPD, ACA and Checkout client)")
    g.addoption(
        "--client-defect", action="append", default=[], metavar="NAME", help="embedded client: a defect"
    )
    g.addoption("--journal", metavar="FILE", help="judge a recorded sandbox journal instead of driving")


class PlatformSuite:
    """pagoconf plays the platform for the EC's GPD, ACA and Checkout client."""

    name: str = NAME
    areas: Mapping[str, str] = AREAS
    config_keys: tuple[str, ...] = CONFIG_KEYS

    def open(self, config: pytest.Config, run_config: RunConfig) -> SuiteSession:
        if config.getoption("journal"):
            from pagoconf.platform.journal_mode import JournalSession

            return JournalSession(config, run_config)
        from pagoconf.platform.session import PlatformSession

        return PlatformSession(config, run_config)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    engine.register(config, PlatformSuite())


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Driving the partner runs every scenario but the journal's; judging a journal runs only the journal's,
    and the others' rules are reported not run (they need pagoconf to drive the partner's system)."""
    journal = bool(config.getoption("journal"))
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        ours = engine.is_scenario(item) and engine.area_of(item) in AREAS
        recorded = item.get_closest_marker(JOURNAL_TAG) is not None
        (drop if ours and recorded != journal else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    if journal:
        config.stash[DRIVEN] = [(engine.scenario_name(i), engine.tagged_rules(i)) for i in drop]


def driven_scenarios(config: pytest.Config) -> list[tuple[str, tuple[str, ...]]]:
    """The scenarios a journal run left out, with their rules."""
    return config.stash.get(DRIVEN, [])


def _session(request: pytest.FixtureRequest) -> Any:
    return engine.suite_session(request, NAME)


@pytest.fixture
def partner(request: pytest.FixtureRequest, verdict: ScenarioVerdict) -> Iterator[Any]:
    """The partner's system, asked through the adapter (faults the scenario queued are forgotten after it)."""
    from pagoconf.platform.partner import Partner

    p = Partner(_session(request), verdict, request.config)
    yield p
    p.clear_faults()


@pytest.fixture
def issuer(request: pytest.FixtureRequest) -> PositionBook:
    """What the institution issues: debt positions of every shape, ACA registrations."""
    book: PositionBook = _session(request).book
    return book


@pytest.fixture
def recorded(request: pytest.FixtureRequest) -> Any:
    """The recorded sandbox session a journal run judges."""
    return _session(request)


# --- the synchronous suite's fresh notices -------------------------------------------------------------

FRESH = pytest.StashKey[Any]()


@pytest.hookimpl
def pytest_pagoconf_fresh_notice(config: pytest.Config, kind: str, fiscal_code: str) -> str | None:
    """With an `[adapter]`, a fresh notice of `kind` from the partner's system (freshNotice), so that a
    certification can be repeated against a live station; without one, None (`[notices.to_pay]` is read)."""
    from pagoconf.engine.suite import MissingData
    from pagoconf.platform.adapter.protocol import request

    adapter = _fresh_adapter(config)
    if adapter is None:
        return None
    asked = request("freshNotice", f"fresh-{kind}", {"organization": fiscal_code}, kind=kind)
    answer = adapter.ask(asked)  # AdapterBroken: the scenario is broken (a harness/adapter problem)
    if not answer.ok:
        raise MissingData(f"the partner adapter has no fresh {kind} notice: {answer.error}")
    return str(answer.result["noticeNumber"])


def _fresh_adapter(config: pytest.Config) -> Any:
    """The configured adapter (built once per run), or None without an `[adapter]`."""
    if FRESH not in config.stash:
        from pagoconf import suites
        from pagoconf.engine.config import load
        from pagoconf.platform.adapter import CommandAdapter, HttpAdapter
        from pagoconf.platform.adapter.config import read_adapter

        configured = read_adapter(load(config.getoption("pagoconf_config"), suite_keys=suites.config_keys()))
        adapter: Any = None
        if configured is not None and configured.url is not None:
            adapter = HttpAdapter(configured.url, timeout=configured.timeout)
        elif configured is not None and configured.command is not None:
            adapter = CommandAdapter(configured.command, timeout=configured.timeout)
        config.stash[FRESH] = adapter
    return config.stash[FRESH]


def pytest_unconfigure(config: pytest.Config) -> None:
    adapter = config.stash.get(FRESH, None)
    if adapter is not None:
        adapter.close()
