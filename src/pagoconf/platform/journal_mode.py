"""Journal mode: `pagoconf run --suite async --journal FILE` judges, offline, what a partner's system sent a
`pagoconf sandbox --db FILE` while it ran its own flows. Every request is recorded as evidence and judged by
the contract and the platform's rules (the sandbox's pure checks, run again on the entry); the sequences the
journal holds are judged by the client rules that read sequences. The rules only a driven scenario can judge
are reported not run, with that reason; so is a sequence rule the journal holds nothing for."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from pagoconf.engine.checks import Judgement
from pagoconf.engine.config import ConfigError, RunConfig
from pagoconf.engine.exchange import Exchange
from pagoconf.engine.run import RunState
from pagoconf.engine.verdict import ConformanceFailure, NotJudgeable, ScenarioVerdict
from pagoconf.engine.violation import Violation
from pagoconf.platform.adapter.config import CLIENT_CAPABILITIES
from pagoconf.platform.calls import Call, exchange_of, is_partners, subject
from pagoconf.platform.checks import sequences
from pagoconf.platform.judging import judgements
from pagoconf.platform.sandbox.journal import JournalEntry, JournalError, check_meta, read_journal

DRIVEN_ONLY = (
    "needs a scenario pagoconf drives through the partner adapter (what the institution asked for, what the "
    "partner's system says it knows); a journal shows only what was sent"
)
SEQUENCE_RULES: tuple[tuple[str, Callable[[Sequence[Call]], Iterable[Violation]]], ...] = (
    ("CLIENT-003", sequences.no_update_after_payment),
    ("CLIENT-005", sequences.refusals_not_repeated),
    ("CLIENT-006", sequences.busy_retried_after),
    ("CLIENT-007", sequences.failures_backed_off),
    ("CLIENT-009", sequences.request_ids),
    ("CLIENT-014", sequences.published_before_cart),
)


def check_journal(path: str | Path, *, sanp: str) -> None:
    """Refuse a file that is not a sandbox journal of SANP `sanp` (JournalError says why, in one line)."""
    from pagoconf.platform.sandbox.sqlite_store import read_only_meta

    source = str(path)
    if not Path(path).is_file():
        raise JournalError(f"{source} does not exist")
    meta = read_only_meta(path)
    recorded = meta.get("sanp")
    try:
        check_meta(meta, sanp=sanp, source=source)
    except JournalError as exc:
        hint = (
            f" (judge it with --sanp {recorded})"
            if recorded and recorded != sanp and "SANP" in str(exc)
            else ""
        )
        raise JournalError(f"{exc}{hint}") from None


class JournalSession:
    """A recorded sandbox session, judged offline."""

    def __init__(self, config: pytest.Config, run_config: RunConfig) -> None:
        self.config = config
        self.sanp = run_config.sanp
        self.contracts: str | None = config.getoption("contracts")
        self.path = Path(config.getoption("journal"))
        try:
            check_journal(self.path, sanp=self.sanp)
            self.entries: list[JournalEntry] = read_journal(self.path, sanp=self.sanp)
        except JournalError as exc:
            raise ConfigError(f"--journal: {exc}") from None
        self.capabilities = frozenset(CLIENT_CAPABILITIES)

    def describe(self) -> Mapping[str, Any]:
        partners = sum(1 for e in self.entries if is_partners(e))
        return {"journal": str(self.path), "entries": len(self.entries), "partner_requests": partners}

    def environment(self) -> Mapping[str, str]:
        return {"journal": str(self.path), "journal_entries": str(len(self.entries))}

    def judge(self, message: Any) -> list[Judgement]:
        return (
            judgements(message, sanp=self.sanp, contracts=self.contracts) if isinstance(message, Call) else []
        )

    def subject(self, exchange: Exchange) -> str:
        return subject(exchange)

    def preflight(self, run: RunState) -> None:
        """The rules of the scenarios a journal cannot replace: not run, with the reason."""
        from pagoconf.platform.plugin import driven_scenarios

        judged_here = {rid for rid, _ in SEQUENCE_RULES}
        for name, rules in driven_scenarios(self.config):
            for rid in rules:
                if rid not in judged_here:
                    run.ledger.not_run(rid, name, DRIVEN_ONLY)

    def extras(self, run: RunState) -> Mapping[str, Any]:
        return {"journal": dict(self.describe())}

    def close(self) -> None:
        pass

    def record_all(self, verdict: ScenarioVerdict) -> list[Call]:
        """Every request of the partner's system in the journal, recorded as evidence, then judged."""
        calls = []
        for entry in self.entries:
            if not is_partners(entry):
                continue
            call = Call(verdict.run.record(exchange_of(entry), verdict.scenario), entry)
            verdict.observe(call)
            calls.append(call)
        return calls


def judge_sequences(verdict: ScenarioVerdict, calls: Sequence[Call]) -> None:
    """Each sequence rule over the whole journal: judged where the journal holds something for it, else not
    run (it says nothing of a sequence it does not hold); the failures of all, at the end, in one failure."""
    ledger, scenario = verdict.run.ledger, verdict.scenario
    failed: list[tuple[str, list[Violation]]] = []
    for rid, check in SEQUENCE_RULES:
        try:
            found = list(check(calls))
        except NotJudgeable as exc:
            ledger.not_run(rid, scenario, f"the journal holds nothing to judge it on: {exc}")
            continue
        violations = [Violation(v.expected, v.actual, v.where, rid, v.exchange) for v in found]
        ledger.judged(rid, scenario, [c.exchange.number for c in calls], violations)
        if violations:
            failed.append((rid, violations))
    if failed:
        text = "\n".join(verdict.describe(rid, vs) for rid, vs in failed)
        raise ConformanceFailure(text, failed[0][0])
