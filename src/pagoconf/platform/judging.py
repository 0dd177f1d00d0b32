"""The platform suite's always-on judgement of one partner's request: the sandbox's rules, run again on the
journal entry (`judge(case_from_entry(entry))`, the same pure checks whether the entry is live or read from a
file), made the engine's Judgements. Every rule the sandbox judged the request by is judged: those of every
stage up to the one that refused it (a refusal ends the sandbox's judging, as it ends the platform's). A
finding is a violation of its rule, a warning too: the client departed from the published contract. The
rules of the answer stage are left out: they note where the platform's own answer departs from its
contract (a deletion confirmed in plain text), which is nothing the partner's system did."""

from __future__ import annotations

from pagoconf.engine.checks import Judgement
from pagoconf.engine.rules import catalogue
from pagoconf.engine.violation import Violation
from pagoconf.platform.calls import Call, is_partners
from pagoconf.platform.sandbox.checks import GPD, OUTCOMES, Stage, judge
from pagoconf.platform.sandbox.checks.registry import ROUTELESS
from pagoconf.platform.sandbox.findings import Finding
from pagoconf.platform.sandbox.request import case_from_entry


def judgements(call: Call, *, sanp: str, contracts: str | None = None, again: bool = True) -> list[Judgement]:
    """Every always-on rule the sandbox judged this request by, with its findings as violations (`again`: the
    sandbox's rules run again on the entry, as for a journal read from a file; else its journaled findings,
    which are the same for an entry the run just saw). A request
    answered by an injected fault met no rule; one the sandbox refused while writing it (no snapshot) is
    judged by the findings it was journaled with."""
    entry = call.entry
    if not is_partners(entry) or entry.injected:
        return []
    number = call.exchange.number
    if not entry.snapshot:
        return [
            Judgement(f.rule, (Violation(f.expected, f.actual, f.where, f.rule, number),))
            for f in entry.findings
            if f.rule in OUTCOMES and OUTCOMES[f.rule].stage != Stage.ANSWER
        ]
    case = case_from_entry(entry, sanp=sanp, contracts=contracts)
    findings = judge(case).findings if again else entry.findings
    by_rule: dict[str, list[Violation]] = {}
    for f in findings:
        if OUTCOMES[f.rule].stage == Stage.ANSWER:
            continue
        by_rule.setdefault(f.rule, []).append(Violation(f.expected, f.actual, f.where, f.rule, number))
    return [Judgement(rid, tuple(by_rule.get(rid, ()))) for rid in judged_rules(case.operation, findings)]


def judged_rules(operation: str | None, findings: tuple[Finding, ...]) -> list[str]:
    """The rules the sandbox's judge ran for a request of `operation`: every stage, up to the first that
    refused it."""
    rules = catalogue()
    applies = [
        rid
        for rid in GPD.by_rule
        if (rid in ROUTELESS if operation is None else operation in rules[rid].applies_to)
        and OUTCOMES[rid].stage != Stage.ANSWER
    ]
    refusing = [OUTCOMES[f.rule].stage for f in findings if not f.warning and f.rule in OUTCOMES]
    if refusing:
        last = min(refusing)
        applies = [rid for rid in applies if OUTCOMES[rid].stage <= last]
    return applies
