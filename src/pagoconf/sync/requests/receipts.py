"""Receipts the way the platform makes them: ctReceipt / ctReceiptV2 from the station's own activation."""

from __future__ import annotations

import base64
import copy
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from lxml import etree

from pagoconf.sync.config import Identity
from pagoconf.sync.soap import element, envelope, wrapper

ROME = timezone(timedelta(hours=1))


@dataclass(frozen=True)
class Psp:
    """The PSP and channel that took the payment (who the receipt says collected it)."""

    id_psp: str = "BCITITMM"
    fiscal_code: str = "00799960158"
    vat_number: str = "00799960158"
    company_name: str = "Banca di prova S.p.A."
    id_channel: str = "00799960158_01"
    channel_description: str = "app"
    payment_method: str = "creditCard"
    fee: str = "1.50"
    id_bundle: str = "bundle-pagoconf-01"


DEFAULT_PSP = Psp()


@dataclass(frozen=True)
class Payment:
    """What the receipt needs to know of the payment beyond the station's payment data."""

    notice_number: str
    fiscal_code: str
    receipt_id: str
    paid_at: datetime
    standin: bool = False
    company_name: str | None = None  # from the description when a V1 activation carries none


def new_payment(
    notice_number: str,
    fiscal_code: str,
    *,
    standin: bool = False,
    company_name: str | None = None,
    paid_at: datetime | None = None,
) -> Payment:
    """A payment with a fresh receipt id, paid now (Europe/Rome winter offset)."""
    return Payment(
        notice_number,
        fiscal_code,
        uuid.uuid4().hex,
        paid_at or datetime.now(ROME).replace(microsecond=0),
        standin,
        company_name,
    )


def receipt_request(
    data: etree._Element,
    payment: Payment,
    identity: Identity,
    *,
    version: int,
    sanp: str,
    psp: Psp = DEFAULT_PSP,
) -> bytes:
    """paSendRTReq (version 1) or paSendRTV2Request (version 2) for the payment of `data` (ctPaymentPA/V2)."""
    req = wrapper("paSendRTReq" if version == 1 else "paSendRTV2Request")
    element(req, "idPA", identity.id_pa)
    element(req, "idBrokerPA", identity.id_broker_pa)
    element(req, "idStation", identity.id_station)
    req.append(receipt(data, payment, version=version, sanp=sanp, psp=psp))
    if payment.standin and sanp == "3.8.0":
        element(req, "standin", "true")
    return envelope(req)


def receipt(
    data: etree._Element, payment: Payment, *, version: int, sanp: str, psp: Psp = DEFAULT_PSP
) -> etree._Element:
    """The `receipt` element, fields in the XSD's order, copied from the station's payment data."""
    rec = etree.Element("receipt")
    text = data.findtext
    element(rec, "receiptId", payment.receipt_id)
    element(rec, "noticeNumber", payment.notice_number)
    element(rec, "fiscalCode", payment.fiscal_code)
    element(rec, "outcome", "OK")
    element(rec, "creditorReferenceId", text("creditorReferenceId"))
    element(rec, "paymentAmount", text("paymentAmount"))
    element(rec, "description", text("description"))
    element(rec, "companyName", text("companyName") or payment.company_name or "n/a")
    if text("officeName"):
        element(rec, "officeName", text("officeName"))
    debtor = data.find("debtor")
    rec.append(copy.deepcopy(debtor))
    transfers = element(rec, "transferList")
    for t in data.iterfind("transferList/transfer"):
        transfers.append(_transfer(t, version=version, sanp=sanp))
    element(rec, "idPSP", psp.id_psp)
    element(rec, "pspFiscalCode", psp.fiscal_code)
    element(rec, "pspPartitaIVA", psp.vat_number)
    element(rec, "PSPCompanyName", psp.company_name)
    element(rec, "idChannel", psp.id_channel)
    element(rec, "channelDescription", psp.channel_description)
    payer = copy.deepcopy(debtor)
    payer.tag = "payer"
    rec.append(payer)
    element(rec, "paymentMethod", psp.payment_method)
    if version == 2:
        element(rec, "paymentNote", f"pagoconf payment of notice {payment.notice_number}")
    element(rec, "fee", psp.fee)
    if version == 2:
        element(rec, "primaryCiIncurredFee", "0.00")
        element(rec, "idBundle", psp.id_bundle)
    element(rec, "paymentDateTime", payment.paid_at.isoformat())
    element(rec, "applicationDate", payment.paid_at.date().isoformat())
    element(rec, "transferDate", (payment.paid_at.date() + timedelta(days=1)).isoformat())
    if payment.standin and sanp != "3.8.0":
        element(rec, "standIn", "true")
    return rec


def _transfer(source: etree._Element, *, version: int, sanp: str) -> etree._Element:
    """A receipt transfer from an activation transfer: the same account, or the stamp as MBDAttachment."""
    t = etree.Element("transfer")
    for name in ("idTransfer", "transferAmount", "fiscalCodePA"):
        element(t, name, source.findtext(name))
    if version == 2 and source.findtext("companyName"):
        element(t, "companyName", source.findtext("companyName"))
    stamp = source.find("richiestaMarcaDaBollo")
    if stamp is not None and version == 2:
        element(t, "MBDAttachment", _stamp_attachment(stamp))
    else:
        element(t, "IBAN", source.findtext("IBAN"))
    element(t, "remittanceInformation", source.findtext("remittanceInformation"))
    element(t, "transferCategory", source.findtext("transferCategory"))
    metadata = source.find("metadata")
    if metadata is not None and (version == 2 or sanp != "3.8.0"):
        t.append(copy.deepcopy(metadata))
    return t


def _stamp_attachment(request: etree._Element) -> str:
    """base64 of the digital stamp the PSP bought for this stamp request (a stand-in document, not signed)."""
    doc = etree.Element("marcaDaBollo")
    for name in ("hashDocumento", "tipoBollo", "provinciaResidenza"):
        element(doc, name, request.findtext(name))
    element(doc, "IUBD", uuid.uuid4().hex[:14].upper())
    return base64.b64encode(etree.tostring(doc)).decode()


def made_up_payment_data(notice_number: str, fiscal_code: str, iban: str) -> etree._Element:
    """Payment data for a notice the station never issued (its receipt must be refused)."""
    from pagoconf.identifiers import iuv_of

    data = etree.Element("data")
    element(data, "creditorReferenceId", iuv_of(notice_number))
    element(data, "paymentAmount", "10.00")
    element(data, "dueDate", datetime.now(ROME).date().isoformat())
    element(data, "description", "pagoconf: a notice the institution never issued")
    element(data, "companyName", "pagoconf")
    debtor = element(data, "debtor")
    uid = element(debtor, "uniqueIdentifier")
    element(uid, "entityUniqueIdentifierType", "F")
    element(uid, "entityUniqueIdentifierValue", "RSSMRA80A01H501U")
    element(debtor, "fullName", "Mario Rossi")
    transfer = element(element(data, "transferList"), "transfer")
    for name, value in (
        ("idTransfer", "1"),
        ("transferAmount", "10.00"),
        ("fiscalCodePA", fiscal_code),
        ("IBAN", iban),
        ("remittanceInformation", "pagoconf"),
        ("transferCategory", "9/0101108TS/"),
    ):
        element(transfer, name, value)
    return data


def with_invalid_outcome(envelope_bytes: bytes) -> bytes:
    """The same receipt request with receipt/outcome 'PAID', which paForNode.xsd does not allow."""
    from pagoconf.sync import xmlsafe

    root = xmlsafe.parse(envelope_bytes)
    for outcome in root.iter("outcome"):
        outcome.text = "PAID"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
