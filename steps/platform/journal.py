"""Steps about a recorded sandbox session: every request it holds, judged offline."""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, then, when

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.platform.calls import Call
from pagoconf.platform.journal_mode import judge_sequences


@given("the sandbox journal the partner recorded", target_fixture="journal")
def _(recorded: Any) -> Any:
    return recorded


@when(
    "pagoconf judges every request it holds by the contract and the platform's rules", target_fixture="calls"
)
def _(journal: Any, verdict: ScenarioVerdict) -> list[Call]:
    calls: list[Call] = journal.record_all(verdict)
    if not calls:
        raise verdict.stop(f"{journal.path} holds no request of a partner's system")
    return calls


@then("the sequences it holds keep the client rules")
def _(verdict: ScenarioVerdict, calls: list[Call]) -> None:
    judge_sequences(verdict, calls)
