"""The notices a scenario talks about: the station's own, by state, and ones it never issued."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .config import TargetConfig
from .notice_numbers import make_nav


@dataclass(frozen=True)
class Notice:
    """A notice of a creditor institution, and what the station should know of it."""

    fiscal_code: str
    number: str
    kind: str


class MissingData(LookupError):
    """The configuration names no notice of the kind a scenario needs."""


class NoticeBook:
    """Hands out the configured notices by kind and generates never-issued ones."""

    def __init__(self, target: TargetConfig) -> None:
        self._target = target
        self._known = {n for values in (*target.notices.values(), *target.to_pay.values()) for n in values}
        self._rng = random.Random(f"never-issued/{target.seed}")
        self._unpaid = {kind: list(values) for kind, values in target.to_pay.items()}

    def of_kind(self, kind: str) -> Notice:
        """The first configured notice of `kind`; MissingData names the config key to fill."""
        values = self._target.notices.get(kind)
        if not values:
            raise MissingData(f"no [notices] {kind} in {self._target.source}")
        return Notice(self._target.station.identity.id_pa, values[0], kind)

    def to_pay(self, kind: str) -> Notice:
        """A notice of `kind` this run may pay, never handed out twice (paying closes it)."""
        left = self._unpaid.get(kind)
        if not left:
            used = len(self._target.to_pay.get(kind, ()))
            raise MissingData(
                f"no unused [notices.to_pay] {kind} left in {self._target.source} "
                f"({used} configured; each run pays each notice once: prepare fresh ones)"
            )
        return Notice(self._target.station.identity.id_pa, left.pop(0), kind)

    def issued(self, fiscal_code: str, number: str, kind: str = "created") -> Notice:
        """A notice the station just created (spontaneous payment)."""
        self._known.add(number)
        return Notice(fiscal_code, number, kind)

    def never_issued(self) -> Notice:
        """A notice number with the right format and check digit that the station never issued."""
        segregation = self._segregation_code()
        while True:
            base = f"{self._rng.randrange(10**13):013d}"
            nav = make_nav(3, segregation, base)
            if nav not in self._known:
                return Notice(self._target.station.identity.id_pa, nav, "never_issued")

    def _segregation_code(self) -> str:
        """The station's segregation code (from its aux-3 notices), so the Node would route it there."""
        for values in self._target.notices.values():
            for nav in values:
                if nav.startswith("3"):
                    return nav[1:3]
        return "01"
