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
        self._known = {n for values in target.notices.values() for n in values}
        self._rng = random.Random(f"never-issued/{target.seed}")

    def of_kind(self, kind: str) -> Notice:
        """The first configured notice of `kind`; MissingData names the config key to fill."""
        values = self._target.notices.get(kind)
        if not values:
            raise MissingData(f"no [notices] {kind} in {self._target.source}")
        return Notice(self._target.station.identity.id_pa, values[0], kind)

    def never_issued(self) -> Notice:
        """A notice number with the right format and check digit that the station never issued."""
        segregation = self._segregation_code()
        while True:
            base = f"{self._rng.randrange(10**13):013d}"
            nav = make_nav(3, segregation, base)
            if nav not in self._known:
                return Notice(self._target.station.identity.id_pa, nav, "never_issued")

    def _segregation_code(self) -> str:
        """The segregation code the station uses (from its aux-3 notices), so the Node would route it there."""
        for values in self._target.notices.values():
            for nav in values:
                if nav.startswith("3"):
                    return nav[1:3]
        return "01"
