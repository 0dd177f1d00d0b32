"""Receipts the harness builds are valid against paForNode.xsd by construction, in each SANP shape."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from pagoconf.sync import soap as wire
from pagoconf.sync import xmlsafe
from pagoconf.sync.config import Identity
from pagoconf.sync.requests.receipts import (
    ROME,
    Payment,
    made_up_payment_data,
    receipt_request,
    with_invalid_outcome,
)
from pagoconf.sync.schema import pa_for_node_schema

ID = Identity("77777777777", "88888888888", "88888888888_01")
NAV = "301100000000000148"
PAID_AT = datetime(2026, 11, 27, 10, 30, tzinfo=ROME)


def data_with(transfers: list[tuple[str, str | None]], *, version: int) -> etree._Element:
    """ctPaymentPA(V2) data with the given transfers: (amount, IBAN or None for an @e.bollo stamp)."""
    data = made_up_payment_data(NAV, ID.id_pa, "IT60X0542811101000000123456")
    total = sum(int(a.replace(".", "")) for a, _ in transfers)
    data.find("paymentAmount").text = f"{total / 100:.2f}"
    tl = data.find("transferList")
    tl.clear()
    for i, (amount, iban) in enumerate(transfers, 1):
        t = wire.element(tl, "transfer")
        wire.element(t, "idTransfer", str(i))
        wire.element(t, "transferAmount", amount)
        wire.element(t, "fiscalCodePA", ID.id_pa)
        if version == 2:
            wire.element(t, "companyName", "Comune di Pagoconf")
        if iban is None:
            stamp = wire.element(t, "richiestaMarcaDaBollo")
            wire.element(stamp, "hashDocumento", "3jcW4Z+CR5qfPevT2f3PumYqDtD6U63Bqnhh78LwnJM=")
            wire.element(stamp, "tipoBollo", "01")
            wire.element(stamp, "provinciaResidenza", "RM")
        else:
            wire.element(t, "IBAN", iban)
        wire.element(t, "remittanceInformation", f"transfer {i}")
        wire.element(t, "transferCategory", "9/0101108TS/")
    return data


def receipt_element(body: bytes) -> etree._Element:
    return wire.body_children(xmlsafe.parse(body))[0]


amounts = st.integers(1, 99_999_999).map(lambda c: f"{c / 100:.2f}")
accounts = st.sampled_from(["IT60X0542811101000000123456", "IT45R0760103200000000001016", None])


@pytest.mark.parametrize("sanp", ["3.8.0", "3.13.0"])
@pytest.mark.parametrize("version", [1, 2])
@settings(max_examples=40, deadline=None)
@given(transfers=st.lists(st.tuples(amounts, accounts), min_size=1, max_size=5), standin=st.booleans())
def test_receipts_are_valid_for_any_payment(
    sanp: str, version: int, transfers: list[tuple[str, str | None]], standin: bool
) -> None:
    if version == 1:
        transfers = [(a, iban or "IT60X0542811101000000123456") for a, iban in transfers]
    payment = Payment(NAV, ID.id_pa, "r" * 32, PAID_AT, standin, "Comune di Pagoconf")
    body = receipt_request(data_with(transfers, version=version), payment, ID, version=version, sanp=sanp)
    el = receipt_element(body)
    assert pa_for_node_schema(sanp).errors(el) == []
    assert len(el.findall("receipt/transferList/transfer")) == len(transfers)
    stamps = el.findall("receipt/transferList/transfer/MBDAttachment")
    assert len(stamps) == sum(1 for _, iban in transfers if iban is None)


@pytest.mark.parametrize(("sanp", "inside"), [("3.8.0", False), ("3.13.0", True)])
def test_the_stand_in_flag_sits_where_each_sanp_version_puts_it(sanp: str, inside: bool) -> None:
    payment = Payment(NAV, ID.id_pa, "r1", PAID_AT, True, None)
    el = receipt_element(
        receipt_request(
            data_with([("10.00", "IT60X0542811101000000123456")], version=2),
            payment,
            ID,
            version=2,
            sanp=sanp,
        )
    )
    assert (el.find("receipt/standIn") is not None) is inside
    assert (el.find("standin") is not None) is not inside
    assert etree.QName(el).localname == "paSendRTV2Request"


def test_a_receipt_with_an_invalid_outcome_breaks_the_schema() -> None:
    payment = Payment(NAV, ID.id_pa, "r1", PAID_AT)
    body = receipt_request(
        data_with([("10.00", "IT60X0542811101000000123456")], version=1), payment, ID, version=1, sanp="3.8.0"
    )
    errors = pa_for_node_schema("3.8.0").errors(receipt_element(with_invalid_outcome(body)))
    assert len(errors) == 1 and "PAID" in errors[0][0]


@pytest.mark.parametrize("sanp", ["3.8.0", "3.13.0"])
@pytest.mark.parametrize(("element", "version"), [("paGetPaymentRes", 1), ("paGetPaymentV2Response", 2)])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_receipts_built_from_any_generated_activation_are_valid(
    sanp: str, element: str, version: int, data: st.DataObject
) -> None:
    from pagoconf.sync.strategies import domain_instances

    schema = pa_for_node_schema(sanp)
    activation = data.draw(domain_instances(schema, element).filter(lambda el: el.find("data") is not None))
    payment = Payment(NAV, ID.id_pa, "r" * 32, PAID_AT, data.draw(st.booleans()), "Comune di Pagoconf")
    body = receipt_request(activation.find("data"), payment, ID, version=version, sanp=sanp)
    assert schema.errors(receipt_element(body)) == []
