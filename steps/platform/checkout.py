"""Steps about Checkout: the partner's front end hands the citizen over with a cart of notices, the citizen
pays on Checkout's page and comes back to the institution's site."""

from __future__ import annotations

from pytest_bdd import then, when

from pagoconf.engine.verdict import ScenarioVerdict
from pagoconf.platform.checks.asked import cart_as_asked
from pagoconf.platform.checks.outcomes import return_page_answers
from pagoconf.platform.checks.sequences import published_before_cart
from pagoconf.platform.partner import Created, Handover, Page, Partner, expect

CARTS = ("PostCarts", "PostCartsV2")


@when(
    "the partner's front end hands the citizen over to Checkout for their notices", target_fixture="handover"
)
def _(partner: Partner, created_all: list[Created]) -> Handover:
    notices = []
    for created in created_all:
        held = partner.position(created.iupd)
        if held is None:
            raise partner.verdict.stop(f"the platform holds no debt position {created.iupd}")
        option = held.options[0]
        notices.append(
            {
                "noticeNumber": option.nav,
                "fiscalCode": held.organization,
                "amount": option.amount,
                "companyName": held.company_name or "n/a",
                "description": option.description or "n/a",
            }
        )
    return Handover(tuple(notices), partner.ask("startCheckout", notices=notices))


@then("the cart names those notices, their amounts in euro cents, and the return URLs")
def _(partner: Partner, verdict: ScenarioVerdict, handover: Handover) -> None:
    call = partner.requires(handover.done, *CARTS, what="Checkout took no cart")
    verdict.expect("CLIENT-012", cart_as_asked, call, notices=list(handover.notices))


@then("every notice of the cart was published before the cart was sent")
def _(partner: Partner, verdict: ScenarioVerdict) -> None:
    expect(verdict, "CLIENT-014", published_before_cart, partner.calls)


@when("the citizen pays the cart on Checkout's page", target_fixture="page")
def _(partner: Partner, handover: Handover) -> Page:
    location = str(handover.done.result.get("location", "")) if handover.done.ok else ""
    if not location:
        raise partner.verdict.stop(f"the front end got no Checkout page: {handover.done.answer.error}")
    return partner.pay_on_checkout(location)


@then("the citizen comes back to a page of the partner's front end")
def _(verdict: ScenarioVerdict, page: Page) -> None:
    verdict.expect("CLIENT-013", lambda p: return_page_answers(p.exchange), page)
