"""ACA's paCreatePosition as the platform carries it out (pagopa-aca-service): the NewDebtPositionRequest
becomes a GPD debt position of the institution, IUPD `ACA_<paFiscalCode>_<iuv>`, one option with one transfer,
created or updated through GPD with toPublish=true; an amount of 0 invalidates it instead. Pure: the GPD
request ACA makes, the snapshot its rules need, and the answer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pagoconf.platform.sandbox.keys import HEADER, Key
from pagoconf.platform.sandbox.positions import Position
from pagoconf.platform.sandbox.request import SandboxRequest
from pagoconf.platform.sandbox.store import Store

OPERATION = "newDebtPosition"
GPD_BASE = "/gpd/debt-positions-service/v1"
SANDBOX_IBAN = "IT60X0542811101000000123456"
"""decision: the IBAN credited when the request names none (ACA reads the institution's registered IBAN from
the platform's configuration, which the sandbox does not have)."""
STAND_IN_CATEGORY = "STAND-IN"
"""The transfer category ACA writes (pagopa-aca-service AcaUtils.STAND_IN_CONSTANT)."""
OPEN = ("DRAFT", "PUBLISHED", "VALID")
INVALIDABLE = ("PUBLISHED", "VALID")


def aca_iupd(organization: str, iuv: str) -> str:
    """The IUPD ACA gives a position: ACA_<paFiscalCode>_<iuv> (pagopa-aca-service domain/Iupd.kt)."""
    return f"ACA_{organization}_{iuv}"


def owner(body: Any) -> tuple[str, str] | None:
    """(paFiscalCode, iuv) of a request body, when both are strings."""
    if (
        isinstance(body, Mapping)
        and isinstance(body.get("paFiscalCode"), str)
        and isinstance(body.get("iuv"), str)
    ):
        return body["paFiscalCode"], body["iuv"]
    return None


def invalidates(body: Mapping[str, Any]) -> bool:
    """decision: an amount of 0 asks to invalidate the position (pagopa-aca-service isInvalidateAmount)."""
    return body.get("amount") == 0 and not isinstance(body.get("amount"), bool)


def gpd_body(body: Mapping[str, Any], previous: Position | None) -> dict[str, Any]:
    """The PaymentPositionModel ACA sends GPD for this request (the update keeps the office and company)."""
    organization = str(body["paFiscalCode"])
    amount = int(body["amount"])
    iban = body.get("iban") or _previous_iban(previous) or SANDBOX_IBAN
    transfer: dict[str, Any] = {
        "idTransfer": "1",
        "amount": amount,
        "remittanceInformation": str(body["description"]),
        "category": STAND_IN_CATEGORY,
        "iban": iban,
        "transferMetadata": [],
    }
    if body.get("postalIban"):
        transfer["postalIban"] = body["postalIban"]
    option: dict[str, Any] = {
        "iuv": str(body["iuv"]),
        "amount": amount,
        "description": str(body["description"]),
        "isPartialPayment": False,
        "dueDate": str(body["expirationDate"]),
        "paymentOptionMetadata": [],
        "transfer": [transfer],
    }
    if body.get("nav"):
        option["nav"] = str(body["nav"])
    position: dict[str, Any] = {
        "iupd": aca_iupd(organization, str(body["iuv"])),
        "type": str(body["entityType"]),
        "fiscalCode": str(body["entityFiscalCode"]),
        "fullName": str(body["entityFullName"]),
        "companyName": previous.company_name if previous else f"Ente creditore {organization}",
        "switchToExpired": bool(body.get("switchToExpired", False)),
        "payStandIn": bool(body.get("payStandIn", True)),
        "paymentOption": [option],
    }
    if previous is not None and previous.office_name:
        position["officeName"] = previous.office_name
    return position


def _previous_iban(previous: Position | None) -> str | None:
    if previous is None or not previous.options or not previous.options[0].transfers:
        return None
    return previous.options[0].transfers[0].iban


def gpd_request(body: Mapping[str, Any], previous: Position | None, presented_key: bool) -> SandboxRequest:
    """The createPosition (or, for an existing position, updatePosition) ACA makes, toPublish=true."""
    position = gpd_body(body, previous)
    organization, iupd = str(body["paFiscalCode"]), str(position["iupd"])
    raw = json.dumps(position).encode()
    headers = {
        "content-type": "application/json",
        **({HEADER: "(the ACA request's key)"} if presented_key else {}),
    }
    collection = f"{GPD_BASE}/organizations/{organization}/debtpositions"
    creating = previous is None
    return SandboxRequest(
        method="POST" if creating else "PUT",
        path=collection if creating else f"{collection}/{iupd}",
        query="toPublish=true",
        headers=headers,
        body=raw,
        body_size=len(raw),
        api="gpd",
        operation="createPosition" if creating else "updatePosition",
        path_params={"organizationfiscalcode": organization, **({} if creating else {"iupd": iupd})},
    )


def request_record(request: SandboxRequest) -> dict[str, Any]:
    """A synthetic request as plain JSON data (kept in the snapshot, so the journal can replay it)."""
    return {
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": dict(request.headers),
        "body": request.body.decode(),
        "operation": request.operation,
        "path_params": dict(request.path_params),
    }


def request_from(record: Mapping[str, Any]) -> SandboxRequest:
    """The synthetic request of a snapshot record."""
    body = str(record["body"]).encode()
    return SandboxRequest(
        method=str(record["method"]),
        path=str(record["path"]),
        query=str(record["query"]),
        headers=dict(record["headers"]),
        body=body,
        body_size=len(body),
        api="gpd",
        operation=str(record["operation"]),
        path_params=dict(record["path_params"]),
    )


def snapshot(
    store: Store,
    request: SandboxRequest,
    key: Key | None,
    now: datetime,
    *,
    sanp: str,
    strict: bool,
    contracts: str | None = None,
) -> dict[str, Any]:
    """What the ACA rules need of the state: the institution's ACA position for this IUV, and the GPD request
    ACA would make with the snapshot GPD's own rules would judge it against."""
    from pagoconf.platform.sandbox.snapshot import take

    found = owner(request.json)
    if found is None:
        return {}
    organization, iuv = found
    previous = store.position(organization, aca_iupd(organization, iuv))
    out: dict[str, Any] = {"position": previous.as_record() if previous is not None else None}
    body = request.json
    if invalidates(body):
        return out
    try:
        sub = gpd_request(body, previous, request.header(HEADER) is not None)
    except (KeyError, TypeError, ValueError):
        return out
    sub_snapshot = take(store, sub, key, now, sanp=sanp, strict=strict, contracts=contracts)
    out["gpd"] = {"request": request_record(sub), "snapshot": sub_snapshot}
    return out


def answer(body: Mapping[str, Any], position: Position) -> dict[str, Any]:
    """The DebtPositionResponse for the position ACA wrote (or invalidated)."""
    option = position.options[0]
    transfer = option.transfers[0] if option.transfers else None
    answer = {
        "paFiscalCode": position.organization,
        "companyName": position.company_name,
        "entityType": position.debtor.type,
        "entityFiscalCode": position.debtor.fiscal_code,
        "entityFullName": position.debtor.full_name,
        "iuv": option.iuv,
        "nav": option.nav,
        "amount": int(body.get("amount", option.amount)),
        "description": option.description,
        "expirationDate": option.due_date.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "iban": transfer.iban if transfer else None,
        "postalIban": transfer.postal_iban if transfer else None,
        "switchToExpired": position.switch_to_expired,
        "status": str(position.status),
    }
    return {k: v for k, v in answer.items() if v is not None}


def as_aca(position: Position) -> Position:
    """The position marked as ACA's (aca = true)."""
    return replace(position, aca=True)
