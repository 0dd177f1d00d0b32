"""Named defects of the reference station, each breaking one catalogue rule on the wire.

A defect is a small subclass of the conformant model that overrides one of its methods (what it answers,
how it reads, how it delivers). `station_class` composes the chosen defects over the model. The harness
learns nothing from a defect's name: it only sees the wire; the meta-tests prove each is caught by its rule
and by no unrelated one (`also` lists a second rule a defect cannot help breaking).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import re
import threading
import urllib.request
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

from lxml import etree

from pagoconf.engine.defects import Defect, Named, chosen, collect, layered
from pagoconf.sync import soap
from pagoconf.sync.reference.data import IssuedNotice, Stamp, Transfer
from pagoconf.sync.reference.model import (
    RECEIPTS,
    VERIFY,
    IdentityCheck,
    Refusal,
    Reply,
    Request,
    SoapFault,
    StationModel,
    amount_text,
    plain,
)
from pagoconf.sync.reference.services import ServiceData
from pagoconf.sync.reference.store import StoredReceipt
from pagoconf.sync.soap import Operation, element
from pagoconf.sync.xmlsafe import MAX_DEPTH

ONE = Decimal("1.00")
CRASH = "Internal Server Error"
ANOTHER_EC = "99999999999"
INTERNAL_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s+)?[^\s\"'>]+\s+[\"']")  # <!ENTITY name "text">
FETCH_LIMIT = 64 * 1024
FETCH_TIMEOUT = 2.0


class Defective(Named, StationModel):
    """A defect of the station: the rule it breaks, what it does, the rules it cannot help breaking too."""


class _Counting:
    """A thread-safe call counter for the defects whose answer changes from call to call."""

    def __init__(self) -> None:
        self._count = itertools.count(1)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return next(self._count)


def _counter(station: StationModel, name: str) -> _Counting:
    counters: dict[str, _Counting] = station.__dict__.setdefault("_defect_counters", {})
    return counters.setdefault(name, _Counting())


def _set(res: etree._Element, path: str, text: str) -> None:
    found = res.find(path)
    assert found is not None, path
    found.text = text


def _drop(res: etree._Element, path: str) -> None:
    found = res.find(path)
    if found is not None:
        found.getparent().remove(found)


def _suffixed(text: str, suffix: str, limit: int = 140) -> str:
    return text[: limit - len(suffix)] + suffix


# --- transport --------------------------------------------------------------------------------------


class Status500(Defective):
    defect, rule = "status-500", "SOAP-001"
    description = "Every HTTP 200 answer uses HTTP status 500; the body is unchanged."

    def deliver(self, reply: Reply) -> Reply:
        reply = super().deliver(reply)
        return replace(reply, status=500) if reply.status == 200 else reply


class JsonContentType(Defective):
    defect, rule = "json-content-type", "SOAP-002"
    description = "Every answer is declared as application/json; the body is unchanged."

    def deliver(self, reply: Reply) -> Reply:
        return replace(super().deliver(reply), content_type="application/json")


class SlowVerify(Defective):
    defect, rule = "slow-verify", "TIME-001"
    description = "Every valid verify is answered only after `delay` seconds."

    def pause(self, op: Operation) -> float:
        return self.delay if op.name == VERIFY else super().pause(op)


class SlowReceipt(Defective):
    defect, rule = "slow-receipt", "TIME-001"
    description = "Valid receipts are answered after `delay` seconds (kept as usual)."

    def pause(self, op: Operation) -> float:
        return self.delay if op.name in RECEIPTS else super().pause(op)


class Sluggish(Defective):
    defect, rule = "sluggish", "TIME-002"
    description = "Every 4th answer is delayed by `sluggish_delay` seconds."

    def deliver(self, reply: Reply) -> Reply:
        reply = super().deliver(reply)
        if _counter(self, "answers").next() % 4 == 0:
            return replace(reply, delay=reply.delay + self.sluggish_delay)
        return reply


# --- reading requests -------------------------------------------------------------------------------


class CrashesOnMalformedXml(Defective):
    defect, rule = "crashes-on-malformed-xml", "ROBUST-001"
    description = (
        "A body that is not well-formed XML (no DOCTYPE, not merely too deep) gets HTTP 500, text/plain, "
        "'Internal Server Error'."
    )

    def answer(self, data: bytes, soap_action: str | None = None) -> Reply:
        root, _ = self.read(data)
        if root is None and b"<!DOCTYPE" not in data and not _too_deep(data):
            return plain(500, CRASH)
        return super().answer(data, soap_action)


class OkToInvalidRequests(Defective):
    defect, rule, also = "ok-to-invalid-requests", "ROBUST-001", ("RECEIPT-005",)
    description = (
        "Requests are not checked against paForNode.xsd (still parsed safely): a well-formed invalid request "
        "is handled as if valid, by whatever fields it has."
    )

    def schema_problem(self, op: Operation, request: etree._Element) -> str | None:
        return None


class PrefixSensitive(Defective):
    defect, rule = "prefix-sensitive", "ROBUST-002"
    description = (
        "A request element not written with the prefix pafn (another prefix, or a default namespace) is "
        "refused with PAA_SINTASSI_EXTRAXSD."
    )

    def syntax_problem(self, op: Operation, children: list[etree._Element] | None) -> str | None:
        if children and len(children) == 1 and children[0].prefix != "pafn":
            return f"the request element must be written pafn:{op.request}"
        return super().syntax_problem(op, children)


class RefusesOptionalElements(Defective):
    defect, rule = "refuses-optional-elements", "ROBUST-003"
    description = (
        "A valid request carrying an optional element the Node may send (amount, paymentNote, transferType, "
        "dueDate) is refused with PAA_SINTASSI_EXTRAXSD."
    )
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"amount", "paymentNote", "transferType", "dueDate"})

    def syntax_problem(self, op: Operation, children: list[etree._Element] | None) -> str | None:
        if children and len(children) == 1 and any(soap.local(c) in self.OPTIONAL for c in children[0]):
            return "unexpected optional element"
        return super().syntax_problem(op, children)


class ResolvesExternalEntities(Defective):
    defect, rule = "resolves-external-entities", "SECURITY-001"
    description = (
        "A request with a DOCTYPE is also parsed loading the DTD and resolving entities over the network "
        "(the entity is fetched); the answer stays the syntax KO."
    )

    def answer(self, data: bytes, soap_action: str | None = None) -> Reply:
        if b"<!DOCTYPE" in data:
            parser = etree.XMLParser(load_dtd=True, resolve_entities=True, no_network=False)
            parser.resolvers.add(_Fetcher())
            with contextlib.suppress(Exception):
                etree.fromstring(data, parser)
        return super().answer(data, soap_action)


class HangsOnEntityBomb(Defective):
    defect, rule = "hangs-on-entity-bomb", "SECURITY-002"
    description = (
        "A request whose DOCTYPE declares internal entities is answered (KO as usual) only after `delay` "
        "seconds, as if expanding them."
    )

    def answer(self, data: bytes, soap_action: str | None = None) -> Reply:
        reply = super().answer(data, soap_action)
        if b"<!DOCTYPE" in data and INTERNAL_ENTITY.search(data):
            return replace(reply, delay=reply.delay + self.delay)
        return reply


class CrashesOnOversized(Defective):
    defect, rule = "crashes-on-oversized", "SECURITY-003"
    description = "A body over 1 MiB gets HTTP 500 (text/plain 'Internal Server Error') instead of 413."

    def oversized(self) -> Reply:
        return plain(500, CRASH)


class HangsOnDeepNesting(Defective):
    defect, rule = "hangs-on-deep-nesting", "SECURITY-004"
    description = (
        "A request nested deeper than the parser's bound (256) is answered (KO as usual) only after `delay` "
        "seconds."
    )

    def answer(self, data: bytes, soap_action: str | None = None) -> Reply:
        reply = super().answer(data, soap_action)
        return replace(reply, delay=reply.delay + self.delay) if _too_deep(data) else reply


# --- identity and notice state ----------------------------------------------------------------------


class IgnoresInstitution(Defective):
    defect, rule, also = "ignores-institution", "IDENTITY-001", ("DEMAND-003",)
    description = "The idPA check is skipped, so other ECs' requests fall through to the notice lookup."
    # a demand for another EC then creates a notice for its own EC (DEMAND-003)

    def identity_checks(self) -> list[IdentityCheck]:
        return [c for c in super().identity_checks() if c.field != "idPA"]


class IgnoresBroker(Defective):
    defect, rule = "ignores-broker", "IDENTITY-002"
    description = "The idBrokerPA check is skipped."

    def identity_checks(self) -> list[IdentityCheck]:
        return [c for c in super().identity_checks() if c.field != "idBrokerPA"]


class IgnoresStation(Defective):
    defect, rule = "ignores-station", "IDENTITY-003"
    description = "The idStation check is skipped."

    def identity_checks(self) -> list[IdentityCheck]:
        return [c for c in super().identity_checks() if c.field != "idStation"]


class UnknownIsSystemError(Defective):
    defect, rule = "unknown-is-system-error", "STATE-001"
    description = "Unknown notices are refused with PAA_SYSTEM_ERROR."

    def lookup(self, request: etree._Element) -> IssuedNotice:
        try:
            return super().lookup(request)
        except Refusal as refusal:
            if refusal.code == "PAA_PAGAMENTO_SCONOSCIUTO":
                raise Refusal("PAA_SYSTEM_ERROR", refusal.description) from None
            raise


class ExpiredIsPayable(Defective):
    defect, rule = "expired-is-payable", "STATE-002"
    description = "Expired notices are answered as payable."

    def refusal_for(self, notice: IssuedNotice) -> Refusal | None:
        return None if notice.state == "expired" else super().refusal_for(notice)


class InventedFaultCode(Defective):
    defect, rule, also = "invented-fault-code", "FAULT-002", ("STATE-002",)
    description = "Expired notices are refused with the undocumented code PAA_PAGAMENTO_EXPIRED."

    def refusal_for(self, notice: IssuedNotice) -> Refusal | None:
        if notice.state == "expired":
            return Refusal("PAA_PAGAMENTO_EXPIRED", f"notice {notice.nav} expired")
        return super().refusal_for(notice)


class AnnulledIsUnknown(Defective):
    defect, rule = "annulled-is-unknown", "STATE-003"
    description = "Annulled notices are refused with PAA_PAGAMENTO_SCONOSCIUTO."

    def refusal_for(self, notice: IssuedNotice) -> Refusal | None:
        if notice.state == "annulled":
            return Refusal("PAA_PAGAMENTO_SCONOSCIUTO", f"notice {notice.nav} is not known")
        return super().refusal_for(notice)


class PaidIsPayable(Defective):
    defect, rule, also = "paid-is-payable", "STATE-004", ("RECEIPT-003",)
    description = "Notices already paid are answered as payable."
    # a notice closed by a receipt is a paid notice too (RECEIPT-003)

    def refusal_for(self, notice: IssuedNotice) -> Refusal | None:
        return None if notice.state == "paid" else super().refusal_for(notice)


# --- faults -----------------------------------------------------------------------------------------


class OkWithFault(Defective):
    defect, rule = "ok-with-fault", "OUTCOME-001"
    description = "Every verify OK also carries a complete fault bean."

    def verify(self, req: Request, notice: IssuedNotice) -> etree._Element:
        res = super().verify(req, notice)
        fault = self.fault(
            etree.Element("scratch"), "PAA_SYSTEM_ERROR", "internal warning", self.identity.id_pa
        )
        res.insert(1, fault)
        return res


class BlankFaultString(Defective):
    defect, rule = "blank-fault-string", "FAULT-001"
    description = "Every fault has an empty faultString."

    def fault(self, parent: etree._Element, code: str, description: str, id_pa: str) -> etree._Element:
        fault = super().fault(parent, code, description, id_pa)
        _set(fault, "faultString", "")
        return fault


class FaultIdIsStation(Defective):
    defect, rule = "fault-id-is-station", "FAULT-003"
    description = "Every fault's id is the station id, not the EC's."

    def fault(self, parent: etree._Element, code: str, description: str, id_pa: str) -> etree._Element:
        fault = super().fault(parent, code, description, id_pa)
        _set(fault, "id", self.identity.id_station)
        return fault


# --- paVerifyPaymentNotice ---------------------------------------------------------------------------


class VerifyRefusesPayable(Defective):
    defect, rule = "verify-refuses-payable", "VERIFY-001"
    description = "Describing a payable notice is refused with PAA_SYSTEM_ERROR."

    def verify(self, req: Request, notice: IssuedNotice) -> etree._Element:
        raise Refusal("PAA_SYSTEM_ERROR", "the description service is unavailable")


class UnqualifiedWrapper(Defective):
    defect, rule = "unqualified-wrapper", "SOAP-003"
    description = "The verify OK answer's wrapper element carries no namespace."

    def verify(self, req: Request, notice: IssuedNotice) -> etree._Element:
        res = super().verify(req, notice)
        res.tag = req.op.response
        return res


class AmountsWithoutCents(Defective):
    defect, rule = "amounts-without-cents", "SCHEMA-001"
    description = "The verify amount is written without trailing zero decimals (120.5, 35)."

    def verify(self, req: Request, notice: IssuedNotice) -> etree._Element:
        res = super().verify(req, notice)
        _set(res, "paymentList/paymentOptionDescription/amount", format(notice.amount.normalize(), "f"))
        return res


class VerifyWithoutCompany(Defective):
    defect, rule = "verify-without-company", "VERIFY-002"
    description = "The verify OK omits companyName."

    def verify(self, req: Request, notice: IssuedNotice) -> etree._Element:
        res = super().verify(req, notice)
        _drop(res, "companyName")
        return res


class OptionsAny(Defective):
    defect, rule = "options-any", "VERIFY-003"
    description = "The verify OK offers the payment option as ANY instead of EQ."

    def verify(self, req: Request, notice: IssuedNotice) -> etree._Element:
        res = super().verify(req, notice)
        _set(res, "paymentList/paymentOptionDescription/options", "ANY")
        return res


class VerifyNamesAnotherInstitution(Defective):
    defect, rule = "verify-names-another-institution", "VERIFY-004"
    description = f"The verify OK names fiscalCodePA {ANOTHER_EC} instead of the EC asked about."

    def verify(self, req: Request, notice: IssuedNotice) -> etree._Element:
        res = super().verify(req, notice)
        _set(res, "fiscalCodePA", ANOTHER_EC)
        return res


class StaleVerifyAmount(Defective):
    defect, rule = "stale-verify-amount", "CROSS-001"
    description = "The verify amount is 1.00 lower than the amount activation asks for."

    def verify(self, req: Request, notice: IssuedNotice) -> etree._Element:
        res = super().verify(req, notice)
        _set(res, "paymentList/paymentOptionDescription/amount", amount_text(notice.amount - ONE))
        return res


class AllCcpAlwaysTrue(Defective):
    defect, rule = "allccp-always-true", "CROSS-002"
    description = "allCCP is true for every notice, postal or not."

    @staticmethod
    def all_postal(notice: IssuedNotice) -> bool:
        return True


class UnstableDescription(Defective):
    defect, rule = "unstable-description", "REPEAT-001"
    description = "Each verify adds a call counter to paymentDescription."

    def verify(self, req: Request, notice: IssuedNotice) -> etree._Element:
        res = super().verify(req, notice)
        text = res.findtext("paymentDescription") or ""
        _set(res, "paymentDescription", _suffixed(text, f" (#{_counter(self, 'verifies').next()})"))
        return res


# --- paGetPayment / paGetPaymentV2 ------------------------------------------------------------------


class ActivationInProgress(Defective):
    defect, rule = "activation-in-progress", "ACTIVATE-001"
    description = "Activating a payable notice is refused with PAA_PAGAMENTO_IN_CORSO, as if it were locked."

    def activate(self, req: Request, notice: IssuedNotice) -> etree._Element:
        raise Refusal("PAA_PAGAMENTO_IN_CORSO", f"notice {notice.nav} is being paid elsewhere")


class SoapFaultOnActivation(Defective):
    defect, rule = "soap-fault-on-activation", "SOAP-004"
    description = (
        "Activating a payable notice is answered with a SOAP 1.1 Fault instead of the response element."
    )

    def activate(self, req: Request, notice: IssuedNotice) -> etree._Element:
        raise SoapFault("soapenv:Server", "internal error")


class ActivationWithoutData(Defective):
    defect, rule = "activation-without-data", "ACTIVATE-002"
    description = "The activation OK carries no payment data."

    def activate(self, req: Request, notice: IssuedNotice) -> etree._Element:
        res = super().activate(req, notice)
        _drop(res, "data")
        return res


class CreditorReferenceIsNoticeNumber(Defective):
    defect, rule = "creditor-reference-is-notice-number", "ACTIVATE-003"
    description = "creditorReferenceId is the 18-digit notice number instead of the IUV."

    def payment(self, data: etree._Element, notice: IssuedNotice, *, v2: bool) -> None:
        super().payment(data, notice, v2=v2)
        _set(data, "creditorReferenceId", notice.nav)


class TransfersMisnumbered(Defective):
    defect, rule = "transfers-misnumbered", "ACTIVATE-004"
    description = "Transfers are numbered from 2 instead of 1."

    def transfer(self, out: etree._Element, transfer: Transfer, index: int, *, v2: bool) -> None:
        super().transfer(out, transfer, index, v2=v2)
        _set(out, "idTransfer", str(index + 1))


class TransfersDoNotAddUp(Defective):
    defect, rule = "transfers-do-not-add-up", "ACTIVATE-005"
    description = "The first transfer is 1.00 higher, so transfers exceed the payment amount."

    def transfer(self, out: etree._Element, transfer: Transfer, index: int, *, v2: bool) -> None:
        super().transfer(out, transfer, index, v2=v2)
        if index == 1:
            _set(out, "transferAmount", amount_text(transfer.amount + ONE))


class IbanBadChecksum(Defective):
    defect, rule = "iban-bad-checksum", "ACTIVATE-006"
    description = "Every IBAN's last digit is altered, so its mod-97 check fails."

    def transfer(self, out: etree._Element, transfer: Transfer, index: int, *, v2: bool) -> None:
        super().transfer(out, transfer, index, v2=v2)
        iban = out.findtext("IBAN")
        if iban:
            _set(out, "IBAN", iban[:-1] + str((int(iban[-1]) + 1) % 10))


class ShortStampHash(Defective):
    defect, rule = "short-stamp-hash", "ACTIVATE-007"
    description = "The @e.bollo hashDocumento is a 16-byte digest instead of SHA-256."

    def stamp(self, out: etree._Element, stamp: Stamp) -> None:
        super().stamp(out, stamp)
        short = base64.b64encode(base64.b64decode(stamp.document_hash)[:16]).decode("ascii")
        _set(out, "hashDocumento", short)


class DuplicateMetadataKey(Defective):
    defect, rule = "duplicate-metadata-key", "ACTIVATE-008"
    description = "The payment metadata repeats one key."

    def payment(self, data: etree._Element, notice: IssuedNotice, *, v2: bool) -> None:
        super().payment(data, notice, v2=v2)
        metadata = data.find("metadata")
        assert metadata is not None
        entry = element(metadata, "mapEntry")
        element(entry, "key", "annoRiferimento")
        element(entry, "value", str(notice.due_date.year))


class UnstableActivation(Defective):
    defect, rule = "unstable-activation", "REPEAT-002"
    description = "Each activation adds a call counter to the first transfer's remittanceInformation."

    def payment(self, data: etree._Element, notice: IssuedNotice, *, v2: bool) -> None:
        super().payment(data, notice, v2=v2)
        text = data.findtext("transferList/transfer/remittanceInformation") or ""
        counter = _counter(self, "activations").next()
        _set(data, "transferList/transfer/remittanceInformation", _suffixed(text, f" #{counter}"))


# --- receipts ---------------------------------------------------------------------------------------


class ReceiptRefused(Defective):
    defect, rule, also = "receipt-refused", "RECEIPT-001", ("RECEIPT-006",)
    description = "Receipts for a payable notice are refused with PAA_SYSTEM_ERROR and not kept."
    # a stand-in receipt is a receipt: refused too (RECEIPT-006)

    def accept(self, receipt: StoredReceipt, notice: IssuedNotice) -> None:
        if notice.state == "payable":
            raise Refusal("PAA_SYSTEM_ERROR", "the receipt could not be recorded")
        super().accept(receipt, notice)


class DuplicateReceiptRefused(Defective):
    defect, rule = "duplicate-receipt-refused", "RECEIPT-002"
    description = "A receipt already acknowledged, sent again, is refused with PAA_SEMANTICA."

    def receipt_again(self, receipt: StoredReceipt) -> None:
        raise Refusal("PAA_SEMANTICA", f"receipt {receipt.receipt_id} was already received")


class PaidStaysPayable(Defective):
    defect, rule = "paid-stays-payable", "RECEIPT-003"
    description = "Receipts are acknowledged (OK) and kept, but the notice is never closed."

    def accept(self, receipt: StoredReceipt, notice: IssuedNotice) -> None:
        self.store.add_receipt(receipt)


class ReceiptForUnknownAccepted(Defective):
    defect, rule = "receipt-for-unknown-accepted", "RECEIPT-004"
    description = "Receipts for notices the institution never issued are acknowledged with OK."

    def receipt_for_unknown(self, req: Request, receipt: StoredReceipt) -> None:
        return None


class InvalidReceiptAccepted(Defective):
    defect, rule = "invalid-receipt-accepted", "RECEIPT-005"
    description = (
        "Receipts are not checked against paForNode.xsd: an invalid one is acknowledged with OK (identity "
        "still checked; OK even when its notice cannot be found, which a valid one is not)."
    )

    def schema_problem(self, op: Operation, request: etree._Element) -> str | None:
        return None if op.name in RECEIPTS else super().schema_problem(op, request)

    def receipt_for_unknown(self, req: Request, receipt: StoredReceipt) -> None:
        if not self.schema.errors(req.element):
            super().receipt_for_unknown(req, receipt)


class StandinRefused(Defective):
    defect, rule = "standin-refused", "RECEIPT-006"
    description = "A receipt flagged stand-in is refused with PAA_SEMANTICA."

    def check_standin(self, receipt: StoredReceipt) -> None:
        if receipt.standin:
            raise Refusal("PAA_SEMANTICA", "receipts of payments taken in stand-in are not accepted")


class ReceiptSoapFault(Defective):
    defect, rule = "receipt-soap-fault", "SOAP-004"
    description = "Receipts are answered with a SOAP 1.1 Fault (HTTP 200) and not kept."

    def receive(self, req: Request) -> etree._Element:
        raise SoapFault("soapenv:Server", "internal error")


# --- paDemandPaymentNotice --------------------------------------------------------------------------


class DemandRefused(Defective):
    defect, rule = "demand-refused", "DEMAND-001"
    description = "Valid service data are refused with PAA_SYSTEM_ERROR."

    def create(self, service: Any, plate: str, amount: Decimal) -> IssuedNotice:
        raise Refusal("PAA_SYSTEM_ERROR", "the spontaneous-payment service is unavailable")


class DemandWithoutCompany(Defective):
    defect, rule = "demand-without-company", "DEMAND-002"
    description = "The demand OK omits companyName."

    def demand(self, req: Request) -> etree._Element:
        res = super().demand(req)
        _drop(res, "companyName")
        return res


class DemandBadCheckDigit(Defective):
    defect, rule = "demand-bad-check-digit", "DEMAND-003"
    description = "The created notice number has a wrong check digit (the notice is kept under that number)."

    def created_number(self, sequence: int) -> str:
        nav = super().created_number(sequence)
        return nav[:-2] + f"{(int(nav[-2:]) + 1) % 93:02d}"


class DemandNoticeNotStored(Defective):
    defect, rule = "demand-notice-not-stored", "DEMAND-004"
    description = (
        "The demand OK names a notice that is never kept, so describing it is PAA_PAGAMENTO_SCONOSCIUTO."
    )

    def keep_created(self, notice: IssuedNotice) -> None:
        return None


class DemandAcceptsInvalidData(Defective):
    defect, rule = "demand-accepts-invalid-data", "DEMAND-005"
    description = "Service data that break the service's XSD still create a notice (OK)."

    def check_service_data(self, data: ServiceData) -> None:
        return None


# --- the registry -----------------------------------------------------------------------------------


_ORDER = ("SOAP", "SCHEMA", "OUTCOME", "FAULT", "VERIFY", "ACTIVATE", "IDENTITY", "STATE", "CROSS", "REPEAT",
          "TIME", "RECEIPT", "DEMAND", "ROBUST", "SECURITY")  # fmt: skip
DEFECTS: dict[str, Defect] = collect(Defective, lambda c: _ORDER.index(c.rule.split("-")[0]))


def defect_names(names: Iterable[str]) -> frozenset[str]:
    """The given defect names as a frozenset, or a ValueError naming the first unknown one."""
    return chosen(names, DEFECTS, what="defect", listing="pagoconf station --list-defects")


def station_class(names: Iterable[str]) -> type[StationModel]:
    """The conformant model with the chosen defects layered over it."""
    return layered(StationModel, DEFECTS, defect_names(names), "DefectiveStation")


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


__all__ = ["DEFECTS", "Defect", "defect_names", "station_class"]
