"""The Checkout EC API (checkout.yaml; checkout_v1.json and checkout_v2.json in 3.13.0): a cart the rules let
through is kept, and the EC's front end is sent to its checkout page."""

from __future__ import annotations

from collections.abc import Callable

from pagoconf.platform.sandbox.checkout import CartBook, cart_from_body
from pagoconf.platform.sandbox.checkout_page import page_path
from pagoconf.platform.sandbox.context import Context, Reply
from pagoconf.platform.sandbox.dates import stored

TEXT_TYPE = "text/plain; charset=utf-8"


def post_cart(ctx: Context) -> Reply:
    """PostCarts, PostCartsV2: the cart kept, 302 to its checkout page."""
    cart = cart_from_body(ctx.case.body, api=ctx.op.api, created_at=stored(ctx.now) or "")
    CartBook(ctx.store).add(cart)
    location = ctx.case.request.base_url + page_path(cart.id)
    return Reply(302, f"Found: {location}\n".encode(), TEXT_TYPE, {"Location": location})


HANDLERS: dict[str, Callable[[Context], Reply]] = {"PostCarts": post_cart, "PostCartsV2": post_cart}
