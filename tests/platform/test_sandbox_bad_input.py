"""Bad input gets a documented 4xx with a ProblemJson, is journaled, and changes nothing; the sandbox never
answers 5xx unless the control API asks it to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox_support import KEY, Client, position

from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.request import MAX_BODY

ORG = "33333333333"
JSON = {"Content-Type": "application/json"}
PATH = f"/organizations/{ORG}/debtpositions"


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A sandbox for bad input."""
    with Sandbox(keys=[KEY]) as sandbox:
        yield Client(sandbox)


def _count(client: Client) -> int:
    return len(client.list({"page": 0, "limit": 50}, org=ORG).json["payment_position_list"])


def _refused_without_trace(
    client: Client, answer: Any, before: int, status: int | None = None
) -> dict[str, Any]:
    """Check a refusal: a 4xx ProblemJson, journaled, nothing changed; return its journal entry."""
    assert 400 <= answer.status < 500, answer.data
    if status is not None:
        assert answer.status == status
    assert set(json.loads(answer.data)) == {"title", "status", "detail"}
    entry = client.last()
    assert entry["status"] == answer.status
    assert _count(client) == before
    return entry


@pytest.mark.parametrize(
    ("raw", "headers", "status"),
    [
        (b'{"iupd": "x",', JSON, 400),
        (b"\xff\xfe\x00garbage", JSON, 400),
        (b"[" * 100_000, JSON, 400),
        (b'{"iupd": NaN}', JSON, 400),
        (b"[]", JSON, 400),
        (b'"a string"', JSON, 400),
        (b"null", JSON, 400),
        (b"", JSON, 400),
        (b"iupd=1&type=F", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
        (b'{"iupd": "x"}', {}, 415),
        (b'{"iupd": "x"}', {"Content-Type": "application/xml"}, 415),
    ],
)
def test_malformed_bodies_are_refused_and_change_nothing(
    client: Client, raw: bytes, headers: dict[str, str], status: int
) -> None:
    before = _count(client)
    answer = client.gpd("POST", PATH, raw=raw, headers=headers)
    _refused_without_trace(client, answer, before, status)


def test_a_huge_body_is_refused_unread(client: Client) -> None:
    before = _count(client)
    answer = client.gpd("POST", PATH, raw=b" " * (MAX_BODY + 1024), headers=JSON)
    entry = _refused_without_trace(client, answer, before, 413)
    assert entry["request_body"] == "" and entry["findings"][0]["rule"] == "GPD-006"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/gpd/debt-positions-service/v2/info", 404),
        ("GET", "/", 404),
        ("POST", "/gpd/debt-positions-service/v1/organizations", 404),
        ("PATCH", f"/gpd/debt-positions-service/v1{PATH}/IUPD-1", 405),
        ("GET", "/gpd/payments-receipts-service/v1/payments", 404),
        ("DELETE", "/_sandbox/clock", 404),
    ],
)
def test_unknown_paths_and_methods_are_refused_and_journaled(
    client: Client, method: str, path: str, status: int
) -> None:
    before = _count(client)
    answer = client.request(method, client.sandbox.url + path)
    entry = _refused_without_trace(client, answer, before, status)
    assert entry["findings"][0]["rule"] == "GPD-001"
    if status == 405:
        assert "GET" in answer.json["detail"]


@pytest.mark.parametrize("key", ["", " ", "x" * 10_000, "ключ", KEY + " "])
def test_garbage_keys_are_401(client: Client, key: str) -> None:
    before = _count(client)
    answer = client.list(key=key.encode("utf-8").decode("latin-1"))
    assert answer.status in (400, 401)
    if answer.status == 401:
        _refused_without_trace(client, answer, before, 401)


def test_odd_path_values_are_answered_not_crashed(client: Client) -> None:
    for iupd in ("%2e%2e", "a%00b", "%F0%9F%92%A9", "x" * 5000, "%25"):
        answer = client.request("GET", client.urls["gpd"] + f"{PATH}/{iupd}")
        assert 400 <= answer.status < 500, (iupd, answer.data)


def test_absurd_numbers_are_refused(client: Client) -> None:
    before = _count(client)
    body = position()
    body["paymentOption"][0]["amount"] = 10**30
    _refused_without_trace(client, client.create(body, org=ORG), before, 400)
    assert client.list({"page": 10**12}, org=ORG).status == 400


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = sorted(position())
OPTION_FIELDS = sorted(position()["paymentOption"][0])


@settings(derandomize=True, max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    field=st.sampled_from(FIELDS),
    option_field=st.sampled_from(OPTION_FIELDS),
    value=JSON_VALUES,
    where=st.sampled_from(["position", "option", "query"]),
)
def test_mutated_requests_never_get_a_5xx(
    client: Client, field: str, option_field: str, value: Any, where: str
) -> None:
    body = position()
    query: dict[str, str] = {}
    if where == "position":
        body[field] = value
    elif where == "option":
        body["paymentOption"][0][option_field] = value
    else:
        query = {"toPublish": json.dumps(value)[:40], "segregationCodes": str(value)[:20]}
    before = _count(client)
    answer = client.create(body, org=ORG, query=query)
    assert answer.status < 500, answer.data
    if answer.status != 201:
        _refused_without_trace(client, answer, before)
    else:
        assert client.delete(body["iupd"], org=ORG).status == 200
