"""Validation by the contract: OpenAPI schemas read as JSON Schema the way the platform applies them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sandbox_support import KEY, Client, position, rules_of

from pagoconf.engine.contracts import contract_path
from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.contract import load_contract
from pagoconf.platform.sandbox.validation import (
    coerce,
    compile_schema,
    java_pattern,
    operation_validator,
    schema_errors,
)


def _errors(schema: dict[str, object], value: object, *, request: bool = True) -> list[str]:
    return [e.keyword for e in schema_errors(compile_schema(schema, {}, request=request), value)]


def test_patterns_match_the_whole_value_and_speak_java() -> None:
    assert _errors({"type": "string", "pattern": "[A-Z]{2}"}, "IT") == []
    assert _errors({"type": "string", "pattern": "[A-Z]{2}"}, "ITA") == ["pattern"]
    assert java_pattern(r"[\w*\h-]+").startswith("^(?:[\\w*\\t ")
    assert _errors({"type": "string", "pattern": r"[\w*\h-]+"}, "IUPD 1-a") == []
    assert _errors({"type": "string", "pattern": r"[\w*\h-]+"}, "IUPD/1") == ["pattern"]


def test_openapi_keywords_become_json_schema() -> None:
    assert _errors({"type": "string", "nullable": True}, None) == []
    assert _errors({"type": "string"}, None) == ["type"]
    assert _errors({"type": "integer", "format": "int32"}, 2**31) == ["maximum"]
    read_only = {
        "type": "object",
        "required": ["s"],
        "properties": {"s": {"type": "string", "readOnly": True}},
    }
    assert _errors(read_only, {"s": 1}) == []
    assert _errors(read_only, {}, request=False) == ["required"]


def test_every_error_of_a_body_is_reported_with_its_pointer() -> None:
    body = position()
    body["type"] = "X"
    body["paymentOption"][0]["transfer"][0]["idTransfer"] = "9"
    del body["fullName"]
    errors = operation_validator("3.8.0", "createPosition").body_errors(body)
    assert {e.where for e in errors} == {"/type", "/fullName", "/paymentOption/0/transfer/0/idTransfer"}


def test_query_values_take_their_declared_types() -> None:
    op = load_contract("3.8.0").operation("createPosition")
    assert coerce(op, "query", {"toPublish": "true"}).values == {"toPublish": True}
    lenient = coerce(op, "query", {"toPublish": "TRUE"})
    assert lenient.values == {"toPublish": True} and lenient.lenient == {"toPublish": "TRUE"}
    assert coerce(op, "query", {"toPublish": "maybe"}).values == {"toPublish": "maybe"}
    listing = load_contract("3.8.0").operation("getOrganizationDebtPositions")
    assert coerce(listing, "query", {"limit": "7", "page": "x", "other": "1"}).values == {
        "limit": 7,
        "page": "x",
    }


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A faithful sandbox."""
    with Sandbox(keys=[KEY]) as sandbox:
        yield Client(sandbox)


def test_read_only_fields_in_a_request_are_ignored_with_a_warning(client: Client) -> None:
    body = position(status="PAID", paymentDate="2030-01-01T00:00:00Z")
    body["paymentOption"][0]["notificationFee"] = 100
    answer = client.create(body)
    assert answer.status == 201 and answer.json["status"] == "DRAFT"
    findings = {f["where"] for f in client.last()["findings"] if f["rule"] == "GPD-012"}
    assert findings == {"/status", "/paymentDate", "/paymentOption/0/notificationFee"}
    assert rules_of(client.last(), warning=True) == {"GPD-012"}


def test_the_sandbox_reads_the_contracts_from_an_explicit_root() -> None:
    explicit = str(contract_path("3.8.0", "openapi/gpd.json").parents[2])
    with Sandbox(keys=[KEY], contracts=explicit) as sandbox:
        client = Client(sandbox)
        assert client.create(position()).status == 201
        assert client.create(position(type="X")).status == 400
