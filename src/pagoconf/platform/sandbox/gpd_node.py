"""GPD answering the Node for an asynchronous institution, as GPD-Payments does (PartnerService): the
paForNode requests read once, the state they meet, and the answers built from the sandbox's positions.

The Node describes (paVerifyPaymentNotice), activates (paGetPayment/V2) and reports receipts (paSendRT/V2)
for notices of the institutions whose positions GPD holds, through GPD's own broker and station. A notice
is payable while its position is VALID or PARTIALLY_PAID and its option unpaid; verify offers it as EQ,
activation answers lastPayment false and the IUV as creditorReferenceId; a receipt pays its option."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from lxml import etree

from pagoconf.platform.sandbox.dates import stored
from pagoconf.platform.sandbox.positions import PaymentOption, Position
from pagoconf.platform.sandbox.receipts import PLATFORM_BROKER, PLATFORM_STATION, ROME, amount, payment_data
from pagoconf.platform.sandbox.request import Case, SandboxRequest
from pagoconf.platform.sandbox.store import PositionQuery, Store
from pagoconf.sync import soap
from pagoconf.sync.fault_codes import MEANING
from pagoconf.sync.soap import element
from pagoconf.sync.xmlsafe import UnsafeXml, parse

CONTRACT = "gpd_pa_for_node"
PATH = "/gpd-payments/paForNode"
MAX_BODY = 1024 * 1024
VERIFY = "paVerifyPaymentNotice"
ACTIVATIONS = ("paGetPayment", "paGetPaymentV2")
RECEIPTS = ("paSendRT", "paSendRTV2")
DEMAND = "paDemandPaymentNotice"
IBAN_SUPPORT_KEY = "IBANAPPOGGIO"


@dataclass(frozen=True, slots=True)
class GpdStation:
    """The broker and station through which the Node reaches GPD (GPD-Payments' own)."""

    id_broker_pa: str = PLATFORM_BROKER
    id_station: str = PLATFORM_STATION

    def as_json(self) -> dict[str, str]:
        """The snapshot's form."""
        return {"id_broker_pa": self.id_broker_pa, "id_station": self.id_station}


UNIDENTIFIED = f"{CONTRACT}.unidentified"
"""The catalogue name of a request whose Body and SOAPAction name no paForNode operation."""


def operation_name(primitive: str) -> str:
    """The catalogue name of one of GPD's paForNode operations: gpd_pa_for_node.paVerifyPaymentNotice, …"""
    return f"{CONTRACT}.{primitive}"


def primitive(operation: str | None) -> soap.Operation | None:
    """The paForNode operation behind a catalogue name of this contract."""
    if operation is None or not operation.startswith(CONTRACT + "."):
        return None
    return soap.OPERATIONS.get(operation.removeprefix(CONTRACT + "."))


@lru_cache(maxsize=32)
def read(body: bytes) -> tuple[etree._Element | None, str | None]:
    """The request element of a SOAP 1.1 envelope holding exactly one, or why there is none."""
    if len(body) > MAX_BODY:
        return None, f"a body of more than {MAX_BODY} bytes"
    try:
        root = parse(body, max_bytes=MAX_BODY)
    except UnsafeXml as exc:
        return None, str(exc)
    children = soap.body_children(root)
    if children is None:
        return None, "not a SOAP 1.1 envelope with one Body"
    if len(children) != 1:
        return None, f"the SOAP Body holds {len(children)} elements, not one"
    return children[0], None


def identify(body: bytes, soap_action: str | None) -> soap.Operation | None:
    """The operation the Body's element names, else the SOAPAction header's (quoted or not)."""
    request, _ = read(body)
    if request is not None and soap.local(request) in soap.BY_REQUEST_ELEMENT:
        return soap.BY_REQUEST_ELEMENT[soap.local(request)]
    return soap.OPERATIONS.get((soap_action or "").strip().strip('"').strip())


def request_of(case: Case) -> etree._Element | None:
    """The request element of a case whose envelope is readable and holds the operation's element."""
    op = primitive(case.operation)
    request, _ = read(case.request.body)
    if op is None or request is None or request.tag != f"{{{soap.PAFN}}}{op.request}":
        return None
    return request


def notice_of(request: etree._Element) -> tuple[str, str] | None:
    """(fiscal code, notice number) a request names: its qrCode, or its receipt."""
    for prefix in ("qrCode", "receipt"):
        fiscal_code, nav = (
            request.findtext(f"{prefix}/fiscalCode"),
            request.findtext(f"{prefix}/noticeNumber"),
        )
        if fiscal_code is not None and nav is not None:
            return fiscal_code.strip(), nav.strip()
    return None


def snapshot(
    store: Store, request: SandboxRequest, now: datetime, station: GpdStation, *, sanp: str
) -> dict[str, Any]:
    """What GPD's paForNode rules need of the state: GPD's identity, whether GPD holds positions of the
    requesting institution, and the position holding the notice the request names."""
    out: dict[str, Any] = {
        "now": stored(now),
        "key": None,
        "key_presented": False,
        "path_params": {},
        "allowed": [],
        "body_size": request.body_size,
        "gpd_station": station.as_json(),
    }
    element = request_of(Case(request, out, sanp))
    if element is None:
        return out
    id_pa = (element.findtext("idPA") or "").strip()
    out["institution_known"] = bool(id_pa) and store.positions(id_pa, PositionQuery(limit=1))[1] > 0
    notice = notice_of(element)
    if notice is not None:
        found = store.position_of_option(notice[0], nav=notice[1])
        out["notice"] = {"fiscal_code": notice[0], "nav": notice[1]}
        out["position"] = found.as_record() if found is not None else None
    return out


def noticed_option(case: Case) -> PaymentOption | None:
    """The option of the case's position whose notice number the request names."""
    notice = case.snapshot.get("notice") or {}
    position = case.position
    return None if position is None else position.option_by_nav(str(notice.get("nav", "")))


# --- answers --------------------------------------------------------------------------------------------


def ko(op: soap.Operation, code: str, description: str, id_pa: str) -> etree._Element:
    """A KO answer of `op` with its fault bean (the id is the institution that asked)."""
    res = soap.wrapper(op.response)
    element(res, "outcome", "KO")
    fault = element(res, "fault")
    element(fault, "faultCode", code)
    element(fault, "faultString", MEANING.get(code, code))
    element(fault, "id", id_pa)
    element(fault, "description", description[:1000] or code)
    return res


def ok(op: soap.Operation) -> etree._Element:
    """An OK answer with nothing else (ctResponse: the receipts)."""
    res = soap.wrapper(op.response)
    element(res, "outcome", "OK")
    return res


def all_postal(option: PaymentOption) -> bool:
    """allCCP: every transfer has a postal IBAN (GPD-Payments' rule)."""
    return bool(option.transfers) and all((t.postal_iban or "").strip() for t in option.transfers)


def verify_answer(op: soap.Operation, position: Position, option: PaymentOption) -> etree._Element:
    """paVerifyPaymentNoticeRes OK: the one option, for its amount (EQ), and who is owed."""
    res = soap.wrapper(op.response)
    element(res, "outcome", "OK")
    description = element(element(res, "paymentList"), "paymentOptionDescription")
    element(description, "amount", amount(option.amount))
    element(description, "options", "EQ")
    element(description, "dueDate", option.due_date.astimezone(ROME).date().isoformat())
    element(description, "detailDescription", option.description[:140])
    element(description, "allCCP", "true" if all_postal(option) else "false")
    element(res, "paymentDescription", option.description[:140])
    element(res, "fiscalCodePA", position.organization)
    element(res, "companyName", position.company_name[:140])
    if position.office_name:
        element(res, "officeName", position.office_name[:140])
    return res


def payment_answer(
    op: soap.Operation, position: Position, option: PaymentOption, transfer_type: str | None
) -> etree._Element:
    """paGetPaymentRes / paGetPaymentV2Response OK with the option's payment data. The IBAN follows
    transferType as GPD-Payments reads it: POSTAL gives the postal IBAN where there is one; PAGOPA (V2)
    gives the IBAN and names the postal one in the metadata IBANAPPOGGIO."""
    version = 2 if op.name == "paGetPaymentV2" else 1
    res = soap.wrapper(op.response)
    element(res, "outcome", "OK")
    data = payment_data(position, option, version=version)
    for transfer, model in zip(data.iterfind("transferList/transfer"), option.transfers, strict=True):
        _account(transfer, model.iban, model.postal_iban, transfer_type, version)
    res.append(data)
    return res


def _account(
    transfer: etree._Element, iban: str | None, postal: str | None, transfer_type: str | None, version: int
) -> None:
    account = transfer.find("IBAN")
    if account is None:
        return
    if transfer_type == "POSTAL" and postal:
        account.text = postal
    elif transfer_type == "PAGOPA" and version == 2 and postal and iban:
        account.text = iban
        metadata = transfer.find("metadata")
        if metadata is None:
            metadata = element(transfer, "metadata")
        if len(metadata) < 15:
            entry = element(metadata, "mapEntry")
            element(entry, "key", IBAN_SUPPORT_KEY)
            element(entry, "value", postal)


def stamp_transfers(option: PaymentOption) -> list[str]:
    """The idTransfer of each transfer that asks for an @e.bollo stamp."""
    return [t.id_transfer for t in option.transfers if t.stamp is not None]


def station_of(case: Case) -> Mapping[str, str]:
    """GPD's broker and station, as the case's snapshot recorded them."""
    return case.snapshot.get("gpd_station") or GpdStation().as_json()
