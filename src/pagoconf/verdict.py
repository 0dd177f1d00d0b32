"""One scenario's judgement: answers by the always-on checks, expectations by the scenario's rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .checks import Answer, Violation, judge
from .checks.expectations import NotJudgeable
from .ledger import Ledger
from .rules import catalogue, rule, spec_url
from .transport import Exchange


class ConformanceFailure(AssertionError):
    """The station broke a rule; the message is the readable report of the violations."""


class Inconclusive(Exception):
    """The scenario could not be judged for a reason that is not a conformance failure."""


def describe(violations: Sequence[Violation], sanp: str, *, limit: int = 5) -> str:
    """The violations as the terminal and Allure show them, grouped by rule."""
    lines = ["Non-conformant:"]
    by_rule: dict[str, list[Violation]] = {}
    for v in violations:
        by_rule.setdefault(v.rule, []).append(v)
    for rid, vs in by_rule.items():
        r = rule(rid)
        lines.append(f"✗ {rid} {r.title}   [{r.severity}]")
        for v in vs[:limit]:
            lines += [f"  expected  {v.expected}", f"  actual    {v.actual}", f"  where     {v.where}"]
        if len(vs) > limit:
            lines.append(f"  … and {len(vs) - limit} more")
        lines.append(f"  spec      SANP {sanp} › {spec_url(r, sanp)}")
    return "\n".join(lines)


class Verdict:
    """Collects the violations of one scenario and writes them to the run's ledger."""

    def __init__(
        self,
        ledger: Ledger,
        scenario: str,
        tagged: Iterable[str],
        *,
        sanp: str,
        capabilities: Iterable[str],
        schema: object,
    ) -> None:
        self.ledger = ledger
        self.scenario = scenario
        self.tagged = tuple(tagged)
        self.sanp = sanp
        self.capabilities = frozenset(capabilities)
        self.schema = schema
        self.violations: list[Violation] = []
        self.answers: list[Answer] = []

    def observe(self, exchange: Exchange, *, always: bool = True) -> Answer:
        """Judge one exchange with every always-on check that applies (unless it is a probe the scenario's
        own rule judges, `always=False`); never raises for a violation."""
        answer = Answer.of(exchange, self.schema)
        self.answers.append(answer)
        if exchange.unreachable and always:  # a probe's dropped connection is the probe rule's to judge
            for rid in self._scenario_rules(answer.op.name):
                self.ledger.broke(rid, self.scenario, exchange.error or "station unreachable")
            raise Inconclusive(f"Inconclusive: {exchange.operation} to {exchange.url}: {exchange.error}")
        if not always:
            return answer
        for j in judge(answer, capabilities=self.capabilities):
            self.ledger.judged(j.rule_id, self.scenario, j.violations)
            self.violations.extend(j.violations)
        return answer

    def expect(
        self,
        fn: Callable[..., Iterable[Violation]],
        *answers: Answer,
        rule_id: str | None = None,
        **kw: object,
    ) -> None:
        """Judge a scenario expectation and fail the step at once if it does not hold."""
        rid = rule_id or self._the_scenario_rule(answers)
        try:
            found = list(fn(*answers, **kw))
        except NotJudgeable as exc:
            raise self.cannot_judge(f"{rid}: {exc}") from None
        self.record(rid, found)

    def measure(
        self,
        fn: Callable[..., Iterable[Violation]],
        data: object,
        *,
        rule_id: str | None = None,
        **kw: object,
    ) -> None:
        """Judge an expectation over measurements rather than answers (e.g. response times)."""
        self.record(rule_id or self._the_scenario_rule(()), fn(data, **kw))

    def record(self, rule_id: str, violations: Iterable[Violation], *, note: str = "") -> None:
        """Enter a judgement made elsewhere and fail if it broke."""
        found = [Violation(v.expected, v.actual, v.where, rule_id) for v in violations]
        self.ledger.judged(rule_id, self.scenario, found)
        if found:
            raise ConformanceFailure(describe(found, self.sanp) + (f"\n  {note}" if note else ""))

    def record_property(self, violations: Iterable[Violation], *, note: str) -> None:
        """Enter a property explored with many examples: violations keep the rule their check stamped, else
        they belong to the scenario's rule; reported once per rule, with the smallest failing example."""
        found = list(violations)
        by_rule: dict[str, list[Violation]] = {rid: [] for rid in self.tagged}  # every tagged rule was judged
        for v in found:
            rid = v.rule or self._the_scenario_rule(())
            by_rule.setdefault(rid, []).append(Violation(v.expected, v.actual, v.where, rid))
        for rid, vs in by_rule.items():
            self.ledger.judged(rid, self.scenario, vs)
        if found:
            broken = [v for vs in by_rule.values() for v in vs]
            raise ConformanceFailure(describe(broken, self.sanp) + f"\n  {note}")

    def last_answer(self) -> Answer:
        """The station's latest answer in this scenario."""
        if not self.answers:
            raise LookupError(f"scenario {self.scenario!r} has no answer yet")
        return self.answers[-1]

    def cannot_judge(self, what: str) -> ConformanceFailure:
        """The failure to raise when an earlier answer leaves nothing to judge (the station's doing)."""
        earlier = sorted({v.rule for v in self.violations})
        hint = f" (the station already broke {', '.join(earlier)})" if earlier else ""
        return ConformanceFailure(f"Non-conformant: cannot judge {what}{hint}")

    def finish(self) -> None:
        """Fail the scenario if any answer broke an always-on rule."""
        if self.violations:
            raise ConformanceFailure(describe(self.violations, self.sanp))

    def _scenario_rules(self, operation: str | None = None) -> list[str]:
        rules = catalogue()
        return [
            rid
            for rid in self.tagged
            if rules[rid].kind == "scenario" and (operation is None or operation in rules[rid].applies_to)
        ]

    def _the_scenario_rule(self, answers: Sequence[Answer]) -> str:
        ops = {a.op.name for a in answers}
        candidates = [rid for rid in self._scenario_rules() if ops <= set(catalogue()[rid].applies_to)]
        if len(candidates) != 1:
            raise LookupError(
                f"scenario {self.scenario!r} must carry exactly one scenario rule tag for "
                f"{sorted(ops) or 'this expectation'}; it has {candidates or 'none'}"
            )
        return candidates[0]
