"""Steps about receipts: the Node telling the station a notice was paid."""

from __future__ import annotations

from pytest_bdd import given, then, when

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks import expectations as expect
from pagoconf.sync.node import Node
from pagoconf.sync.notices import Notice

MADE_UP_IBAN = "IT60X0542811101000000123456"


@given("the Node has activated it", target_fixture="activation")
def _(node: Node, notice: Notice) -> Answer:
    return node.activate(notice)


@when("the Node sends the station the receipt of that payment", target_fixture="receipt")
def _(node: Node, notice: Notice, activation: Answer) -> Answer:
    return node.send_receipt(notice, activation)


@when("the Node sends the station the stand-in receipt of that payment", target_fixture="receipt")
def _(node: Node, notice: Notice, activation: Answer) -> Answer:
    return node.send_receipt(notice, activation, standin=True)


@when("the Node sends the station a receipt that breaks paForNode.xsd", target_fixture="receipt")
def _(node: Node, notice: Notice, activation: Answer) -> Answer:
    return node.send_receipt(notice, activation, invalid=True)


@when("the Node sends the station a receipt for it", target_fixture="receipt")
def _(node: Node, notice: Notice) -> Answer:
    return node.send_made_up_receipt(notice, MADE_UP_IBAN)


@when("the Node sends the same receipt again", target_fixture="receipt_again")
def _(node: Node) -> Answer:
    return node.send_the_same_receipt_again()


@then("the station accepts the receipt")
def _(verdict: ScenarioVerdict, receipt: Answer) -> None:
    verdict.expect("RECEIPT-001", expect.answers_ok, receipt)


@then("the station accepts the stand-in receipt")
def _(verdict: ScenarioVerdict, receipt: Answer) -> None:
    verdict.expect("RECEIPT-006", expect.answers_ok, receipt)


@then("the station acknowledges the receipt again")
def _(verdict: ScenarioVerdict, receipt: Answer, receipt_again: Answer) -> None:
    verdict.expect("RECEIPT-002", expect.acknowledges_receipt, receipt, receipt_again)


@then("the station refuses the receipt with a syntax fault")
def _(verdict: ScenarioVerdict, receipt: Answer) -> None:
    verdict.expect("RECEIPT-005", expect.refuses_with_syntax_fault, receipt)


@then('the notice is closed: the station answers "PAA_PAGAMENTO_DUPLICATO"')
def _(verdict: ScenarioVerdict, receipt: Answer, afterwards: Answer) -> None:
    verdict.expect("RECEIPT-003", expect.closed_after_receipt, receipt, afterwards)
