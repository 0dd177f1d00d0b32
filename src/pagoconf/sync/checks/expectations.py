"""Scenario rules: pure functions over one or more answers, with what the scenario expects."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from lxml import etree

from pagoconf.engine.verdict import NotJudgeable
from pagoconf.engine.violation import Violation
from pagoconf.identifiers import is_postal
from pagoconf.sync.answer import Answer, decimal, where


def _response(answer: Answer) -> etree._Element:
    if answer.response is None:
        ex = answer.exchange
        raise NotJudgeable(f"{answer.op.name} gave no {answer.op.response} to judge ({ex.summary()})")
    return answer.response


def answers_ok(answer: Answer) -> Iterator[Violation]:
    """The station answers outcome OK."""
    el = _response(answer)
    outcome = (el.findtext("outcome") or "").strip()
    if outcome != "OK":
        code = el.findtext("fault/faultCode")
        yield Violation(
            expected="outcome OK",
            actual=f"outcome {outcome}" + (f", fault {code}" if code else ""),
            where=f"/{answer.op.response}/outcome",
        )


def answers_fault(answer: Answer, code: str) -> Iterator[Violation]:
    """The station answers outcome KO with this fault code."""
    el = _response(answer)
    outcome = (el.findtext("outcome") or "").strip()
    got = (el.findtext("fault/faultCode") or "").strip()
    if outcome != "KO" or got != code:
        actual = f"outcome {outcome}" + (f", fault {got}" if got else ", no fault")
        yield Violation(
            expected=f"outcome KO, fault {code}",
            actual=actual,
            where=f"/{answer.op.response}/fault/faultCode",
        )


def _ok_or_unjudgeable(answer: Answer) -> etree._Element:
    el = _response(answer)
    if (el.findtext("outcome") or "").strip() != "OK":
        raise NotJudgeable(
            f"{answer.op.name} answered {el.findtext('outcome')} "
            f"{el.findtext('fault/faultCode') or ''}; nothing to compare"
        )
    return el


def activation_agrees_with_description(description: Answer, activation: Answer) -> Iterator[Violation]:
    """Same amount and, where both give one, the same due date."""
    verify = _ok_or_unjudgeable(description)
    data = _ok_or_unjudgeable(activation).find("data")
    if data is None:
        raise NotJudgeable("the activation carries no data to compare")
    announced = decimal(verify.findtext("paymentList/paymentOptionDescription/amount"))
    asked = decimal(data.findtext("paymentAmount"))
    if announced is not None and asked is not None and announced != asked:
        yield Violation(
            expected=f"paymentAmount = {announced} (the amount the description announced)",
            actual=str(asked),
            where=f"/{activation.op.response}/data/paymentAmount",
        )
    due_v = verify.findtext("paymentList/paymentOptionDescription/dueDate")
    due_a = data.findtext("dueDate")
    if due_v and due_a and due_v.strip() != due_a.strip():
        yield Violation(
            expected=f"dueDate = {due_v.strip()} (as described)",
            actual=due_a.strip(),
            where=f"/{activation.op.response}/data/dueDate",
        )


def postal_flag_matches_transfers(description: Answer, activation: Answer) -> Iterator[Violation]:
    """allCCP is true only when every transfer credits a postal IBAN."""
    verify = _ok_or_unjudgeable(description)
    data = _ok_or_unjudgeable(activation).find("data")
    if data is None:
        raise NotJudgeable("the activation carries no data to compare")
    flag = (verify.findtext("paymentList/paymentOptionDescription/allCCP") or "").strip() in ("true", "1")
    transfers = data.findall("transferList/transfer")
    accounts = [(t.findtext("IBAN") or "").strip() for t in transfers]
    all_postal = bool(transfers) and all(a and is_postal(a) for a in accounts)
    if flag and not all_postal:
        non_postal = [a or "(stamp)" for a in accounts if not (a and is_postal(a))]
        yield Violation(
            expected="allCCP false unless every transfer credits a postal account (ABI 07601)",
            actual=f"allCCP true with non-postal transfers: {', '.join(non_postal)}",
            where="/paVerifyPaymentNoticeRes/paymentList/paymentOptionDescription/allCCP",
        )


def canonical(el: etree._Element, ignore: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(path, text) of every leaf below `el` (paths indexed where ambiguous), `ignore`d subtrees skipped."""
    out: list[tuple[str, str]] = []
    stack = [el]
    while stack:
        node = stack.pop()
        if etree.QName(node).localname in ignore:
            continue
        children = [c for c in node if isinstance(c.tag, str)]
        if children:
            stack.extend(reversed(children))
        else:
            out.append((where(node), (node.text or "").strip()))
    return out


def same_answer(first: Answer, second: Answer, *, ignore: Sequence[str] = ()) -> Iterator[Violation]:
    """Two answers to the same request say the same thing (leaves compared, `ignore` skipped)."""
    a, b = canonical(_response(first), ignore), canonical(_response(second), ignore)
    if a == b:
        return
    da, db = dict(a), dict(b)
    for path in sorted(set(da) | set(db)):
        if da.get(path) != db.get(path):
            yield Violation(
                expected=f"{da.get(path, '(absent)')} (as the first time)",
                actual=str(db.get(path, "(absent)")),
                where=path,
            )


def within_service_level(elapsed_ms: Sequence[float], *, seconds: float, share: float) -> Iterator[Violation]:
    """At least `share` of the answers took no more than `seconds`."""
    if not elapsed_ms:
        raise NotJudgeable("no answers were timed")
    fast = sum(1 for ms in elapsed_ms if ms <= seconds * 1000)
    got = fast / len(elapsed_ms)
    if got < share:
        yield Violation(
            expected=f"≥ {share * 100:g}% of answers within {seconds:g} s",
            actual=f"{got:.1%} ({fast} of {len(elapsed_ms)}; slowest {max(elapsed_ms):.0f} ms)",
            where="response times",
        )


RECEIPT_ACKNOWLEDGEMENTS = ("OK", "PAA_RECEIPT_DUPLICATA")
SYNTAX_FAULTS = ("PAA_SINTASSI_EXTRAXSD", "PAA_SINTASSI_XSD")


def acknowledges_receipt(first: Answer, answer: Answer) -> Iterator[Violation]:
    """An accepted receipt sent again is acknowledged: outcome OK, or KO PAA_RECEIPT_DUPLICATA."""
    if (_response(first).findtext("outcome") or "").strip() != "OK":
        raise NotJudgeable(
            "the station did not accept the receipt the first time, so a retry is no duplicate"
        )
    el = _response(answer)
    outcome = (el.findtext("outcome") or "").strip()
    code = (el.findtext("fault/faultCode") or "").strip()
    if not (outcome == "OK" or (outcome == "KO" and code == "PAA_RECEIPT_DUPLICATA")):
        yield Violation(
            expected="outcome OK, or KO with fault PAA_RECEIPT_DUPLICATA",
            actual=f"outcome {outcome}" + (f", fault {code}" if code else ""),
            where=f"/{answer.op.response}/outcome",
        )


def refuses_with_syntax_fault(answer: Answer) -> Iterator[Violation]:
    """The station refuses an invalid message with a syntax fault."""
    el = _response(answer)
    outcome = (el.findtext("outcome") or "").strip()
    code = (el.findtext("fault/faultCode") or "").strip()
    if outcome != "KO" or code not in SYNTAX_FAULTS:
        yield Violation(
            expected=f"outcome KO, fault {' or '.join(SYNTAX_FAULTS)}",
            actual=f"outcome {outcome}" + (f", fault {code}" if code else ", no fault"),
            where=f"/{answer.op.response}/fault/faultCode",
        )


def closed_after_receipt(receipt: Answer, later: Answer) -> Iterator[Violation]:
    """After an accepted (or already held) receipt the notice answers PAA_PAGAMENTO_DUPLICATO."""
    el = _response(receipt)
    known = (el.findtext("outcome") or "").strip() == "OK" or (
        el.findtext("fault/faultCode") or ""
    ) == "PAA_RECEIPT_DUPLICATA"
    if not known:
        raise NotJudgeable("the station did not accept the receipt, so the notice need not be closed")
    yield from answers_fault(later, "PAA_PAGAMENTO_DUPLICATO")


def created_notice_is_known(demand: Answer, description: Answer, activation: Answer) -> Iterator[Violation]:
    """The station finds the notice it created (not SCONOSCIUTO) and asks for the announced amount."""
    created = _ok_or_unjudgeable(demand)
    number = created.findtext("qrCode/noticeNumber")
    for answer in (description, activation):
        el = _response(answer)
        if (el.findtext("fault/faultCode") or "").strip() == "PAA_PAGAMENTO_SCONOSCIUTO":
            yield Violation(
                expected=f"notice {number}, just created, known to the station",
                actual="fault PAA_PAGAMENTO_SCONOSCIUTO",
                where=f"/{answer.op.response}/fault/faultCode",
            )
    data = _response(activation).find("data")
    if (_response(activation).findtext("outcome") or "").strip() == "OK" and data is not None:
        announced = (created.findtext("paymentList/paymentOptionDescription/amount") or "").strip()
        asked = (data.findtext("paymentAmount") or "").strip()
        if decimal(asked) is None or decimal(asked) != decimal(announced):
            yield Violation(
                expected=f"paymentAmount = {announced} (the amount the demand announced)",
                actual=asked or "missing",
                where=f"/{activation.op.response}/data/paymentAmount",
            )


def refuses_hostile_request(answer: Answer) -> Iterator[Violation]:
    """A hostile request gets, within the deadline, an HTTP 4xx or a paForNode KO (the HTTP status of a KO
    is SOAP-001's business) — not OK, not a dropped connection, not silence."""
    ex = answer.exchange
    expected = "HTTP 4xx, or the response element with outcome KO, within the deadline"
    if ex.timed_out:
        yield Violation(expected=expected, actual=f"no complete answer: {ex.error}", where="HTTP exchange")
    elif 400 <= ex.status < 500:
        return
    elif answer.response is not None:
        if (answer.outcome or "").strip() != "KO":
            yield Violation(
                expected=expected, actual=f"outcome {answer.outcome}", where=f"/{answer.op.response}/outcome"
            )
    elif ex.status == 0:
        yield Violation(expected=expected, actual=f"no HTTP answer: {ex.error}", where="HTTP exchange")
    else:
        yield Violation(
            expected=expected,
            actual=f"HTTP {ex.status} without {answer.op.response} ({answer.parse_error or 'another Body'})",
            where="/Envelope/Body",
        )


def not_refused_as_malformed(answer: Answer) -> Iterator[Violation]:
    """A request the schema allows is not refused with a syntax fault (any other answer is the other rules'
    to judge); nothing to judge without a response element."""
    el = _response(answer)
    code = (el.findtext("fault/faultCode") or "").strip()
    if code in SYNTAX_FAULTS:
        yield Violation(
            expected="an answer to a valid request: OK, or KO for another reason than its syntax",
            actual=f"outcome {(el.findtext('outcome') or '').strip()}, fault {code}",
            where=f"/{answer.op.response}/fault/faultCode",
        )


def refuses_with_syntax_fault_in_time(answer: Answer) -> Iterator[Violation]:
    """A request the XSD forbids gets the response element, KO and a syntax fault, in time — never OK, never a
    server error in place of the KO, never a hang (the HTTP status of a KO is SOAP-001's business)."""
    ex = answer.exchange
    if ex.timed_out:
        yield Violation(expected="an answer within the deadline", actual=f"{ex.error}", where="HTTP exchange")
    elif answer.response is None:
        got = f"HTTP {ex.status}" if ex.status else f"no HTTP answer ({ex.error})"
        yield Violation(
            expected=f"{answer.op.response} with outcome KO",
            actual=f"{got}, {answer.parse_error or 'no paForNode response element'}",
            where="/Envelope/Body",
        )
    else:
        yield from refuses_with_syntax_fault(answer)


COMPARED_ON_OK = (
    "paymentList/paymentOptionDescription/amount",
    "paymentList/paymentOptionDescription/options",
    "paymentList/paymentOptionDescription/dueDate",
    "paymentList/paymentOptionDescription/allCCP",
    "fiscalCodePA",
)


def same_outcome(baseline: Answer, answer: Answer) -> Iterator[Violation]:
    """The same request spelled differently gets the same answer: outcome, fault code, and on OK the option
    (amount, options, due date, allCCP) and the fiscal code. Nothing to compare if the usual spelling got
    no answer (other rules judge that)."""
    if baseline.response is None:
        raise NotJudgeable(
            f"the usual spelling got no {baseline.op.response} ({baseline.exchange.summary()})"
        )
    if answer.response is None:
        yield Violation(
            expected=f"{answer.op.response}, as for the usual spelling",
            actual=answer.parse_error or answer.exchange.summary(),
            where="/Envelope/Body",
        )
        return
    paths = ("outcome", "fault/faultCode") + (COMPARED_ON_OK if baseline.outcome == "OK" else ())
    for path in paths:
        usual, other = baseline.text(path), answer.text(path)
        if usual != other:
            yield Violation(
                expected=f"{usual} (as for the usual spelling)",
                actual=str(other),
                where=f"/{answer.op.response}/{path}",
            )


def never_fetched(fetched: bool, url: str) -> Iterator[Violation]:
    """The station did not fetch the external entity's URL."""
    if fetched:
        yield Violation(
            expected=f"no request to {url}",
            actual=f"the station fetched {url}",
            where="DOCTYPE external entity",
        )


def still_answers(answer: Answer) -> Iterator[Violation]:
    """After a hostile request the station is still there: it answers, if slowly (TIME-001's business)."""
    ex = answer.exchange
    if ex.unreachable or (ex.status == 0 and not ex.timed_out):
        yield Violation(
            expected="the station still answering after the hostile request",
            actual=ex.error or "no answer",
            where="HTTP exchange",
        )
