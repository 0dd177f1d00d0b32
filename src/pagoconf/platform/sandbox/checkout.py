"""Checkout carts: what the EC's front end handed over (the notices, the return URLs), how a cart's session
ends (paid, cancelled, failed, left waiting) and where the browser goes then. A cart is paid at most once.

Carts are kept as meta values of the sandbox's store (`checkout.cart.<id>`), so that every Store keeps them,
within its transactions, without a change to its interface."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pagoconf.platform.sandbox.store import Store

META_PREFIX = "checkout.cart."
RETURN_URLS = {
    "returnOkUrl": "PAID",
    "returnCancelUrl": "CANCELLED",
    "returnErrorUrl": "FAILED",
    "returnWaitingUrl": "WAITING",
}


class CartStatus(StrEnum):
    """Where a cart's session stands."""

    OPEN = "OPEN"
    PAYING = "PAYING"
    PAID = "PAID"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    WAITING = "WAITING"


@dataclass(frozen=True, slots=True)
class CartNotice:
    """One payment notice of a cart, as the EC described it (amount in euro cents)."""

    notice_number: str
    fiscal_code: str
    amount: int
    company_name: str
    description: str


@dataclass(frozen=True, slots=True)
class Cart:
    """A cart the EC's front end handed over, and how its session ended (`reason`: why it failed)."""

    id: str
    api: str
    notices: tuple[CartNotice, ...]
    return_urls: Mapping[str, str]
    created_at: str
    email: str | None = None
    id_cart: str | None = None
    all_ccp: bool = False
    status: CartStatus = CartStatus.OPEN
    reason: str | None = None
    paid: tuple[Mapping[str, str], ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        """The cart's total, in euro cents."""
        return sum(n.amount for n in self.notices)

    @property
    def closed(self) -> bool:
        """The session has ended: nothing more can happen to the cart."""
        return self.status not in (CartStatus.OPEN, CartStatus.PAYING)

    @property
    def outcomes(self) -> tuple[CartStatus, ...]:
        """The ends this cart's session may have (WAITING only where the EC gave a returnWaitingUrl)."""
        return tuple(CartStatus(s) for u, s in RETURN_URLS.items() if u in self.return_urls)

    def return_url(self) -> str:
        """Where the browser goes once the session has ended."""
        wanted = next(u for u, s in RETURN_URLS.items() if s == self.status)
        return self.return_urls[wanted]

    def as_record(self) -> dict[str, Any]:
        """The cart as plain JSON data."""
        record = asdict(self)
        record["status"] = str(self.status)
        return record

    @classmethod
    def from_record(cls, raw: Mapping[str, Any]) -> Cart:
        """A cart from `as_record()` data."""
        return cls(
            **{
                **raw,
                "notices": tuple(CartNotice(**n) for n in raw["notices"]),
                "status": CartStatus(raw["status"]),
                "paid": tuple(raw.get("paid", ())),
            }
        )


def cart_from_body(body: Mapping[str, Any], *, api: str, created_at: str) -> Cart:
    """A new open cart from a CartRequest the rules let through."""
    return Cart(
        id=uuid.uuid4().hex,
        api=api,
        notices=tuple(
            CartNotice(
                str(n["noticeNumber"]),
                str(n["fiscalCode"]),
                int(n["amount"]),
                str(n["companyName"]),
                str(n["description"]),
            )
            for n in body["paymentNotices"]
        ),
        return_urls={k: str(v) for k, v in body["returnUrls"].items() if k in RETURN_URLS},
        created_at=created_at,
        email=body.get("emailNotice"),
        id_cart=body.get("idCart"),
        all_ccp=bool(body.get("allCCP", False)),
    )


def euros(cents: int) -> Decimal:
    """Cents as euros, e.g. 1250 → Decimal('12.50')."""
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


class CartRefused(Exception):
    """An action the cart's state does not allow (it is being paid, or it is unknown)."""


class CartBook:
    """The carts of one sandbox, over its store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, cart: Cart) -> None:
        """Keep a new cart."""
        self._put(cart)

    def get(self, cart_id: str) -> Cart | None:
        """The cart `cart_id` as it stands, or None."""
        raw = self.store.meta().get(META_PREFIX + cart_id)
        return Cart.from_record(json.loads(raw)) if raw is not None else None

    def claim(self, cart_id: str) -> Cart:
        """Start paying an open cart (OPEN → PAYING) and return it; a closed cart is returned as it is, so
        that its outcome stands. CartRefused when the cart is unknown or already being paid."""
        with self.store.transaction():
            cart = self.get(cart_id)
            if cart is None:
                raise CartRefused(f"no cart {cart_id}")
            if cart.status == CartStatus.PAYING:
                raise CartRefused(f"cart {cart_id} is being paid")
            if cart.closed:
                return cart
            paying = replace(cart, status=CartStatus.PAYING)
            self._put(paying)
            return paying

    def close(self, cart: Cart, status: CartStatus, *, reason: str | None = None, **changes: Any) -> Cart:
        """End the session of an open or paying cart with `status`."""
        closed = replace(cart, status=status, reason=reason, **changes)
        self._put(closed)
        return closed

    def _put(self, cart: Cart) -> None:
        self.store.set_meta(META_PREFIX + cart.id, json.dumps(cart.as_record(), ensure_ascii=False))
