"""Properties explored with Hypothesis against a target: many examples, the smallest failure kept.

`hypothesis.find` does the search and the shrinking; this module adds what a conformance verdict needs on
top: how many examples were actually judged (an answer with nothing to judge counts as none), and a way
to stop at once (a missed deadline: one is enough, and waiting out every other is no use).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import find, settings
from hypothesis.errors import Flaky, NoSuchExample
from hypothesis.strategies import SearchStrategy

from pagoconf.engine.verdict import NotJudgeable
from pagoconf.engine.violation import Violation


class StopExploring(Exception):
    """Raised by an attempt to end the exploration at once with this failing example."""

    def __init__(self, example: Any, violations: Iterable[Violation], reason: str) -> None:
        super().__init__(reason)
        self.example = example
        self.violations = tuple(violations)
        self.reason = reason


@dataclass(frozen=True)
class Exploration:
    """How a property fared: examples tried and judged, and the smallest failing example."""

    tried: int
    judged: int
    example: Any = None
    violations: tuple[Violation, ...] = ()
    not_judged: str | None = None  # why an example could not be judged (the first reason)
    stopped: str | None = None  # why the exploration stopped early

    @property
    def failed(self) -> bool:
        return bool(self.violations)

    def shown_by(self, exchange: int) -> Exploration:
        """The same, its violations pointing at the exchange kept as the failure's evidence."""
        return replace(self, violations=tuple(replace(v, exchange=exchange) for v in self.violations))

    def note(self, describe: Callable[[Any], str] = str) -> str:
        """One line for the report: how many examples, and which one failed."""
        if self.stopped:
            return f"stopped after {self.tried} examples ({self.stopped}): {describe(self.example)}"
        if not self.failed:
            return f"held for {self.judged} judged examples of {self.tried} generated"
        return f"smallest failing example of {self.tried} tried: {describe(self.example)}"


def explore(strategy: SearchStrategy[Any], attempt: Callable[[Any], Iterable[Violation]]) -> Exploration:
    """Try the property on examples of `strategy` (the active Hypothesis profile's budget) and shrink a
    failure. `attempt` returns the violations of one example, raises NotJudgeable when the answer leaves
    nothing to judge, StopExploring to end at once; any other exception ends the exploration."""
    counts = {"tried": 0, "judged": 0}
    reasons: list[str] = []
    failing: list[tuple[Any, tuple[Violation, ...]]] = []
    stops: list[StopExploring] = []

    def fails(example: Any) -> bool:
        if stops:  # Hypothesis shrinks what it found: answer at once, the exploration is over
            return True
        counts["tried"] += 1
        try:
            found = tuple(attempt(example))
        except NotJudgeable as exc:
            reasons.append(str(exc))
            return False
        except StopExploring as stop:
            stops.append(stop)
            return True
        counts["judged"] += 1
        if found:
            failing[:] = [(example, found)]
        return bool(found)

    try:
        example = find(strategy, fails, settings=settings(database=None))
    except NoSuchExample:
        return Exploration(counts["tried"], counts["judged"], not_judged=reasons[0] if reasons else None)
    except (Flaky, ExceptionGroup):  # a target that answers the same example differently: keep the last
        if not failing:
            raise
        example = failing[-1][0]
    if stops:
        stop = stops[0]
        return Exploration(
            counts["tried"], counts["judged"], stop.example, stop.violations, stopped=stop.reason
        )
    shrunk = next((v for e, v in failing if e is example), failing[-1][1])
    return Exploration(counts["tried"], counts["judged"], example, shrunk)
