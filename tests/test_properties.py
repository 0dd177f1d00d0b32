"""Exploring a property: the smallest failure, what was judged, and stopping at once when told to."""

from __future__ import annotations

from hypothesis import strategies as st

from pagoconf.engine.properties import StopExploring, explore
from pagoconf.engine.verdict import NotJudgeable
from pagoconf.engine.violation import Violation


def test_the_smallest_failing_example_is_kept_with_its_violations() -> None:
    found = explore(st.integers(0, 10_000), lambda n: [Violation("n < 100", str(n), "n")] if n >= 100 else [])
    assert found.failed and found.example == 100 and found.violations[0].actual == "100"
    assert "smallest failing example" in found.note()


def test_a_property_that_holds_says_how_many_examples_were_judged() -> None:
    found = explore(st.integers(0, 10), lambda n: [])
    assert not found.failed and found.tried == found.judged > 0
    assert found.note() == f"held for {found.judged} judged examples of {found.tried} generated"


def test_examples_with_nothing_to_judge_are_not_counted_as_judged() -> None:
    def attempt(n: int) -> list[Violation]:
        if n % 2:
            raise NotJudgeable(f"{n} is odd")
        return []

    found = explore(st.integers(0, 1000), attempt)
    assert 0 < found.judged < found.tried and not found.failed


def test_a_property_nobody_could_judge_says_why() -> None:
    def attempt(n: int) -> list[Violation]:
        raise NotJudgeable("no answer to judge")

    found = explore(st.integers(0, 10), attempt)
    assert found.judged == 0 and found.tried > 0 and found.not_judged == "no answer to judge"


def test_stop_exploring_ends_at_once_with_its_reason() -> None:
    calls: list[int] = []

    def attempt(n: int) -> list[Violation]:
        calls.append(n)
        raise StopExploring(
            n, [Violation("an answer in time", "none", "HTTP exchange")], "missed the deadline"
        )

    found = explore(st.integers(0, 10), attempt)
    assert len(calls) == 1 and found.stopped == "missed the deadline" and found.failed
    assert found.note().startswith("stopped after 1 examples")
