"""How a broken rule reads, on the terminal, in JUnit, in Allure: one block, written in one place.

✗ ACTIVATE-005 Transfers add up to the payment amount   [critical]
  exchange  #14 paGetPaymentV2 · notice 301100000000000148 · attachment 14-paGetPaymentV2.response.xml
  expected  sum(transferAmount) = 30.00
  actual    25.00 (transfer 1: 10.00, transfer 2: 15.00)
  where     /paGetPaymentV2Response/data/transferList
  spec      SANP 3.8.0 › https://docs.pagopa.it/…
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pagoconf.engine.evidence import response_name
from pagoconf.engine.exchange import Exchange
from pagoconf.engine.rules import Rule, spec_url
from pagoconf.engine.violation import Violation

FAILURE_PREFIX = "Non-conformant:"
MAX_SHOWN = 3
Lookup = Callable[[int], Exchange | None]
Subject = Callable[[Exchange], str]


def exchange_line(exchange: Exchange, subject: str = "") -> str:
    """'#14 paGetPaymentV2 · notice 3011… · attachment 14-paGetPaymentV2.response.xml'."""
    parts = [exchange.label]
    if subject:
        parts.append(subject)
    parts.append(f"attachment {response_name(exchange)}")
    return " · ".join(parts)


def headline(rule: Rule, violations: Sequence[Violation], lookup: Lookup, subject: Subject) -> str:
    """The first line of a failure, complete on its own (JUnit shows only this): rule, operation, subject,
    exchange, and the first violation."""
    v = violations[0]
    ex = lookup(v.exchange) if v.exchange else None
    where = f" ({exchange_line(ex, subject(ex))})" if ex is not None else ""
    more = f" (+{len(violations) - 1} more)" if len(violations) > 1 else ""
    return (
        f"{FAILURE_PREFIX} {rule.id} {rule.title}{where}: expected {v.expected}; actual {_one_line(v.actual)}"
        f"{more}"
    )


def block(
    rule: Rule,
    violations: Sequence[Violation],
    sanp: str,
    lookup: Lookup,
    subject: Subject,
    *,
    limit: int = MAX_SHOWN,
    paint: Callable[[str, str], str] = lambda style, text: text,
) -> list[str]:
    """The lines of a failure: the rule, then each shown violation with its exchange, then the spec."""
    lines = [paint("red", f"✗ {rule.id} {rule.title}") + f"   [{rule.severity}]"]
    width = len(paint("dim", "")) + 10
    for i, v in enumerate(violations[:limit]):
        if i:
            lines.append("  ·")
        ex = lookup(v.exchange) if v.exchange else None
        rows = [("exchange", exchange_line(ex, subject(ex)) if ex is not None else "")]
        rows += [("expected", v.expected), ("actual", v.actual), ("where", v.where)]
        for label, value in rows:
            if not value:
                continue
            first, *rest = str(value).splitlines() or [""]
            lines.append(f"  {paint('dim', label):<{width}}{first}")
            lines += [f"{' ' * 12}{line}" for line in rest]
    extra = len(violations) - limit
    if extra > 0:
        exchanges = {v.exchange for v in violations if v.exchange}
        lines.append(
            f"  … and {extra} more" + (f" (on {len(exchanges)} exchanges in all)" if exchanges else "")
        )
    lines.append(f"  {paint('dim', 'spec'):<{width}}SANP {sanp} › {spec_url(rule, sanp)}")
    return lines


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
