"""Helpers for the GPD sandbox's tests: a real sandbox on a loopback port, a small client, position bodies."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import urllib3

from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.contract import load_contract
from pagoconf.platform.sandbox.dates import LOCAL_DATE_TIME
from pagoconf.platform.sandbox.validation import compile_schema, schema_errors

ORG = "77777777777"
KEY = "test-key-0123456789"
SANPS = ("3.8.0", "3.13.0")
_numbers = itertools.count(1)
_pool = urllib3.PoolManager(maxsize=16, retries=False, timeout=urllib3.Timeout(connect=5, read=30))


def unique() -> int:
    """A number never handed out before in this test run."""
    return next(_numbers)


def iuv(n: int | None = None, code: str = "01") -> str:
    """A 17-digit IUV with segregation code `code`."""
    return f"{code}{n if n is not None else unique():015d}"


def moment(delta: timedelta = timedelta(0), *, base: datetime | None = None) -> str:
    """An RFC 3339 UTC date-time `delta` from now (or from `base`)."""
    return ((base or datetime.now(UTC)) + delta).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def transfer(id_transfer: str = "1", amount: int = 10000, **extra: Any) -> dict[str, Any]:
    """A transfer crediting an IBAN."""
    t = {
        "idTransfer": id_transfer,
        "amount": amount,
        "remittanceInformation": "TARI 2030",
        "category": "9/0101108TS/",
        "iban": "IT60X0542811101000000123456",
        "transferMetadata": [],
    }
    t.update(extra)
    return t


def option(
    iuv_: str | None = None,
    amount: int = 10000,
    *,
    due: timedelta = timedelta(days=30),
    partial: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """A payment option with one transfer for its whole amount."""
    o = {
        "iuv": iuv_ or iuv(),
        "amount": amount,
        "description": "Tassa rifiuti",
        "isPartialPayment": partial,
        "dueDate": moment(due),
        "paymentOptionMetadata": [],
        "transfer": [transfer(amount=amount)],
    }
    o.update(extra)
    return o


def position(iupd: str | None = None, *options: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A debt position body (one option unless some are given)."""
    body = {
        "iupd": iupd or f"IUPD-{unique()}",
        "type": "F",
        "fiscalCode": "RSSMRA80A01H501U",
        "fullName": "Mario Rossi",
        "companyName": "Comune di Prova",
        "switchToExpired": False,
        "paymentOption": list(options) or [option()],
    }
    body.update(extra)
    return body


@dataclass(frozen=True)
class Answer:
    """An HTTP answer."""

    status: int
    headers: Mapping[str, str]
    data: bytes

    @property
    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.data)


class Client:
    """Calls a sandbox's APIs and control API."""

    def __init__(self, sandbox: Sandbox, key: str | None = KEY) -> None:
        self.sandbox = sandbox
        self.urls = sandbox.base_urls
        self.key = key

    def request(
        self,
        method: str,
        url: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        query: Mapping[str, Any] | str | None = None,
        headers: Mapping[str, str] | None = None,
        key: str | None | bool = True,
    ) -> Answer:
        """One request; `key=True` sends the client's key, a string sends that one, None or False none."""
        sent: dict[str, str] = {}
        chosen = self.key if key is True else key
        if chosen:
            sent["Ocp-Apim-Subscription-Key"] = str(chosen)
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        if query:
            url += "?" + (query if isinstance(query, str) else urlencode(query))
        r = _pool.request(method, url, body=data, headers=sent)
        return Answer(r.status, r.headers, r.data)

    def gpd(self, method: str, path: str, **kw: Any) -> Answer:
        """A request to the debt-positions API (path after the base)."""
        return self.request(method, self.urls["gpd"] + path, **kw)

    def payments(self, method: str, path: str, **kw: Any) -> Answer:
        """A request to the receipts API."""
        return self.request(method, self.urls["gpd_payments"] + path, **kw)

    def control(self, method: str, path: str, **kw: Any) -> Answer:
        """A request to the control API."""
        kw.setdefault("key", None)
        return self.request(method, self.urls["control"] + path, **kw)

    # --- the operations -----------------------------------------------------------------------------------

    def create(self, body: Any, *, org: str = ORG, to_publish: Any = None, **kw: Any) -> Answer:
        """createPosition."""
        query = kw.pop("query", {}) or {}
        if to_publish is not None:
            query = {"toPublish": to_publish, **query}
        return self.gpd("POST", f"/organizations/{org}/debtpositions", body=body, query=query, **kw)

    def get(self, iupd: str, *, org: str = ORG, **kw: Any) -> Answer:
        """getOrganizationDebtPositionByIUPD."""
        return self.gpd("GET", f"/organizations/{org}/debtpositions/{iupd}", **kw)

    def update(self, iupd: str, body: Any, *, org: str = ORG, **kw: Any) -> Answer:
        """updatePosition."""
        return self.gpd("PUT", f"/organizations/{org}/debtpositions/{iupd}", body=body, **kw)

    def delete(self, iupd: str, *, org: str = ORG, **kw: Any) -> Answer:
        """deletePosition."""
        return self.gpd("DELETE", f"/organizations/{org}/debtpositions/{iupd}", **kw)

    def publish(self, iupd: str, *, org: str = ORG, **kw: Any) -> Answer:
        """publishPosition."""
        return self.gpd("POST", f"/organizations/{org}/debtpositions/{iupd}/publish", **kw)

    def invalidate(self, iupd: str, *, org: str = ORG, **kw: Any) -> Answer:
        """invalidatePosition."""
        return self.gpd("POST", f"/organizations/{org}/debtpositions/{iupd}/invalidate", **kw)

    def list(self, query: Mapping[str, Any] | str | None = None, *, org: str = ORG, **kw: Any) -> Answer:
        """getOrganizationDebtPositions (page 0 unless the query says otherwise)."""
        if query is None:
            query = {"page": 0}
        return self.gpd("GET", f"/organizations/{org}/debtpositions", query=query, **kw)

    def pay(self, iuv_: str, *, org: str = ORG, body: Any = None) -> Answer:
        """Pay an option through the control API."""
        return self.control("POST", f"/organizations/{org}/paymentoptions/{iuv_}/pay", body=body)

    def report(self, iuv_: str, id_transfer: str = "1", *, org: str = ORG) -> Answer:
        """Report a transfer through the control API."""
        return self.control(
            "POST", f"/organizations/{org}/paymentoptions/{iuv_}/transfers/{id_transfer}/report"
        )

    def advance(self, **delta: float) -> Answer:
        """Move the sandbox clock forward."""
        seconds = timedelta(**delta).total_seconds()
        return self.control("POST", "/clock", body={"advance_seconds": seconds})

    def status_of(self, iupd: str, *, org: str = ORG) -> str:
        """The position's status, as the API answers it."""
        answer = self.get(iupd, org=org)
        assert answer.status == 200, answer.data
        return str(answer.json["status"])

    def journal(self, after: int = 0) -> list[dict[str, Any]]:
        """Every journal entry after `after`."""
        entries: list[dict[str, Any]] = []
        while True:
            page = self.control("GET", "/journal", query={"after": after, "limit": 1000}).json
            entries += page["entries"]
            if page["next_after"] is None:
                return entries
            after = page["next_after"]

    def last(self) -> dict[str, Any]:
        """The latest journal entry."""
        total = self.control("GET", "/journal", query={"limit": 1}).json["total"]
        return self.journal(after=total - 1)[-1]

    def created(self, body: dict[str, Any] | None = None, *, publish: bool = False) -> dict[str, Any]:
        """Create a position (published if asked) and return its body."""
        body = body or position()
        answer = self.create(body, to_publish="true" if publish else None)
        assert answer.status == 201, answer.data
        return body


def rules_of(entry: Mapping[str, Any], *, warning: bool | None = None) -> set[str]:
    """The rule ids of a journal entry's findings (only warnings, or only refusals, when asked)."""
    return {f["rule"] for f in entry["findings"] if warning is None or f["warning"] == warning}


def conforms(sanp: str, operation: str, status: int, value: Any, *, strict: bool = False) -> list[str]:
    """The errors of a JSON answer against the response schema the contract publishes for it. Unless
    `strict`, a date-time without offset passes: the faithful sandbox writes them as GPD does."""
    contract = load_contract(sanp)
    op = contract.operation(operation)
    schema = op.responses[str(status)]["content"]["application/json"]["schema"]
    components = contract.documents[op.api]["components"]["schemas"]
    errors = schema_errors(compile_schema(schema, components, request=False), value)
    if not strict:
        errors = [
            e for e in errors if not (e.format == "date-time" and LOCAL_DATE_TIME.fullmatch(str(e.value)))
        ]
    return [f"{e.where}: {e.message}" for e in errors]


def together(calls: list[Callable[[], Answer]]) -> list[int]:
    """Run the calls at the same moment, one thread each; their statuses."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Answer]) -> int:
        barrier.wait()
        return call().status

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture(scope="module", params=SANPS)
def any_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A faithful sandbox of each SANP version, shared by a module's tests."""
    with Sandbox(sanp=request.param, keys=[KEY]) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """A faithful SANP 3.8.0 sandbox shared by a module's tests."""
    with Sandbox(keys=[KEY]) as sb:
        yield sb


@pytest.fixture(scope="module")
def strict_sandbox() -> Iterator[Sandbox]:
    """A strict SANP 3.8.0 sandbox shared by a module's tests."""
    with Sandbox(keys=[KEY], strict=True) as sb:
        yield sb


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox of its own (clock tests move time)."""
    with Sandbox(keys=[KEY]) as sb:
        yield sb
