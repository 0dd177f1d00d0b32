"""The notices a scenario talks about: the station's own, by state, and ones it never issued."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from pagoconf.engine.suite import MissingData
from pagoconf.identifiers import check_digit, make_nav
from pagoconf.sync.config import TargetConfig

__all__ = ["MissingData", "Notice", "NoticeBook"]
NEVER_ISSUED_TRIES = 10_000


@dataclass(frozen=True)
class Notice:
    """A notice of a creditor institution, and what the station should know of it.

    `to_pay`: it comes from [notices.to_pay] (a run may pay it; a second run finds it paid)."""

    fiscal_code: str
    number: str
    kind: str
    to_pay: bool = False


FreshNotices = Callable[[str], "str | None"]
"""Asks the institution's system for a notice of a kind it has just issued (None: there is no one to ask)."""


class NoticeBook:
    """Hands out the configured notices by kind and makes up never-issued ones; notices to pay come fresh
    from the institution's system when `fresh` can ask it (the partner adapter), else from the config."""

    def __init__(self, target: TargetConfig, fresh: FreshNotices | None = None) -> None:
        self._target = target
        self._fresh = fresh
        self._known = {n for values in (*target.notices.values(), *target.to_pay.values()) for n in values}
        self._rng = random.Random(f"never-issued/{target.seed}")
        self._unpaid = {kind: list(values) for kind, values in target.to_pay.items()}

    @property
    def fiscal_code(self) -> str:
        """The institution the station serves."""
        return self._target.station.identity.id_pa

    def of_kind(self, kind: str) -> Notice:
        """The first configured notice of `kind`; MissingData names the config key to fill."""
        values = self._target.notices.get(kind)
        if not values:
            raise MissingData(f"no [notices] {kind} in {self._target.source}")
        return Notice(self.fiscal_code, values[0], kind)

    def to_pay(self, kind: str) -> Notice:
        """A notice of `kind` this run may pay, never handed out twice (paying closes it)."""
        number = self._fresh(kind) if self._fresh is not None else None
        if number is not None:
            self._known.add(number)
            return Notice(self.fiscal_code, number, kind, to_pay=True)
        left = self._unpaid.get(kind)
        if not left:
            used = len(self._target.to_pay.get(kind, ()))
            raise MissingData(
                f"no unused [notices.to_pay] {kind} left in {self._target.source} "
                f"({used} configured; each run pays each notice once: prepare fresh ones)"
            )
        return Notice(self.fiscal_code, left.pop(0), kind, to_pay=True)

    def issued(self, fiscal_code: str, number: str, kind: str = "created") -> Notice:
        """A notice the station just created (spontaneous payment)."""
        self._known.add(number)
        return Notice(fiscal_code, number, kind)

    def never_issued(self) -> Notice:
        """A notice number with the right format and check digit that the station never issued: from
        `[notices] never_issued` when given (whole numbers, or prefixes any number may extend), else made
        up with the station's segregation code."""
        pattern = self._target.never_issued
        for _ in range(NEVER_ISSUED_TRIES):
            nav = self._from_prefix(self._rng.choice(pattern)) if pattern else self._made_up()
            if nav not in self._known:
                return Notice(self.fiscal_code, nav, "never_issued")
        raise MissingData(
            f"[notices] never_issued in {self._target.source} yields no number that is not also configured "
            "as one of the station's notices"
        )

    def never_issued_prefixes(self) -> tuple[str, ...]:
        """The configured never-issued numbers or prefixes (empty: any number the station would route)."""
        return self._target.never_issued

    def _from_prefix(self, prefix: str) -> str:
        """An 18-digit number starting with `prefix`, with a right check digit unless the prefix fixes it."""
        if len(prefix) == 18:
            return prefix
        if len(prefix) == 17:
            return prefix + str(self._rng.randrange(10))
        head = prefix + "".join(str(self._rng.randrange(10)) for _ in range(16 - len(prefix)))
        return head + check_digit(head)

    def _made_up(self) -> str:
        base = f"{self._rng.randrange(10**13):013d}"
        return make_nav(3, self.segregation_code(), base)

    def segregation_code(self) -> str:
        """The station's segregation code (from its aux-3 notices), so the Node would route it there."""
        for values in self._target.notices.values():
            for nav in values:
                if nav.startswith("3"):
                    return nav[1:3]
        return "01"
