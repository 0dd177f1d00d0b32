"""Domain values the XSD cannot express: notice numbers, IUVs, IBANs, payments whose transfers add up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy
from lxml import etree

from pagoconf.identifiers import POSTAL_ABI, iuv_of, make_nav, with_check_digits
from pagoconf.sync.strategies.xsd import _no_overrides, from_xsd, plan

_DIGITS = "0123456789"
_ALNUM = _DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Italian BBAN check character (CIN): odd positions through this table, even positions as they are.
_CIN_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)


def segregation_codes() -> SearchStrategy[str]:
    """Segregation codes PagoPA assigns to intermediaries (00–49, SACI 3.0.0)."""
    return st.integers(0, 49).map(lambda n: f"{n:02d}")


def notice_numbers(*, aux_digits: tuple[int, ...] = (3,)) -> SearchStrategy[str]:
    """18-digit notice numbers (NAV) with the right check digit, aux digit 3 by default (SACI 3.2.1)."""
    if not aux_digits or set(aux_digits) - {0, 1, 2, 3}:
        raise ValueError(f"aux digits must be among 0, 1, 2, 3, not {aux_digits!r}")

    def build(aux: int, code: str, base17: str) -> str:
        base = {0: base17[:13], 1: base17, 2: base17[:15], 3: base17[:13]}[aux]
        return make_nav(aux, code, base)

    return st.builds(
        build,
        st.sampled_from(aux_digits),
        segregation_codes(),
        st.text(_DIGITS, min_size=17, max_size=17),
    )


def iuvs() -> SearchStrategy[str]:
    """IUVs of aux-3 notice numbers: segregation code, 13-digit base, check digit (17 digits)."""
    return notice_numbers().map(iuv_of)


def _cin(bban: str) -> str:
    total = 0
    for i, c in enumerate(bban):
        v = int(c) if c.isdigit() else ord(c) - ord("A")
        total += _CIN_ODD[v] if i % 2 == 0 else v
    return chr(ord("A") + total % 26)


def italian_ibans(*, postal: bool | None = None) -> SearchStrategy[str]:
    """Italian IBANs (27 chars) with a right CIN and mod-97 check digits; postal (ABI 07601) when asked."""
    abi = st.just(POSTAL_ABI) if postal else st.text(_DIGITS, min_size=5, max_size=5)
    if postal is None:
        abi = st.one_of(abi, st.just(POSTAL_ABI))
    elif postal is False:
        abi = abi.filter(lambda a: a != POSTAL_ABI)
    account = st.one_of(st.text(_DIGITS, min_size=12, max_size=12), st.text(_ALNUM, min_size=12, max_size=12))

    def build(abi_: str, cab: str, conto: str) -> str:
        rest = abi_ + cab + conto
        return with_check_digits("IT", _cin(rest) + rest)

    return st.builds(build, abi, st.text(_DIGITS, min_size=5, max_size=5), account)


def domain_overrides(schema: Any = None, element: str | None = None) -> dict[str, SearchStrategy[str]]:
    """Default overrides for what the XSD cannot express; with schema and element, only the keys it has."""
    found = {
        "noticeNumber": notice_numbers(),
        "IBAN": italian_ibans(),
        "creditorReferenceId": iuvs(),
    }
    if schema is None or element is None:
        return found
    names = {leaf.path[-1] for leaf in plan(schema, element).leaves}
    return {k: v for k, v in found.items() if k in names}


@dataclass(frozen=True, slots=True)
class Payment:
    """An amount and the transfers it splits into."""

    amount: Decimal
    transfers: tuple[Decimal, ...]


@st.composite
def payments_with_transfers(draw: Any, *, min_transfers: int = 1, max_transfers: int = 5) -> Payment:
    """A payment whose transfers add up to its amount — a rule the XSD cannot express."""
    cents = draw(st.lists(st.integers(1, 99_999_999), min_size=min_transfers, max_size=max_transfers))
    return Payment(amount=Decimal(sum(cents)) / 100, transfers=tuple(Decimal(c) / 100 for c in cents))


def _local(el: Any) -> str:
    return etree.QName(el).localname


def _child(el: Any, name: str) -> Any:
    return next((c for c in el if isinstance(c.tag, str) and _local(c) == name), None)


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name]


def _make_coherent(draw: Any, root: Any) -> Any:
    """Transfers add up to paymentAmount with idTransfer 1..n; a receipt's creditorReferenceId is its IUV."""
    for holder in root.iter():
        if not isinstance(holder.tag, str):
            continue
        amount, transfer_list = _child(holder, "paymentAmount"), _child(holder, "transferList")
        if amount is not None and transfer_list is not None:
            transfers = _children(transfer_list, "transfer")
            if transfers:
                n = len(transfers)
                payment = draw(payments_with_transfers(min_transfers=n, max_transfers=n))
                amount.text = f"{payment.amount:.2f}"
                for i, (transfer, value) in enumerate(
                    zip(transfers, payment.transfers, strict=True), start=1
                ):
                    if (t := _child(transfer, "transferAmount")) is not None:
                        t.text = f"{value:.2f}"
                    if (t := _child(transfer, "idTransfer")) is not None:
                        t.text = str(i)
        nav, reference = _child(holder, "noticeNumber"), _child(holder, "creditorReferenceId")
        if nav is not None and reference is not None and nav.text:
            reference.text = iuv_of(nav.text)
    return root


def domain_instances(
    schema: Any,
    element: str,
    *,
    overrides: Mapping[str, SearchStrategy[str]] = _no_overrides(),  # noqa: B008 - read-only, never mutated
    max_occurs: int = 5,
) -> SearchStrategy[etree._Element]:
    """Valid instances that also keep the domain rules: domain_overrides(), transfers adding up, IUV match."""
    merged = {**domain_overrides(schema, element), **overrides}
    base = from_xsd(schema, element, overrides=merged, max_occurs=max_occurs)

    @st.composite
    def coherent(draw: Any) -> etree._Element:
        return _make_coherent(draw, draw(base))

    return coherent()
