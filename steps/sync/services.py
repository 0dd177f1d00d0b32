"""Steps about spontaneous payments: a citizen asks the institution for a notice for a catalogue service."""

from __future__ import annotations

from pytest_bdd import given, then, when

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks import expectations as expect
from pagoconf.sync.config import TargetConfig
from pagoconf.sync.node import Node
from pagoconf.sync.notices import Notice, NoticeBook
from pagoconf.sync.requests.service_data import service_data


@given("valid data for a service of the institution's catalogue", target_fixture="service_request")
def _(target: TargetConfig) -> bytes:
    return service_data(target, valid=True)


@given("service data that break the service's schema", target_fixture="service_request")
def _(target: TargetConfig) -> bytes:
    return service_data(target, valid=False)


@when("the Node asks the station for a notice for that service", target_fixture="demand")
def _(node: Node, service_request: bytes) -> Answer:
    return node.demand(service_request)


@when("the Node takes the created notice", target_fixture="notice")
def _(verdict: ScenarioVerdict, demand: Answer, notices: NoticeBook) -> Notice:
    number = demand.text("qrCode/noticeNumber")
    fiscal_code = demand.text("qrCode/fiscalCode")
    if not number or not fiscal_code:
        raise verdict.stop(f"the demand created no notice to take ({demand.exchange.summary()})")
    return notices.issued(fiscal_code.strip(), number.strip())


@then("the station creates the notice")
def _(verdict: ScenarioVerdict, demand: Answer) -> None:
    verdict.expect("DEMAND-001", expect.answers_ok, demand)


@then("the station knows the notice it created, for the amount it announced")
def _(verdict: ScenarioVerdict, demand: Answer, description: Answer, activation: Answer) -> None:
    verdict.expect("DEMAND-004", expect.created_notice_is_known, demand, description, activation)


@then('the station refuses the service data with fault "PAA_SINTASSI_XSD"')
def _(verdict: ScenarioVerdict, demand: Answer) -> None:
    verdict.expect("DEMAND-005", expect.answers_fault, demand, code="PAA_SINTASSI_XSD")
