"""What a sequence of the partner's requests shows, whether a scenario drove it or a recorded session holds it
(CLIENT-003, 005, 006, 007, 009, 014): no update of a paid position, no refused change sent again unchanged,
a 429 retried no sooner than its Retry-After, a 5xx retried with growing waits and at most 5 attempts, an
X-Request-Id on every request, a notice put in a cart only once published. Pure: calls in, violations out."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from datetime import timedelta

from pagoconf.engine.verdict import NotJudgeable
from pagoconf.engine.violation import Violation
from pagoconf.platform.calls import Call

PAID = frozenset({"PARTIALLY_PAID", "PAID", "REPORTED"})
REFUSED = frozenset({400, 404, 409, 422})
MOST_ATTEMPTS = 5
TOLERANCE = timedelta(milliseconds=50)
"""How much shorter than the one before a wait may look : arrivals are timed, not sleeps."""
PUBLISHED = frozenset({"PUBLISHED", "VALID"})
UNPUBLISHED = frozenset({"DRAFT", "INVALID", "EXPIRED"})


def _seconds(delta: timedelta) -> str:
    return f"{delta.total_seconds():.3f} s"


def no_update_after_payment(calls: Sequence[Call]) -> Iterator[Violation]:
    """CLIENT-003: no updatePosition reached a position that was paid when it arrived."""
    updates = [c for c in calls if c.operation == "updatePosition" and not c.injected]
    if not updates:
        raise NotJudgeable("no update of a debt position to judge")
    for call in updates:
        position = call.entry.snapshot.get("position") or {}
        status = str(position.get("status", ""))
        if status in PAID:
            yield Violation(
                "no update of a paid position (read its state first)",
                f"{call.label} updated debt position {position.get('iupd', '?')}, {status}",
                "",
                exchange=call.exchange.number,
            )


def paid_position_untouched(calls: Sequence[Call], *, iupd: str) -> Iterator[Violation]:
    """CLIENT-003 as a scenario judges it: asked to update a paid position, the partner sent no update of
    it (the platform would refuse it: the client reads the position's state first)."""
    for call in calls:
        if call.operation == "updatePosition" and call.entry.path.rstrip("/").endswith("/" + iupd):
            yield Violation(
                f"no update of the paid debt position {iupd}",
                f"{call.label} updated it (answered {call.status})",
                "",
                exchange=call.exchange.number,
            )


Same = Callable[[Call], Hashable]


def same_request(call: Call) -> Hashable:
    """Two requests are the same when method, path, query and body are alike."""
    return call.signature


def same_target(call: Call) -> Hashable:
    """Two requests are attempts of one when method, path and query are alike (a scenario that asked for one
    change: whatever the bodies, every request of it is an attempt)."""
    return (call.entry.method, call.entry.path, call.entry.query)


def retries(calls: Sequence[Call], same: Same = same_request) -> list[list[Call]]:
    """Runs of the same request sent again and again, in order."""
    runs: list[list[Call]] = []
    current: list[Call] = []
    for call in calls:
        if current and same(call) == same(current[-1]):
            current.append(call)
            continue
        if len(current) > 1:
            runs.append(current)
        current = [call]
    if len(current) > 1:
        runs.append(current)
    return runs


def refusals_not_repeated(calls: Sequence[Call]) -> Iterator[Violation]:
    """CLIENT-005: a change answered 400, 404, 409 or 422 is not sent again unchanged."""
    refused = [c for c in calls if c.mutating and c.status in REFUSED]
    if not refused:
        raise NotJudgeable("the platform refused no change of the partner's")
    for run in retries(calls):
        for first, again in zip(run, run[1:], strict=False):
            if first.mutating and first.status in REFUSED:
                yield Violation(
                    f"{first.label}, refused with {first.status}, not sent again unchanged",
                    f"{again.label} sent it again {_seconds(again.received - first.received)} later",
                    "",
                    exchange=again.exchange.number,
                )
                break


def busy_retried_after(
    calls: Sequence[Call], *, required: bool = False, same: Same = same_request
) -> Iterator[Violation]:
    """CLIENT-006: a request answered 429 is sent again no sooner than its Retry-After (`required`: and it
    must be sent again)."""
    busy = [c for c in calls if c.status == 429]
    if not busy:
        raise NotJudgeable("the platform answered no request with 429")
    following = {id(run[k]): run[k + 1] for run in retries(calls, same) for k in range(len(run) - 1)}
    for call in busy:
        wait = timedelta(seconds=_retry_after(call))
        again = following.get(id(call))
        if again is None:
            if required:
                yield Violation(
                    f"{call.label} sent again after the {wait.total_seconds():g} s Retry-After",
                    "it was never sent again",
                    "header:Retry-After",
                    exchange=call.exchange.number,
                )
            continue
        waited = again.received - call.received
        if waited + TOLERANCE < wait:
            yield Violation(
                f"sent again no sooner than the Retry-After ({wait.total_seconds():g} s)",
                f"{again.label} came {_seconds(waited)} later",
                "header:Retry-After",
                exchange=again.exchange.number,
            )


def _retry_after(call: Call) -> float:
    try:
        return float(call.response_header("retry-after") or "0")
    except ValueError:
        return 0.0


def failures_backed_off(
    calls: Sequence[Call], *, required: bool = False, same: Same = same_request
) -> Iterator[Violation]:
    """CLIENT-007: a request answered 5xx is sent again with waits that grow, at most 5 times in all
    (`required`: a failed request must be sent again at least once)."""
    runs = [run for run in retries(calls, same) if any(c.status >= 500 for c in run[:-1])]
    failed = [c for c in calls if c.status >= 500]
    if not failed:
        raise NotJudgeable("the platform answered no request with 5xx")
    if required and not runs:
        yield Violation(
            f"{failed[0].label}, answered {failed[0].status}, sent again after a wait",
            "it was never sent again",
            "",
            exchange=failed[0].exchange.number,
        )
    for run in runs:
        if len(run) > MOST_ATTEMPTS:
            yield Violation(
                f"at most {MOST_ATTEMPTS} attempts of {run[0].label}",
                f"{len(run)} attempts in {_seconds(run[-1].received - run[0].received)}",
                "",
                exchange=run[MOST_ATTEMPTS].exchange.number,
            )
        waits = [b.received - a.received for a, b in zip(run, run[1:], strict=False) if a.status >= 500]
        for k in range(1, len(waits)):
            if waits[k] + TOLERANCE < waits[k - 1] or waits[k] <= TOLERANCE:
                yield Violation(
                    "waits that grow between attempts (exponential backoff)",
                    "waits of " + ", ".join(_seconds(w) for w in waits),
                    "",
                    exchange=run[k + 1].exchange.number,
                )
                break


def same_position_on_retry(calls: Sequence[Call]) -> Iterator[Violation]:
    """CLIENT-008: every attempt of one creation carries the IUPD of the first."""
    creations = [c for c in calls if c.operation == "createPosition" and isinstance(c.body, Mapping)]
    if len(creations) < 2:
        raise NotJudgeable("the partner's system did not send a creation again")
    first = str(creations[0].body.get("iupd"))
    for call in creations[1:]:
        iupd = str(call.body.get("iupd"))
        if iupd != first:
            yield Violation(
                f"iupd {first}, as in the first attempt", iupd, "/iupd", exchange=call.exchange.number
            )


def request_ids(calls: Sequence[Call]) -> Iterator[Violation]:
    """CLIENT-009: every request carries a non-blank X-Request-Id."""
    if not calls:
        raise NotJudgeable("the partner's system sent no request")
    for call in calls:
        if not (call.header("x-request-id") or "").strip():
            yield Violation(
                "an X-Request-Id header", "none", "header:X-Request-Id", exchange=call.exchange.number
            )


def keys_sent(calls: Sequence[Call]) -> Iterator[Violation]:
    """GPD-003 as a scenario judges it: every request carries the subscription key."""
    if not calls:
        raise NotJudgeable("the partner's system sent no request")
    for call in calls:
        if not call.entry.snapshot.get("key_presented", call.header("ocp-apim-subscription-key") is not None):
            yield Violation(
                "an Ocp-Apim-Subscription-Key header",
                "none",
                "header:Ocp-Apim-Subscription-Key",
                exchange=call.exchange.number,
            )


def published_before_cart(
    calls: Sequence[Call], statuses: Mapping[str, str] | None = None
) -> Iterator[Violation]:
    """CLIENT-014: each notice of a cart belongs to a position that was published (VALID or PUBLISHED) when
    the cart was sent, as far as the calls before it (or `statuses`, by notice number) show it."""
    known: dict[str, str] = dict(statuses or {})
    carts = 0
    for call in calls:
        if call.operation in ("PostCarts", "PostCartsV2") and isinstance(call.body, Mapping):
            carts += 1
            for n, notice in enumerate(call.body.get("paymentNotices") or []):
                number = str(notice.get("noticeNumber")) if isinstance(notice, Mapping) else ""
                status = known.get(number)
                if status in UNPUBLISHED:
                    yield Violation(
                        f"notice {number} of a published debt position",
                        f"its position was {status} when the cart was sent",
                        f"/paymentNotices/{n}/noticeNumber",
                        exchange=call.exchange.number,
                    )
        elif 200 <= call.status < 300 and isinstance(call.answer, Mapping) and "status" in call.answer:
            for option in call.answer.get("paymentOption") or []:
                if isinstance(option, Mapping) and option.get("nav"):
                    known[str(option["nav"])] = str(call.answer["status"])
    if not carts:
        raise NotJudgeable("the partner's system sent no Checkout cart")
