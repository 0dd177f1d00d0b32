"""Steps about generated requests: properties the station must hold for any request of a kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from lxml import etree
from pytest_bdd import given, then, when

from pagoconf.engine.properties import Exploration, explore
from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.engine.violation import Violation
from pagoconf.identifiers import check_digit
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks import expectations as expect
from pagoconf.sync.config import TargetConfig
from pagoconf.sync.node import Node
from pagoconf.sync.notices import Notice, NoticeBook
from pagoconf.sync.requests.primitives import get_payment_operation, verify_request
from pagoconf.sync.requests.probes import respelled
from pagoconf.sync.soap import BY_REQUEST_ELEMENT, OPERATIONS, envelope
from pagoconf.sync.strategies import from_xsd, mutations, notice_numbers
from pagoconf.sync.strategies.mutations import SAME_ANSWER


@dataclass
class Generated:
    """Requests of one kind, how to send one, and what the station must do with its answer.

    `holds` returns the violations of one answer, or raises NotJudgeable when the answer leaves nothing to
    judge; `rules`: the rules the property judges (a violation without a rule belongs to the first)."""

    examples: Any  # a hypothesis strategy
    send: Callable[[Node, Any], Answer]
    holds: Callable[[Answer], Iterable[Violation]]
    describe: Callable[[Any], str]
    rules: tuple[str, ...]


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
def _(
    verdict: ScenarioVerdict, pa_for_node_schema_of_run: Any, target: TargetConfig, notices: NoticeBook
) -> Generated:
    xs = pa_for_node_schema_of_run.xmlschema
    notice = (
        notices.of_kind("payable").number if target.notices.get("payable") else notices.never_issued().number
    )
    broken = st.sampled_from(_request_elements(target)).flatmap(
        lambda el: mutations(xs, el, valid=from_xsd(xs, el, overrides=_own_fields(target, notice)))
    )
    return Generated(
        examples=broken.filter(lambda m: m.expected != SAME_ANSWER),
        send=lambda node, m: node.quietly(
            _operation_of(m), m.payload, headers=dict(m.headers), contract=False
        ),
        holds=expect.refuses_with_syntax_fault_in_time,
        describe=lambda m: f"{m.kind}: {m.description}",
        rules=(verdict.rule,),
    )


@given("requests the schema allows, with any content", target_fixture="generated")
def _(verdict: ScenarioVerdict, pa_for_node_schema_of_run: Any, target: TargetConfig) -> Generated:
    xs = pa_for_node_schema_of_run.xmlschema
    valid = st.sampled_from(_request_elements(target)).flatmap(lambda el: from_xsd(xs, el))
    return Generated(
        examples=valid,
        send=lambda node, el: node.quietly(BY_REQUEST_ELEMENT[etree.QName(el).localname].name, envelope(el)),
        holds=expect.not_refused_as_malformed,
        describe=lambda el: etree.QName(el).localname,
        rules=(verdict.rule,),
    )


@given("notice numbers the institution never issued, of every valid shape", target_fixture="generated")
def _(verdict: ScenarioVerdict, target: TargetConfig, notices: NoticeBook) -> Generated:
    known = set().union(*target.notices.values(), *target.to_pay.values())
    ident = target.station.identity
    prefixes = notices.never_issued_prefixes()
    if prefixes:
        numbers = st.sampled_from(prefixes).flatmap(_extending)
    else:
        segregation = notices.segregation_code()
        numbers = (
            notice_numbers().map(lambda n: n[0] + segregation + n[3:-2]).map(lambda p: p + check_digit(p))
        )
    return Generated(
        examples=numbers.filter(lambda n: n not in known),
        send=lambda node, n: node.quietly("paVerifyPaymentNotice", verify_request(ident, ident.id_pa, n)),
        holds=lambda answer: expect.answers_fault(answer, "PAA_PAGAMENTO_SCONOSCIUTO"),
        describe=lambda n: f"notice number {n}",
        rules=(verdict.rule,),
    )


def _extending(prefix: str) -> st.SearchStrategy[str]:
    """18-digit numbers starting with `prefix`, with a right check digit where the prefix leaves room."""
    if len(prefix) >= 17:
        return st.just(prefix) if len(prefix) == 18 else st.integers(0, 9).map(lambda d: f"{prefix}{d}")
    rest = st.text("0123456789", min_size=16 - len(prefix), max_size=16 - len(prefix))
    return rest.map(lambda r: prefix + r + check_digit(prefix + r))


@given("the same request for it, spelled with other namespace prefixes", target_fixture="generated")
def _(verdict: ScenarioVerdict, node: Node, target: TargetConfig, notice: Notice) -> Generated:
    ident = target.station.identity
    usual = verify_request(ident, notice.fiscal_code, notice.number)
    baseline = node.describe(notice)  # the usual spelling: recorded and judged like any description
    prefix = st.one_of(
        st.none(),
        st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True).filter(lambda p: not p.startswith("xml")),
    )

    def send(node: Node, prefixes: tuple[str | None, str | None]) -> Answer:
        soap, pafn = prefixes
        return node.quietly("paVerifyPaymentNotice", respelled(usual, soap_prefix=soap, pafn_prefix=pafn))

    return Generated(
        examples=st.tuples(prefix, prefix),
        send=send,
        holds=lambda answer: expect.same_outcome(baseline, answer),
        describe=lambda p: (
            f"Envelope prefix {p[0] or '(default namespace)'}, "
            f"paForNode prefix {p[1] or '(default namespace)'}"
        ),
        rules=(verdict.rule,),
    )


@when("the Node sends them to the station", target_fixture="exploration")
def _(node: Node, generated: Generated) -> Exploration:
    failing: list[tuple[Any, Answer]] = []  # each failing example with its answer, the shrunk one last

    def attempt(example: Any) -> Iterable[Violation]:
        answer = generated.send(node, example)
        found = list(generated.holds(answer))
        if found:
            failing.append((example, answer))
        return found

    found = explore(generated.examples, attempt)
    answer = next((a for e, a in reversed(failing) if e is found.example), None)
    if found.failed and answer is not None:  # the smallest failing example, kept as evidence
        return found.shown_by(node.keep(answer).exchange.number)
    return found


@then("the station holds to the rule for every one of them")
def _(verdict: ScenarioVerdict, exploration: Exploration, generated: Generated) -> None:
    verdict.record_exploration(generated.rules, exploration, note=exploration.note(generated.describe))


def _operation_of(mutation: Any) -> str:
    """The operation a broken request is meant for: the request element it mutated, else its SOAPAction."""
    name = etree.QName(mutation.element).localname if mutation.element is not None else ""
    if name in BY_REQUEST_ELEMENT:
        return BY_REQUEST_ELEMENT[name].name
    action = mutation.headers.get("SOAPAction", "").strip('"')
    return action if action in OPERATIONS else "paVerifyPaymentNotice"
