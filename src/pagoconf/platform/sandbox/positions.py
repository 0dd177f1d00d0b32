"""Debt positions and the GPD state machine: how a position is built from a request, published, made
valid or expired by the clock, invalidated, paid and reported. Pure: no store, no clock of its own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from pagoconf.platform.sandbox import jsontext
from pagoconf.platform.sandbox.dates import from_stored, parse_datetime, stored
from pagoconf.platform.sandbox.problems import Problem, Refused

NOTICE_AUX_DIGIT = "3"
MAX_TRANSFERS = 5


class Status(StrEnum):
    """The states of a debt position."""

    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    VALID = "VALID"
    INVALID = "INVALID"
    EXPIRED = "EXPIRED"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    REPORTED = "REPORTED"


class OptionStatus(StrEnum):
    """The states of a payment option."""

    PO_UNPAID = "PO_UNPAID"
    PO_PAID = "PO_PAID"
    PO_PARTIALLY_REPORTED = "PO_PARTIALLY_REPORTED"
    PO_REPORTED = "PO_REPORTED"


class TransferStatus(StrEnum):
    """The states of a transfer."""

    T_UNREPORTED = "T_UNREPORTED"
    T_REPORTED = "T_REPORTED"


UPDATABLE = frozenset({Status.DRAFT, Status.PUBLISHED, Status.VALID})
DELETABLE = frozenset({Status.DRAFT, Status.PUBLISHED, Status.VALID, Status.INVALID, Status.EXPIRED})
INVALIDABLE = frozenset({Status.PUBLISHED, Status.VALID})
NOT_PAYABLE = frozenset({Status.DRAFT, Status.PUBLISHED, Status.INVALID, Status.EXPIRED})
FULLY_PAID = frozenset({Status.PAID, Status.REPORTED})


@dataclass(frozen=True, slots=True)
class Stamp:
    """The @e.bollo a transfer asks the PSP to buy instead of crediting an IBAN."""

    hash_document: str
    stamp_type: str
    provincial_residence: str


@dataclass(frozen=True, slots=True)
class Transfer:
    """One beneficiary's share of a payment option, in cents."""

    id_transfer: str
    amount: int
    organization_fiscal_code: str
    remittance_information: str
    category: str
    iban: str | None = None
    postal_iban: str | None = None
    stamp: Stamp | None = None
    company_name: str | None = None
    metadata: tuple[tuple[str, str | None], ...] = ()
    status: TransferStatus = TransferStatus.T_UNREPORTED
    inserted_date: datetime | None = None
    last_updated_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class PaymentOption:
    """One way to pay (the single payment, or one instalment), with its notice number and transfers."""

    iuv: str
    nav: str
    amount: int
    description: str
    is_partial_payment: bool
    due_date: datetime
    retention_date: datetime | None = None
    fee: int = 0
    notification_fee: int = 0
    metadata: tuple[tuple[str, str | None], ...] = ()
    transfers: tuple[Transfer, ...] = ()
    status: OptionStatus = OptionStatus.PO_UNPAID
    payment_date: datetime | None = None
    reporting_date: datetime | None = None
    receipt_id: str | None = None
    psp_company: str | None = None
    payment_method: str | None = None
    inserted_date: datetime | None = None
    last_updated_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class Debtor:
    """Who owes the debt: a natural (F) or legal (G) person."""

    type: str
    fiscal_code: str
    full_name: str
    street_name: str | None = None
    civic_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    province: str | None = None
    region: str | None = None
    country: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """A debt position of one organization, identified by its IUPD."""

    organization: str
    iupd: str
    debtor: Debtor
    company_name: str
    office_name: str | None = None
    switch_to_expired: bool = False
    pay_stand_in: bool = True
    aca: bool = False
    validity_date: datetime | None = None
    status: Status = Status.DRAFT
    options: tuple[PaymentOption, ...] = ()
    inserted_date: datetime | None = None
    publish_date: datetime | None = None
    last_updated_date: datetime | None = None
    payment_date: datetime | None = None

    @property
    def min_due_date(self) -> datetime | None:
        """The earliest due date of its options."""
        return min((o.due_date for o in self.options), default=None)

    @property
    def max_due_date(self) -> datetime | None:
        """The latest due date of its options."""
        return max((o.due_date for o in self.options), default=None)

    def option(self, iuv: str) -> PaymentOption | None:
        """The option with this IUV."""
        return next((o for o in self.options if o.iuv == iuv), None)

    def option_by_nav(self, nav: str) -> PaymentOption | None:
        """The option with this notice number."""
        return next((o for o in self.options if o.nav == nav), None)

    def as_record(self) -> dict[str, Any]:
        """The position as plain JSON data (journal snapshots, stores that keep documents)."""
        return _plain(self)

    def document(self) -> str:
        """The position as JSON text, as the stores keep it: `as_record()`'s data, written straight from the
        dataclasses instead of through a copy as plain data."""
        return jsontext.dumps(self, default=_document_default, option=jsontext.PASSTHROUGH_DATETIME).decode()

    @classmethod
    def from_record(cls, raw: Mapping[str, Any]) -> Position:
        """A position from `as_record()` data."""
        return _position(raw)

    @classmethod
    def from_document(cls, text: str | bytes) -> Position:
        """A position from `document()` text."""
        return _position(json.loads(text))


# --- building from a request ------------------------------------------------------------------------------


def from_body(
    body: Mapping[str, Any], organization: str, now: datetime, *, previous: Position | None = None
) -> Position:
    """A DRAFT position from a createPosition/updatePosition body that passed validation; an update keeps
    the original insertion date (GPD rebuilds the position: it returns to DRAFT)."""
    inserted = previous.inserted_date if previous is not None else now
    options = tuple(_option(o, organization, now) for o in body.get("paymentOption") or ())
    return Position(
        organization=organization,
        iupd=str(body["iupd"]),
        debtor=Debtor(
            type=str(body["type"]),
            fiscal_code=str(body["fiscalCode"]),
            full_name=str(body["fullName"]),
            street_name=body.get("streetName"),
            civic_number=body.get("civicNumber"),
            postal_code=body.get("postalCode"),
            city=body.get("city"),
            province=body.get("province"),
            region=body.get("region"),
            country=body.get("country"),
            email=body.get("email"),
            phone=body.get("phone"),
        ),
        company_name=str(body["companyName"]),
        office_name=body.get("officeName"),
        switch_to_expired=bool(body.get("switchToExpired", False)),
        pay_stand_in=bool(body.get("payStandIn", True)),
        aca=bool(body.get("aca", False)),
        validity_date=_moment(body.get("validityDate")),
        status=Status.DRAFT,
        options=options,
        inserted_date=inserted,
        last_updated_date=now,
    )


def _option(raw: Mapping[str, Any], organization: str, now: datetime) -> PaymentOption:
    iuv = str(raw["iuv"])
    return PaymentOption(
        iuv=iuv,
        nav=str(raw.get("nav") or NOTICE_AUX_DIGIT + iuv),
        amount=int(raw["amount"]),
        description=str(raw["description"]),
        is_partial_payment=bool(raw["isPartialPayment"]),
        due_date=parse_datetime(str(raw["dueDate"])),
        retention_date=_moment(raw.get("retentionDate")),
        fee=int(raw.get("fee") or 0),
        metadata=_metadata(raw.get("paymentOptionMetadata")),
        transfers=tuple(_transfer(t, organization, now) for t in raw.get("transfer") or ()),
        inserted_date=now,
        last_updated_date=now,
    )


def _transfer(raw: Mapping[str, Any], organization: str, now: datetime) -> Transfer:
    stamp = raw.get("stamp")
    return Transfer(
        id_transfer=str(raw["idTransfer"]),
        amount=int(raw["amount"]),
        organization_fiscal_code=str(raw.get("organizationFiscalCode") or organization),
        remittance_information=str(raw["remittanceInformation"]),
        category=str(raw["category"]),
        iban=raw.get("iban") or None,
        postal_iban=raw.get("postalIban") or None,
        stamp=Stamp(str(stamp["hashDocument"]), str(stamp["stampType"]), str(stamp["provincialResidence"]))
        if isinstance(stamp, Mapping)
        else None,
        company_name=raw.get("companyName"),
        metadata=_metadata(raw.get("transferMetadata")),
        inserted_date=now,
        last_updated_date=now,
    )


def _metadata(raw: Any) -> tuple[tuple[str, str | None], ...]:
    return tuple((str(m["key"]), m.get("value")) for m in raw or ())


def _moment(value: Any) -> datetime | None:
    return None if value is None else parse_datetime(str(value))


# --- the state machine --------------------------------------------------------------------------------------


def publish_refusal(position: Position, now: datetime) -> str | None:
    """Why `position` cannot be published now (NOT_PUBLISHABLE, PUBLISH_DUE_DATE_MISMATCH,
    PUBLISH_VALIDITY_DATE_MISMATCH), or None."""
    if position.status != Status.DRAFT:
        return "DEBT_POSITION_NOT_PUBLISHABLE"
    earliest = position.min_due_date
    if position.validity_date is None:
        if earliest is not None and earliest < now:
            return "DEBT_POSITION_PUBLISH_DUE_DATE_MISMATCH"
    elif position.validity_date < now:
        return "DEBT_POSITION_PUBLISH_VALIDITY_DATE_MISMATCH"
    return None


def publish(position: Position, now: datetime) -> Position:
    """DRAFT → VALID (no validity date: it starts now) or PUBLISHED (it starts at its validity date)."""
    refusal = publish_refusal(position, now)
    if refusal is not None:
        raise ValueError(f"{position.iupd} cannot be published: {refusal}")
    if position.validity_date is None:
        return replace(
            position, status=Status.VALID, validity_date=now, publish_date=now, last_updated_date=now
        )
    return replace(position, status=Status.PUBLISHED, publish_date=now, last_updated_date=now)


def scheduled(position: Position, now: datetime) -> Position:
    """What the platform's scheduler makes of `position` at `now`: PUBLISHED → VALID once its validity date
    has come; VALID → EXPIRED once every due date has passed, if the position asked to expire."""
    current = position
    if (
        current.status == Status.PUBLISHED
        and current.validity_date is not None
        and current.validity_date <= now
    ):
        current = replace(current, status=Status.VALID, last_updated_date=now)
    latest = current.max_due_date
    if current.status == Status.VALID and current.switch_to_expired and latest is not None and latest < now:
        current = replace(current, status=Status.EXPIRED, last_updated_date=now)
    return current


def invalidate(position: Position, now: datetime) -> Position:
    """PUBLISHED or VALID → INVALID."""
    if position.status not in INVALIDABLE:
        raise ValueError(f"{position.iupd} is {position.status}, not invalidable")
    return replace(position, status=Status.INVALID, last_updated_date=now)


def option_not_found(organization: str, iuv: str) -> Problem:
    """GPD's 404 for an IUV that is no option of the organization's positions."""
    return Problem(
        404,
        "Not found the payment option",
        f"Not found a payment option for Organization Fiscal Code {organization} and IUV {iuv}",
    )


def payability(position: Position, iuv: str) -> Problem | None:
    """Why option `iuv` of `position` cannot be paid (422 not payable, 409 already paid), or None."""
    org = position.organization
    option = position.option(iuv)
    if option is None:
        return option_not_found(org, iuv)
    if position.status in NOT_PAYABLE:
        return Problem(
            422,
            "Not in payable state",
            f"The payment option with Organization Fiscal Code {org} and IUV {iuv} is not in payable state",
        )
    already = Problem(
        409,
        "Existing related payment found",
        "A payment transaction has already been carried out for the Organization Fiscal Code "
        f"{org} and IUV {iuv}",
    )
    if position.status in FULLY_PAID:
        return already
    if any(o.status != OptionStatus.PO_UNPAID and not o.is_partial_payment for o in position.options):
        return already
    if option.status != OptionStatus.PO_UNPAID:
        return already
    if position.status == Status.PARTIALLY_PAID and not option.is_partial_payment:
        return already
    return None


@dataclass(frozen=True, slots=True)
class PaymentFacts:
    """What the platform learns of a payment: when, which receipt, through which PSP."""

    paid_at: datetime
    receipt_id: str
    psp_company: str = "Banca di prova S.p.A."
    payment_method: str = "creditCard"


def pay(position: Position, iuv: str, facts: PaymentFacts) -> Position:
    """Option `iuv` paid: it becomes PO_PAID, the position PARTIALLY_PAID while some but not all of its
    instalments are paid, otherwise PAID. Refused (the Problem GPD answers) when not payable."""
    refusal = payability(position, iuv)
    if refusal is not None:
        raise Refused(refusal)
    options = tuple(
        replace(
            o,
            status=OptionStatus.PO_PAID,
            payment_date=facts.paid_at,
            receipt_id=facts.receipt_id,
            psp_company=facts.psp_company,
            payment_method=facts.payment_method,
            last_updated_date=facts.paid_at,
        )
        if o.iuv == iuv
        else o
        for o in position.options
    )
    paid = next(o for o in options if o.iuv == iuv)
    instalments = [o for o in options if o.is_partial_payment]
    whole = not paid.is_partial_payment or all(o.status != OptionStatus.PO_UNPAID for o in instalments)
    status = Status.PAID if whole else Status.PARTIALLY_PAID
    return replace(
        position,
        options=options,
        status=status,
        payment_date=facts.paid_at if whole else position.payment_date,
        last_updated_date=facts.paid_at,
    )


def report(position: Position, iuv: str, id_transfer: str, now: datetime) -> Position:
    """Transfer `id_transfer` of paid option `iuv` reported: the option becomes PO_PARTIALLY_REPORTED or
    PO_REPORTED; the position REPORTED once a single payment, or every instalment, is fully reported."""
    option = position.option(iuv)
    org = position.organization
    transfer = (
        None if option is None else next((t for t in option.transfers if t.id_transfer == id_transfer), None)
    )
    if option is None or transfer is None:
        raise Refused(
            Problem(
                404,
                "Not found the transfer",
                f"Not found a transfer for Organization Fiscal Code {org}, IUV {iuv} and TxID {id_transfer}",
            )
        )
    accountable = option.status in (OptionStatus.PO_PAID, OptionStatus.PO_PARTIALLY_REPORTED)
    if (
        not accountable
        or transfer.status != TransferStatus.T_UNREPORTED
        or position.status not in (Status.PAID, Status.PARTIALLY_PAID)
    ):
        raise Refused(
            Problem(
                409,
                "transfer is not in accountable state",
                f"The transfer option with Organization Fiscal Code {org}, IUV {iuv} and TxID {id_transfer} "
                "is not in payable state",
            )
        )
    transfers = tuple(
        replace(t, status=TransferStatus.T_REPORTED, last_updated_date=now)
        if t.id_transfer == id_transfer
        else t
        for t in option.transfers
    )
    done = all(t.status == TransferStatus.T_REPORTED for t in transfers)
    updated = replace(
        option,
        transfers=transfers,
        status=OptionStatus.PO_REPORTED if done else OptionStatus.PO_PARTIALLY_REPORTED,
        reporting_date=now if done else option.reporting_date,
        last_updated_date=now,
    )
    options = tuple(updated if o.iuv == iuv else o for o in position.options)
    instalments = [o for o in options if o.is_partial_payment]
    closed = (done and not updated.is_partial_payment) or (
        bool(instalments) and all(o.status == OptionStatus.PO_REPORTED for o in instalments)
    )
    return replace(
        position,
        options=options,
        status=Status.REPORTED if closed else position.status,
        last_updated_date=now,
    )


# --- plain data --------------------------------------------------------------------------------------------

_SCALARS = (str, int, bool, float)


def _plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in _SCALARS:
        return value
    if kind is datetime:
        return stored(value)
    fields = getattr(kind, "__dataclass_fields__", None)
    if fields is not None:
        pairs = ((name, getattr(value, name)) for name in fields)
        return {n: v if v is None or type(v) in _SCALARS else _plain(v) for n, v in pairs}
    if kind is tuple or kind is list:
        return [v if v is None or type(v) in _SCALARS else _plain(v) for v in value]
    if isinstance(value, datetime):
        return stored(value)
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _document_default(o: Any) -> Any:
    """What the encoder leaves to us: date-times, written as `stored` text, and (the standard library's
    fallback) dataclasses, as `_plain` makes them."""
    if isinstance(o, datetime):
        return stored(o)
    return _plain(o)


def _dates(raw: Mapping[str, Any], *names: str) -> dict[str, datetime | None]:
    return {n: from_stored(raw.get(n)) for n in names}


def _pairs(raw: Any) -> tuple[tuple[str, str | None], ...]:
    return tuple((str(k), v) for k, v in raw or ())


def _position(raw: Mapping[str, Any]) -> Position:
    options = []
    for o in raw.get("options", ()):
        transfers = tuple(
            Transfer(
                id_transfer=t["id_transfer"],
                amount=int(t["amount"]),
                organization_fiscal_code=t["organization_fiscal_code"],
                remittance_information=t["remittance_information"],
                category=t["category"],
                iban=t.get("iban"),
                postal_iban=t.get("postal_iban"),
                stamp=Stamp(**t["stamp"]) if t.get("stamp") else None,
                company_name=t.get("company_name"),
                metadata=_pairs(t.get("metadata")),
                status=TransferStatus(t.get("status", TransferStatus.T_UNREPORTED)),
                **_dates(t, "inserted_date", "last_updated_date"),
            )
            for t in o.get("transfers", ())
        )
        due = from_stored(o["due_date"])
        assert due is not None
        options.append(
            PaymentOption(
                iuv=o["iuv"],
                nav=o["nav"],
                amount=int(o["amount"]),
                description=o["description"],
                is_partial_payment=bool(o["is_partial_payment"]),
                due_date=due,
                fee=int(o.get("fee") or 0),
                notification_fee=int(o.get("notification_fee") or 0),
                metadata=_pairs(o.get("metadata")),
                transfers=transfers,
                status=OptionStatus(o.get("status", OptionStatus.PO_UNPAID)),
                receipt_id=o.get("receipt_id"),
                psp_company=o.get("psp_company"),
                payment_method=o.get("payment_method"),
                **_dates(
                    o,
                    "retention_date",
                    "payment_date",
                    "reporting_date",
                    "inserted_date",
                    "last_updated_date",
                ),
            )
        )
    return Position(
        organization=raw["organization"],
        iupd=raw["iupd"],
        debtor=Debtor(**raw["debtor"]),
        company_name=raw["company_name"],
        office_name=raw.get("office_name"),
        switch_to_expired=bool(raw.get("switch_to_expired")),
        pay_stand_in=bool(raw.get("pay_stand_in", True)),
        aca=bool(raw.get("aca")),
        status=Status(raw["status"]),
        options=tuple(options),
        **_dates(raw, "validity_date", "inserted_date", "publish_date", "last_updated_date", "payment_date"),
    )
