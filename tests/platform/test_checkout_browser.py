"""Checkout end to end in a real browser: the EC's back end posts a cart of two of the reference station's
notices, the citizen opens the checkout page in Chromium and pays, cancels or fails; the browser lands on the
EC's matching return page, and only a payment leaves receipts at the station.

Chromium is Debian's (`/usr/bin/chromium`, installed by .ci/run), driven by Playwright without its own
browser downloads; without it, these tests are skipped, saying why."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from checkout_support import Desk, desk, notice

CHROMIUM = os.environ.get("PAGOCONF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright (PyPI playwright) is not installed")
pytestmark = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (as .ci/run does) runs these tests",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium with a fresh profile, headless."""
    with sync_api.sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS, java_script_enabled=False
        )
        yield context
        context.close()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """The reference station, the EC's front end, and a sandbox paying through the station."""
    with desk(tmp_path_factory.mktemp("browser")) as d:
        yield d


def _checkout(browser: Any, shop: Desk, body: dict[str, Any], button: str) -> Any:
    """Post the cart as the EC's back end, open its page as the citizen, press `button`; the final answer."""
    answer = shop.post(body)
    assert answer.status == 302, answer.data
    page = browser.new_page()
    try:
        page.goto(answer.headers["Location"])
        with page.expect_navigation() as landed:
            page.get_by_role("button", name=button, exact=True).click()
        response = landed.value
        return response.url, response.status, page.content()
    finally:
        page.close()


def test_paying_lands_on_the_ok_page_and_the_station_keeps_both_receipts(browser: Any, shop: Desk) -> None:
    issued = shop.notices(2)
    url, status, html = _checkout(
        browser, shop, shop.cart(*(notice(n) for n in issued), idCart="EC-42"), "Pay"
    )
    assert (url, status) == (shop.front.url("returnOkUrl"), 200) and "EC front end" in html
    for n in issued:
        assert shop.receipts(n) == ["paSendRTV2"] and shop.state(n) == "paid"


@pytest.mark.parametrize(("button", "landing"), [("Cancel", "returnCancelUrl"), ("Fail", "returnErrorUrl")])
def test_cancel_and_fail_land_on_their_pages_and_pay_nothing(
    browser: Any, shop: Desk, button: str, landing: str
) -> None:
    issued = shop.notices(2)
    url, status, _ = _checkout(browser, shop, shop.cart(*(notice(n) for n in issued)), button)
    assert (url, status) == (shop.front.url(landing), 200)
    assert all(shop.receipts(n) == [] and shop.state(n) == "payable" for n in issued)


def test_a_wrong_amount_lands_on_the_error_page_with_no_receipt(browser: Any, shop: Desk) -> None:
    good, wrong = shop.notices(2)
    body = shop.cart(notice(good), notice(wrong, amount=notice(wrong)["amount"] - 10))
    url, status, _ = _checkout(browser, shop, body, "Pay")
    assert (url, status) == (shop.front.url("returnErrorUrl"), 200)
    assert shop.receipts(good) == shop.receipts(wrong) == []
