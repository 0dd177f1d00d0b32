"""One scenario's judgement.

Every exchange is judged by the always-on rules of its operation and entered in the ledger under those
rules, without failing the scenario: an always-on violation is reported once, under its rule. A scenario
fails only on the rules it exercises, each named explicitly by the step that judges it: a step judging a
fixed requirement names its rule; a generic step ("the station refuses it with fault X") judges the rule of
the scenario's Gherkin `Rule:` block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pagoconf.engine.checks import Judgement
from pagoconf.engine.reporting.failures import FAILURE_PREFIX, block, headline
from pagoconf.engine.rules import rule
from pagoconf.engine.run import RunState
from pagoconf.engine.violation import Violation

INCONCLUSIVE_PREFIX = "Inconclusive:"
NOT_JUDGED_PREFIX = "not judged:"
Judge = Callable[[Any], list[Judgement]]


class ConformanceFailure(AssertionError):
    """The target broke a rule the scenario exercises; the message is the failure block."""

    def __init__(self, message: str, rule_id: str) -> None:
        super().__init__(message)
        self.rule_id = rule_id


class NotJudged(Exception):
    """The target's answers left nothing to judge the scenario's rule on (the rule that explains it has
    already failed on its own); the scenario is reported not run, with this reason."""


class Inconclusive(Exception):
    """The scenario could not be judged for a reason that is not a conformance failure."""


class HarnessError(Exception):
    """A scenario or step that contradicts its own tags: a defect of pagoconf, never of the target."""


class NotJudgeable(Exception):
    """An expectation found nothing to judge in the messages it was given (raised by expectations)."""


class ScenarioVerdict:
    """Judges one scenario's exchanges and expectations, and enters every judgement in the run's ledger."""

    def __init__(
        self,
        run: RunState,
        scenario: str,
        tagged: Iterable[str],
        *,
        rule_block: str | None,
        judge: Judge,
        subject: Callable[[Any], str] = lambda exchange: "",
    ) -> None:
        """`tagged`: the rules the scenario exercises; `rule_block`: the rule of its Gherkin `Rule:` block;
        `judge`: the suite's always-on checks; `subject`: what an exchange is about ("notice 3011…")."""
        self.run = run
        self.scenario = scenario
        self.tagged = tuple(tagged)
        self.rule_block = rule_block
        self.judge = judge
        self.subject = subject
        self.messages: list[Any] = []
        self.judged: set[str] = set()

    @property
    def rule(self) -> str:
        """The rule of the scenario's `Rule:` block: what its generic steps judge."""
        if self.rule_block is None:
            raise HarnessError(
                f"scenario {self.scenario!r} uses a step that judges the scenario's rule, but is not "
                "inside a "
                "Gherkin `Rule:` block tagged with exactly one @rule:ID"
            )
        return self.rule_block

    def observe(self, message: Any, *, always: bool = True) -> Any:
        """Judge one message with the always-on rules of its operation (`always=False`: a probe judged by
        the scenario's own rule alone); never raises for a violation. An unreachable target breaks the
        scenario's rules: Inconclusive."""
        self.messages.append(message)
        ex = message.exchange
        if ex.unreachable and always:
            for rid in self.tagged:
                self.run.ledger.broke(rid, self.scenario, ex.error or "unreachable")
            raise Inconclusive(f"{INCONCLUSIVE_PREFIX} {ex.label} to {ex.url}: {ex.error}")
        if always:
            for j in self.judge(message):
                self.run.ledger.judged(j.rule_id, self.scenario, [ex.number], j.violations)
        return message

    def expect(self, rule_id: str, fn: Callable[..., Iterable[Violation]], *messages: Any, **kw: Any) -> None:
        """Judge `rule_id` with an expectation over these messages; fail the step at once if it does not
        hold; NotJudged when the messages leave nothing to judge it on."""
        self._check_tagged(rule_id)
        try:
            found = list(fn(*messages, **kw))
        except NotJudgeable as exc:
            raise self.not_judged(rule_id, str(exc)) from None
        self.record(rule_id, found, [m.exchange.number for m in messages])

    def measure(
        self,
        rule_id: str,
        fn: Callable[..., Iterable[Violation]],
        data: Any,
        *,
        exchanges: Sequence[int] = (),
        **kw: Any,
    ) -> None:
        """Judge `rule_id` over measurements (response times, a canary's log) rather than answers."""
        self._check_tagged(rule_id)
        try:
            found = list(fn(data, **kw))
        except NotJudgeable as exc:
            raise self.not_judged(rule_id, str(exc)) from None
        self.record(rule_id, found, exchanges or [0])

    def record(
        self, rule_id: str, violations: Iterable[Violation], exchanges: Sequence[int], *, note: str = ""
    ) -> None:
        """Enter a judgement made on these exchanges and fail the step if it broke. A violation keeps the
        exchange it names; one that names none is tied to the last of `exchanges`."""
        self._check_tagged(rule_id)
        last = next((n for n in reversed(exchanges) if n), 0)
        found = [Violation(v.expected, v.actual, v.where, rule_id, v.exchange or last) for v in violations]
        self.judged.add(rule_id)
        self.run.ledger.judged(rule_id, self.scenario, exchanges, found)
        if found:
            raise ConformanceFailure(self.describe(rule_id, found) + (f"\n  {note}" if note else ""), rule_id)

    def record_exploration(self, rules: Sequence[str], exploration: Any, *, note: str) -> None:
        """Enter a property explored with many generated examples (engine.properties.Exploration). Each
        rule counts as judged only if some example was judged by it; a violation without a rule belongs to
        the first; every failing rule is reported once, with the smallest example that shows it."""
        if not exploration.judged:
            reason = exploration.stopped or exploration.not_judged or "no answer had anything to judge"
            raise self.stop(f"none of {exploration.tried} generated examples could be judged: {reason}")
        by_rule: dict[str, list[Violation]] = {rid: [] for rid in rules}
        for v in exploration.violations:
            by_rule.setdefault(v.rule or rules[0], []).append(v)
        broken: list[tuple[str, list[Violation]]] = []
        for rid, vs in by_rule.items():
            self._check_tagged(rid)
            self.judged.add(rid)
            found = [Violation(v.expected, v.actual, v.where, rid, v.exchange) for v in vs]
            self.run.ledger.judged(rid, self.scenario, [v.exchange for v in found if v.exchange], found)
            if found:
                broken.append((rid, found))
        if broken:
            text = "\n".join(self.describe(rid, vs) for rid, vs in broken)
            raise ConformanceFailure(f"{text}\n  {note}", broken[0][0])

    def not_judged(self, rule_id: str, reason: str) -> NotJudged:
        """The exception to raise when the target's answers leave `rule_id` nothing to judge."""
        self.judged.add(rule_id)
        self.run.ledger.not_judged(rule_id, self.scenario, reason)
        return NotJudged(f"{NOT_JUDGED_PREFIX} {rule_id}: {reason}")

    def stop(self, reason: str) -> NotJudged:
        """The exception to raise when the scenario cannot go on: the rules it had yet to judge are not
        judged, with this reason."""
        for rid in self.tagged:
            if rid not in self.judged:
                self.judged.add(rid)
                self.run.ledger.not_judged(rid, self.scenario, reason)
        return NotJudged(f"{NOT_JUDGED_PREFIX} {reason}")

    def describe(self, rule_id: str, violations: Sequence[Violation]) -> str:
        """The failure message: a complete first line, then the block the terminal shows."""
        r = rule(rule_id)
        lookup = self.run.find
        lines = [headline(r, violations, lookup, self.subject)]
        lines += block(r, violations, self.run.sanp, lookup, self.subject)
        return "\n".join(lines)

    def unjudged(self) -> list[str]:
        """Tagged rules the scenario never judged (after it passed, a defect of the scenario)."""
        return [rid for rid in self.tagged if rid not in self.judged]

    def last(self) -> Any:
        """The latest message of this scenario."""
        if not self.messages:
            raise HarnessError(f"scenario {self.scenario!r} has no answer yet")
        return self.messages[-1]

    def _check_tagged(self, rule_id: str) -> None:
        if rule_id not in self.tagged:
            raise HarnessError(
                f"a step of scenario {self.scenario!r} judges {rule_id}, but the scenario is not tagged "
                f"@rule:{rule_id}"
            )


__all__ = [
    "FAILURE_PREFIX",
    "ConformanceFailure",
    "HarnessError",
    "Inconclusive",
    "NotJudgeable",
    "NotJudged",
    "ScenarioVerdict",
]
