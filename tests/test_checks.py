"""The always-on checks: silent on the reference station's real answers, precise on crafted breakages."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from messages import (
    DEMAND,
    DEMAND_KINDS,
    NOTICES,
    OPERATIONS,
    RECEIPT_KINDS,
    RECEIPTS,
    RT,
    RT2,
    SANPS,
    V1,
    V2,
    VERIFY,
    answer,
    emptied_body,
    exchange,
    judged,
    ran,
    reference,
    request,
    soap12,
    soap_fault,
    unqualified,
    violations,
    with_copy,
    with_fault,
    with_sibling,
    with_text,
    without,
)

from pagoconf.engine.exchange import Exchange
from pagoconf.identifiers import (
    NoticeNumberError,
    has_valid_check_digit,
    is_valid_iban,
    iuv_of,
    make_nav,
    with_check_digits,
)
from pagoconf.sync import soap as wire
from pagoconf.sync.checks import CHECKS, unchecked_always_rules

KINDS = (*NOTICES, "unknown")
TRANSPORT = ["SOAP-001", "SOAP-002", "SOAP-003", "SOAP-004", "TIME-001"]
PAFN = "{http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd}"
ENVELOPE_EXPECTED = "a SOAP 1.1 Envelope whose Body holds exactly one paVerifyPaymentNoticeRes"
TRANSFER_2 = "data/transferList/transfer[2]"
BAD_IBAN = "IT61X0306909606100000012346"  # IT61X0306909606100000012345 with its last digit changed
WRONG_CHECK_DIGIT = "301800000000000177"  # the reference station's first created notice, 301800000000000176
SHORT_HASH = base64.b64encode(hashlib.sha256(b"document").digest()[:16]).decode("ascii")


# --- 1. the reference station's real answers break no rule ---------------------------------------------


# descriptions and activations of every seeded notice; demands with valid and invalid service data; receipts
# for a payable and an unknown notice (each demand and receipt goes to a fresh station: they change its state)
REFERENCE_CASES = [
    *((sanp, kind, op) for sanp in SANPS for kind in KINDS for op in OPERATIONS),
    *((sanp, kind, DEMAND) for sanp in SANPS for kind in DEMAND_KINDS),
    *((sanp, kind, op) for sanp in SANPS for kind in RECEIPT_KINDS for op in RECEIPTS),
]


def reference_exchange(sanp: str, kind: str, op: str) -> Exchange:
    return exchange(op, reference(op, kind, sanp), request_for=kind, sanp=sanp)


@pytest.mark.parametrize(("sanp", "kind", "op"), REFERENCE_CASES, ids=["-".join(c) for c in REFERENCE_CASES])
def test_reference_answers_break_no_rule(sanp: str, kind: str, op: str) -> None:
    assert violations(reference_exchange(sanp, kind, op), sanp) == []


@pytest.mark.parametrize(
    ("op", "kind", "outcome"),
    [
        (DEMAND, "vehicle_tax", ("OK", None)),
        (DEMAND, "invalid_service_data", ("KO", "PAA_SINTASSI_XSD")),
        (RT, "payable", ("OK", None)),
        (RT2, "payable", ("OK", None)),
        (RT, "unknown", ("KO", "PAA_PAGAMENTO_SCONOSCIUTO")),
        (RT2, "unknown", ("KO", "PAA_PAGAMENTO_SCONOSCIUTO")),
    ],
)
@pytest.mark.parametrize("sanp", SANPS)
def test_reference_demand_and_receipt_answers_are_what_the_cases_claim(
    sanp: str, op: str, kind: str, outcome: tuple[str, str | None]
) -> None:
    a = answer(reference_exchange(sanp, kind, op), sanp)
    assert (a.outcome, a.fault_code) == outcome


@pytest.mark.parametrize("sanp", SANPS)
def test_every_check_passes_where_it_runs_on_reference_answers(sanp: str) -> None:
    """Each registered check judged (and passed) at least one real answer of the reference station."""
    seen: set[str] = set()
    for _, kind, op in (c for c in REFERENCE_CASES if c[0] == sanp):
        seen.update(ran(reference_exchange(sanp, kind, op), sanp))
    assert seen == set(CHECKS.by_rule)


def test_every_always_rule_has_a_check() -> None:
    assert unchecked_always_rules() == []


# --- 2. a crafted message breaks exactly one rule, in exactly these words ------------------------------


@dataclass(frozen=True)
class Broken:
    """A message that breaks `rule` only; `violations` are (expected, actual, where), `$SANP` substituted."""

    name: str
    rule: str
    make: Callable[[str], Exchange]
    violations: tuple[tuple[str, str, str], ...]


def verify_of(
    kind: str, change: Callable[[bytes], bytes] = lambda x: x, **kw: Any
) -> Callable[[str], Exchange]:
    return lambda sanp: exchange(VERIFY, change(reference(VERIFY, kind, sanp)), request_for=kind, **kw)


def activation_of(
    op: str, kind: str, change: Callable[[bytes], bytes] = lambda x: x, **kw: Any
) -> Callable[[str], Exchange]:
    return lambda sanp: exchange(op, change(reference(op, kind, sanp)), request_for=kind, **kw)


def demand_of(kind: str, change: Callable[[bytes], bytes] = lambda x: x) -> Callable[[str], Exchange]:
    return lambda sanp: exchange(DEMAND, change(reference(DEMAND, kind, sanp)), request_for=kind, sanp=sanp)


def receipt_of(
    op: str, kind: str, change: Callable[[bytes], bytes] = lambda x: x
) -> Callable[[str], Exchange]:
    return lambda sanp: exchange(op, change(reference(op, kind, sanp)), request_for=kind, sanp=sanp)


def raw(op: str, body: bytes, **kw: Any) -> Callable[[str], Exchange]:
    return lambda sanp: exchange(op, body, **kw)


def misnumbered(xml: bytes) -> bytes:
    for i in (1, 2, 3):
        xml = with_text(xml, f"data/transferList/transfer[{i}]/idTransfer", str(i + 1))
    return xml


PAYABLE_VERIFY = reference(VERIFY, "payable")
DTD_ENTITY = PAYABLE_VERIFY.replace(
    b"<soapenv:Envelope",
    b'<!DOCTYPE soapenv:Envelope [<!ENTITY ec "77777777777">]>\n<soapenv:Envelope',
).replace(b"<fiscalCodePA>77777777777<", b"<fiscalCodePA>&ec;<")
BARE_RESPONSE = b'<pafn:paVerifyPaymentNoticeRes xmlns:pafn="' + wire.PAFN.encode() + b'"/>'
NO_BODY = (
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soapenv:Header/></soapenv:Envelope>"
)


BROKEN = [
    # transport
    Broken(
        "status-500",
        "SOAP-001",
        verify_of("payable", status=500),
        (("HTTP 200", "HTTP 500", "HTTP status line"),),
    ),
    Broken(
        "status-404-ko",
        "SOAP-001",
        verify_of("unknown", status=404),
        (("HTTP 200", "HTTP 404", "HTTP status line"),),
    ),
    Broken(
        "json-content-type",
        "SOAP-002",
        verify_of("payable", headers={"Content-Type": "application/json"}),
        (("Content-Type: text/xml", "Content-Type: application/json", "HTTP header Content-Type"),),
    ),
    Broken(
        "soap12-content-type",
        "SOAP-002",
        activation_of(V1, "payable", headers={"content-type": "application/soap+xml; charset=utf-8"}),
        (
            (
                "Content-Type: text/xml",
                "Content-Type: application/soap+xml; charset=utf-8",
                "HTTP header Content-Type",
            ),
        ),
    ),
    Broken(
        "no-content-type",
        "SOAP-002",
        verify_of("payable", headers={}),
        (("Content-Type: text/xml", "Content-Type: (none)", "HTTP header Content-Type"),),
    ),
    Broken(
        "soap12-envelope",
        "SOAP-003",
        verify_of("payable", soap12),
        (
            (
                ENVELOPE_EXPECTED,
                "root element {http://www.w3.org/2003/05/soap-envelope}Envelope (not the SOAP 1.1 namespace)",
                "/Envelope",
            ),
        ),
    ),
    Broken(
        "envelope-without-body",
        "SOAP-003",
        raw(VERIFY, NO_BODY),
        (
            (
                ENVELOPE_EXPECTED,
                "root element {http://schemas.xmlsoap.org/soap/envelope/}Envelope without one Body",
                "/Envelope",
            ),
        ),
    ),
    Broken(
        "no-envelope",
        "SOAP-003",
        raw(VERIFY, BARE_RESPONSE),
        ((ENVELOPE_EXPECTED, f"root element {PAFN}paVerifyPaymentNoticeRes", "/Envelope"),),
    ),
    Broken(
        "empty-body",
        "SOAP-003",
        verify_of("payable", emptied_body),
        ((ENVELOPE_EXPECTED, "an empty Body", "/Envelope/Body"),),
    ),
    Broken(
        "two-elements-in-body",
        "SOAP-003",
        verify_of("payable", with_sibling),
        (
            (
                f"exactly one {PAFN}paVerifyPaymentNoticeRes",
                f"{PAFN}paVerifyPaymentNoticeRes, {PAFN}paVerifyPaymentNoticeRes",
                "/Envelope/Body",
            ),
        ),
    ),
    Broken(
        "unqualified-wrapper",
        "SOAP-003",
        verify_of("payable", unqualified),
        ((f"exactly one {PAFN}paVerifyPaymentNoticeRes", "paVerifyPaymentNoticeRes", "/Envelope/Body"),),
    ),
    Broken(
        "another-operations-answer",
        "SOAP-003",
        raw(V2, reference(V1, "payable")),
        ((f"exactly one {PAFN}paGetPaymentV2Response", f"{PAFN}paGetPaymentRes", "/Envelope/Body"),),
    ),
    Broken(
        "not-xml",
        "SOAP-003",
        raw(VERIFY, b"hello"),
        (
            (
                ENVELOPE_EXPECTED,
                "not well-formed XML: Start tag expected, '<' not found, line 1, column 1 (<string>, line 1)",
                "HTTP body",
            ),
        ),
    ),
    Broken(
        "empty-http-body",
        "SOAP-003",
        raw(VERIFY, b" \n"),
        ((ENVELOPE_EXPECTED, "an empty HTTP body", "HTTP body"),),
    ),
    Broken(
        "doctype-with-entity",
        "SOAP-003",
        raw(VERIFY, DTD_ENTITY),
        ((ENVELOPE_EXPECTED, "a DOCTYPE/DTD is not allowed in a SOAP message", "HTTP body"),),
    ),
    Broken(
        "answer-exceeds-bound",
        "SOAP-003",
        raw(VERIFY, PAYABLE_VERIFY[:100], error="answer exceeds the 100-byte bound; reading stopped"),
        ((ENVELOPE_EXPECTED, "answer exceeds the 100-byte bound; reading stopped", "HTTP body"),),
    ),
    Broken(
        "soap-fault",
        "SOAP-004",
        raw(V1, soap_fault("soapenv:Server", "internal error")),
        (
            (
                "paGetPaymentRes with outcome OK or KO",
                "SOAP Fault soapenv:Server: internal error",
                "/Envelope/Body/Fault",
            ),
        ),
    ),
    Broken(
        "timed-out",
        "TIME-001",
        raw(
            VERIFY,
            b"",
            status=0,
            timed_out=True,
            error="no answer within the 7 s deadline",
            elapsed_ms=7003.4,
        ),
        (
            (
                "a complete answer within the Node timeout",
                "no answer within the 7 s deadline (waited 7003 ms)",
                "HTTP exchange",
            ),
        ),
    ),
    Broken(
        "timed-out-mid-body",
        "TIME-001",
        raw(
            V2,
            PAYABLE_VERIFY[:60],
            timed_out=True,
            error="answer not complete within the 7 s deadline",
            elapsed_ms=7000.6,
        ),
        (
            (
                "a complete answer within the Node timeout",
                "answer not complete within the 7 s deadline (waited 7001 ms)",
                "HTTP exchange",
            ),
        ),
    ),
    # schema
    Broken(
        "amount-without-cents",
        "SCHEMA-001",
        verify_of("payable", lambda x: with_text(x, "paymentList/paymentOptionDescription/amount", "120.5")),
        (
            (
                "valid against paForNode.xsd (SANP $SANP)",
                r"Element 'amount': [facet 'pattern'] The value '120.5' is not accepted "
                r"by the pattern '\d+\.\d{2}'.",
                "/paVerifyPaymentNoticeRes/paymentList/paymentOptionDescription/amount",
            ),
        ),
    ),
    Broken(
        "outcome-lower-case",
        "SCHEMA-001",
        verify_of("payable", lambda x: with_text(x, "outcome", "ok")),
        (
            (
                "valid against paForNode.xsd (SANP $SANP)",
                "Element 'outcome': [facet 'enumeration'] The value 'ok' is not an element "
                "of the set {'OK', 'KO'}.",
                "/paVerifyPaymentNoticeRes/outcome",
            ),
        ),
    ),
    # outcome and fault bean
    Broken(
        "ok-with-fault",
        "OUTCOME-001",
        verify_of("payable", with_fault),
        (
            (
                "outcome OK without a fault",
                "OK with fault PAA_SYSTEM_ERROR",
                "/paVerifyPaymentNoticeRes/fault",
            ),
        ),
    ),
    Broken(
        "ko-without-fault",
        "OUTCOME-001",
        activation_of(V2, "unknown", lambda x: without(x, "fault")),
        (("outcome KO with a fault", "KO without a fault", "/paGetPaymentV2Response/fault"),),
    ),
    Broken(
        "blank-fault-string",
        "FAULT-001",
        verify_of("expired", lambda x: with_text(x, "fault/faultString", "")),
        (("a non-blank faultString", "blank", "/paVerifyPaymentNoticeRes/fault/faultString"),),
    ),
    Broken(
        "blank-fault-code-and-id",
        "FAULT-001",
        activation_of(
            V1, "paid", lambda x: with_text(with_text(x, "fault/faultCode", " "), "fault/id", "  ")
        ),
        (
            ("a non-blank faultCode", "blank", "/paGetPaymentRes/fault/faultCode"),
            ("a non-blank id", "blank", "/paGetPaymentRes/fault/id"),
        ),
    ),
    Broken(
        "invented-fault-code",
        "FAULT-002",
        activation_of(V2, "expired", lambda x: with_text(x, "fault/faultCode", "PAA_PAGAMENTO_EXPIRED")),
        (
            (
                "one of PAA_ID_DOMINIO_ERRATO, PAA_ID_INTERMEDIARIO_ERRATO, PAA_PAGAMENTO_ANNULLATO, "
                "PAA_PAGAMENTO_DUPLICATO, PAA_PAGAMENTO_IN_CORSO, PAA_PAGAMENTO_SCADUTO, "
                "PAA_PAGAMENTO_SCONOSCIUTO, "
                "PAA_SEMANTICA, PAA_SINTASSI_EXTRAXSD, PAA_STAZIONE_INT_ERRATA, PAA_SYSTEM_ERROR",
                "PAA_PAGAMENTO_EXPIRED",
                "/paGetPaymentV2Response/fault/faultCode",
            ),
        ),
    ),
    Broken(
        "receipt-fault-code-on-verify",
        "FAULT-002",
        verify_of("paid", lambda x: with_text(x, "fault/faultCode", "PAA_RECEIPT_DUPLICATA")),
        (
            (
                "one of PAA_ID_DOMINIO_ERRATO, PAA_ID_INTERMEDIARIO_ERRATO, PAA_PAGAMENTO_ANNULLATO, "
                "PAA_PAGAMENTO_DUPLICATO, PAA_PAGAMENTO_IN_CORSO, PAA_PAGAMENTO_SCADUTO, "
                "PAA_PAGAMENTO_SCONOSCIUTO, "
                "PAA_SEMANTICA, PAA_SINTASSI_EXTRAXSD, PAA_STAZIONE_INT_ERRATA, PAA_SYSTEM_ERROR",
                "PAA_RECEIPT_DUPLICATA",
                "/paVerifyPaymentNoticeRes/fault/faultCode",
            ),
        ),
    ),
    Broken(
        "fault-id-is-station",
        "FAULT-003",
        verify_of("annulled", lambda x: with_text(x, "fault/id", "88888888888_01")),
        (("id = 77777777777 (the request's idPA)", "88888888888_01", "/paVerifyPaymentNoticeRes/fault/id"),),
    ),
    # verify
    Broken(
        "verify-without-company",
        "VERIFY-002",
        verify_of("payable", lambda x: without(x, "companyName")),
        (("companyName present on outcome OK", "missing", "/paVerifyPaymentNoticeRes/companyName"),),
    ),
    Broken(
        "verify-without-payment-list",
        "VERIFY-002",
        verify_of("postal", lambda x: without(x, "paymentList")),
        (("paymentList present on outcome OK", "missing", "/paVerifyPaymentNoticeRes/paymentList"),),
    ),
    Broken(
        "verify-blank-description",
        "VERIFY-002",
        verify_of(
            "multi_beneficiary",
            lambda x: with_text(with_text(x, "paymentDescription", " "), "companyName", "  "),
        ),
        (
            ("paymentDescription filled in", "blank", "/paVerifyPaymentNoticeRes/paymentDescription"),
            ("companyName filled in", "blank", "/paVerifyPaymentNoticeRes/companyName"),
        ),
    ),
    Broken(
        "options-any",
        "VERIFY-003",
        verify_of("payable", lambda x: with_text(x, "paymentList/paymentOptionDescription/options", "ANY")),
        (
            (
                "options = EQ",
                "options = ANY",
                "/paVerifyPaymentNoticeRes/paymentList/paymentOptionDescription/options",
            ),
        ),
    ),
    Broken(
        "verify-names-another-institution",
        "VERIFY-004",
        verify_of("bollo", lambda x: with_text(x, "fiscalCodePA", "99999999999")),
        (
            (
                "fiscalCodePA = 77777777777 (the request's qrCode)",
                "99999999999",
                "/paVerifyPaymentNoticeRes/fiscalCodePA",
            ),
        ),
    ),
    # spontaneous payments
    Broken(
        "demand-without-company",
        "DEMAND-002",
        demand_of("vehicle_tax", lambda x: without(x, "companyName")),
        (("companyName present on outcome OK", "missing", "/paDemandPaymentNoticeResponse/companyName"),),
    ),
    Broken(
        "demand-without-qr-code-and-payment-list",
        "DEMAND-002",
        demand_of("vehicle_tax", lambda x: without(without(x, "qrCode"), "paymentList")),
        (
            ("qrCode present on outcome OK", "missing", "/paDemandPaymentNoticeResponse/qrCode"),
            ("paymentList present on outcome OK", "missing", "/paDemandPaymentNoticeResponse/paymentList"),
        ),
    ),
    Broken(
        "demand-blank-description",
        "DEMAND-002",
        demand_of("vehicle_tax", lambda x: with_text(x, "paymentDescription", " ")),
        (("paymentDescription filled in", "blank", "/paDemandPaymentNoticeResponse/paymentDescription"),),
    ),
    Broken(
        "demand-wrong-check-digit",
        "DEMAND-003",
        demand_of("vehicle_tax", lambda x: with_text(x, "qrCode/noticeNumber", WRONG_CHECK_DIGIT)),
        (
            (
                "an 18-digit notice number with a right check digit (mod 93)",
                WRONG_CHECK_DIGIT,
                "/paDemandPaymentNoticeResponse/qrCode/noticeNumber",
            ),
        ),
    ),
    Broken(
        "demand-notice-of-another-institution",
        "DEMAND-003",
        demand_of("vehicle_tax", lambda x: with_text(x, "qrCode/fiscalCode", "99999999999")),
        (
            (
                "qrCode/fiscalCode = 77777777777 (the request's idPA)",
                "99999999999",
                "/paDemandPaymentNoticeResponse/qrCode/fiscalCode",
            ),
        ),
    ),
    Broken(
        "demand-options-any",
        "VERIFY-003",
        demand_of(
            "vehicle_tax", lambda x: with_text(x, "paymentList/paymentOptionDescription/options", "ANY")
        ),
        (
            (
                "options = EQ",
                "options = ANY",
                "/paDemandPaymentNoticeResponse/paymentList/paymentOptionDescription/options",
            ),
        ),
    ),
    Broken(
        "demand-fault-code-of-receipts",
        "FAULT-002",
        demand_of("invalid_service_data", lambda x: with_text(x, "fault/faultCode", "PAA_RECEIPT_DUPLICATA")),
        (
            (
                "one of PAA_ID_DOMINIO_ERRATO, PAA_ID_INTERMEDIARIO_ERRATO, PAA_PAGAMENTO_SCONOSCIUTO, "
                "PAA_SEMANTICA, PAA_SINTASSI_EXTRAXSD, PAA_SINTASSI_XSD, PAA_STAZIONE_INT_ERRATA, "
                "PAA_SYSTEM_ERROR",
                "PAA_RECEIPT_DUPLICATA",
                "/paDemandPaymentNoticeResponse/fault/faultCode",
            ),
        ),
    ),
    # receipts: only the common rules apply
    Broken(
        "receipt-ok-with-fault",
        "OUTCOME-001",
        receipt_of(RT2, "payable", with_fault),
        (("outcome OK without a fault", "OK with fault PAA_SYSTEM_ERROR", "/paSendRTV2Response/fault"),),
    ),
    Broken(
        "receipt-fault-id-is-station",
        "FAULT-003",
        receipt_of(RT, "unknown", lambda x: with_text(x, "fault/id", "88888888888_01")),
        (("id = 77777777777 (the request's idPA)", "88888888888_01", "/paSendRTRes/fault/id"),),
    ),
    # activation
    Broken(
        "activation-without-data-v1",
        "ACTIVATE-002",
        activation_of(V1, "payable", lambda x: without(x, "data")),
        (("data present on outcome OK", "missing", "/paGetPaymentRes/data"),),
    ),
    Broken(
        "activation-without-data-v2",
        "ACTIVATE-002",
        activation_of(V2, "bollo", lambda x: without(x, "data")),
        (("data present on outcome OK", "missing", "/paGetPaymentV2Response/data"),),
    ),
    Broken(
        "creditor-reference-is-notice-number",
        "ACTIVATE-003",
        activation_of(
            V1, "payable", lambda x: with_text(x, "data/creditorReferenceId", "301100000000000148")
        ),
        (
            (
                "creditorReferenceId = 01100000000000148 (IUV of notice 301100000000000148)",
                "301100000000000148",
                "/paGetPaymentRes/data/creditorReferenceId",
            ),
        ),
    ),
    Broken(
        "transfers-misnumbered",
        "ACTIVATE-004",
        activation_of(V2, "multi_beneficiary", misnumbered),
        (("idTransfer 1, 2, 3", "idTransfer 2, 3, 4", "/paGetPaymentV2Response/data/transferList"),),
    ),
    Broken(
        "transfers-repeated-id",
        "ACTIVATE-004",
        activation_of(V1, "postal", lambda x: with_text(x, f"{TRANSFER_2}/idTransfer", "1")),
        (("idTransfer 1, 2", "idTransfer 1, 1", "/paGetPaymentRes/data/transferList"),),
    ),
    Broken(
        "transfers-do-not-add-up",
        "ACTIVATE-005",
        activation_of(
            V1,
            "multi_beneficiary",
            lambda x: with_text(x, "data/transferList/transfer[1]/transferAmount", "101.00"),
        ),
        (
            (
                "sum(transferAmount) = 150.70",
                "151.70 (transfer 1: 101.00, transfer 2: 30.50, transfer 3: 20.20)",
                "/paGetPaymentRes/data/transferList",
            ),
        ),
    ),
    Broken(
        "iban-bad-checksum",
        "ACTIVATE-006",
        activation_of(V1, "multi_beneficiary", lambda x: with_text(x, f"{TRANSFER_2}/IBAN", BAD_IBAN)),
        (
            (
                "an ISO 13616 IBAN (mod-97 = 1)",
                BAD_IBAN,
                "/paGetPaymentRes/data/transferList/transfer[2]/IBAN",
            ),
        ),
    ),
    Broken(
        "short-stamp-hash",
        "ACTIVATE-007",
        activation_of(
            V2,
            "bollo",
            lambda x: with_text(x, f"{TRANSFER_2}/richiestaMarcaDaBollo/hashDocumento", SHORT_HASH),
        ),
        (
            (
                "base64 of a 32-byte SHA-256 digest",
                f"'{SHORT_HASH}' (16 bytes)",
                "/paGetPaymentV2Response/data/transferList/transfer[2]/richiestaMarcaDaBollo/hashDocumento",
            ),
        ),
    ),
    Broken(
        "duplicate-metadata-key",
        "ACTIVATE-008",
        activation_of(V1, "payable", lambda x: with_copy(x, "data/metadata/mapEntry[1]")),
        (
            (
                "unique metadata keys",
                "key 'annoRiferimento' repeated",
                "/paGetPaymentRes/data/metadata/mapEntry[2]/key",
            ),
        ),
    ),
    Broken(
        "duplicate-transfer-metadata-key",
        "ACTIVATE-008",
        activation_of(V2, "payable", lambda x: with_copy(x, "data/transferList/transfer/metadata/mapEntry")),
        (
            (
                "unique metadata keys",
                "key 'beneficiario' repeated",
                "/paGetPaymentV2Response/data/transferList/transfer/metadata/mapEntry[2]/key",
            ),
        ),
    ),
]

BROKEN_CASES = [(b, sanp) for b in BROKEN for sanp in SANPS]


@pytest.mark.parametrize(
    ("case", "sanp"), BROKEN_CASES, ids=[f"{b.rule}-{b.name}-{s}" for b, s in BROKEN_CASES]
)
def test_crafted_message_breaks_exactly_its_rule(case: Broken, sanp: str) -> None:
    got = [(v.rule, v.expected, v.actual, v.where) for v in violations(case.make(sanp), sanp)]
    want = [(case.rule, e.replace("$SANP", sanp), a, w) for e, a, w in case.violations]
    assert got == want


def test_every_check_has_a_crafted_breakage() -> None:
    assert {b.rule for b in BROKEN} == set(CHECKS.by_rule)


@pytest.mark.parametrize(
    "doc",
    [
        DTD_ENTITY,
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>',
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>',
    ],
    ids=["internal-entity", "billion-laughs", "external-entity"],
)
def test_doctype_is_refused_without_expansion(doc: bytes) -> None:
    a = answer(exchange(VERIFY, doc))
    assert a.envelope is None and a.body is None and a.response is None
    assert a.parse_error == "a DOCTYPE/DTD is not allowed in a SOAP message"
    [v] = violations(exchange(VERIFY, doc))
    assert (v.rule, v.actual) == ("SOAP-003", "a DOCTYPE/DTD is not allowed in a SOAP message")
    assert "root:" not in v.actual and "lollol" not in v.actual


# --- 3. a check runs only where it has something to judge ----------------------------------------------


def test_fault_checks_do_not_run_on_an_ok_answer() -> None:
    for op in OPERATIONS:
        rules = ran(exchange(op, reference(op, "payable")))
        assert not {"FAULT-001", "FAULT-002", "FAULT-003"} & set(rules), op


def test_ok_checks_do_not_run_on_a_ko_answer() -> None:
    for op in OPERATIONS:
        rules = ran(exchange(op, reference(op, "expired"), request_for="expired"))
        assert rules == ["OUTCOME-001", "FAULT-001", "FAULT-002", "FAULT-003", "SCHEMA-001", *TRANSPORT], op


def test_each_operation_gets_only_its_own_checks() -> None:
    assert ran(exchange(VERIFY, PAYABLE_VERIFY)) == [
        "OUTCOME-001",
        "SCHEMA-001",
        *TRANSPORT,
        "VERIFY-002",
        "VERIFY-003",
        "VERIFY-004",
    ]
    activation = [
        "OUTCOME-001",
        "ACTIVATE-002",
        "ACTIVATE-003",
        "ACTIVATE-004",
        "ACTIVATE-005",
        "ACTIVATE-006",
        "ACTIVATE-008",
        "SCHEMA-001",
        *TRANSPORT,
    ]
    assert ran(exchange(V1, reference(V1, "payable"))) == activation
    assert ran(exchange(V2, reference(V2, "payable"))) == activation
    assert ran(exchange(DEMAND, reference(DEMAND, "vehicle_tax"), request_for="vehicle_tax")) == [
        "OUTCOME-001",
        "DEMAND-002",
        "DEMAND-003",
        "SCHEMA-001",
        *TRANSPORT,
        "VERIFY-003",
    ]
    for op in RECEIPTS:
        assert ran(exchange(op, reference(op, "payable"))) == ["OUTCOME-001", "SCHEMA-001", *TRANSPORT], op


def test_demand_checks_need_the_spontaneous_capability() -> None:
    created = exchange(DEMAND, reference(DEMAND, "vehicle_tax"), request_for="vehicle_tax")
    assert {"DEMAND-002", "DEMAND-003"} <= set(ran(created, capabilities=("spontaneous",)))
    assert not {"DEMAND-002", "DEMAND-003"} & set(ran(created, capabilities=()))


def test_demand_checks_do_not_run_on_a_refused_demand() -> None:
    refused = exchange(DEMAND, reference(DEMAND, "invalid_service_data"), request_for="invalid_service_data")
    assert not {"DEMAND-002", "DEMAND-003", "VERIFY-003"} & set(ran(refused))


def test_notice_number_check_needs_a_qr_code() -> None:
    changed = without(reference(DEMAND, "vehicle_tax"), "qrCode")
    rules = ran(exchange(DEMAND, changed, request_for="vehicle_tax"))
    assert "DEMAND-002" in rules and "DEMAND-003" not in rules


def test_created_notice_institution_is_not_judged_without_the_request() -> None:
    changed = with_text(reference(DEMAND, "vehicle_tax"), "qrCode/fiscalCode", "99999999999")
    assert violations(exchange(DEMAND, changed, request_for=None)) == []


def test_stamp_check_runs_only_with_a_stamp_transfer_and_the_bollo_capability() -> None:
    stamp = exchange(V2, reference(V2, "bollo"), request_for="bollo")
    assert "ACTIVATE-007" in ran(stamp)
    assert "ACTIVATE-007" in ran(stamp, capabilities=("bollo",))
    assert "ACTIVATE-007" not in ran(stamp, capabilities=("multi", "postal"))
    assert "ACTIVATE-007" not in ran(exchange(V2, reference(V2, "multi_beneficiary")))


def test_capabilities_leave_other_checks_alone() -> None:
    stamp = exchange(V2, reference(V2, "bollo"), request_for="bollo")
    assert [r for r in ran(stamp) if r != "ACTIVATE-007"] == ran(stamp, capabilities=())


@pytest.mark.parametrize(
    "body",
    [
        soap12(PAYABLE_VERIFY),
        emptied_body(PAYABLE_VERIFY),
        with_sibling(PAYABLE_VERIFY),
        unqualified(PAYABLE_VERIFY),
        soap_fault(),
        b"not xml",
        b"",
        DTD_ENTITY,
        NO_BODY,
    ],
    ids=[
        "soap12",
        "empty-body",
        "two-elements",
        "unqualified",
        "soap-fault",
        "not-xml",
        "empty",
        "dtd",
        "no-body",
    ],
)
def test_body_checks_do_not_run_when_the_envelope_is_broken(body: bytes) -> None:
    assert ran(exchange(VERIFY, body)) == TRANSPORT


def test_only_the_deadline_is_judged_when_the_station_timed_out() -> None:
    ex = exchange(
        V1, b"", status=0, timed_out=True, error="no answer within the 7 s deadline", elapsed_ms=7000
    )
    assert ran(ex) == ["TIME-001"]


def test_nothing_is_judged_when_the_station_is_unreachable() -> None:
    ex = exchange(V1, b"", status=0, unreachable=True, error="station unreachable: connection refused")
    assert judged(ex) == []


def test_a_captured_message_is_judged_without_http_checks() -> None:
    ex = exchange(VERIFY, PAYABLE_VERIFY, status=0, headers={})
    assert ran(ex) == [
        "OUTCOME-001",
        "SCHEMA-001",
        "SOAP-003",
        "SOAP-004",
        "VERIFY-002",
        "VERIFY-003",
        "VERIFY-004",
    ]
    assert violations(ex) == []


def test_a_broken_exchange_without_status_is_judged_as_a_body_only() -> None:
    ex = exchange(VERIFY, b"", status=0, error="HTTP exchange failed: boom")
    assert ran(ex) == ["SOAP-003", "SOAP-004"]
    assert [(v.rule, v.actual) for v in violations(ex)] == [("SOAP-003", "HTTP exchange failed: boom")]


def test_fault_code_check_skips_a_blank_code() -> None:
    ex = exchange(
        VERIFY, with_text(reference(VERIFY, "unknown"), "fault/faultCode", ""), request_for="unknown"
    )
    assert "FAULT-001" in ran(ex) and "FAULT-002" not in ran(ex)


def test_fault_id_check_needs_the_request() -> None:
    changed = with_text(reference(VERIFY, "unknown"), "fault/id", "88888888888_01")
    assert "FAULT-003" not in ran(exchange(VERIFY, changed, request_for=None))
    assert "FAULT-003" in ran(exchange(VERIFY, changed, request_for="unknown"))


def test_institution_check_skips_a_missing_fiscal_code() -> None:
    ex = exchange(VERIFY, without(PAYABLE_VERIFY, "fiscalCodePA"))
    assert "VERIFY-002" in ran(ex) and "VERIFY-004" not in ran(ex)


def test_data_checks_do_not_run_without_data() -> None:
    rules = ran(exchange(V2, without(reference(V2, "bollo"), "data"), request_for="bollo"))
    assert [r for r in rules if r.startswith("ACTIVATE")] == ["ACTIVATE-002"]


def test_creditor_reference_is_not_judged_without_a_notice_number() -> None:
    changed = with_text(reference(V1, "payable"), "data/creditorReferenceId", "301100000000000148")
    assert violations(exchange(V1, changed, request_for=None)) == []


# --- 5. properties: notice numbers and IBANs ------------------------------------------------------------


def digit_string(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


@st.composite
def navs(draw: st.DrawFn) -> tuple[int, str, str, str]:
    """(aux, code, base, expected IUV without check digit) of a NAV with a check digit."""
    aux = draw(st.sampled_from((0, 2, 3)))
    if aux == 2:
        base = draw(digit_string(15))
        return aux, "", base, base
    code, base = draw(digit_string(2)), draw(digit_string(13))
    return aux, code, base, (base if aux == 0 else code + base)


@settings(max_examples=200)
@given(navs())
def test_make_nav_round_trips(parts: tuple[int, str, str, str]) -> None:
    aux, code, base, iuv_body = parts
    nav_ = make_nav(aux, code, base)
    assert len(nav_) == 18 and nav_.startswith(str(aux))
    assert has_valid_check_digit(nav_)
    assert iuv_of(nav_) == iuv_body + nav_[-2:]
    assert nav_[-2:] == f"{int(nav_[:-2]) % 93:02d}"


@settings(max_examples=200)
@given(navs(), st.integers(1, 17), st.integers(1, 9))
def test_any_single_digit_change_breaks_the_nav_check(
    parts: tuple[int, str, str, str], pos: int, delta: int
) -> None:
    nav_ = make_nav(*parts[:3])
    changed = nav_[:pos] + str((int(nav_[pos]) + delta) % 10) + nav_[pos + 1 :]
    assert not has_valid_check_digit(changed)


@given(st.text(min_size=0, max_size=20).filter(lambda s: not (len(s) == 18 and s.isascii() and s.isdigit())))
def test_iuv_of_refuses_what_is_not_a_nav(text: str) -> None:
    with pytest.raises(NoticeNumberError):
        iuv_of(text)
    assert not has_valid_check_digit(text)


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country = draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2))
    bban = draw(st.text(ALNUM, min_size=1, max_size=30))
    return with_check_digits(country, bban)


@settings(max_examples=200)
@given(ibans())
def test_with_check_digits_always_passes_mod_97(iban: str) -> None:
    assert is_valid_iban(iban)


@settings(max_examples=200)
@given(ibans(), st.data())
def test_any_single_digit_change_fails_mod_97(iban: str, data: st.DataObject) -> None:
    positions = [i for i, c in enumerate(iban) if c.isdigit() and i >= 2]
    pos = data.draw(st.sampled_from(positions))
    delta = data.draw(st.integers(1, 9))
    changed = iban[:pos] + str((int(iban[pos]) + delta) % 10) + iban[pos + 1 :]
    assert not is_valid_iban(changed)


@settings(max_examples=25)
@given(ibans().filter(lambda i: len(i) <= 34))
def test_iban_check_accepts_every_well_formed_iban_in_an_answer(iban: str) -> None:
    body = with_text(reference(V1, "payable"), "data/transferList/transfer/IBAN", iban)
    assert list(CHECKS.by_rule["ACTIVATE-006"].fn(answer(exchange(V1, body)))) == []


@settings(max_examples=25)
@given(navs())
def test_creditor_reference_check_accepts_the_iuv_of_any_nav(parts: tuple[int, str, str, str]) -> None:
    nav_ = make_nav(*parts[:3])
    body = with_text(reference(V1, "payable"), "data/creditorReferenceId", iuv_of(nav_))
    ex = Exchange(
        V1,
        "http://station.test",
        request(V1, nav_),
        {},
        status=200,
        headers={"Content-Type": "text/xml"},
        response=body,
    )
    assert list(CHECKS.by_rule["ACTIVATE-003"].fn(answer(ex))) == []


# --- lexical forms the schema allows and wording without placeholders --------------------------------------


def test_stamp_hash_split_over_lines_is_accepted() -> None:
    bollo = reference(V2, "bollo")
    full = "3jcW4Z+CR5qfPevT2f3PumYqDtD6U63Bqnhh78LwnJM="
    assert full in bollo.decode()
    wrapped = with_text(
        bollo, f"{TRANSFER_2}/richiestaMarcaDaBollo/hashDocumento", full[:20] + "\n" + full[20:]
    )
    assert violations(exchange(V2, wrapped, request_for="bollo")) == []


def test_transfer_number_written_with_a_leading_zero_is_accepted() -> None:
    changed = with_text(reference(V1, "payable"), "data/transferList/transfer/idTransfer", "01")
    assert violations(exchange(V1, changed)) == []


def test_ok_with_a_fault_without_code_is_worded_without_none() -> None:
    changed = without(with_fault(PAYABLE_VERIFY), "fault/faultCode")
    [v] = [v for v in violations(exchange(VERIFY, changed)) if v.rule == "OUTCOME-001"]
    assert "None" not in v.actual
