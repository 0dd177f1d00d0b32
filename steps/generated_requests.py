"""Steps about generated requests: properties the station must hold for any request of a kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from lxml import etree
from pytest_bdd import given, then, when

from pagoconf.checks import Answer, Violation, judge
from pagoconf.checks import expectations as expect
from pagoconf.config import TargetConfig
from pagoconf.messages import get_payment_operation, verify_request
from pagoconf.node import Node
from pagoconf.notices import Notice, NoticeBook
from pagoconf.probes import respelled
from pagoconf.properties import Exploration, explore
from pagoconf.strategies import from_xsd, mutations, notice_numbers
from pagoconf.strategies.mutations import SAME_ANSWER
from pagoconf.verdict import Inconclusive, Verdict
from pagoconf.wire import BY_REQUEST_ELEMENT, OPERATIONS, envelope


@dataclass(frozen=True)
class Generated:
    """Requests of one kind, how to send one, and what the station must do with it."""

    examples: Any  # a hypothesis strategy
    send: Callable[[Node, Any], Answer]
    holds: Callable[[Answer], Iterable[Violation]]
    describe: Callable[[Any], str]


def _own_fields(target: TargetConfig, notice: str) -> dict[str, Any]:
    """Overrides that keep generated requests addressed to the station's own institution and notice."""
    ident = target.station.identity
    return {
        "idPA": st.just(ident.id_pa),
        "idBrokerPA": st.just(ident.id_broker_pa),
        "idStation": st.just(ident.id_station),
        "qrCode.fiscalCode": st.just(ident.id_pa),
        "noticeNumber": st.just(notice),
    }


def _request_elements(target: TargetConfig) -> list[str]:
    ops = ["paVerifyPaymentNotice", get_payment_operation(target.station.primitive_version)]
    return [op.request for op in BY_REQUEST_ELEMENT.values() if op.name in ops]


@given("requests for the institution's notices, each broken in one place", target_fixture="generated")
def _(pagoconf_run, target: TargetConfig, notices: NoticeBook) -> Generated:  # type: ignore[no-untyped-def]
    xs = pagoconf_run.schema.xmlschema
    notice = (
        notices.of_kind("payable").number if target.notices.get("payable") else notices.never_issued().number
    )
    broken = st.sampled_from(_request_elements(target)).flatmap(
        lambda el: mutations(xs, el, valid=from_xsd(xs, el, overrides=_own_fields(target, notice)))
    )
    return Generated(
        examples=broken.filter(lambda m: m.expected != SAME_ANSWER),
        send=lambda node, m: node.quietly(_operation_of(m), m.payload, headers=dict(m.headers)),
        holds=expect.refuses_with_syntax_fault_in_time,
        describe=lambda m: f"{m.kind}: {m.description}",
    )


@given("requests the schema allows, with any content", target_fixture="generated")
def _(pagoconf_run, target: TargetConfig) -> Generated:  # type: ignore[no-untyped-def]
    xs = pagoconf_run.schema.xmlschema
    valid = st.sampled_from(_request_elements(target)).flatmap(lambda el: from_xsd(xs, el))
    caps = target.capabilities

    def every_always_on_rule(answer: Answer) -> list[Violation]:
        return [v for j in judge(answer, capabilities=caps) for v in j.violations]

    return Generated(
        examples=valid,
        send=lambda node, el: node.quietly(BY_REQUEST_ELEMENT[el.tag.split("}")[1]].name, envelope(el)),
        holds=every_always_on_rule,
        describe=lambda el: el.tag.split("}")[1],
    )


@given("notice numbers the institution never issued, of every valid shape", target_fixture="generated")
def _(target: TargetConfig, notices: NoticeBook) -> Generated:
    known = set().union(*target.notices.values(), *target.to_pay.values())
    ident = target.station.identity
    segregation = notices.never_issued().number[1:3]
    numbers = notice_numbers().map(lambda n: n[0] + segregation + n[3:-2]).map(_with_check_digit)
    return Generated(
        examples=numbers.filter(lambda n: n not in known),
        send=lambda node, n: node.quietly("paVerifyPaymentNotice", verify_request(ident, ident.id_pa, n)),
        holds=lambda answer: (
            expect.answers_fault(answer, "PAA_PAGAMENTO_SCONOSCIUTO")
            if answer.response is not None
            else []  # no answer to judge here: SOAP-003 and TIME-001 judge the station's other answers
        ),
        describe=lambda n: f"notice number {n}",
    )


@given("the same request for it, spelled with other namespace prefixes", target_fixture="generated")
def _(target: TargetConfig, notice: Notice) -> Generated:
    ident = target.station.identity
    usual = verify_request(ident, notice.fiscal_code, notice.number)
    prefix = st.one_of(
        st.none(),
        st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True).filter(lambda p: not p.startswith("xml")),
    )
    baseline: dict[str, Answer] = {}

    def send(node: Node, prefixes: tuple[str | None, str | None]) -> Answer:
        if "answer" not in baseline:
            baseline["answer"] = node.quietly("paVerifyPaymentNotice", usual)
        soap, pafn = prefixes
        return node.quietly("paVerifyPaymentNotice", respelled(usual, soap_prefix=soap, pafn_prefix=pafn))

    return Generated(
        examples=st.tuples(prefix, prefix),
        send=send,
        holds=lambda answer: expect.same_outcome(baseline["answer"], answer),
        describe=lambda p: (
            f"Envelope prefix {p[0] or '(default namespace)'}, paForNode prefix "
            f"{p[1] or '(default namespace)'}"
        ),
    )


@when("the Node sends them to the station", target_fixture="exploration")
def _(node: Node, generated: Generated) -> Exploration:
    found = explore(
        generated.examples,
        lambda example: generated.holds(generated.send(node, example)),
        give_up_on=(Inconclusive,),
    )
    if found.failed:  # the smallest failing example, once more, as evidence
        node.on_exchange(generated.send(node, found.example).exchange)
    return found


@then("the station holds to the rule for every one of them")
def _(verdict: Verdict, exploration: Exploration, generated: Generated) -> None:
    verdict.record_property(exploration.violations, note=exploration.note(generated.describe))


def _operation_of(mutation: Any) -> str:
    """The operation a broken request is meant for: the request element it mutated, else its SOAPAction."""
    name = etree.QName(mutation.element).localname if mutation.element is not None else ""
    if name in BY_REQUEST_ELEMENT:
        return BY_REQUEST_ELEMENT[name].name
    action = mutation.headers.get("SOAPAction", "").strip('"')
    return action if action in OPERATIONS else "paVerifyPaymentNotice"


def _with_check_digit(prefix16: str) -> str:
    from pagoconf.notice_numbers import check_digit

    return prefix16 + check_digit(prefix16)
