"""Judging captured messages offline: one envelope, or a JSON-lines batch of exchanges.

What the station sent is judged, however broken (an answer that is not XML breaks SOAP-003); only the
tool's own input is refused as unusable (an unknown operation, an operation that cannot be told, a batch
line that is not the expected JSON object)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pagoconf.engine.exchange import Exchange
from pagoconf.engine.rules import rule
from pagoconf.sync import xmlsafe
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks import judge
from pagoconf.sync.soap import BY_REQUEST_ELEMENT, BY_RESPONSE_ELEMENT, OPERATIONS, body_children, local


class UnusableInput(ValueError):
    """Input that cannot be judged at all (unknown operation, an operation that cannot be told, bad JSON)."""


def infer_operation(response: bytes, request: bytes = b"") -> str:
    """The operation a captured answer (or, failing that, its request) is about, from its Body element."""
    for data, table in ((response, BY_RESPONSE_ELEMENT), (request, BY_REQUEST_ELEMENT)):
        try:
            children = body_children(xmlsafe.parse(data)) if data.strip() else None
        except xmlsafe.UnsafeXml:
            continue
        if children and local(children[0]) in table:
            return table[local(children[0])].name
    raise UnusableInput(
        "cannot tell the operation from the envelope: pass --operation (e.g. paVerifyPaymentNotice)"
    )


def judge_captured(
    schema: Any, operation: str | None, response: bytes, request: bytes = b""
) -> dict[str, Any]:
    """The `validate --json` verdict of one captured response (and optionally its request)."""
    op = operation or infer_operation(response, request)
    if op not in OPERATIONS:
        raise UnusableInput(f"unknown operation {op!r}; known: {', '.join(OPERATIONS)}")
    empty = None if response.strip() else "the captured answer is empty"
    exchange = Exchange(op, "(captured)", request, {}, response=response, error=empty)
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
        "operation": op,
        "violations": violations,
        "checked": [j.rule_id for j in judgements],
    }


def judge_batch(schema: Any, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One verdict per input line {operation?, request?, response}, in order, each with its line number;
    a blank line says so, an unusable line says why."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            yield {"line": number, "blank": True}
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise UnusableInput("a line must be a JSON object")
            op, req, resp = item.get("operation"), item.get("request", ""), item.get("response")
            if not isinstance(resp, str) or not isinstance(req, str) or not isinstance(op, str | None):
                raise UnusableInput('each line needs a "response" string ("operation", "request" optional)')
            yield {"line": number, **judge_captured(schema, op, resp.encode("utf-8"), req.encode("utf-8"))}
        except (json.JSONDecodeError, UnusableInput) as exc:
            yield {"line": number, "error": str(exc)}
