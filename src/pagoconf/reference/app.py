"""The reference station as a WSGI app: parse, validate, route and answer paForNode requests."""

from __future__ import annotations

import base64
import contextlib
import re
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from typing import Any

from lxml import etree

from pagoconf import wire
from pagoconf.contracts import pa_for_node_schema
from pagoconf.faults import MEANING
from pagoconf.iban import is_postal
from pagoconf.reference.data import (
    IDENTITY,
    Identity,
    IssuedNotice,
    Stamp,
    Transfer,
    spontaneous_notice,
    spontaneous_number,
)
from pagoconf.reference.defects import defect_names
from pagoconf.reference.services import SERVICES, Service, read_service_data, vehicle_of
from pagoconf.reference.store import Store, StoredReceipt, now
from pagoconf.wire import element
from pagoconf.xmlsafe import MAX_DEPTH, UnsafeXml, parse

ENDPOINT = "/paForNode"
MAX_BODY = 1024 * 1024
DRAIN_LIMIT = 16 * MAX_BODY  # read (and drop) up to this much of an oversized body, so the 413 arrives
VERIFY = "paVerifyPaymentNotice"
ACTIVATIONS = ("paGetPayment", "paGetPaymentV2")
RECEIPTS = ("paSendRT", "paSendRTV2")
DEMAND = "paDemandPaymentNotice"
SERVED_BY_VERSION = {1: ("paGetPayment", "paSendRT"), 2: ("paGetPaymentV2", "paSendRTV2")}
SPONTANEOUS_DAYS = 30  # a notice created on demand falls due this many days later
ANOTHER_EC = "99999999999"
INVENTED_MEANING = {"PAA_PAGAMENTO_EXPIRED": "Pagamento scaduto"}
ONE = Decimal("1.00")
CRASH = "Internal Server Error"
INTERNAL_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s+)?[^\s\"'>]+\s+[\"']")  # <!ENTITY name "text">
FETCH_LIMIT = 64 * 1024
FETCH_TIMEOUT = 2.0

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass(frozen=True, slots=True)
class Reply:
    """What goes back on the wire: HTTP status, body, content type, and the operation answered."""

    status: int
    body: bytes
    operation: str | None = None
    content_type: str = wire.CONTENT_TYPE


class Refusal(Exception):
    """A KO answer: a fault code and a short English explanation."""

    def __init__(self, code: str, description: str) -> None:
        """Keep the fault code and the description."""
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description


class SoapFault(Exception):
    """An answer given as a SOAP 1.1 Fault instead of a paForNode element."""

    def __init__(self, code: str, message: str) -> None:
        """Keep the SOAP faultcode (e.g. soapenv:Server) and faultstring."""
        super().__init__(message)
        self.code = code
        self.message = message


class Counter:
    """A thread-safe counter of calls: 1, 2, 3, …"""

    def __init__(self) -> None:
        """Start at zero."""
        self._lock = threading.Lock()
        self._value = 0

    def next(self) -> int:
        """Count one more call and return its number."""
        with self._lock:
            self._value += 1
            return self._value


def amount_text(value: Decimal) -> str:
    """An amount as SANP wants it: exactly two decimals."""
    return f"{value:.2f}"


def soap_fault(code: str, message: str) -> bytes:
    """A SOAP 1.1 envelope holding a Fault."""
    fault = etree.Element(etree.QName(wire.SOAP_ENV, "Fault"), nsmap={"soapenv": wire.SOAP_ENV})
    element(fault, "faultcode", code)
    element(fault, "faultstring", message)
    return wire.envelope(fault)


def _plain(status: int, text: str) -> Reply:
    return Reply(status, text.encode(), content_type="text/plain; charset=utf-8")


def _reason(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"


class ReferenceApp:
    """A conformant paForNode station (WSGI), optionally with named defects."""

    def __init__(
        self,
        *,
        defects: Iterable[str] = (),
        sanp: str = "3.8.0",
        delay: float = 8.0,
        sluggish_delay: float = 2.2,
        today: date | None = None,
        identity: Identity = IDENTITY,
        db: str | Path | None = None,
        primitive_version: int | None = None,
    ) -> None:
        """Load the request schema of `sanp` and open the state in `db` (":memory:" when None).

        `primitive_version` 1 or 2 serves only that version's paGetPayment/paSendRT pair, as a registered
        station does; None (offline use) serves both. Unknown defects raise ValueError.
        """
        if primitive_version not in (None, 1, 2):
            raise ValueError(f"primitive_version must be 1 or 2, not {primitive_version!r}")
        self.defects = defect_names(defects)
        self.sanp = sanp
        self.delay = delay
        self.sluggish_delay = sluggish_delay
        self.identity = identity
        self.today = today
        self.primitive_version = primitive_version
        self.schema = pa_for_node_schema(sanp)
        self.store = Store(db if db is not None else ":memory:", today=today, fiscal_code=identity.id_pa)
        self._answers = Counter()
        self._verifies = Counter()
        self._activations = Counter()

    def has(self, defect: str) -> bool:
        """True when the station was started with `defect`."""
        return defect in self.defects

    def close(self) -> None:
        """Close the state database."""
        self.store.close()

    # --- HTTP -----------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        """Serve POST /paForNode; 404 elsewhere, 405 for other methods."""
        answer = self._route_http(environ)
        headers = [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body)))]
        if answer.status == 405:
            headers.append(("Allow", "POST"))
        start_response(_reason(answer.status), headers)
        return [answer.body]

    def _route_http(self, environ: dict[str, Any]) -> Reply:
        if environ.get("PATH_INFO", "") != ENDPOINT:
            return _plain(404, "not found: the station listens on POST /paForNode\n")
        if environ.get("REQUEST_METHOD") != "POST":
            return _plain(405, "method not allowed: use POST\n")
        try:
            body = self._read(environ)
            if body is not None:
                answer = self.answer(body, environ.get("HTTP_SOAPACTION"))
            elif self.has("crashes-on-oversized"):
                answer = _plain(500, CRASH)
            else:
                answer = Reply(413, soap_fault("soapenv:Client", "request larger than 1 MiB"))
        except Exception as exc:  # never die on a request
            sys.stderr.write(f"reference station: error answering a request: {exc!r}\n")
            answer = Reply(500, soap_fault("soapenv:Server", "internal error"))
        return self._deliver(answer)

    @staticmethod
    def _read(environ: dict[str, Any]) -> bytes | None:
        """The request body, or None (after draining what is reasonable) when it exceeds MAX_BODY."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        stream = environ["wsgi.input"]
        if length <= MAX_BODY:
            return stream.read(length) if length > 0 else b""
        remaining = min(length, DRAIN_LIMIT)
        while remaining > 0 and (chunk := stream.read(min(remaining, 65536))):
            remaining -= len(chunk)
        return None

    def _deliver(self, answer: Reply) -> Reply:
        """Apply the transport defects: delays, HTTP status, content type."""
        if self.has("sluggish") and self._answers.next() % 4 == 0:
            time.sleep(self.sluggish_delay)
        if self.has("status-500") and answer.status == 200:
            answer = replace(answer, status=500)
        if self.has("json-content-type"):
            answer = replace(answer, content_type="application/json")
        return answer

    # --- SOAP -----------------------------------------------------------------------------------------

    def answer(self, data: bytes, soap_action: str | None = None) -> Reply:
        """The answer to one SOAP request body (before transport defects)."""
        try:
            root: etree._Element | None = parse(data, max_bytes=MAX_BODY)
            problem = None
        except UnsafeXml as exc:
            root, problem = None, str(exc)
            mishandled = self._mishandle(data)
            if mishandled is not None:
                return mishandled
        children = wire.body_children(root) if root is not None else None
        request = children[0] if children else None
        op = self._operation(request, soap_action)
        if op is None:
            return Reply(500, soap_fault("soapenv:Client", "cannot tell which paForNode operation this is"))
        problem = problem or self._syntax_problem(op, children)
        try:
            if problem:
                reply = self._ko(op, self._id_of(request), "PAA_SINTASSI_EXTRAXSD", problem)
            else:
                assert request is not None
                reply = self._handle(op, request, data)
        except SoapFault as fault:
            return Reply(200, soap_fault(fault.code, fault.message), op.name)
        return Reply(200, wire.envelope(reply), op.name)

    def _mishandle(self, data: bytes) -> Reply | None:
        """What the parsing defects do with a body the safe parser refused (None: answer as usual)."""
        doctype = b"<!DOCTYPE" in data
        if doctype and self.has("resolves-external-entities"):
            _parse_resolving_entities(data)
        if doctype and self.has("hangs-on-entity-bomb") and INTERNAL_ENTITY.search(data):
            time.sleep(self.delay)  # as if expanding the entities
        deep = (self.has("hangs-on-deep-nesting") or self.has("crashes-on-malformed-xml")) and _too_deep(data)
        if deep and self.has("hangs-on-deep-nesting"):
            time.sleep(self.delay)  # as if recursing through every level
        if self.has("crashes-on-malformed-xml") and not doctype and not deep:
            return _plain(500, CRASH)
        return None

    @staticmethod
    def _operation(request: etree._Element | None, soap_action: str | None) -> wire.Operation | None:
        """The operation named by the Body element, else by the SOAPAction header (quoted or not)."""
        if request is not None and wire.local(request) in wire.BY_REQUEST_ELEMENT:
            return wire.BY_REQUEST_ELEMENT[wire.local(request)]
        action = (soap_action or "").strip().strip('"').strip()
        return wire.OPERATIONS.get(action)

    def _syntax_problem(self, op: wire.Operation, children: list[etree._Element] | None) -> str | None:
        """Why the request is not a valid `op` request, or None."""
        if children is None:
            return "the request is not a SOAP 1.1 envelope with one Body"
        if not children:
            return "the SOAP Body is empty"
        if len(children) > 1:
            return "the SOAP Body holds more than one element"
        request = children[0]
        if request.tag != f"{{{wire.PAFN}}}{op.request}":
            return f"expected {{{wire.PAFN}}}{op.request}, got {request.tag}"
        if self.has("prefix-sensitive") and request.prefix != "pafn":
            return f"the request element must be written pafn:{op.request}"
        return self._schema_problem(op, request)

    def _schema_problem(self, op: wire.Operation, request: etree._Element) -> str | None:
        """The first paForNode.xsd violation of the request element, or None.

        The base64 of a demand's service data is left to the operation, which refuses bad service data
        with PAA_SINTASSI_XSD (ERR lists that code for paDemandPaymentNotice only).
        """
        if self.has("ok-to-invalid-requests"):
            return None
        if op.name in RECEIPTS and self.has("invalid-receipt-accepted"):
            return None
        errors = self.schema.errors(request)
        if op.name == DEMAND:
            errors = [e for e in errors if not e[1].endswith("/datiSpecificiServizioRequest")]
        if not errors:
            return None
        return f"not valid against paForNode.xsd (SANP {self.sanp}): {errors[0][0]}"

    def _id_of(self, request: etree._Element | None) -> str:
        """The idPA of the request, or the station's EC when it cannot be read."""
        value = request.findtext("idPA") if request is not None else None
        return value.strip() if value and value.strip() else self.identity.id_pa

    # --- operations -----------------------------------------------------------------------------------

    def _handle(self, op: wire.Operation, request: etree._Element, raw: bytes) -> etree._Element:
        """Route a valid request: identity, primitive version, then the operation."""
        if (self.has("slow-verify") and op.name == VERIFY) or (
            self.has("slow-receipt") and op.name in RECEIPTS
        ):
            time.sleep(self.delay)  # slow where the work is: valid requests; hostile ones stay quick
        try:
            self._check_identity(request)
            self._check_version(op)
            if op.name == VERIFY:
                notice = self._lookup(request)
                if self.has("verify-refuses-payable"):
                    raise Refusal("PAA_SYSTEM_ERROR", "the description service is unavailable")
                return self._verify(op, request, notice)
            if op.name in ACTIVATIONS:
                notice = self._lookup(request)
                if self.has("activation-in-progress"):
                    raise Refusal("PAA_PAGAMENTO_IN_CORSO", f"notice {notice.nav} is being paid elsewhere")
                return self._activate(op, notice)
            if op.name in RECEIPTS:
                return self._receive(op, request, raw)
            return self._demand(op, request)
        except Refusal as refusal:
            return self._ko(op, self._id_of(request), refusal.code, refusal.description)

    def _check_version(self, op: wire.Operation) -> None:
        """Refuse the paGetPayment/paSendRT pair of the version the station is not registered with."""
        version = self.primitive_version
        if version is None or op.name not in (*ACTIVATIONS, *RECEIPTS):
            return
        if op.name not in SERVED_BY_VERSION[version]:
            raise Refusal(
                "PAA_SYSTEM_ERROR",
                f"station registered with primitive version {version}: {op.name} is not served",
            )

    def _check_identity(self, request: etree._Element) -> None:
        """Refuse a request addressed to another EC, broker or station (in that order)."""
        checks = (
            ("idPA", self.identity.id_pa, "ignores-institution", "PAA_ID_DOMINIO_ERRATO", "institution"),
            (
                "idBrokerPA",
                self.identity.id_broker_pa,
                "ignores-broker",
                "PAA_ID_INTERMEDIARIO_ERRATO",
                "broker",
            ),
            ("idStation", self.identity.id_station, "ignores-station", "PAA_STAZIONE_INT_ERRATA", "station"),
        )
        for field, expected, defect, code, what in checks:
            value = request.findtext(field)
            if value != expected and not self.has(defect):
                raise Refusal(
                    code, f"{field} {value} is not a {what} this station serves (expected {expected})"
                )

    def _lookup(self, request: etree._Element) -> IssuedNotice:
        """The payable notice the request's qrCode names, or a Refusal saying why not."""
        fiscal_code = request.findtext("qrCode/fiscalCode") or ""
        nav = request.findtext("qrCode/noticeNumber") or ""
        notice = self.store.find(fiscal_code, nav)
        unknown = f"notice {nav} was never issued by institution {fiscal_code}"
        if notice is None:
            code = "PAA_SYSTEM_ERROR" if self.has("unknown-is-system-error") else "PAA_PAGAMENTO_SCONOSCIUTO"
            raise Refusal(code, unknown)
        if notice.state == "expired" and not self.has("expired-is-payable"):
            code = "PAA_PAGAMENTO_EXPIRED" if self.has("invented-fault-code") else "PAA_PAGAMENTO_SCADUTO"
            raise Refusal(code, f"notice {nav} expired on {notice.due_date.isoformat()}")
        if notice.state == "annulled":
            if self.has("annulled-is-unknown"):
                raise Refusal("PAA_PAGAMENTO_SCONOSCIUTO", unknown)
            raise Refusal("PAA_PAGAMENTO_ANNULLATO", f"notice {nav} was annulled by the institution")
        if notice.state == "paid" and not self.has("paid-is-payable"):
            raise Refusal("PAA_PAGAMENTO_DUPLICATO", f"notice {nav} has already been paid")
        return notice

    def _wrapper(self, op: wire.Operation, *, ok: bool = False) -> etree._Element:
        """The response element of `op` (unqualified for a verify OK under `unqualified-wrapper`)."""
        if ok and op.name == VERIFY and self.has("unqualified-wrapper"):
            return etree.Element(op.response)
        return wire.wrapper(op.response)

    def _ko(self, op: wire.Operation, id_pa: str, code: str, description: str) -> etree._Element:
        """A KO answer of `op` with its fault bean."""
        res = self._wrapper(op)
        element(res, "outcome", "KO")
        self._fault(res, code, description, id_pa)
        return res

    def _fault(self, parent: etree._Element, code: str, description: str, id_pa: str) -> None:
        """Append a fault bean: faultCode, faultString, id, description."""
        fault = element(parent, "fault")
        element(fault, "faultCode", code)
        meaning = MEANING.get(code) or INVENTED_MEANING.get(code, code)
        element(fault, "faultString", "" if self.has("blank-fault-string") else meaning)
        element(fault, "id", self.identity.id_station if self.has("fault-id-is-station") else id_pa)
        element(fault, "description", description)

    def _verify(self, op: wire.Operation, request: etree._Element, notice: IssuedNotice) -> etree._Element:
        """paVerifyPaymentNoticeRes OK: the single payment option and who asks for it."""
        res = self._wrapper(op, ok=True)
        element(res, "outcome", "OK")
        if self.has("ok-with-fault"):
            self._fault(res, "PAA_SYSTEM_ERROR", "internal warning", self._id_of(request))
        option = element(element(res, "paymentList"), "paymentOptionDescription")
        amount = notice.amount - ONE if self.has("stale-verify-amount") else notice.amount
        element(option, "amount", self._verify_amount(amount))
        element(option, "options", "ANY" if self.has("options-any") else "EQ")
        element(option, "dueDate", notice.due_date.isoformat())
        element(option, "detailDescription", notice.description)
        element(option, "allCCP", "true" if self._all_ccp(notice) else "false")
        description = notice.description
        if self.has("unstable-description"):
            description = _suffixed(description, f" (#{self._verifies.next()})")
        element(res, "paymentDescription", description)
        fiscal_code = ANOTHER_EC if self.has("verify-names-another-institution") else self.identity.id_pa
        element(res, "fiscalCodePA", fiscal_code)
        if not self.has("verify-without-company"):
            element(res, "companyName", self.identity.company_name)
        element(res, "officeName", self.identity.office_name)
        return res

    def _verify_amount(self, amount: Decimal) -> str:
        if self.has("amounts-without-cents"):
            return format(amount.normalize(), "f")
        return amount_text(amount)

    def _all_ccp(self, notice: IssuedNotice) -> bool:
        """True when every transfer credits a postal account (a stamp is not one)."""
        if self.has("allccp-always-true"):
            return True
        return all(t.iban is not None and is_postal(t.iban) for t in notice.transfers)

    def _activate(self, op: wire.Operation, notice: IssuedNotice) -> etree._Element:
        """paGetPaymentRes / paGetPaymentV2Response OK with the payment data."""
        v2 = op.name == "paGetPaymentV2"
        if notice.has_stamp and not v2:
            raise Refusal("PAA_SEMANTICA", "this notice includes an @e.bollo stamp: use paGetPaymentV2")
        if self.has("soap-fault-on-activation"):
            raise SoapFault("soapenv:Server", "internal error")
        res = self._wrapper(op)
        element(res, "outcome", "OK")
        if not self.has("activation-without-data"):
            self._payment(element(res, "data"), notice, v2=v2)
        return res

    def _payment(self, data: etree._Element, notice: IssuedNotice, *, v2: bool) -> None:
        """Fill ctPaymentPA / ctPaymentPAV2, in XSD order."""
        reference = notice.nav if self.has("creditor-reference-is-notice-number") else notice.iuv
        element(data, "creditorReferenceId", reference)
        element(data, "paymentAmount", amount_text(notice.amount))
        element(data, "dueDate", notice.due_date.isoformat())
        retention = datetime.combine(notice.due_date + timedelta(days=1), clock())
        element(data, "retentionDate", retention.isoformat())
        element(data, "lastPayment", "false")
        element(data, "description", notice.description)
        element(data, "companyName", self.identity.company_name)
        element(data, "officeName", self.identity.office_name)
        self._debtor(element(data, "debtor"), notice)
        transfers = element(data, "transferList")
        counter = self._activations.next() if self.has("unstable-activation") else None
        for index, transfer in enumerate(notice.transfers):
            self._transfer(element(transfers, "transfer"), transfer, index, v2=v2, counter=counter)
        entries = [("annoRiferimento", str(notice.due_date.year)), ("ufficio", self.identity.office_name)]
        if self.has("duplicate-metadata-key"):
            entries.append(entries[0])
        _metadata(element(data, "metadata"), entries)

    @staticmethod
    def _debtor(debtor: etree._Element, notice: IssuedNotice) -> None:
        """Fill ctSubject for the notice's debtor (a natural person)."""
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

    def _transfer(
        self, out: etree._Element, transfer: Transfer, index: int, *, v2: bool, counter: int | None
    ) -> None:
        """Fill ctTransferPA / ctTransferPAV2, in XSD order."""
        first = 2 if self.has("transfers-misnumbered") else 1
        element(out, "idTransfer", str(first + index))
        amount = transfer.amount
        if index == 0 and self.has("transfers-do-not-add-up"):
            amount += ONE
        element(out, "transferAmount", amount_text(amount))
        element(out, "fiscalCodePA", transfer.fiscal_code)
        if v2:
            element(out, "companyName", transfer.company_name)
        if transfer.stamp is not None:
            self._stamp(element(out, "richiestaMarcaDaBollo"), transfer.stamp)
        else:
            assert transfer.iban is not None
            element(out, "IBAN", self._iban(transfer.iban))
        remittance = transfer.remittance
        if index == 0 and counter is not None:
            remittance = _suffixed(remittance, f" #{counter}")
        element(out, "remittanceInformation", remittance)
        element(out, "transferCategory", transfer.category)
        if v2:
            _metadata(element(out, "metadata"), [("beneficiario", transfer.fiscal_code)])

    def _iban(self, iban: str) -> str:
        if self.has("iban-bad-checksum"):
            return iban[:-1] + str((int(iban[-1]) + 1) % 10)
        return iban

    def _stamp(self, out: etree._Element, stamp: Stamp) -> None:
        """Fill ctRichiestaMarcaDaBollo."""
        digest = stamp.document_hash
        if self.has("short-stamp-hash"):
            digest = base64.b64encode(base64.b64decode(digest)[:16]).decode("ascii")
        element(out, "hashDocumento", digest)
        element(out, "tipoBollo", stamp.stamp_type)
        element(out, "provinciaResidenza", stamp.province)

    # --- receipts -------------------------------------------------------------------------------------

    def _receive(self, op: wire.Operation, request: etree._Element, raw: bytes) -> etree._Element:
        """paSendRTRes / paSendRTV2Response: keep the receipt and close the notice it pays.

        - unknown notice: PAA_PAGAMENTO_SCONOSCIUTO;
        - notice not yet paid (payable, and also expired or annulled: the money arrived, and the platform
          does not block payments past their due date): the receipt is kept, the notice is closed, OK;
        - the same receipt again (same receiptId for that notice, already acknowledged): OK again and
          nothing changes. The Node resends a receipt after a timeout or a malformed answer, so a repeat
          must be harmless; OK rather than PAA_RECEIPT_DUPLICATA, so the Node stops retrying either way;
        - a different receipt for a notice already paid: kept, and refused with PAA_RECEIPT_DUPLICATA
          (GPD-Payments' code); sent again, it is refused again;
        - the stand-in flag (3.8.0 `standin` after the receipt, 3.13.0 `receipt/standIn`) is kept and
          changes nothing else.
        """
        if self.has("receipt-soap-fault"):
            raise SoapFault("soapenv:Server", "internal error")
        fiscal_code = (request.findtext("receipt/fiscalCode") or "").strip()
        nav = (request.findtext("receipt/noticeNumber") or "").strip()
        standin = _flag(request.findtext("standin")) or _flag(request.findtext("receipt/standIn"))
        if standin and self.has("standin-refused"):
            raise Refusal("PAA_SEMANTICA", "receipts of payments taken in stand-in are not accepted")

        def kept(accepted: bool) -> StoredReceipt:
            receipt_id = request.findtext("receipt/receiptId") or ""
            return StoredReceipt(receipt_id, fiscal_code, nav, op.name, standin, accepted, raw, now())

        refusal = None
        with self.store.transaction():
            notice = self.store.find(fiscal_code, nav)
            receipt = kept(accepted=True)
            previous = self.store.receipt(fiscal_code, nav, receipt.receipt_id) if notice else None
            if notice is None:
                if not (self.has("receipt-for-unknown-accepted") or self._unchecked_invalid(request)):
                    unknown = f"notice {nav} was never issued by institution {fiscal_code}"
                    refusal = Refusal("PAA_PAGAMENTO_SCONOSCIUTO", unknown)
            elif previous is not None and previous.accepted:
                if self.has("duplicate-receipt-refused"):
                    refusal = Refusal("PAA_SEMANTICA", f"receipt {receipt.receipt_id} was already received")
            elif notice.state == "paid":
                self.store.add_receipt(kept(accepted=False))
                duplicate = f"notice {nav} was already paid: receipt {receipt.receipt_id} is kept"
                refusal = Refusal("PAA_RECEIPT_DUPLICATA", duplicate)
            elif notice.state == "payable" and self.has("receipt-refused"):
                refusal = Refusal("PAA_SYSTEM_ERROR", "the receipt could not be recorded")
            else:
                self.store.add_receipt(receipt)
                if not self.has("paid-stays-payable"):
                    self.store.set_state(fiscal_code, nav, "paid")
        if refusal is not None:
            raise refusal
        return self._ok(op)

    def _unchecked_invalid(self, request: etree._Element) -> bool:
        """True for a receipt breaking paForNode.xsd let through by `invalid-receipt-accepted`."""
        return self.has("invalid-receipt-accepted") and bool(self.schema.errors(request))

    def _ok(self, op: wire.Operation) -> etree._Element:
        """An OK answer with nothing else (ctResponse)."""
        res = self._wrapper(op)
        element(res, "outcome", "OK")
        return res

    # --- spontaneous payments -------------------------------------------------------------------------

    def _demand(self, op: wire.Operation, request: etree._Element) -> etree._Element:
        """paDemandPaymentNoticeResponse: create a payable notice for a catalogue service and describe it."""
        key = (request.findtext("idServizio") or "", request.findtext("idSoggettoServizio") or "")
        service = SERVICES.get(key)
        if service is None:
            unknown = f"service {key[0]} of subject {key[1]} is not offered by this station"
            raise Refusal("PAA_SEMANTICA", unknown)
        data = read_service_data(service, request.findtext("datiSpecificiServizioRequest") or "", self.sanp)
        if data.problem and not self.has("demand-accepts-invalid-data"):
            raise Refusal("PAA_SINTASSI_XSD", data.problem)
        if self.has("demand-refused"):
            raise Refusal("PAA_SYSTEM_ERROR", "the spontaneous-payment service is unavailable")
        vehicle = vehicle_of(service, data)
        notice = self._create(service, vehicle.plate, vehicle.amount)
        res = self._wrapper(op)
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
        if not self.has("demand-without-company"):
            element(res, "companyName", self.identity.company_name)
        element(res, "officeName", self.identity.office_name)
        return res

    def _create(self, service: Service, plate: str, amount: Decimal) -> IssuedNotice:
        """A new payable notice under the next free number, stored (unless `demand-notice-not-stored`)."""
        wrong = self.has("demand-bad-check-digit")
        nav = spontaneous_number(self.store.next_sequence(), wrong_check_digit=wrong)
        due = (self.today or date.today()) + timedelta(days=SPONTANEOUS_DAYS)
        notice = spontaneous_notice(nav, f"{service.description} targa {plate}", amount, due)
        if not self.has("demand-notice-not-stored"):
            self.store.add(notice, "spontaneous")
        return notice


def _too_deep(data: bytes) -> bool:
    """True when the XML nests deeper than the safe parser's bound (read as far as it is readable)."""
    parser = etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    depth = 0
    with contextlib.suppress(etree.XMLSyntaxError):
        parser.feed(data)
    for event, _ in parser.read_events():
        depth += 1 if event == "start" else -1
        if depth > MAX_DEPTH:
            return True
    return False


class _Fetcher(etree.Resolver):
    """Fetches http(s) entities over the network: what `resolves-external-entities` must not do."""

    def resolve(self, url: str | None, public_id: str | None, context: Any) -> Any:
        if not url or not url.startswith(("http://", "https://")):
            return None
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=FETCH_TIMEOUT) as response:
            return self.resolve_string(response.read(FETCH_LIMIT), context)


def _parse_resolving_entities(data: bytes) -> None:
    """Parse as an unguarded parser does: load the DTD, resolve entities, fetch from the network."""
    parser = etree.XMLParser(load_dtd=True, resolve_entities=True, no_network=False)
    parser.resolvers.add(_Fetcher())
    with contextlib.suppress(Exception):
        etree.fromstring(data, parser)


def _metadata(out: etree._Element, entries: list[tuple[str, str]]) -> None:
    """Fill ctMetadata with mapEntry key/value pairs."""
    for key, value in entries:
        entry = element(out, "mapEntry")
        element(entry, "key", key)
        element(entry, "value", value)


def _flag(text: str | None) -> bool:
    """An xsd:boolean read as True for "true" and "1"."""
    return (text or "").strip() in ("true", "1")


def _suffixed(text: str, suffix: str, limit: int = 140) -> str:
    """`text` + `suffix`, cut so the whole stays within `limit` characters."""
    return text[: limit - len(suffix)] + suffix
