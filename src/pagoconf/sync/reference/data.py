"""The reference station's identity and its seeded notices, dated relative to "today"."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from pagoconf.identifiers import iuv_of, make_nav, with_check_digits
from pagoconf.sync.config import Identity

KINDS = ("payable", "multi_beneficiary", "postal", "bollo", "expired", "annulled", "paid")
TO_PAY_KINDS = ("payable", "multi_beneficiary", "bollo")
TO_PAY_COUNTS = {"payable": 12, "multi_beneficiary": 3, "bollo": 3}
TO_PAY_FIRST_INDEX = 101  # to_pay notices are numbered 101, 102, … within their kind's bases
STATES = ("payable", "expired", "annulled", "paid")
AUX_DIGIT = 3
SEGREGATION_CODE = "01"
SPONTANEOUS_PREFIX = "8"  # bases of notices created by paDemandPaymentNotice: 8 + a 12-digit sequence
BOLLO_AMOUNT = Decimal("16.00")


IDENTITY = Identity(id_pa="77777777777", id_broker_pa="88888888888", id_station="88888888888_01")
COMPANY_NAME = "Comune di Pagoconf"
OFFICE_NAME = "Ufficio Tributi"


@dataclass(frozen=True, slots=True)
class Debtor:
    """The person a notice is addressed to."""

    fiscal_code: str
    full_name: str
    street_name: str
    civic_number: str
    postal_code: str
    city: str
    province: str
    country: str
    email: str


ANONYMOUS = "ANONIMO"  # the debtor of a spontaneous payment, as GPD-Payments writes it

DEBTOR = Debtor(
    fiscal_code="RSSMRA80A01H501U",
    full_name="Mario Rossi",
    street_name="Via del Corso",
    civic_number="101",
    postal_code="00186",
    city="Roma",
    province="RM",
    country="IT",
    email="mario.rossi@example.it",
)
ANONYMOUS_DEBTOR = Debtor(ANONYMOUS, ANONYMOUS, "", "", "", "", "", "", "")


@dataclass(frozen=True, slots=True)
class Stamp:
    """An @e.bollo digital stamp request: the SHA-256 hash of the document to stamp."""

    document_hash: str  # base64 of a 32-byte SHA-256 digest
    stamp_type: str = "01"
    province: str = "RM"


@dataclass(frozen=True, slots=True)
class Transfer:
    """One beneficiary share of a payment: credited to an IBAN, or an @e.bollo stamp."""

    fiscal_code: str
    company_name: str
    amount: Decimal
    remittance: str
    category: str
    iban: str | None = None
    stamp: Stamp | None = None


@dataclass(frozen=True, slots=True)
class IssuedNotice:
    """A payment notice the EC issued, in one of STATES."""

    kind: str
    nav: str
    state: str
    description: str
    due_date: date
    transfers: tuple[Transfer, ...]
    debtor: Debtor = DEBTOR

    @property
    def amount(self) -> Decimal:
        """The amount due: the sum of the transfers."""
        return sum((t.amount for t in self.transfers), Decimal("0.00"))

    @property
    def iuv(self) -> str:
        """The IUV the notice number carries (the creditor reference)."""
        return iuv_of(self.nav)

    @property
    def has_stamp(self) -> bool:
        """True when one transfer is an @e.bollo stamp (V2 only)."""
        return any(t.stamp is not None for t in self.transfers)


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """A creditor institution that may receive a transfer, with its accounts."""

    fiscal_code: str
    company_name: str
    iban: str
    postal_iban: str
    category: str


BENEFICIARIES = {
    b.fiscal_code: b
    for b in (
        Beneficiary(
            IDENTITY.id_pa,
            COMPANY_NAME,
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
}
OTHER_ECS = ("01234567890", "15376371009")


def notice_number(kind: str, index: int) -> str:
    """The deterministic NAV of the `index`-th (1-based) seeded notice of `kind`."""
    base = f"{KINDS.index(kind) + 1}{index:012d}"
    return make_nav(AUX_DIGIT, SEGREGATION_CODE, base)


def spontaneous_number(sequence: int, *, wrong_check_digit: bool = False) -> str:
    """The NAV of the `sequence`-th notice created on demand (optionally with a wrong check digit)."""
    nav = make_nav(AUX_DIGIT, SEGREGATION_CODE, f"{SPONTANEOUS_PREFIX}{sequence:012d}")
    if wrong_check_digit:
        nav = nav[:-2] + f"{(int(nav[-2:]) + 1) % 93:02d}"
    return nav


def stamp_for(nav: str) -> Stamp:
    """A digital stamp request over a small, real document tied to the notice."""
    document = f"Istanza n. {nav} al {COMPANY_NAME}\n".encode()
    return Stamp(base64.b64encode(hashlib.sha256(document).digest()).decode("ascii"))


def _transfer(nav: str, fiscal_code: str, amount: str, text: str, *, postal: bool = False) -> Transfer:
    ec = BENEFICIARIES[fiscal_code]
    return Transfer(
        fiscal_code=ec.fiscal_code,
        company_name=ec.company_name,
        amount=Decimal(amount),
        remittance=f"/RFB/{iuv_of(nav)}/{amount}/TXT/{text}",
        category=ec.category,
        iban=ec.postal_iban if postal else ec.iban,
    )


def _bollo(nav: str) -> Transfer:
    return Transfer(
        fiscal_code=IDENTITY.id_pa,
        company_name=COMPANY_NAME,
        amount=BOLLO_AMOUNT,
        remittance=f"/RFB/{iuv_of(nav)}/{BOLLO_AMOUNT}/TXT/Marca da bollo digitale",
        category="9/0101108TS/",
        stamp=stamp_for(nav),
    )


def _single(kind: str, index: int, state: str, amount: str, text: str, due: date) -> IssuedNotice:
    nav = notice_number(kind, index)
    transfers = (_transfer(nav, IDENTITY.id_pa, amount, text),)
    return IssuedNotice(kind, nav, state, text, due, transfers)


def seed_notices(today: date | None = None) -> dict[str, tuple[IssuedNotice, ...]]:
    """Every seeded notice, by kind. Amounts all end in a 0 cents digit; only dates depend on today."""
    today = today or date.today()
    soon, later, past = today + timedelta(days=30), today + timedelta(days=60), today - timedelta(days=10)
    multi, postal, bollo = (notice_number(k, 1) for k in ("multi_beneficiary", "postal", "bollo"))
    ec, (other1, other2) = IDENTITY.id_pa, OTHER_ECS
    return {
        "payable": (
            _single("payable", 1, "payable", "120.50", "TARI 2025 rata unica", soon),
            _single("payable", 2, "payable", "35.00", "Mensa scolastica marzo", later),
        ),
        "multi_beneficiary": (
            IssuedNotice(
                "multi_beneficiary",
                multi,
                "payable",
                "Sanzione codice della strada",
                soon,
                (
                    _transfer(multi, ec, "100.00", "Sanzione CdS quota comunale"),
                    _transfer(multi, other1, "30.50", "Sanzione CdS quota provinciale"),
                    _transfer(multi, other2, "20.20", "Sanzione CdS spese di notifica"),
                ),
            ),
        ),
        "postal": (
            IssuedNotice(
                "postal",
                postal,
                "payable",
                "Canone occupazione suolo pubblico",
                soon,
                (
                    _transfer(postal, ec, "40.00", "COSAP 2025", postal=True),
                    _transfer(postal, other1, "12.30", "COSAP 2025 quota provinciale", postal=True),
                ),
            ),
        ),
        "bollo": (
            IssuedNotice(
                "bollo",
                bollo,
                "payable",
                "Certificato anagrafico in bollo",
                soon,
                (_transfer(bollo, ec, "50.00", "Diritti di segreteria"), _bollo(bollo)),
            ),
        ),
        "expired": (_single("expired", 1, "expired", "80.00", "IMU 2024 saldo", past),),
        "annulled": (_single("annulled", 1, "annulled", "60.00", "Trasporto scolastico", soon),),
        "paid": (_single("paid", 1, "paid", "25.50", "Lampade votive 2025", soon),),
    }


def to_pay_notices(today: date | None = None) -> dict[str, tuple[IssuedNotice, ...]]:
    """Payable notices the harness may pay, once each, by kind (bollo ones need paGetPaymentV2)."""
    today = today or date.today()
    due = today + timedelta(days=45)
    ec, (other1, other2) = IDENTITY.id_pa, OTHER_ECS
    indices = {kind: range(TO_PAY_FIRST_INDEX, TO_PAY_FIRST_INDEX + n) for kind, n in TO_PAY_COUNTS.items()}
    payable = tuple(
        _single("payable", i, "payable", f"{10 + 5 * n}.{n % 10}0", f"Diritti di segreteria pratica {n}", due)
        for n, i in enumerate(indices["payable"], start=1)
    )
    multi: list[IssuedNotice] = []
    for n, i in enumerate(indices["multi_beneficiary"], start=1):
        nav = notice_number("multi_beneficiary", i)
        transfers = (
            _transfer(nav, ec, f"{40 + 10 * n}.00", f"Verbale {n} quota comunale"),
            _transfer(nav, other1, f"{10 + n}.50", f"Verbale {n} quota provinciale"),
            _transfer(nav, other2, "5.30", f"Verbale {n} spese di notifica"),
        )
        text = f"Verbale di accertamento {n}"
        multi.append(IssuedNotice("multi_beneficiary", nav, "payable", text, due, transfers))
    bollo: list[IssuedNotice] = []
    for n, i in enumerate(indices["bollo"], start=1):
        nav = notice_number("bollo", i)
        fee = _transfer(nav, ec, f"{20 + 10 * n}.00", f"Diritti istanza {n}")
        bollo.append(IssuedNotice("bollo", nav, "payable", f"Istanza in bollo {n}", due, (fee, _bollo(nav))))
    return {"payable": payable, "multi_beneficiary": tuple(multi), "bollo": tuple(bollo)}


def spontaneous_notice(nav: str, description: str, amount: Decimal, due: date) -> IssuedNotice:
    """A payable notice created on demand: one transfer to the EC's account, an anonymous debtor."""
    transfer = _transfer(nav, IDENTITY.id_pa, f"{amount:.2f}", description)
    return IssuedNotice("spontaneous", nav, "payable", description, due, (transfer,), ANONYMOUS_DEBTOR)
