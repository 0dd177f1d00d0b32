"""Judging captured messages offline: one envelope, or a JSON-lines batch of exchanges."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pagoconf.sync import xmlsafe
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks import judge
from pagoconf.engine.rules import rule
from pagoconf.engine.exchange import Exchange
from pagoconf.sync.soap import OPERATIONS


class UnusableInput(ValueError):
    """Input that cannot be judged at all (unknown operation, not a string, empty)."""


def judge_captured(schema: Any, operation: str, response: bytes, request: bytes = b"") -> dict[str, Any]:
    """The `validate --json` verdict of one captured response (and optionally its request)."""
    if operation not in OPERATIONS:
        raise UnusableInput(f"unknown operation {operation!r}; known: {', '.join(OPERATIONS)}")
    if not response.strip():
        raise UnusableInput("the response is empty")
    try:
        xmlsafe.parse(response)
    except xmlsafe.UnsafeXml as exc:
        raise UnusableInput(f"the response cannot be read as XML: {exc}") from None
    exchange = Exchange(operation, "(captured)", request, {}, response=response)
    judgements = judge(Answer.of(exchange, schema))
    violations = [
        {
            "rule": v.rule,
            "severity": rule(v.rule).severity,
            "message": f"expected {v.expected}; actual {v.actual}",
            "where": v.where,
        }
        for j in judgements
        for v in j.violations
    ]
    return {
        "conformant": not violations,
        "operation": operation,
        "violations": violations,
        "checked": [j.rule_id for j in judgements],
    }


def judge_batch(schema: Any, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One verdict per JSON line {operation, request?, response}, in order; unusable lines say why."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise UnusableInput("a line must be a JSON object")
            op, req, resp = item.get("operation"), item.get("request", ""), item.get("response")
            if not isinstance(op, str) or not isinstance(resp, str) or not isinstance(req, str):
                raise UnusableInput('each line needs "operation" and "response" strings ("request" optional)')
            yield judge_captured(schema, op, resp.encode("utf-8"), req.encode("utf-8"))
        except (json.JSONDecodeError, UnusableInput) as exc:
            yield {"line": number, "error": str(exc)}
