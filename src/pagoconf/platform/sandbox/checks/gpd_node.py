"""Rules on the Node's requests to GPD's paForNode endpoint (GPD-Payments): a readable SOAP envelope within
1 MiB, valid against paForNode.xsd, for an institution GPD holds, through GPD's broker and station, about a
notice GPD holds, in a state that lets it be described, activated or paid. A refusal is a paForNode KO whose
fault code is the outcome's title (the status is 200, or 413 for an oversized body)."""

from __future__ import annotations

from collections.abc import Iterator

from pagoconf.engine.violation import Violation
from pagoconf.platform.sandbox import gpd_node
from pagoconf.platform.sandbox import positions as model
from pagoconf.platform.sandbox.checks.registry import Stage, rule
from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.problems import Problem
from pagoconf.platform.sandbox.request import Case
from pagoconf.sync import soap
from pagoconf.sync.schema import pa_for_node_schema

SYNTAX = "PAA_SINTASSI_EXTRAXSD"
UNKNOWN = "PAA_PAGAMENTO_SCONOSCIUTO"
BY_STATUS = {
    model.Status.DRAFT: UNKNOWN,
    model.Status.PUBLISHED: UNKNOWN,
    model.Status.INVALID: "PAA_PAGAMENTO_ANNULLATO",
    model.Status.EXPIRED: "PAA_PAGAMENTO_SCADUTO",
    model.Status.PAID: "PAA_PAGAMENTO_DUPLICATO",
    model.Status.REPORTED: "PAA_PAGAMENTO_DUPLICATO",
}
"""What a notice answers, by the state of its position (GPD-Payments checkDebtPositionStatus)."""
XSD_ERRORS_SHOWN = 3


def _read_problem(case: Case, finding: Finding) -> Problem:
    if case.request.body_size > gpd_node.MAX_BODY:
        return Problem(413, SYNTAX, f"request larger than {gpd_node.MAX_BODY // 1024} KiB")
    return Problem(200, SYNTAX, finding.actual)


@rule("GPDNODE-001", stage=Stage.TRANSPORT, status=200, title=SYNTAX, refine=_read_problem)
def the_request_is_a_readable_envelope(case: Case) -> Iterator[Violation]:
    """The request is well-formed XML within 1 MiB (no DTD, bounded depth): a SOAP 1.1 envelope whose Body
    holds the operation's request element alone."""
    op = gpd_node.primitive(case.operation)
    request, problem = gpd_node.read(case.request.body)
    if case.operation == gpd_node.UNIDENTIFIED:
        why = problem or "neither the Body nor the SOAPAction names a paForNode operation"
        yield Violation("a SOAP 1.1 envelope holding a paForNode request", why, "/Envelope")
    if op is None:
        return
    expected = f"{{{soap.PAFN}}}{op.request}"
    if case.request.body_size > gpd_node.MAX_BODY:
        yield Violation(f"at most {gpd_node.MAX_BODY} bytes", f"{case.request.body_size} bytes", "")
    elif request is None:
        yield Violation(f"a SOAP 1.1 envelope holding {op.request}", problem or "unreadable", "/Envelope")
    elif request.tag != expected:
        yield Violation(expected, request.tag, "/Envelope/Body")


@rule("GPDNODE-002", stage=Stage.CONTRACT, status=200, title=SYNTAX)
def the_request_is_valid_against_pa_for_node_xsd(case: Case) -> Iterator[Violation]:
    """The request element is valid against the paForNode.xsd of the SANP version."""
    request = gpd_node.request_of(case)
    if request is None:
        return
    for message, path in pa_for_node_schema(case.sanp).errors(request)[:XSD_ERRORS_SHOWN]:
        yield Violation("valid against paForNode.xsd", message, path)


@rule("GPDNODE-003", stage=Stage.PLATFORM, status=200, title="PAA_ID_DOMINIO_ERRATO")
def the_institution_is_one_gpd_holds(case: Case) -> Iterator[Violation]:
    """idPA is an institution whose debt positions GPD holds."""
    request = gpd_node.request_of(case)
    if request is not None and not case.snapshot.get("institution_known"):
        id_pa = request.findtext("idPA") or ""
        yield Violation("an institution with debt positions in GPD", f"idPA {id_pa}", "/idPA")


@rule("GPDNODE-004", stage=Stage.PLATFORM, status=200, title="PAA_ID_INTERMEDIARIO_ERRATO")
def the_broker_is_gpds(case: Case) -> Iterator[Violation]:
    """idBrokerPA is GPD's broker."""
    request = gpd_node.request_of(case)
    expected = gpd_node.station_of(case)["id_broker_pa"]
    if request is not None and (request.findtext("idBrokerPA") or "") != expected:
        yield Violation(
            f"idBrokerPA {expected} (GPD's)", f"idBrokerPA {request.findtext('idBrokerPA')}", "/idBrokerPA"
        )


@rule("GPDNODE-005", stage=Stage.PLATFORM, status=200, title="PAA_STAZIONE_INT_ERRATA")
def the_station_is_gpds(case: Case) -> Iterator[Violation]:
    """idStation is GPD's station."""
    request = gpd_node.request_of(case)
    expected = gpd_node.station_of(case)["id_station"]
    if request is not None and (request.findtext("idStation") or "") != expected:
        yield Violation(
            f"idStation {expected} (GPD's)", f"idStation {request.findtext('idStation')}", "/idStation"
        )


@rule("GPDNODE-006", stage=Stage.EXISTS, status=200, title=UNKNOWN)
def the_notice_is_one_gpd_holds(case: Case) -> Iterator[Violation]:
    """The notice a request (or a receipt) names belongs to a debt position GPD holds for that institution."""
    notice = case.snapshot.get("notice")
    if gpd_node.request_of(case) is not None and notice and case.position is None:
        yield Violation(
            "a notice of one of the institution's debt positions",
            f"notice {notice['nav']} of {notice['fiscal_code']} is unknown",
            "/qrCode/noticeNumber",
        )


def _state_problem(case: Case, finding: Finding) -> Problem:
    position, option = case.position, gpd_node.noticed_option(case)
    code = "PAA_PAGAMENTO_DUPLICATO"
    if position is not None and position.status in BY_STATUS:
        code = BY_STATUS[position.status]
    elif option is None:
        code = UNKNOWN
    return Problem(200, code, finding.actual)


@rule("GPDNODE-007", stage=Stage.STATE, status=200, title="PAA_PAGAMENTO_DUPLICATO", refine=_state_problem)
def only_payable_notices_are_described_or_activated(case: Case) -> Iterator[Violation]:
    """A notice is described or activated only while its position is payable and its option unpaid: DRAFT
    or PUBLISHED is unknown to the Node, INVALID annulled, EXPIRED expired, PAID, REPORTED or an option
    already paid a duplicate."""
    position, option = case.position, gpd_node.noticed_option(case)
    if position is None or gpd_node.request_of(case) is None:
        return
    if position.status in BY_STATUS or option is None or option.status != model.OptionStatus.PO_UNPAID:
        state = f"position {position.status}" + (f", option {option.status}" if option is not None else "")
        yield Violation(
            "a VALID or PARTIALLY_PAID position with the option unpaid", state, "/qrCode/noticeNumber"
        )


def _receipt_problem(case: Case, finding: Finding) -> Problem:
    position, option = case.position, gpd_node.noticed_option(case)
    refusal = None if position is None or option is None else model.payability(position, option.iuv)
    if refusal is not None and refusal.status == 409:
        return Problem(200, "PAA_RECEIPT_DUPLICATA", finding.actual)
    return Problem(200, "PAA_SEMANTICA", finding.actual)


@rule("GPDNODE-008", stage=Stage.STATE, status=200, title="PAA_SEMANTICA", refine=_receipt_problem)
def a_receipt_pays_a_payable_option(case: Case) -> Iterator[Violation]:
    """A receipt pays an unpaid option of a VALID or PARTIALLY_PAID position: one already paid is a
    duplicate receipt (PAA_RECEIPT_DUPLICATA), one of a position not payable a semantic error."""
    position, option = case.position, gpd_node.noticed_option(case)
    if position is None or option is None or gpd_node.request_of(case) is None:
        return
    refusal = model.payability(position, option.iuv)
    if refusal is not None:
        yield Violation(
            "an unpaid option of a VALID or PARTIALLY_PAID position",
            f"position {position.status}, option {option.status}: {refusal.title}",
            "/receipt/noticeNumber",
        )


@rule("GPDNODE-009", stage=Stage.DATA, status=200, title="PAA_SEMANTICA")
def stamped_notices_are_activated_with_v2(case: Case) -> Iterator[Violation]:
    """A notice with an @e.bollo transfer is activated with paGetPaymentV2: paGetPayment cannot ask for a
    stamp."""
    option = gpd_node.noticed_option(case)
    if option is not None and gpd_node.request_of(case) is not None and gpd_node.stamp_transfers(option):
        yield Violation(
            "paGetPaymentV2 for a notice with an @e.bollo transfer",
            f"paGetPayment, transfers {', '.join(gpd_node.stamp_transfers(option))} ask for a stamp",
            "/qrCode/noticeNumber",
        )
