"""What a handler gets (the judged case, the sandbox time, the store, the contract) and what it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pagoconf.platform.sandbox import jsontext
from pagoconf.platform.sandbox.contract import Contract, OperationSpec
from pagoconf.platform.sandbox.problems import Problem
from pagoconf.platform.sandbox.receipts import ReceiptSink, keep_only
from pagoconf.platform.sandbox.request import Case
from pagoconf.platform.sandbox.store import Store
from pagoconf.platform.sandbox.views import shaped

JSON_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer: status, headers and body."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: Mapping[str, str] = field(default_factory=dict)


def json_reply(status: int, value: Any, headers: Mapping[str, str] | None = None) -> Reply:
    """A JSON answer."""
    return Reply(status, jsontext.dumps(value), JSON_TYPE, dict(headers or {}))


def problem_reply(problem: Problem, headers: Mapping[str, str] | None = None) -> Reply:
    """A ProblemJson answer, with the problem's own headers."""
    return Reply(problem.status, problem.body(), JSON_TYPE, {**dict(problem.headers), **(headers or {})})


@dataclass(frozen=True)
class Context:
    """A request the rules let through, and what its handler may use."""

    case: Case
    now: datetime
    store: Store
    contract: Contract
    receipt_sink: ReceiptSink = keep_only

    @property
    def strict(self) -> bool:
        """The sandbox answers as the contract says rather than as the platform does."""
        return self.case.strict

    @property
    def op(self) -> OperationSpec:
        """The contract operation being answered."""
        assert self.case.operation is not None
        return self.contract.operation(self.case.operation)

    @property
    def organization(self) -> str:
        """The organization of the path."""
        return self.case.organization

    def param(self, name: str) -> str:
        """A path parameter."""
        return self.case.request.path_params[name]

    def answer(self, status: int, value: Any) -> Reply:
        """A JSON answer shaped by the operation's response schema for `status`."""
        return json_reply(status, shaped(self.contract, self.op, status, value))
