"""Debt positions that let pagoconf's synchronous suite test GPD's own paForNode endpoint, and the
pagoconf.toml that describes that endpoint as a station: for one institution, fresh positions in every
state the suite needs (payable, multi-beneficiary, postal, @e.bollo, expired, annulled, paid) and enough to
pay, each with a new notice number (aux digit 3, the institution's segregation code, a right check digit)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pagoconf.identifiers import make_nav, with_check_digits
from pagoconf.platform.sandbox import positions as model
from pagoconf.platform.sandbox.gpd_node import GpdStation
from pagoconf.platform.sandbox.receipts import build_receipt
from pagoconf.platform.sandbox.store import Store, StoredReceipt
from pagoconf.sync.config import NODE_TIMEOUTS

RUNS = "station_config_runs"
KINDS = ("payable", "multi_beneficiary", "postal", "bollo", "expired", "annulled", "paid")
TO_PAY = {"payable": 12, "multi_beneficiary": 3, "bollo": 3}
"""As many notices to pay as the reference station offers: one run of the suite pays each once."""
COMPANY = "Comune di Pagoconf (GPD)"
OFFICE = "Ufficio Tributi"
BOLLO_CENTS = 1600
HEADER = "# pagoconf.toml — GPD's paForNode endpoint in the sandbox (POST /_sandbox/station-config wrote it)"


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """An institution a transfer may credit, with its accounts and taxonomy code."""

    fiscal_code: str
    company_name: str
    iban: str
    postal_iban: str
    category: str


def beneficiaries(organization: str) -> tuple[Beneficiary, ...]:
    """The institution itself and two others, each with a valid IBAN and a postal IBAN (ABI 07601)."""
    return (
        Beneficiary(
            organization,
            COMPANY,
            with_check_digits("IT", "X0542811101000000123456"),
            with_check_digits("IT", "R0760103200000000001016"),
            "9/0101108TS/",
        ),
        Beneficiary(
            "01234567890",
            "Provincia di Esempio",
            with_check_digits("IT", "X0306909606100000012345"),
            with_check_digits("IT", "R0760101600000000004321"),
            "9/0201102IM/",
        ),
        Beneficiary(
            "15376371009",
            "PagoPA S.p.A.",
            with_check_digits("IT", "X0200805364000000098765"),
            with_check_digits("IT", "R0760111100000000007777"),
            "9/0301109AP/",
        ),
    )


@dataclass(frozen=True)
class Prepared:
    """The notices prepared for one run: by kind, and those to pay."""

    organization: str
    notices: dict[str, list[str]]
    to_pay: dict[str, list[str]]


def _moment(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _transfer(
    n: int, b: Beneficiary, cents: int, text: str, iuv: str, *, postal: bool = False
) -> dict[str, Any]:
    transfer = {
        "idTransfer": str(n),
        "amount": cents,
        "organizationFiscalCode": b.fiscal_code,
        "remittanceInformation": f"/RFB/{iuv}/{cents / 100:.2f}/TXT/{text}"[:140],
        "category": b.category,
        "iban": b.postal_iban if postal else b.iban,
        "companyName": b.company_name,
        "transferMetadata": [],
    }
    if postal:
        transfer["postalIban"] = b.postal_iban
    return transfer


def _stamp(n: int, b: Beneficiary, nav: str, iuv: str) -> dict[str, Any]:
    document = f"Istanza n. {nav} al {b.company_name}\n".encode()
    return {
        "idTransfer": str(n),
        "amount": BOLLO_CENTS,
        "organizationFiscalCode": b.fiscal_code,
        "remittanceInformation": f"/RFB/{iuv}/{BOLLO_CENTS / 100:.2f}/TXT/Marca da bollo digitale",
        "category": b.category,
        "stamp": {
            "hashDocument": base64.b64encode(hashlib.sha256(document).digest()).decode(),
            "stampType": "01",
            "provincialResidence": "RM",
        },
        "companyName": b.company_name,
        "transferMetadata": [],
    }


def _transfers(
    kind: str, nav: str, iuv: str, index: int, ecs: tuple[Beneficiary, ...]
) -> list[dict[str, Any]]:
    own, other1, other2 = ecs
    base = 1000 + 250 * index
    if kind == "multi_beneficiary":
        return [
            _transfer(1, own, base, "Sanzione quota comunale", iuv),
            _transfer(2, other1, 3050, "Sanzione quota provinciale", iuv),
            _transfer(3, other2, 530, "Spese di notifica", iuv),
        ]
    if kind == "postal":
        return [
            _transfer(1, own, base, "COSAP quota comunale", iuv, postal=True),
            _transfer(2, other1, 1230, "COSAP quota provinciale", iuv, postal=True),
        ]
    if kind == "bollo":
        return [_transfer(1, own, base, "Diritti di segreteria", iuv), _stamp(2, own, nav, iuv)]
    return [_transfer(1, own, base, f"Tributo {kind} {index}", iuv)]


def _body(organization: str, iupd: str, nav: str, kind: str, index: int, due: datetime) -> dict[str, Any]:
    iuv = nav[1:]
    transfers = _transfers(kind, nav, iuv, index, beneficiaries(organization))
    return {
        "iupd": iupd,
        "type": "F",
        "fiscalCode": "RSSMRA80A01H501U",
        "fullName": "Mario Rossi",
        "streetName": "Via del Corso",
        "civicNumber": "101",
        "postalCode": "00186",
        "city": "Roma",
        "province": "RM",
        "country": "IT",
        "email": "mario.rossi@example.it",
        "companyName": COMPANY,
        "officeName": OFFICE,
        "switchToExpired": kind == "expired",
        "paymentOption": [
            {
                "iuv": iuv,
                "amount": sum(int(t["amount"]) for t in transfers),
                "description": f"Avviso {kind.replace('_', ' ')} {index}",
                "isPartialPayment": False,
                "dueDate": _moment(due),
                "paymentOptionMetadata": [],
                "transfer": transfers,
            }
        ],
    }


def _position(body: dict[str, Any], organization: str, kind: str, now: datetime) -> model.Position:
    built = model.from_body(body, organization, now)
    if kind == "expired":
        return replace(built, status=model.Status.EXPIRED, validity_date=now, publish_date=now)
    valid = model.publish(built, now)
    if kind == "annulled":
        return model.invalidate(valid, now)
    return valid


def prepare(
    store: Store,
    organization: str,
    now: datetime,
    *,
    sanp: str,
    segregation_code: str = "01",
    primitive_version: int = 2,
) -> Prepared:
    """New positions for `organization` in every state, kept in the store (one transaction)."""
    with store.transaction():
        run = int(store.meta().get(RUNS, "0")) + 1
        store.set_meta(RUNS, str(run))
        kinds = [k for k in KINDS if k != "bollo" or primitive_version == 2]
        to_pay = {k: n for k, n in TO_PAY.items() if k != "bollo" or primitive_version == 2}
        notices: dict[str, list[str]] = {}
        payable: dict[str, list[str]] = {}
        for group, wanted in (("notice", {k: 1 + (k == "payable") for k in kinds}), ("to_pay", to_pay)):
            for kind, count in wanted.items():
                for index in range(1, count + 1):
                    nav = _create(store, organization, group, kind, index, run, now, sanp, segregation_code)
                    (notices if group == "notice" else payable).setdefault(kind, []).append(nav)
    return Prepared(organization, notices, payable)


def _create(
    store: Store,
    organization: str,
    group: str,
    kind: str,
    index: int,
    run: int,
    now: datetime,
    sanp: str,
    segregation_code: str,
) -> str:
    number = KINDS.index(kind) + 1 + (50 if group == "to_pay" else 0)
    base = f"{number:02d}{run % 10**7:07d}{index:04d}"
    nav = make_nav(3, segregation_code, base)
    iupd = f"station-config-{run}-{group}-{kind}-{index}"
    due = now - timedelta(days=10) if kind == "expired" else now + timedelta(days=30 + 15 * index)
    position = _position(_body(organization, iupd, nav, kind, index, due), organization, kind, now)
    if kind != "paid":
        store.insert_position(position)
        return nav
    option = position.options[0]
    receipt_id = hashlib.sha256(nav.encode()).hexdigest()[:32]
    paid = model.pay(position, option.iuv, model.PaymentFacts(now, receipt_id))
    store.insert_position(paid)
    built = build_receipt(paid, option, receipt_id=receipt_id, paid_at=now, version=2, sanp=sanp)
    debtor = paid.debtor.fiscal_code
    kept = StoredReceipt(
        organization, option.iuv, nav, receipt_id, debtor, now, built.operation, built.envelope
    )
    store.insert_receipt(kept)
    return nav


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def render(prepared: Prepared, url: str, station: GpdStation, *, sanp: str, primitive_version: int) -> str:
    """The pagoconf.toml that points the synchronous suite at GPD's paForNode endpoint for these notices."""
    capabilities = ["multi", "postal"] + (["bollo"] if primitive_version == 2 else [])
    lines = [
        HEADER,
        f"sanp = {json.dumps(sanp)}",
        "",
        "[station]",
        "# GPD-Payments' paForNode endpoint in the sandbox: the Node's way to an asynchronous institution",
        f"url = {json.dumps(url)}",
        f"id_pa = {json.dumps(prepared.organization)}",
        f"id_broker_pa = {json.dumps(station.id_broker_pa)}",
        f"id_station = {json.dumps(station.id_station)}",
        f"primitive_version = {primitive_version}",
        "# GPD offers no spontaneous payments here (no GPS service in the sandbox)",
        f"capabilities = {_toml_list(capabilities)}",
        "verify_tls = true",
        "",
        "[timeouts]",
        *(f"{kind} = {seconds}" for kind, seconds in NODE_TIMEOUTS.items()),
        "",
        "[notices]",
        "# positions the sandbox created for this run, one list per state",
        *(f"{kind} = {_toml_list(navs)}" for kind, navs in prepared.notices.items()),
        "",
        "[notices.to_pay]",
        "# payable positions a run may pay (a receipt closes them): ask for a fresh file for the next run",
        *(f"{kind} = {_toml_list(navs)}" for kind, navs in prepared.to_pay.items()),
    ]
    return "\n".join(lines) + "\n"
