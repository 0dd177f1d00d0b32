"""The reference client's front end: the pages the citizen comes back to from Checkout (its return URLs), one
per outcome, as an institution's web site serves them; any other path is 404. An ASGI app the session
serves on a loopback port beside the sandbox."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

PAGES = {
    "/return/ok": "Thank you: your payment is being confirmed",
    "/return/cancel": "You cancelled the payment",
    "/return/error": "The payment did not go through",
    "/return/waiting": "We are waiting for the outcome of your payment",
}
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def front_end(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer a return page, or 404."""
    if scope["type"] != "http":
        return
    title = PAGES.get(scope["path"]) if scope["method"] in ("GET", "HEAD") else None
    cart = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("cart", [""])[0]
    if title is None:
        status, body = 404, "<!doctype html><title>Not found</title><p>No such page.</p>"
    else:
        status = 200
        body = (
            f"<!doctype html><html lang='en'><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
            f"<p>Cart {html.escape(cart)}. The receipt, not this page, tells the institution the outcome.</p>"
        )
    data = body.encode()
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data if scope["method"] != "HEAD" else b""})
