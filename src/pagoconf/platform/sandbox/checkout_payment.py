"""Paying a cart as the platform does: every notice is described and activated first (through the Node, at
the configured station, or from the sandbox's own GPD positions) and held to the cart's amount; only when
all are good are they paid (receipts to the station, GPD options paid through the model). A refusal before
the payments leaves every notice unpaid."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from lxml import etree

from pagoconf.engine.exchange import Exchange, redact_headers
from pagoconf.platform.sandbox import positions as model
from pagoconf.platform.sandbox.checkout import Cart, CartNotice, euros
from pagoconf.platform.sandbox.clock import utc_now
from pagoconf.platform.sandbox.dates import stored
from pagoconf.platform.sandbox.journal import JournalEntry
from pagoconf.platform.sandbox.node_side import NodeSide, StationLink
from pagoconf.platform.sandbox.problems import Refused
from pagoconf.platform.sandbox.receipts import build_receipt
from pagoconf.platform.sandbox.store import StoredReceipt

if TYPE_CHECKING:
    from pagoconf.platform.sandbox.service import SandboxService

NODE_API = "node"
GPD_RECEIPT_VERSION = 2


class PaymentRefused(Exception):
    """Why the cart cannot be paid (the browser goes to returnErrorUrl)."""


@dataclass(frozen=True, slots=True)
class Activated:
    """A notice ready to be paid: through the station (with the payment data it gave) or through GPD."""

    notice: CartNotice
    data: etree._Element | None = None
    iuv: str | None = None


@dataclass(frozen=True, slots=True)
class Paid:
    """What paying one notice did: which way, which receipt, and what the station said of it."""

    notice: CartNotice
    via: str
    receipt_id: str
    acknowledged: str

    def as_record(self) -> dict[str, str]:
        """The cart's record of it."""
        return {
            "noticeNumber": self.notice.notice_number,
            "fiscalCode": self.notice.fiscal_code,
            "via": self.via,
            "receiptId": self.receipt_id,
            "receipt": self.acknowledged,
        }


class Cashier:
    """Pays one cart for one sandbox service: the Node toward its station, the model for its positions."""

    def __init__(self, service: SandboxService, cart: Cart) -> None:
        self.service = service
        self.cart = cart
        self._node: NodeSide | None = None

    def pay(self) -> list[Paid]:
        """Activate every notice, then pay them all; PaymentRefused says why the cart is not paid (before
        any payment, unless a GPD option was paid meanwhile: then it names those already paid)."""
        try:
            ready = [self._activate(notice) for notice in self.cart.notices]
            paid: list[Paid] = []
            for item in ready:
                try:
                    paid.append(self._pay(item))
                except PaymentRefused as refused:
                    done = ", ".join(p.notice.notice_number for p in paid)
                    raise PaymentRefused(
                        f"{refused} (already paid: {done})" if done else str(refused)
                    ) from None
            return paid
        finally:
            if self._node is not None:
                self._node.close()

    # --- activation -----------------------------------------------------------------------------------

    def _activate(self, notice: CartNotice) -> Activated:
        self.service.schedule()
        position = self.service.store.position_of_option(notice.fiscal_code, nav=notice.notice_number)
        if position is not None:
            return self._activate_option(notice, position)
        link = self.service.station
        if link is not None and link.identity.id_pa == notice.fiscal_code:
            return self._activate_at_station(notice, self._node_side(link))
        served = f"the station's institution {link.identity.id_pa}" if link is not None else "no station"
        raise PaymentRefused(
            f"notice {notice.notice_number} of {notice.fiscal_code} is neither a debt position of the "
            f"sandbox nor a notice of the configured station ([sandbox.station]: {served})"
        )

    def _activate_option(self, notice: CartNotice, position: model.Position) -> Activated:
        option = position.option_by_nav(notice.notice_number)
        assert option is not None
        refusal = model.payability(position, option.iuv)
        if refusal is not None:
            raise PaymentRefused(f"notice {notice.notice_number}: {refusal.title}: {refusal.detail}")
        _same_amount(notice, euros(option.amount), "the debt position's option")
        return Activated(notice, iuv=option.iuv)

    def _activate_at_station(self, notice: CartNotice, node: NodeSide) -> Activated:
        described = node.describe(notice.fiscal_code, notice.notice_number)
        if described.refusal is not None:
            raise PaymentRefused(f"notice {notice.notice_number}: {described.refusal}")
        offered = described.response.findtext("paymentList/paymentOptionDescription/amount")
        _same_amount(notice, _decimal(offered), "the station's paVerifyPaymentNotice")
        activated = node.activate(
            notice.fiscal_code, notice.notice_number, euros(notice.amount), self.cart.id_cart
        )
        if activated.refusal is not None:
            raise PaymentRefused(f"notice {notice.notice_number}: {activated.refusal}")
        _same_amount(
            notice, _decimal(activated.response.findtext("data/paymentAmount")), "the station's data"
        )
        data = activated.response.find("data")
        assert data is not None
        return Activated(notice, data=data)

    def _node_side(self, link: StationLink) -> NodeSide:
        if self._node is None:
            self._node = NodeSide(link, sanp=self.service.sanp, record=self._record)
        return self._node

    def _record(self, exchange: Exchange) -> None:
        """Journal one exchange with the station: the Node's request and the station's answer."""
        now = stored(self.service.clock.now())
        self.service.store.record(
            JournalEntry(
                api=NODE_API,
                operation=exchange.operation,
                method=exchange.method,
                path=exchange.url,
                query="",
                request_headers=dict(exchange.request_headers),
                request_body=exchange.request,
                status=exchange.status,
                response_headers=redact_headers(exchange.headers),
                response_body=exchange.response,
                elapsed_ms=exchange.elapsed_ms,
                received_at=stored(utc_now()) or "",
                sandbox_time=now or "",
                snapshot={"now": now, "cart": self.cart.id, "to": "station", "error": exchange.error},
            )
        )

    # --- payment --------------------------------------------------------------------------------------

    def _pay(self, item: Activated) -> Paid:
        if item.iuv is not None:
            return self._pay_option(item.notice, item.iuv)
        assert item.data is not None and self._node is not None
        notice = item.notice
        sent = self._node.send_receipt(
            notice.fiscal_code, notice.notice_number, item.data, notice.company_name
        )
        receipt_id = sent.answer.request_text("receipt/receiptId") or ""
        return Paid(notice, "station", receipt_id, sent.refusal or "OK")

    def _pay_option(self, notice: CartNotice, iuv: str) -> Paid:
        """The option paid through the model, its receipt kept and handed to the sink (as the control API's
        pay does)."""
        service = self.service
        receipt_id = uuid.uuid4().hex
        with service.store.transaction():
            now = service.schedule()
            position = service.store.position_of_option(notice.fiscal_code, iuv=iuv)
            if position is None:
                raise PaymentRefused(f"notice {notice.notice_number}: the debt position is gone")
            try:
                paid = model.pay(position, iuv, model.PaymentFacts(now, receipt_id))
            except Refused as refused:
                raise PaymentRefused(f"notice {notice.notice_number}: {refused.problem.detail}") from None
            option = paid.option(iuv)
            assert option is not None
            built = build_receipt(
                paid,
                option,
                receipt_id=receipt_id,
                paid_at=now,
                version=GPD_RECEIPT_VERSION,
                sanp=service.sanp,
            )
            service.store.replace_position(paid)
            service.store.insert_receipt(
                StoredReceipt(
                    paid.organization,
                    iuv,
                    option.nav,
                    receipt_id,
                    paid.debtor.fiscal_code,
                    now,
                    built.operation,
                    built.envelope,
                )
            )
        service.receipt_sink(built)
        return Paid(notice, "gpd", receipt_id, "kept by GPD")


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal((text or "").strip())
    except InvalidOperation:
        return None


def _same_amount(notice: CartNotice, asked: Decimal | None, by: str) -> None:
    """Refuse a notice whose cart amount is not the amount its creditor asks."""
    if asked != euros(notice.amount):
        raise PaymentRefused(
            f"notice {notice.notice_number}: the cart says {euros(notice.amount)} euro "
            f"({notice.amount} cents), {by} asks {asked if asked is not None else 'no readable amount'}"
        )


def pay_cart(service: SandboxService, cart: Cart) -> list[Paid]:
    """Pay every notice of `cart`, or none (PaymentRefused)."""
    return Cashier(service, cart).pay()
