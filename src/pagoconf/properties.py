"""Properties explored with Hypothesis against the station: many examples, the smallest failure kept."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Flaky
from hypothesis.strategies import SearchStrategy

from .checks import Violation


class _Counterexample(AssertionError):
    """Raised inside the property so that Hypothesis shrinks towards a smaller failing example."""


@dataclass(frozen=True)
class Exploration:
    """How a property fared: examples tried, and the smallest failing example with its violations."""

    tried: int
    example: Any = None
    violations: tuple[Violation, ...] = ()

    @property
    def failed(self) -> bool:
        return bool(self.violations)

    def note(self, describe: Callable[[Any], str] = str) -> str:
        """One line for the report: how many examples, and which one failed."""
        if not self.failed:
            return f"held for {self.tried} generated examples"
        return f"smallest failing example of {self.tried} tried: {describe(self.example)}"


def explore(
    strategy: SearchStrategy[Any],
    attempt: Callable[[Any], Iterable[Violation]],
    *,
    give_up_on: tuple[type[Exception], ...] = (),
) -> Exploration:
    """Try the property on examples of `strategy` (the Hypothesis profile's budget); shrink failures."""
    tried = 0
    smallest: dict[str, Any] = {}
    gave_up: list[Exception] = []

    @settings(database=None, suppress_health_check=list(HealthCheck), deadline=None)
    @given(strategy)
    def holds(example: Any) -> None:
        nonlocal tried
        if gave_up:  # no point trying more examples (e.g. the station is unreachable)
            return
        tried += 1
        try:
            found = tuple(attempt(example))
        except give_up_on as exc:
            gave_up.append(exc)
            return
        if found:
            smallest.update(example=example, violations=found)  # the last failure run is the shrunk one
            raise _Counterexample(found[0].actual)

    try:
        holds()
    except _Counterexample:
        pass
    except (Flaky, ExceptionGroup):  # a station that answers the same example differently: keep the last
        if not smallest:
            raise
    if gave_up:
        raise gave_up[0]
    return Exploration(tried, smallest.get("example"), smallest.get("violations", ()))
