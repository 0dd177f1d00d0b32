"""Transport-level rules: HTTP status, content type, SOAP envelope, SOAP Fault, deadline."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from pagoconf.engine.violation import Violation
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks.registry import check
from pagoconf.sync.soap import SOAP_ENV


def answered(answer: Answer) -> bool:
    """An HTTP answer arrived (the station was reached and did not run out the deadline)."""
    ex = answer.exchange
    return ex.status != 0 and not ex.timed_out and not ex.unreachable


def delivered(answer: Answer) -> bool:
    """Something complete enough to judge as a message came back (live, or a captured message offline)."""
    ex = answer.exchange
    return not ex.timed_out and not ex.unreachable and (ex.status != 0 or bool(ex.response) or bool(ex.error))


def timed(answer: Answer) -> bool:
    """A live exchange whose timing means something (not a captured message judged offline)."""
    ex = answer.exchange
    return ex.timed_out or ex.status != 0


@check("SOAP-001", when=answered)
def http_status_is_200(answer: Answer) -> Iterator[Violation]:
    """The HTTP status is 200."""
    if answer.exchange.status != 200:
        yield Violation(
            expected="HTTP 200", actual=f"HTTP {answer.exchange.status}", where="HTTP status line"
        )


@check("SOAP-002", when=answered)
def content_type_is_xml(answer: Answer) -> Iterator[Violation]:
    """The Content-Type is text/xml."""
    ctype = answer.exchange.content_type
    if ctype.split(";")[0].strip() != "text/xml":
        yield Violation(
            expected="Content-Type: text/xml",
            actual=f"Content-Type: {ctype or '(none)'}",
            where="HTTP header Content-Type",
        )


@check("SOAP-003", when=delivered)
def body_holds_the_response_element(answer: Answer) -> Iterator[Violation]:
    """A SOAP 1.1 envelope whose Body holds exactly the expected response element."""
    expected = f"a SOAP 1.1 Envelope whose Body holds exactly one {answer.op.response}"
    if answer.exchange.error:
        yield Violation(expected=expected, actual=answer.exchange.error, where="HTTP body")
        return
    if answer.parse_error:
        yield Violation(expected=expected, actual=answer.parse_error, where="HTTP body")
        return
    env = answer.envelope
    assert env is not None
    if answer.body is None:
        actual = f"root element {etree.QName(env).text}"
        if etree.QName(env).localname == "Envelope":
            actual += (
                " (not the SOAP 1.1 namespace)"
                if etree.QName(env).namespace != SOAP_ENV
                else " without one Body"
            )
        yield Violation(expected=expected, actual=actual, where="/Envelope")
        return
    if answer.soap_fault is not None:
        return  # SOAP-004 judges a Fault
    if not answer.body:
        yield Violation(expected=expected, actual="an empty Body", where="/Envelope/Body")
        return
    names = [etree.QName(c).text for c in answer.body]
    if answer.response is None or len(names) != 1:
        want = f"{{{answer.schema_namespace}}}{answer.op.response}"
        yield Violation(expected=f"exactly one {want}", actual=", ".join(names), where="/Envelope/Body")


@check("SOAP-004", when=delivered)
def no_soap_fault(answer: Answer) -> Iterator[Violation]:
    """The Body is a paForNode response, not a SOAP Fault."""
    fault = answer.soap_fault
    if fault is not None:
        code = fault.findtext("faultcode") or ""
        text = fault.findtext("faultstring") or ""
        yield Violation(
            expected=f"{answer.op.response} with outcome OK or KO",
            actual=f"SOAP Fault {code}: {text}".strip(),
            where="/Envelope/Body/Fault",
        )


@check("TIME-001", when=timed)
def answered_within_the_node_timeout(answer: Answer) -> Iterator[Violation]:
    """The whole answer arrived before the Node's deadline."""
    if answer.exchange.timed_out:
        yield Violation(
            expected="a complete answer within the Node timeout",
            actual=f"{answer.exchange.error} (waited {answer.exchange.elapsed_ms:.0f} ms)",
            where="HTTP exchange",
        )
