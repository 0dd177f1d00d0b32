"""Receipts as GPD-Payments keeps them: the paSendRT/paSendRTV2 request the Node would send for a paid
option, built from the position with the sync suite's own receipt builder; and the seam where a receipt
leaves the sandbox (pushed to a partner's broadcast station, later)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from lxml import etree

from pagoconf.platform.sandbox.positions import PaymentOption, Position, Transfer
from pagoconf.sync.config import Identity
from pagoconf.sync.requests.receipts import Payment, receipt_request
from pagoconf.sync.soap import element
from pagoconf.sync.xmlsafe import parse

PLATFORM_BROKER = "15376371009"
PLATFORM_STATION = "15376371009_01"
ROME = timezone(timedelta(hours=1))
SUBJECT_LIMITS = {
    "fullName": 70,
    "streetName": 70,
    "civicNumber": 16,
    "postalCode": 16,
    "city": 35,
    "stateProvinceRegion": 35,
}


@dataclass(frozen=True, slots=True)
class BuiltReceipt:
    """A receipt made for a paid option: which, and the paSendRT/paSendRTV2 envelope the Node would send."""

    organization: str
    iuv: str
    nav: str
    receipt_id: str
    operation: str
    envelope: bytes


ReceiptSink = Callable[[BuiltReceipt], None]
"""Where a built receipt goes once stored (nowhere yet: pushing to a broadcast station comes later)."""


def keep_only(receipt: BuiltReceipt) -> None:
    """The default sink: the receipt stays in the sandbox, readable through the receipts API."""


def amount(cents: int) -> str:
    """Cents as a paForNode amount, e.g. 12345 → '123.45'."""
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def payment_data(position: Position, option: PaymentOption, *, version: int) -> etree._Element:
    """The ctPaymentPA (version 1) or ctPaymentPAV2 (version 2) `data` of an option, in XSD order."""
    data = etree.Element("data")
    element(data, "creditorReferenceId", option.iuv)
    element(data, "paymentAmount", amount(option.amount))
    element(data, "dueDate", option.due_date.astimezone(ROME).date().isoformat())
    if option.retention_date is not None:
        element(
            data,
            "retentionDate",
            option.retention_date.astimezone(ROME).replace(tzinfo=None).isoformat(timespec="seconds"),
        )
    element(data, "lastPayment", "false")
    element(data, "description", option.description or "n/a")
    element(data, "companyName", position.company_name or "n/a")
    if position.office_name:
        element(data, "officeName", position.office_name)
    _debtor(element(data, "debtor"), position)
    transfers = element(data, "transferList")
    for transfer in option.transfers:
        _transfer(element(transfers, "transfer"), transfer, position, version=version)
    if version == 2 and option.metadata:
        _metadata(element(data, "metadata"), option.metadata)
    return data


def _debtor(out: etree._Element, position: Position) -> None:
    d = position.debtor
    identifier = element(out, "uniqueIdentifier")
    element(identifier, "entityUniqueIdentifierType", d.type)
    element(identifier, "entityUniqueIdentifierValue", d.fiscal_code)
    for name, value in (
        ("fullName", d.full_name),
        ("streetName", d.street_name),
        ("civicNumber", d.civic_number),
        ("postalCode", d.postal_code),
        ("city", d.city),
        ("stateProvinceRegion", d.province),
        ("country", d.country),
        ("e-mail", d.email),
    ):
        if value:
            element(out, name, value[: SUBJECT_LIMITS.get(name, len(value))])


def _transfer(out: etree._Element, t: Transfer, position: Position, *, version: int) -> None:
    element(out, "idTransfer", t.id_transfer)
    element(out, "transferAmount", amount(t.amount))
    element(out, "fiscalCodePA", t.organization_fiscal_code)
    if version == 2:
        element(out, "companyName", t.company_name or position.company_name)
    if t.stamp is not None:
        stamp = element(out, "richiestaMarcaDaBollo")
        element(stamp, "hashDocumento", t.stamp.hash_document)
        element(stamp, "tipoBollo", t.stamp.stamp_type)
        element(stamp, "provinciaResidenza", t.stamp.provincial_residence)
    else:
        element(out, "IBAN", t.iban or t.postal_iban or "")
    element(out, "remittanceInformation", t.remittance_information)
    element(out, "transferCategory", t.category)
    if version == 2 and t.metadata:
        _metadata(element(out, "metadata"), t.metadata)


def _metadata(out: etree._Element, entries: tuple[tuple[str, str | None], ...]) -> None:
    for key, value in entries:
        entry = element(out, "mapEntry")
        element(entry, "key", key)
        element(entry, "value", value or "")


def build_receipt(
    position: Position,
    option: PaymentOption,
    *,
    receipt_id: str,
    paid_at: datetime,
    version: int,
    sanp: str,
    standin: bool = False,
) -> BuiltReceipt:
    """The paSendRT (version 1) or paSendRTV2 (version 2) the Node sends GPD for this payment."""
    payment = Payment(
        option.nav,
        position.organization,
        receipt_id,
        paid_at.astimezone(ROME).replace(microsecond=0),
        standin,
    )
    identity = Identity(position.organization, PLATFORM_BROKER, PLATFORM_STATION)
    envelope = receipt_request(
        payment_data(position, option, version=version), payment, identity, version=version, sanp=sanp
    )
    operation = "paSendRT" if version == 1 else "paSendRTV2"
    return BuiltReceipt(position.organization, option.iuv, option.nav, receipt_id, operation, envelope)


def receipt_document(envelope: bytes) -> bytes:
    """The paSendRT/paSendRTV2 request element of an envelope, alone, as the receipts API serves it."""
    root = parse(envelope)
    body = next(el for el in root if etree.QName(el).localname == "Body")
    request = copy.deepcopy(next(el for el in body if isinstance(el.tag, str)))
    etree.cleanup_namespaces(request)
    return etree.tostring(request, xml_declaration=True, encoding="UTF-8")
