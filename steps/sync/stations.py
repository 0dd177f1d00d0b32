"""Steps about the station: what the Node asks of it and what it must answer."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks import expectations as expect
from pagoconf.sync.config import TargetConfig
from pagoconf.sync.node import Node
from pagoconf.sync.notices import Notice


@given("the Node speaks for an institution the station does not serve")
def _(node: Node) -> None:
    node.speak_for_another_institution()


@given("the Node comes through another intermediary")
def _(node: Node) -> None:
    node.come_through_another_intermediary()


@given("the Node addresses another station")
def _(node: Node) -> None:
    node.call_another_station()


@when("the Node describes the notice", target_fixture="description")
@when("the Node describes the notice afterwards", target_fixture="afterwards")
def _(node: Node, notice: Notice) -> Answer:
    return node.describe(notice)


@when("the Node activates the notice", target_fixture="activation")
@when("the Node activates the notice afterwards", target_fixture="afterwards")
def _(node: Node, notice: Notice) -> Answer:
    return node.activate(notice)


@when("the Node describes the notice twice", target_fixture="answers")
def _(node: Node, notice: Notice) -> tuple[Answer, Answer]:
    return node.describe(notice), node.describe(notice)


@when("the Node activates the notice twice", target_fixture="answers")
def _(node: Node, notice: Notice) -> tuple[Answer, Answer]:
    return node.activate(notice), node.activate(notice)


@when("the Node describes and activates the notice again and again", target_fixture="answers")
def _(node: Node, notice: Notice, target: TargetConfig) -> list[Answer]:
    rounds = max(1, target.service_level.samples // 2)
    return [a for _ in range(rounds) for a in (node.describe(notice), node.activate(notice))]


@then("the station describes it as payable")
def _(verdict: ScenarioVerdict, description: Answer) -> None:
    verdict.expect("VERIFY-001", expect.answers_ok, description)


@then("the station hands over its payment data")
def _(verdict: ScenarioVerdict, activation: Answer) -> None:
    verdict.expect("ACTIVATE-001", expect.answers_ok, activation)


@then(parsers.parse('the station refuses it with fault "{code}"'))
def _(verdict: ScenarioVerdict, code: str) -> None:
    verdict.expect(verdict.rule, expect.answers_fault, verdict.last(), code=code)


@then("the activation asks for the amount the description announced")
def _(verdict: ScenarioVerdict, description: Answer, activation: Answer) -> None:
    verdict.expect("CROSS-001", expect.activation_agrees_with_description, description, activation)


@then("the description's postal flag matches the transfers' accounts")
def _(verdict: ScenarioVerdict, description: Answer, activation: Answer) -> None:
    verdict.expect("CROSS-002", expect.postal_flag_matches_transfers, description, activation)


@then("both descriptions are the same")
def _(verdict: ScenarioVerdict, answers: tuple[Answer, Answer]) -> None:
    verdict.expect("REPEAT-001", expect.same_answer, *answers)


@then("both activations carry the same payment data")
def _(verdict: ScenarioVerdict, answers: tuple[Answer, Answer]) -> None:
    verdict.expect("REPEAT-002", expect.same_answer, *answers, ignore=("retentionDate",))


@then("the share of answers within the service-level time meets the target")
def _(verdict: ScenarioVerdict, answers: list[Answer], target: TargetConfig) -> None:
    sl = target.service_level
    times = [a.exchange.elapsed_ms for a in answers]
    numbers = [a.exchange.number for a in answers]
    verdict.measure(
        "TIME-002", expect.within_service_level, times, exchanges=numbers, seconds=sl.seconds, share=sl.share
    )
