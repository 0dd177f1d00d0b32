"""The requests the Node sends, built as the Node builds them."""

from __future__ import annotations

from decimal import Decimal

from pagoconf.sync.config import Identity
from pagoconf.sync.soap import element, envelope, wrapper


def _head(name: str, identity: Identity, fiscal_code: str, notice_number: str):  # type: ignore[no-untyped-def]
    req = wrapper(name)
    element(req, "idPA", identity.id_pa)
    element(req, "idBrokerPA", identity.id_broker_pa)
    element(req, "idStation", identity.id_station)
    qr = element(req, "qrCode")
    element(qr, "fiscalCode", fiscal_code)
    element(qr, "noticeNumber", notice_number)
    return req


def verify_request(identity: Identity, fiscal_code: str, notice_number: str) -> bytes:
    """A paVerifyPaymentNoticeReq envelope."""
    return envelope(_head("paVerifyPaymentNoticeReq", identity, fiscal_code, notice_number))


def get_payment_request(
    identity: Identity,
    fiscal_code: str,
    notice_number: str,
    *,
    version: int,
    amount: Decimal | None = None,
    transfer_type: str | None = None,
) -> bytes:
    """A paGetPaymentReq (version 1) or paGetPaymentV2Request (version 2) envelope."""
    req = _head(
        "paGetPaymentReq" if version == 1 else "paGetPaymentV2Request", identity, fiscal_code, notice_number
    )
    if amount is not None:
        element(req, "amount", f"{amount:.2f}")
    if transfer_type is not None:
        element(req, "transferType", transfer_type)
    return envelope(req)


def get_payment_operation(version: int) -> str:
    """paGetPayment for a version-1 station, paGetPaymentV2 for version 2."""
    return "paGetPayment" if version == 1 else "paGetPaymentV2"


def demand_request(
    identity: Identity, id_servizio: str, id_soggetto_servizio: str, service_data: bytes
) -> bytes:
    """A paDemandPaymentNoticeRequest envelope carrying base64 service data."""
    import base64

    req = wrapper("paDemandPaymentNoticeRequest")
    element(req, "idPA", identity.id_pa)
    element(req, "idBrokerPA", identity.id_broker_pa)
    element(req, "idStation", identity.id_station)
    element(req, "idServizio", id_servizio)
    element(req, "idSoggettoServizio", id_soggetto_servizio)
    element(req, "datiSpecificiServizioRequest", base64.b64encode(service_data).decode())
    return envelope(req)


def receipt_operation(version: int) -> str:
    """paSendRT for a version-1 station, paSendRTV2 for version 2."""
    return "paSendRT" if version == 1 else "paSendRTV2"
