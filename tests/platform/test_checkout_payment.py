"""The checkout page without a browser: its HTML, and what each ending does. Paying plays the Node toward the
reference station (verify, activate with the idCart as paymentNote, receipt) or pays a GPD position of the
sandbox; a cart ends once, and nothing is paid unless every notice can be."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from checkout_support import (
    EC,
    KEY,
    Desk,
    browse,
    cart,
    desk,
    journal,
    made_up,
    notice,
    post_cart,
    station_config,
)
from lxml import etree
from sandbox_support import ORG, Client, option, position, transfer

from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.checks import judge
from pagoconf.platform.sandbox.journal import read_journal
from pagoconf.platform.sandbox.request import case_from_entry
from pagoconf.sync.reference import seed_notices
from pagoconf.sync.schema import pa_for_node_schema
from pagoconf.sync.soap import body_children
from pagoconf.sync.xmlsafe import parse


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A SANP 3.8.0 sandbox paying through a V2 reference station, and the EC's front end."""
    with desk(tmp_path_factory.mktemp("shop")) as d:
        yield d


def _page(shop: Desk, body: dict[str, Any]) -> str:
    answer = shop.post(body)
    assert answer.status == 302, answer.data
    return str(answer.headers["Location"])


def _node(entries: list[dict[str, Any]], since: int = 0) -> list[str]:
    return [e["operation"] for e in entries if e["api"] == "node" and e["seq"] > since]


def test_the_page_shows_the_cart_and_its_three_forms_without_script(shop: Desk) -> None:
    issued = shop.notices(2)
    page = _page(shop, shop.cart(*(notice(n) for n in issued), emailNotice="m.rossi@example.it"))
    answer = browse("GET", page)
    html = answer.data.decode()
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    for n in issued:
        assert n.nav in html and n.description in html
    assert "Comune di Pagoconf" in html and EC in html and "m.rossi@example.it" in html
    euros = [f"{n.amount:.2f}".replace(".", ",") + " €" for n in issued]
    total = f"{sum(n.amount for n in issued):.2f}".replace(".", ",") + " €"
    assert all(e in html for e in euros) and f'id="total">{total}<' in html
    forms = etree.HTML(answer.data).findall(".//form")
    assert [(f.get("method"), f.get("action").rsplit("/", 1)[1]) for f in forms] == [
        ("post", "pay"),
        ("post", "cancel"),
        ("post", "fail"),
    ]
    assert "<script" not in html and "<link" not in html and " src=" not in html


def test_what_the_ec_wrote_is_shown_as_text(shop: Desk) -> None:
    page = _page(shop, shop.cart(made_up(description='<script>alert("x")</script>', companyName="A & B")))
    html = browse("GET", page).data.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "A &amp; B" in html


def test_paying_verifies_and_activates_every_notice_then_sends_the_receipts_once(shop: Desk) -> None:
    issued = shop.notices(2)
    page = _page(shop, shop.cart(*(notice(n) for n in issued), idCart="EC-cart-42"))
    before = journal(shop.sandbox)[-1]["seq"]
    paid = browse("POST", page + "/pay")
    assert paid.status == 303 and paid.headers["Location"] == shop.front.url("returnOkUrl")
    assert browse("POST", page + "/pay").headers["Location"] == shop.front.url("returnOkUrl")
    assert browse("POST", page + "/cancel").headers["Location"] == shop.front.url("returnOkUrl")
    entries = journal(shop.sandbox)
    verify, activate, receipt = "paVerifyPaymentNotice", "paGetPaymentV2", "paSendRTV2"
    assert _node(entries, before) == [verify, activate, verify, activate, receipt, receipt]
    for n in issued:
        assert shop.receipts(n) == [receipt] and shop.state(n) == "paid"
    schema = pa_for_node_schema("3.8.0")
    for entry in (e for e in entries if e["api"] == "node" and e["seq"] > before):
        request = body_children(parse(entry["request_body"].encode()))
        assert request and schema.errors(request[0]) == [], entry["operation"]
        assert entry["status"] == 200 and entry["path"] == shop.station.url
    notes = {
        e["request_body"].count("<paymentNote>EC-cart-42</paymentNote>")
        for e in entries
        if e["operation"] == activate and e["seq"] > before
    }
    assert notes == {1}
    shown = browse("GET", page).data.decode()
    assert "This cart has been paid." in shown and "<form" not in shown


def test_paying_at_once_from_two_windows_pays_once(shop: Desk) -> None:
    issued = shop.notices(1)
    page = _page(shop, shop.cart(notice(issued[0])))
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: browse("POST", page + "/pay"), range(4)))
    assert {a.status for a in answers} <= {303, 409} and 303 in {a.status for a in answers}
    assert shop.receipts(issued[0]) == ["paSendRTV2"]


@pytest.mark.parametrize(("action", "url"), [("cancel", "returnCancelUrl"), ("fail", "returnErrorUrl")])
def test_cancel_and_fail_pay_nothing_and_end_the_cart(shop: Desk, action: str, url: str) -> None:
    issued = shop.notices(1)
    page = _page(shop, shop.cart(notice(issued[0])))
    before = journal(shop.sandbox)[-1]["seq"]
    assert browse("POST", f"{page}/{action}").headers["Location"] == shop.front.url(url)
    assert browse("POST", f"{page}/pay").headers["Location"] == shop.front.url(url)
    assert _node(journal(shop.sandbox), before) == [] and shop.receipts(issued[0]) == []


def _fails(shop: Desk, body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    page = _page(shop, body)
    before = journal(shop.sandbox)[-1]["seq"]
    answer = browse("POST", page + "/pay")
    assert answer.status == 303 and answer.headers["Location"] == shop.front.url("returnErrorUrl")
    shown = browse("GET", page).data.decode()
    assert "This cart was not paid." in shown
    return shown, [e for e in journal(shop.sandbox) if e["seq"] > before]


def test_a_wrong_amount_fails_before_any_activation(shop: Desk) -> None:
    issued = shop.notices(1)[0]
    shown, entries = _fails(shop, shop.cart(notice(issued, amount=notice(issued)["amount"] + 1)))
    assert f"{issued.amount:.2f}" in shown and "the station&#x27;s paVerifyPaymentNotice asks" in shown
    assert _node(entries) == ["paVerifyPaymentNotice"] and shop.receipts(issued) == []


def test_a_refused_notice_leaves_the_whole_cart_unpaid(shop: Desk) -> None:
    good = shop.notices(1)[0]
    annulled = seed_notices()["annulled"][0]
    shown, entries = _fails(shop, shop.cart(notice(good), notice(annulled)))
    assert "PAA_PAGAMENTO_ANNULLATO" in shown
    assert _node(entries) == ["paVerifyPaymentNotice", "paGetPaymentV2", "paVerifyPaymentNotice"]
    assert shop.receipts(good) == [] and shop.state(good) == "payable"


def test_a_notice_of_no_known_creditor_fails(shop: Desk) -> None:
    shown, entries = _fails(shop, shop.cart(made_up()))
    assert "neither a debt position of the sandbox nor a notice of the configured station" in shown
    assert _node(entries) == []


def test_an_unreachable_station_fails(tmp_path: Path) -> None:
    config = station_config(tmp_path / "pagoconf.toml", "http://127.0.0.1:9/paForNode")
    with Sandbox(config=config) as sb:
        issued = seed_notices()["payable"][0]
        body = cart(notice(issued))
        paid = browse("POST", post_cart(sb, body).headers["Location"] + "/pay")
        assert paid.headers["Location"] == body["returnUrls"]["returnErrorUrl"]
        [entry] = [e for e in journal(sb) if e["api"] == "node"]
        assert entry["status"] == 0 and "unreachable" in entry["snapshot"]["error"]


def test_a_debt_position_of_the_sandbox_is_paid_through_its_model(shop: Desk) -> None:
    client = Client(shop.sandbox, key=KEY)
    body = client.created(position(None, option(None, 4200, transfer=[transfer(amount=4200)])), publish=True)
    nav = "3" + body["paymentOption"][0]["iuv"]
    entry = made_up(noticeNumber=nav, fiscalCode=ORG, amount=4200)
    page = _page(shop, shop.cart(entry))
    assert browse("POST", page + "/pay").headers["Location"] == shop.front.url("returnOkUrl")
    assert client.status_of(body["iupd"]) == "PAID"
    receipt = client.payments("GET", f"/payments/{ORG}/receipts/{body['paymentOption'][0]['iuv']}")
    assert receipt.status == 200 and b"paSendRTV2Request" in receipt.data
    again = _page(shop, shop.cart(entry))
    assert browse("POST", again + "/pay").headers["Location"] == shop.front.url("returnErrorUrl")
    assert "already been carried out" in browse("GET", again).data.decode()


def test_an_unknown_cart_is_404(shop: Desk) -> None:
    assert browse("GET", shop.sandbox.url + "/checkout/c/nope").status == 404
    assert browse("POST", shop.sandbox.url + "/checkout/c/nope/pay").status == 404


@pytest.mark.parametrize("version", [1, 2])
def test_3_13_0_either_primitive_version_and_a_journal_judged_again(tmp_path: Path, version: int) -> None:
    with desk(tmp_path, sanp="3.13.0", primitive_version=version, db=tmp_path / "s.db") as shop:
        issued = shop.notices(1)[0]
        body = shop.cart(notice(issued), idCart="v" * 5)
        body["returnUrls"]["returnWaitingUrl"] = shop.front.url("returnWaitingUrl")
        page = shop.post(body, version="checkout_v2").headers["Location"]
        assert browse("POST", page + "/pay").headers["Location"] == shop.front.url("returnOkUrl")
        receipt = "paSendRT" if version == 1 else "paSendRTV2"
        assert shop.receipts(issued) == [receipt]
        waiting = shop.post(body, version="checkout_v2").headers["Location"]
        assert browse("POST", waiting + "/wait").headers["Location"] == shop.front.url("returnWaitingUrl")
        plain = shop.post(
            {**body, "returnUrls": {k: v for k, v in body["returnUrls"].items() if k != "returnWaitingUrl"}}
        )
        assert browse("POST", plain.headers["Location"] + "/wait").status == 400
        assert shop.post({**body, "paymentNotices": []}).status == 400
    entries = read_journal(tmp_path / "s.db", sanp="3.13.0")
    assert {e.api for e in entries} == {"checkout", "checkout_v2", "checkout_page", "node"}
    for entry in entries:
        assert judge(case_from_entry(entry, sanp="3.13.0")).findings == entry.findings, entry.seq
