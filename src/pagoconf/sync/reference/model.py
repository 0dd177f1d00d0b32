"""The reference station: a conformant EC station, written to be read as the spec.

It answers the six paForNode operations from its state (the notices the EC issued, the receipts it
received) and nothing else. It knows no defect: each named defect (defects.py) is a small subclass that
overrides one of the methods below, each named for the point of the spec it implements.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from pagoconf.identifiers import is_postal
from pagoconf.sync import soap
from pagoconf.sync.config import Identity
from pagoconf.sync.fault_codes import MEANING
from pagoconf.sync.reference.data import (
    COMPANY_NAME,
    IDENTITY,
    OFFICE_NAME,
    IssuedNotice,
    Stamp,
    Transfer,
    spontaneous_notice,
    spontaneous_number,
)
from pagoconf.sync.reference.services import SERVICES, Service, ServiceData, read_service_data, vehicle_of
from pagoconf.sync.reference.store import Store, StoredReceipt, now
from pagoconf.sync.schema import pa_for_node_schema
from pagoconf.sync.soap import element
from pagoconf.sync.xmlsafe import UnsafeXml, parse

MAX_BODY = 1024 * 1024
VERIFY = "paVerifyPaymentNotice"
ACTIVATIONS = ("paGetPayment", "paGetPaymentV2")
RECEIPTS = ("paSendRT", "paSendRTV2")
DEMAND = "paDemandPaymentNotice"
SERVED_BY_VERSION = {1: ("paGetPayment", "paSendRT"), 2: ("paGetPaymentV2", "paSendRTV2")}
SPONTANEOUS_DAYS = 30  # a notice created on demand falls due this many days later


@dataclass(frozen=True, slots=True)
class Reply:
    """What goes back on the wire: HTTP status, body, content type, the operation answered, and how long
    to wait before sending it (only slow stations wait)."""

    status: int
    body: bytes
    operation: str | None = None
    content_type: str = soap.CONTENT_TYPE
    delay: float = 0.0


class Refusal(Exception):
    """A KO answer: a fault code and a short English explanation."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description


class SoapFault(Exception):
    """An answer given as a SOAP 1.1 Fault instead of a paForNode element."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Request(NamedTuple):
    """A request as the station read it: the operation, the request element, and the raw bytes."""

    op: soap.Operation
    element: etree._Element
    raw: bytes


class IdentityCheck(NamedTuple):
    """One of the three identity fields a station checks, and the fault that refuses a wrong one."""

    field: str
    expected: str
    fault: str
    what: str


def soap_fault(code: str, message: str) -> bytes:
    """A SOAP 1.1 envelope holding a Fault."""
    fault = etree.Element(etree.QName(soap.SOAP_ENV, "Fault"), nsmap={"soapenv": soap.SOAP_ENV})
    element(fault, "faultcode", code)
    element(fault, "faultstring", message)
    return soap.envelope(fault)


def plain(status: int, text: str) -> Reply:
    """A text/plain HTTP answer."""
    return Reply(status, text.encode(), content_type="text/plain; charset=utf-8")


def reason(status: int) -> str:
    """'404 Not Found'."""
    return f"{status} {HTTPStatus(status).phrase}"


def amount_text(value: Decimal) -> str:
    """An amount as SANP writes it: exactly two decimals."""
    return f"{value:.2f}"


class StationModel:
    """A conformant paForNode station. `answer()` turns a request body into a Reply; no I/O but its store."""

    def __init__(
        self,
        *,
        sanp: str = "3.8.0",
        today: date | None = None,
        identity: Identity = IDENTITY,
        db: str | Path | None = None,
        primitive_version: int | None = None,
        delay: float = 8.0,
        sluggish_delay: float = 2.2,
    ) -> None:
        """Load the request schema of `sanp` and open the state in `db` (":memory:" when None).

        `primitive_version` 1 or 2 serves only that version's paGetPayment/paSendRT pair, as a registered
        station does; None (offline use) serves both. `delay`/`sluggish_delay`: how slow the slow defects
        are (a conformant station never waits)."""
        if primitive_version not in (None, 1, 2):
            raise ValueError(f"primitive_version must be 1 or 2, not {primitive_version!r}")
        self.sanp = sanp
        self.today = today
        self.identity = identity
        self.primitive_version = primitive_version
        self.delay = delay
        self.sluggish_delay = sluggish_delay
        self.schema = pa_for_node_schema(sanp)
        self.store = Store(db if db is not None else ":memory:", today=today, fiscal_code=identity.id_pa)

    def close(self) -> None:
        """Close the state database."""
        self.store.close()

    # --- the HTTP envelope of an answer --------------------------------------------------------------

    def answer_http(self, body: bytes | None, soap_action: str | None) -> Reply:
        """The answer to one POST on the endpoint (body None: larger than MAX_BODY), as delivered."""
        try:
            reply = self.answer(body, soap_action) if body is not None else self.oversized()
        except Exception as exc:  # never die on a request
            sys.stderr.write(f"reference station: error answering a request: {exc!r}\n")
            reply = Reply(500, soap_fault("soapenv:Server", "internal error"))
        return self.deliver(reply)

    def oversized(self) -> Reply:
        """A body larger than the station accepts: 413, with a SOAP Fault saying so."""
        return Reply(413, soap_fault("soapenv:Client", f"request larger than {MAX_BODY // 1024} KiB"))

    def deliver(self, reply: Reply) -> Reply:
        """The last word on what goes on the wire (status, content type, timing): as built."""
        return reply

    # --- reading a request ---------------------------------------------------------------------------

    def answer(self, data: bytes, soap_action: str | None = None) -> Reply:
        """The answer to one SOAP request body."""
        root, problem = self.read(data)
        children = soap.body_children(root) if root is not None else None
        request = children[0] if children else None
        op = self.operation(request, soap_action)
        if op is None:
            return Reply(500, soap_fault("soapenv:Client", "cannot tell which paForNode operation this is"))
        problem = problem or self.syntax_problem(op, children)
        try:
            if problem:
                res = self.ko(op, self.institution_of(request), "PAA_SINTASSI_EXTRAXSD", problem)
            else:
                assert request is not None
                res = self.respond(Request(op, request, data))
        except SoapFault as fault:
            return Reply(200, soap_fault(fault.code, fault.message), op.name)
        return Reply(200, soap.envelope(res), op.name, delay=0.0 if problem else self.pause(op))

    def read(self, data: bytes) -> tuple[etree._Element | None, str | None]:
        """The parsed envelope, or why it cannot be read (no DTD, no entities, bounded depth and size)."""
        try:
            return parse(data, max_bytes=MAX_BODY), None
        except UnsafeXml as exc:
            return None, str(exc)

    def pause(self, op: soap.Operation) -> float:
        """Seconds to wait before answering a valid request: none."""
        return 0.0

    @staticmethod
    def operation(request: etree._Element | None, soap_action: str | None) -> soap.Operation | None:
        """The operation named by the Body element, else by the SOAPAction header (quoted or not)."""
        if request is not None and soap.local(request) in soap.BY_REQUEST_ELEMENT:
            return soap.BY_REQUEST_ELEMENT[soap.local(request)]
        action = (soap_action or "").strip().strip('"').strip()
        return soap.OPERATIONS.get(action)

    def syntax_problem(self, op: soap.Operation, children: list[etree._Element] | None) -> str | None:
        """Why the request is not a valid `op` request, or None."""
        if children is None:
            return "the request is not a SOAP 1.1 envelope with one Body"
        if not children:
            return "the SOAP Body is empty"
        if len(children) > 1:
            return "the SOAP Body holds more than one element"
        request = children[0]
        if request.tag != f"{{{soap.PAFN}}}{op.request}":
            return f"expected {{{soap.PAFN}}}{op.request}, got {request.tag}"
        return self.schema_problem(op, request)

    def schema_problem(self, op: soap.Operation, request: etree._Element) -> str | None:
        """The first paForNode.xsd violation of the request element, or None. The base64 of a demand's
        service data is left to the demand, which refuses bad service data with PAA_SINTASSI_XSD."""
        errors = self.schema.errors(request)
        if op.name == DEMAND:
            errors = [e for e in errors if not e[1].endswith("/datiSpecificiServizioRequest")]
        if not errors:
            return None
        return f"not valid against paForNode.xsd (SANP {self.sanp}): {errors[0][0]}"

    def institution_of(self, request: etree._Element | None) -> str:
        """The idPA of the request, or the station's EC when it cannot be read."""
        value = request.findtext("idPA") if request is not None else None
        return value.strip() if value and value.strip() else self.identity.id_pa

    # --- answering a valid request --------------------------------------------------------------------

    def respond(self, req: Request) -> etree._Element:
        """The response element for a valid request: identity, primitive version, then the operation."""
        try:
            self.check_identity(req.element)
            self.check_version(req.op)
            if req.op.name == VERIFY:
                return self.verify(req, self.lookup(req.element))
            if req.op.name in ACTIVATIONS:
                return self.activate(req, self.lookup(req.element))
            if req.op.name in RECEIPTS:
                return self.receive(req)
            return self.demand(req)
        except Refusal as refusal:
            return self.ko(req.op, self.institution_of(req.element), refusal.code, refusal.description)

    def identity_checks(self) -> list[IdentityCheck]:
        """The institution, the intermediary and the station a request must name, in that order."""
        i = self.identity
        return [
            IdentityCheck("idPA", i.id_pa, "PAA_ID_DOMINIO_ERRATO", "institution"),
            IdentityCheck("idBrokerPA", i.id_broker_pa, "PAA_ID_INTERMEDIARIO_ERRATO", "broker"),
            IdentityCheck("idStation", i.id_station, "PAA_STAZIONE_INT_ERRATA", "station"),
        ]

    def check_identity(self, request: etree._Element) -> None:
        """Refuse a request addressed to another EC, broker or station."""
        for check in self.identity_checks():
            value = request.findtext(check.field)
            if value != check.expected:
                raise Refusal(
                    check.fault,
                    f"{check.field} {value} is not a {check.what} this station serves "
                    f"(expected {check.expected})",
                )

    def check_version(self, op: soap.Operation) -> None:
        """Refuse the paGetPayment/paSendRT pair of the version the station is not registered with."""
        version = self.primitive_version
        if (
            version is not None
            and op.name in (*ACTIVATIONS, *RECEIPTS)
            and op.name not in SERVED_BY_VERSION[version]
        ):
            raise Refusal(
                "PAA_SYSTEM_ERROR",
                f"station registered with primitive version {version}: {op.name} is not served",
            )

    def lookup(self, request: etree._Element) -> IssuedNotice:
        """The notice the request's qrCode names, if it can be paid; else the Refusal that says why not."""
        fiscal_code = request.findtext("qrCode/fiscalCode") or ""
        nav = request.findtext("qrCode/noticeNumber") or ""
        notice = self.store.find(fiscal_code, nav)
        if notice is None:
            raise self.unknown(nav, fiscal_code)
        refusal = self.refusal_for(notice)
        if refusal is not None:
            raise refusal
        return notice

    def unknown(self, nav: str, fiscal_code: str) -> Refusal:
        """A notice the institution never issued: PAA_PAGAMENTO_SCONOSCIUTO."""
        return Refusal(
            "PAA_PAGAMENTO_SCONOSCIUTO", f"notice {nav} was never issued by institution {fiscal_code}"
        )

    def refusal_for(self, notice: IssuedNotice) -> Refusal | None:
        """Why a notice cannot be paid: expired (SCADUTO), annulled (ANNULLATO), already paid (DUPLICATO)."""
        if notice.state == "expired":
            return Refusal(
                "PAA_PAGAMENTO_SCADUTO", f"notice {notice.nav} expired on {notice.due_date.isoformat()}"
            )
        if notice.state == "annulled":
            return Refusal("PAA_PAGAMENTO_ANNULLATO", f"notice {notice.nav} was annulled by the institution")
        if notice.state == "paid":
            return Refusal("PAA_PAGAMENTO_DUPLICATO", f"notice {notice.nav} has already been paid")
        return None

    # --- response elements ----------------------------------------------------------------------------

    def wrapper(self, op: soap.Operation) -> etree._Element:
        """The response element of `op`, qualified."""
        return soap.wrapper(op.response)

    def ko(self, op: soap.Operation, id_pa: str, code: str, description: str) -> etree._Element:
        """A KO answer of `op` with its fault bean."""
        res = self.wrapper(op)
        element(res, "outcome", "KO")
        self.fault(res, code, description, id_pa)
        return res

    def fault(self, parent: etree._Element, code: str, description: str, id_pa: str) -> etree._Element:
        """Append a fault bean: faultCode, faultString (its meaning), id (the institution), description."""
        fault = element(parent, "fault")
        element(fault, "faultCode", code)
        element(fault, "faultString", MEANING.get(code, code))
        element(fault, "id", id_pa)
        element(fault, "description", description)
        return fault

    def ok(self, op: soap.Operation) -> etree._Element:
        """An OK answer with nothing else (ctResponse)."""
        res = self.wrapper(op)
        element(res, "outcome", "OK")
        return res

    # --- paVerifyPaymentNotice -----------------------------------------------------------------------

    def verify(self, req: Request, notice: IssuedNotice) -> etree._Element:
        """paVerifyPaymentNoticeRes OK: the single payment option, for its exact amount, and who asks."""
        res = self.wrapper(req.op)
        element(res, "outcome", "OK")
        option = element(element(res, "paymentList"), "paymentOptionDescription")
        element(option, "amount", amount_text(notice.amount))
        element(option, "options", "EQ")
        element(option, "dueDate", notice.due_date.isoformat())
        element(option, "detailDescription", notice.description)
        element(option, "allCCP", "true" if self.all_postal(notice) else "false")
        element(res, "paymentDescription", notice.description)
        element(res, "fiscalCodePA", self.identity.id_pa)
        element(res, "companyName", COMPANY_NAME)
        element(res, "officeName", OFFICE_NAME)
        return res

    @staticmethod
    def all_postal(notice: IssuedNotice) -> bool:
        """allCCP: every transfer credits a postal account (a stamp is not one)."""
        return all(t.iban is not None and is_postal(t.iban) for t in notice.transfers)

    # --- paGetPayment / paGetPaymentV2 ---------------------------------------------------------------

    def activate(self, req: Request, notice: IssuedNotice) -> etree._Element:
        """paGetPaymentRes / paGetPaymentV2Response OK with the payment data."""
        v2 = req.op.name == "paGetPaymentV2"
        if notice.has_stamp and not v2:
            raise Refusal("PAA_SEMANTICA", "this notice includes an @e.bollo stamp: use paGetPaymentV2")
        res = self.wrapper(req.op)
        element(res, "outcome", "OK")
        self.payment(element(res, "data"), notice, v2=v2)
        return res

    def payment(self, data: etree._Element, notice: IssuedNotice, *, v2: bool) -> None:
        """ctPaymentPA / ctPaymentPAV2, in XSD order; the creditor reference is the notice's IUV."""
        element(data, "creditorReferenceId", notice.iuv)
        element(data, "paymentAmount", amount_text(notice.amount))
        element(data, "dueDate", notice.due_date.isoformat())
        retention = datetime.combine(notice.due_date + timedelta(days=1), clock())
        element(data, "retentionDate", retention.isoformat())
        element(data, "lastPayment", "false")
        element(data, "description", notice.description)
        element(data, "companyName", COMPANY_NAME)
        element(data, "officeName", OFFICE_NAME)
        self.debtor(element(data, "debtor"), notice)
        transfers = element(data, "transferList")
        for index, transfer in enumerate(notice.transfers, start=1):
            self.transfer(element(transfers, "transfer"), transfer, index, v2=v2)
        metadata(
            element(data, "metadata"),
            [("annoRiferimento", str(notice.due_date.year)), ("ufficio", OFFICE_NAME)],
        )

    @staticmethod
    def debtor(debtor: etree._Element, notice: IssuedNotice) -> None:
        """ctSubject for the notice's debtor (a natural person)."""
        person = notice.debtor
        identifier = element(debtor, "uniqueIdentifier")
        element(identifier, "entityUniqueIdentifierType", "F")
        element(identifier, "entityUniqueIdentifierValue", person.fiscal_code)
        for name, value in (
            ("fullName", person.full_name),
            ("streetName", person.street_name),
            ("civicNumber", person.civic_number),
            ("postalCode", person.postal_code),
            ("city", person.city),
            ("stateProvinceRegion", person.province),
            ("country", person.country),
            ("e-mail", person.email),
        ):
            if value:
                element(debtor, name, value)

    def transfer(self, out: etree._Element, transfer: Transfer, index: int, *, v2: bool) -> None:
        """ctTransferPA / ctTransferPAV2, in XSD order: numbered 1..n, an IBAN or a stamp request."""
        element(out, "idTransfer", str(index))
        element(out, "transferAmount", amount_text(transfer.amount))
        element(out, "fiscalCodePA", transfer.fiscal_code)
        if v2:
            element(out, "companyName", transfer.company_name)
        if transfer.stamp is not None:
            self.stamp(element(out, "richiestaMarcaDaBollo"), transfer.stamp)
        else:
            assert transfer.iban is not None
            element(out, "IBAN", transfer.iban)
        element(out, "remittanceInformation", transfer.remittance)
        element(out, "transferCategory", transfer.category)
        if v2:
            metadata(element(out, "metadata"), [("beneficiario", transfer.fiscal_code)])

    def stamp(self, out: etree._Element, stamp: Stamp) -> None:
        """ctRichiestaMarcaDaBollo: the SHA-256 hash of the document to stamp."""
        element(out, "hashDocumento", stamp.document_hash)
        element(out, "tipoBollo", stamp.stamp_type)
        element(out, "provinciaResidenza", stamp.province)

    # --- paSendRT / paSendRTV2 -----------------------------------------------------------------------

    def receive(self, req: Request) -> etree._Element:
        """paSendRTRes / paSendRTV2Response: keep the receipt and close the notice it pays.

        - unknown notice: PAA_PAGAMENTO_SCONOSCIUTO;
        - a notice not yet paid (payable, and also expired or annulled: the money arrived, and the platform
          does not block payments past their due date): the receipt is kept, the notice is closed, OK;
        - the same receipt again (same receiptId for that notice, already acknowledged): OK again and
          nothing changes. The Node resends a receipt after a timeout or a malformed answer, so a repeat must
          be harmless; OK rather than PAA_RECEIPT_DUPLICATA, so the Node stops retrying either way;
        - a different receipt for a notice already paid: kept, and refused with PAA_RECEIPT_DUPLICATA
          (GPD-Payments' code); sent again, it is refused again;
        - the stand-in flag (3.8.0 `standin` after the receipt, 3.13.0 `receipt/standIn`) is kept and
          changes nothing else.
        """
        request = req.element
        fiscal_code = (request.findtext("receipt/fiscalCode") or "").strip()
        nav = (request.findtext("receipt/noticeNumber") or "").strip()
        standin = _flag(request.findtext("standin")) or _flag(request.findtext("receipt/standIn"))
        receipt = StoredReceipt(
            request.findtext("receipt/receiptId") or "",
            fiscal_code,
            nav,
            req.op.name,
            standin,
            True,
            req.raw,
            now(),
        )
        self.check_standin(receipt)
        refusal: Refusal | None = None
        with self.store.transaction():
            notice = self.store.find(fiscal_code, nav)
            previous = self.store.receipt(fiscal_code, nav, receipt.receipt_id) if notice else None
            if notice is None:
                self.receipt_for_unknown(req, receipt)
            elif previous is not None and previous.accepted:
                self.receipt_again(receipt)
            elif notice.state == "paid":
                refusal = self.receipt_for_paid(receipt)
            else:
                self.accept(receipt, notice)
        if refusal is not None:
            raise refusal
        return self.ok(req.op)

    def check_standin(self, receipt: StoredReceipt) -> None:
        """A stand-in receipt is a receipt like any other."""

    def receipt_for_unknown(self, req: Request, receipt: StoredReceipt) -> None:
        """A receipt for a notice the institution never issued: PAA_PAGAMENTO_SCONOSCIUTO."""
        raise self.unknown(receipt.notice_number, receipt.fiscal_code)

    def receipt_again(self, receipt: StoredReceipt) -> None:
        """The same receipt again: acknowledged, nothing changes."""

    def receipt_for_paid(self, receipt: StoredReceipt) -> Refusal:
        """Another receipt for a notice already paid: kept, and refused with PAA_RECEIPT_DUPLICATA."""
        self.store.add_receipt(replace(receipt, accepted=False))
        return Refusal(
            "PAA_RECEIPT_DUPLICATA",
            f"notice {receipt.notice_number} was already paid: receipt {receipt.receipt_id} is kept",
        )

    def accept(self, receipt: StoredReceipt, notice: IssuedNotice) -> None:
        """Keep the receipt and close the notice it pays."""
        self.store.add_receipt(receipt)
        self.store.set_state(receipt.fiscal_code, receipt.notice_number, "paid")

    # --- paDemandPaymentNotice -----------------------------------------------------------------------

    def demand(self, req: Request) -> etree._Element:
        """paDemandPaymentNoticeResponse: create a payable notice for a catalogue service and describe it."""
        request = req.element
        key = (request.findtext("idServizio") or "", request.findtext("idSoggettoServizio") or "")
        service = SERVICES.get(key)
        if service is None:
            raise Refusal(
                "PAA_SEMANTICA", f"service {key[0]} of subject {key[1]} is not offered by this station"
            )
        data = read_service_data(service, request.findtext("datiSpecificiServizioRequest") or "", self.sanp)
        self.check_service_data(data)
        vehicle = vehicle_of(service, data)
        notice = self.create(service, vehicle.plate, vehicle.amount)
        res = self.wrapper(req.op)
        element(res, "outcome", "OK")
        qr = element(res, "qrCode")
        element(qr, "fiscalCode", self.identity.id_pa)
        element(qr, "noticeNumber", notice.nav)
        option = element(element(res, "paymentList"), "paymentOptionDescription")
        element(option, "amount", amount_text(notice.amount))
        element(option, "options", "EQ")
        element(option, "dueDate", notice.due_date.isoformat())
        element(option, "detailDescription", notice.description)
        element(option, "allCCP", "false")
        element(res, "paymentDescription", notice.description)
        element(res, "fiscalCodePA", self.identity.id_pa)
        element(res, "companyName", COMPANY_NAME)
        element(res, "officeName", OFFICE_NAME)
        return res

    def check_service_data(self, data: ServiceData) -> None:
        """Service data that break the service's XSD: PAA_SINTASSI_XSD."""
        if data.problem:
            raise Refusal("PAA_SINTASSI_XSD", data.problem)

    def create(self, service: Service, plate: str, amount: Decimal) -> IssuedNotice:
        """A new payable notice under the next free number, kept in the store."""
        nav = self.created_number(self.store.next_sequence())
        due = (self.today or date.today()) + timedelta(days=SPONTANEOUS_DAYS)
        notice = spontaneous_notice(nav, f"{service.description} targa {plate}", amount, due)
        self.keep_created(notice)
        return notice

    def created_number(self, sequence: int) -> str:
        """The notice number of the `sequence`-th notice created on demand (right check digit)."""
        return spontaneous_number(sequence)

    def keep_created(self, notice: IssuedNotice) -> None:
        """Keep a created notice, so that the Node can describe, activate and pay it."""
        self.store.add(notice, "spontaneous")


def metadata(out: etree._Element, entries: list[tuple[str, str]]) -> None:
    """Fill ctMetadata with mapEntry key/value pairs."""
    for key, value in entries:
        entry = element(out, "mapEntry")
        element(entry, "key", key)
        element(entry, "value", value)


def _flag(text: str | None) -> bool:
    """An xsd:boolean read as True for "true" and "1"."""
    return (text or "").strip() in ("true", "1")
