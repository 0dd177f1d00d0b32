"""What the institution issues in a run: debt positions of every shape and ACA registrations, generated from
the contract (strategies.py) and numbered for the run (IUPD, IUV, notice number), so that a partner's real
system meets identifiers it has never seen, run after run."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from hypothesis.strategies import SearchStrategy

from pagoconf.identifiers import make_nav
from pagoconf.platform.adapter.config import ClientIdentity
from pagoconf.platform.sandbox.contract import Contract
from pagoconf.platform.strategies import aca_positions, budget, debt_positions, examples

_STRATEGIES: dict[tuple[int, str, str, int], SearchStrategy[Any]] = {}
POOL = 8
"""Positions of one shape drawn at a time (one Hypothesis run for several scenarios), handed out in order."""


class Numbering:
    """IUPDs and IUVs unique to a run: a stamp of the run's start, then a counter."""

    def __init__(self, segregation_code: str, *, stamp: int | None = None) -> None:
        self.segregation_code = segregation_code
        self.stamp = (int(time.time()) if stamp is None else stamp) % 10**8
        self._count = itertools.count(1)

    def iupd(self) -> str:
        """A new IUPD."""
        return f"PAGOCONF-{self.stamp:08d}-{next(self._count):05d}"

    def nav(self) -> str:
        """A new notice number (aux digit 3, the client's segregation code, a right check digit)."""
        return make_nav(3, self.segregation_code, f"{self.stamp:08d}{next(self._count):05d}")

    def iuv(self) -> str:
        """A new IUV (the notice number without its aux digit)."""
        return self.nav()[1:]


class PositionBook:
    """Hands out the debt positions and ACA registrations the scenarios ask the partner's system for."""

    def __init__(
        self,
        contract: Contract,
        identity: ClientIdentity,
        numbering: Numbering,
        now: Callable[[], datetime],
    ) -> None:
        self.contract = contract
        self.identity = identity
        self.numbering = numbering
        self.now = now
        self._pools: dict[str, list[dict[str, Any]]] = {}
        self._drawn: set[str] = set()

    def _strategy(
        self, kind: str, build: Callable[[str, datetime], SearchStrategy[Any]]
    ) -> SearchStrategy[Any]:
        """The strategy of one kind of value, built once per contract, institution and day, and kept across
        runs of one process (Hypothesis warms a strategy up on its first draw). Its dates start from the
        beginning of the day: two days on at least, they are still ahead of the clock."""
        now = self.now()
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        key = (id(self.contract), kind, self.identity.organization, day.toordinal())
        if key not in _STRATEGIES:
            _STRATEGIES[key] = build(self.identity.organization, day)
        return _STRATEGIES[key]

    def positions(self, shape: str, count: int | None = None) -> list[dict[str, Any]]:
        """`count` debt positions of `shape` (the profile's budget when not given), each numbered."""
        wanted = count or budget()
        pool = self._pools.setdefault(shape, [])
        if len(pool) < wanted:
            strategy = self._strategy(
                shape, lambda org, day: debt_positions(self.contract, shape=shape, organization=org, now=day)
            )
            again = shape in self._drawn  # a shape asked for again is likely asked for often: draw ahead
            self._drawn.add(shape)
            pool += examples(strategy, max(wanted, POOL) if again else wanted)
        taken, pool[:] = pool[:wanted], pool[wanted:]
        return [self.numbered(p) for p in taken]

    def numbered(self, position: dict[str, Any]) -> dict[str, Any]:
        """A copy of `position` with a new IUPD and a new IUV for each option."""
        out = json.loads(json.dumps(position))
        out["iupd"] = self.numbering.iupd()
        for option in out.get("paymentOption", []):
            option["iuv"] = self.numbering.iuv()
        return out

    def aca_position(self) -> dict[str, Any]:
        """A NewDebtPositionRequest of the institution, with a new IUV."""
        strategy = self._strategy(
            "aca", lambda org, day: aca_positions(self.contract, organization=org, now=day)
        )
        (request,) = examples(strategy, 1)
        return {**request, "iuv": self.numbering.iuv()}


def amended(position: dict[str, Any], *, cents: int = 150) -> dict[str, Any]:
    """The same position, its first transfer (and so its first option) `cents` dearer: an update to send."""
    out = json.loads(json.dumps(position))
    option = out["paymentOption"][0]
    option["transfer"][0]["amount"] += cents
    option["amount"] += cents
    return out
