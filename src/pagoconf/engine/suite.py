"""What the engine asks of a suite: its features, its options and config tables, and, for a run, a session
that reaches its target and knows how to judge its messages. The suites implement this; the engine calls
it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pytest

from pagoconf.engine.checks import Judgement
from pagoconf.engine.config import RunConfig
from pagoconf.engine.exchange import Exchange
from pagoconf.engine.run import RunState


class MissingData(LookupError):
    """The configuration lacks the test data a scenario needs: the scenario is not run, with this reason."""


class SuiteSession(Protocol):
    """A suite during one run: its target reached (or started), its capabilities declared."""

    capabilities: frozenset[str]

    def describe(self) -> Mapping[str, Any]:
        """The target as conformance.json shows it (no secrets)."""

    def environment(self) -> Mapping[str, str]:
        """Entries for Allure's environment widget."""

    def judge(self, message: Any) -> list[Judgement]:
        """Every always-on rule of the message's operation, on the message."""

    def subject(self, exchange: Exchange) -> str:
        """What an exchange is about, for failure messages ("notice 301100000000000148")."""

    def preflight(self, run: RunState) -> None:
        """Before the scenarios: make sure the target is what the run thinks it is (else run.abort)."""

    def extras(self, run: RunState) -> Mapping[str, Any]:
        """What the suite adds to conformance.json (e.g. the service level)."""

    def close(self) -> None:
        """Stop what the session started; release connections."""


class Suite(Protocol):
    """A suite: `sync` (pagoconf plays the Node) or `async` (pagoconf plays GPD, ACA and Checkout)."""

    name: str
    areas: Mapping[str, str]  # its feature folders and their titles, e.g. {"pa_for_node": "paForNode (…)"}
    config_keys: tuple[str, ...]  # the top-level keys and tables of pagoconf.toml it reads

    def open(self, config: pytest.Config, run_config: RunConfig) -> SuiteSession:
        """Resolve the target from the file and the options (starting the embedded one when none is
        given); a ConfigError or ContractError is the operator's to fix (exit 2)."""
