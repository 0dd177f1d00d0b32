"""Steps about hostile requests: what a station must refuse without harm to itself or anyone else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_bdd import given, then, when

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.sync.answer import Answer
from pagoconf.sync.canary import Canary
from pagoconf.sync.checks import expectations as expect
from pagoconf.sync.node import Node
from pagoconf.sync.notices import Notice
from pagoconf.sync.requests import probes
from pagoconf.sync.requests.primitives import verify_request

CANARY_GRACE_S = 0.2  # a station fetches an entity while it parses: a slow fetch gets a moment more


@pytest.fixture(scope="session")
def canary() -> Iterator[Canary]:
    """A loopback URL the station must never fetch."""
    with Canary() as c:
        yield c


@pytest.fixture
def canary_url(canary: Canary) -> str:
    return canary.url()


def _usual(node: Node, notice: Notice) -> bytes:
    return verify_request(node.identity, notice.fiscal_code, notice.number)


@given("the station is up: the Node has described it", target_fixture="description")
def _(node: Node, notice: Notice) -> Answer:
    return node.describe(notice)  # unreachable here is inconclusive; after a hostile request it is a failure


@when("the Node describes the notice in a request that names an external entity", target_fixture="hostile")
def _(node: Node, notice: Notice, canary_url: str) -> Answer:
    return node.probe("paVerifyPaymentNotice", probes.external_entity(_usual(node, notice), canary_url))


@when(
    "the Node describes the notice in a request carrying an entity-expansion bomb", target_fixture="hostile"
)
def _(node: Node, notice: Notice) -> Answer:
    return node.probe("paVerifyPaymentNotice", probes.entity_bomb(_usual(node, notice)))


@when("the Node describes the notice in a 10 MiB request", target_fixture="hostile")
def _(node: Node, notice: Notice) -> Answer:
    return node.probe("paVerifyPaymentNotice", probes.oversized(_usual(node, notice)))


@when("the Node describes the notice in a request nested 10,000 levels deep", target_fixture="hostile")
def _(node: Node, notice: Notice) -> Answer:
    return node.probe("paVerifyPaymentNotice", probes.deeply_nested(_usual(node, notice)))


@when("the Node then describes the notice normally", target_fixture="afterwards")
def _(node: Node, notice: Notice) -> Answer:
    return node.probe("paVerifyPaymentNotice", _usual(node, notice))


@then("the station refuses the hostile request in time")
def _(verdict: ScenarioVerdict, hostile: Answer) -> None:
    verdict.expect(verdict.rule, expect.refuses_hostile_request, hostile)


@then("the station never fetched the entity")
def _(verdict: ScenarioVerdict, canary: Canary, canary_url: str, hostile: Answer) -> None:
    fetched = canary.fetched(canary_url, within=CANARY_GRACE_S)  # a slow fetch gets a moment to arrive
    verdict.measure(
        "SECURITY-001", expect.never_fetched, fetched, exchanges=[hostile.exchange.number], url=canary_url
    )


@then("the station still answers")
def _(verdict: ScenarioVerdict, afterwards: Answer) -> None:
    verdict.expect(verdict.rule, expect.still_answers, afterwards)
