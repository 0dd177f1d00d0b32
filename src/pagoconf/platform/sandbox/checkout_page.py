"""The sandbox's checkout page: a cart shown to the citizen as plain server-side HTML (no script, no external
asset), with one form per way its session may end. Paying plays the platform (checkout_payment.py); every
ending sends the browser, with a 303, to the return URL the EC gave for it. A cart ends once."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from pagoconf.platform.sandbox.checkout import Cart, CartBook, CartRefused, CartStatus, euros
from pagoconf.platform.sandbox.checkout_payment import PaymentRefused, pay_cart
from pagoconf.platform.sandbox.context import Reply
from pagoconf.platform.sandbox.request import SandboxRequest

if TYPE_CHECKING:
    from pagoconf.platform.sandbox.service import SandboxService

PAGE = "/checkout/c"
API = "checkout_page"
HTML_TYPE = "text/html; charset=utf-8"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
ACTIONS: dict[str, tuple[CartStatus, str, str]] = {
    "pay": (CartStatus.PAID, "Pay", "the platform pays every notice: the receipts reach the institution"),
    "cancel": (CartStatus.CANCELLED, "Cancel", "the citizen gives up: nothing is paid"),
    "fail": (CartStatus.FAILED, "Fail", "the payment is refused (a declined card): nothing is paid"),
    "wait": (
        CartStatus.WAITING,
        "Wait",
        "the outcome stays unknown (the session timed out): nothing is paid",
    ),
}
ENDED = {
    CartStatus.PAYING: "is being paid",
    CartStatus.PAID: "has been paid",
    CartStatus.CANCELLED: "was cancelled",
    CartStatus.FAILED: "was not paid",
    CartStatus.WAITING: "ended with an unknown outcome",
}
STYLE = """
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#17324d}
h1{color:#0066cc}h1 small{font-size:.5em;color:#5c6f82}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem;border-bottom:1px solid #d9dadb}.amount{text-align:right}
.note{background:#fff6e5;padding:.5rem}form{margin:.5rem 0}button{font-size:1rem;padding:.4rem 1.2rem}
"""


def page_path(cart_id: str) -> str:
    """The path of a cart's checkout page."""
    return f"{PAGE}/{cart_id}"


def euro_text(cents: int) -> str:
    """An amount as the page shows it, e.g. 123450 → '1.234,50 €'."""
    whole, part = str(euros(cents)).split(".")
    return f"{int(whole):,}".replace(",", ".") + f",{part} €"


# --- handlers (the control API's shape: service, request → reply; the service journals them) ------------


def show(service: SandboxService, request: SandboxRequest) -> Reply:
    """The cart's page: its notices, and the forms that end its session (or how it ended)."""
    cart = CartBook(service.store).get(request.path_params["cart_id"])
    if cart is None:
        return _page(404, "Unknown cart", "<p>There is no such cart in this sandbox.</p>")
    return _page(200, f"Cart {cart.id_cart or cart.id}", _cart_html(cart))


def _action(name: str) -> Callable[[SandboxService, SandboxRequest], Reply]:
    status, _, _ = ACTIONS[name]

    def act(service: SandboxService, request: SandboxRequest) -> Reply:
        book = CartBook(service.store)
        cart_id = request.path_params["cart_id"]
        found = book.get(cart_id)
        if found is None:
            return _page(404, "Unknown cart", "<p>There is no such cart in this sandbox.</p>")
        if status not in found.outcomes:
            return _page(400, "Not for this cart", f"<p>This cart gave no return URL for {name}.</p>")
        try:
            cart = book.claim(cart_id)
        except CartRefused:
            return _page(409, "Payment in progress", "<p>This cart is being paid: wait for it to end.</p>")
        if not cart.closed:
            cart = _end(service, book, cart, status)
        return _redirect(cart)

    act.__doc__ = f"End the cart's session: {ACTIONS[name][2]}."
    return act


def _end(service: SandboxService, book: CartBook, cart: Cart, status: CartStatus) -> Cart:
    """End a claimed cart's session with `status`; paying may end it FAILED instead."""
    if status != CartStatus.PAID:
        return book.close(cart, status)
    try:
        paid = pay_cart(service, cart)
    except PaymentRefused as refused:
        return book.close(cart, CartStatus.FAILED, reason=str(refused))
    except Exception as exc:  # a defect of the sandbox: the cart must not stay PAYING
        return book.close(cart, CartStatus.FAILED, reason=f"sandbox defect: {type(exc).__name__}: {exc}")
    return book.close(cart, CartStatus.PAID, paid=tuple(p.as_record() for p in paid))


ROUTES: tuple[tuple[str, str, str, Callable[[SandboxService, SandboxRequest], Reply]], ...] = (
    ("GET", PAGE + "/{cart_id}", "checkoutPage", show),
    *(("POST", f"{PAGE}/{{cart_id}}/{a}", f"checkout{a.title()}", _action(a)) for a in ACTIONS),
)


# --- HTML -------------------------------------------------------------------------------------------------


def _redirect(cart: Cart) -> Reply:
    url = cart.return_url()
    body = f'<p>The cart {ENDED[cart.status]}. <a href="{_e(url)}">Back to the institution</a></p>'
    return _page(303, "Back to the institution", body, {"Location": url})


def _page(status: int, title: str, body: str, headers: dict[str, str] | None = None) -> Reply:
    document = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)} · pagoPA Checkout (pagoconf sandbox)</title>\n<style>{STYLE}</style>\n</head>\n"
        "<body>\n<h1>pagoPA Checkout <small>pagoconf sandbox</small></h1>\n"
        '<p class="note">A sandbox of the pagoPA platform: no money moves.</p>\n'
        f"<main>\n<h2>{_e(title)}</h2>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return Reply(status, document.encode(), HTML_TYPE, {**HEADERS, **(headers or {})})


def _cart_html(cart: Cart) -> str:
    rows = "".join(
        f'<tr><td class="nav">{_e(n.notice_number)}</td>'
        f'<td>{_e(n.company_name)}<br><small class="cf">{_e(n.fiscal_code)}</small></td>'
        f'<td>{_e(n.description)}</td><td class="amount">{_e(euro_text(n.amount))}</td></tr>\n'
        for n in cart.notices
    )
    parts = [
        '<table>\n<caption>Payment notices</caption>\n<thead><tr><th scope="col">Notice number</th>'
        '<th scope="col">Creditor</th><th scope="col">Description</th>'
        '<th scope="col" class="amount">Amount</th></tr></thead>\n'
        f"<tbody>\n{rows}</tbody>\n"
        f'<tfoot><tr><th scope="row" colspan="3">Total</th>'
        f'<td class="amount" id="total">{_e(euro_text(cart.total))}</td></tr></tfoot>\n</table>'
    ]
    if cart.email:
        parts.append(f"<p>The receipt goes to {_e(cart.email)}.</p>")
    if cart.status == CartStatus.OPEN:
        parts += [_form(cart, name) for name, (status, _, _) in ACTIONS.items() if status in cart.outcomes]
    else:
        reason = f" {_e(cart.reason)}" if cart.reason else ""
        parts.append(f'<p id="status">This cart {ENDED[cart.status]}.{reason}</p>')
        if cart.paid:
            items = "".join(
                f"<li>notice {_e(p['noticeNumber'])}: paid through {_e(p['via'])}, receipt "
                f"{_e(p['receiptId'])}: {_e(p['receipt'])}</li>"
                for p in cart.paid
            )
            parts.append(f'<ul id="receipts">{items}</ul>')
        if cart.closed:
            parts.append(f'<p><a href="{_e(cart.return_url())}">Back to the institution</a></p>')
    return "\n".join(parts)


def _form(cart: Cart, name: str) -> str:
    _, label, meaning = ACTIONS[name]
    action = f"{page_path(cart.id)}/{name}"
    return (
        f'<form method="post" action="{_e(action)}"><button type="submit">{label}</button> '
        f"<span>{_e(meaning)}</span></form>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
