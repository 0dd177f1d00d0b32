"""The published contracts the sandbox serves: each API's OpenAPI document of the chosen SANP version, its
base path, its operations and their schemas, read from the pinned official files."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pagoconf.engine.contracts import ContractError, contract_path

METHODS = ("get", "put", "post", "delete", "patch")
INFO = "/info"


@dataclass(frozen=True, slots=True)
class Api:
    """One REST API of the platform: its catalogue contract name, its file, and the path it is served at."""

    name: str
    file: str
    base: str
    title: str
    files_by_sanp: Mapping[str, str | None] = field(default_factory=dict)
    """The file in the SANP versions that name it otherwise (None: that version does not publish the API)."""
    info: bool = True
    """The platform answers GET /info under `base` even where the document does not publish it."""
    bases_by_sanp: Mapping[str, str] = field(default_factory=dict)
    """The path the API is served at in the SANP versions that move it (the bulk upload in 3.13.0)."""

    def file_in(self, sanp: str) -> str | None:
        """The API's file in SANP `sanp`, or None when that version does not publish it."""
        return self.files_by_sanp.get(sanp, self.file)

    def base_in(self, sanp: str) -> str:
        """The path the API is served at in SANP `sanp`."""
        return self.bases_by_sanp.get(sanp, self.base)


APIS: tuple[Api, ...] = (
    Api("gpd", "openapi/gpd.json", "/gpd/debt-positions-service/v1", "GPD debt positions"),
    Api("gpd_payments", "openapi/gpd_payments.json", "/gpd/payments-receipts-service/v1", "GPD receipts"),
    Api(
        "checkout",
        "openapi/checkout.yaml",
        "/checkout/ec/v1",
        "Checkout carts",
        {"3.13.0": "openapi/checkout_v1.json"},
        info=False,
    ),
    Api(
        "checkout_v2",
        "openapi/checkout_v2.json",
        "/checkout/ec/v2",
        "Checkout carts (v2)",
        {"3.8.0": None},
        info=False,
    ),
    Api(
        "gpd_massive",
        "openapi/gpd_massive.json",
        "/gpd/debt-positions-service/v1",
        "GPD bulk upload",
        bases_by_sanp={"3.13.0": "/upload/gpd/debt-positions-service/v1"},
    ),
    Api(
        "aca",
        "openapi/paCreatePosition.yaml",
        "/aca/v1",
        "ACA debt positions",
        {"3.13.0": "openapi/paCreatePosition.json"},
        info=False,
    ),
)
SHARED_OPERATION_IDS = frozenset({"healthCheck"})
"""operationIds several contracts use: their catalogue name is `<contract>.<operationId>`."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One path, query or header parameter of an operation."""

    name: str
    location: str
    required: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class OperationSpec:
    """One operation as its document publishes it (`published` false: the sandbox answers it anyway)."""

    api: str
    name: str
    operation_id: str
    method: str
    template: str
    parameters: tuple[Parameter, ...]
    body: Mapping[str, Any] | None
    body_required: bool
    responses: Mapping[str, Any]
    published: bool = True

    def parameter(self, name: str, location: str = "query") -> Parameter | None:
        """The parameter `name` in `location`, if the operation declares it."""
        return next((p for p in self.parameters if p.name == name and p.location == location), None)


@dataclass(frozen=True)
class Contract:
    """Every API document of one SANP version and the operations they publish."""

    sanp: str
    documents: Mapping[str, Mapping[str, Any]]
    operations: Mapping[str, OperationSpec] = field(default_factory=dict)

    def operation(self, name: str) -> OperationSpec:
        """The operation named `name` (KeyError if this version has none)."""
        return self.operations[name]

    def by_path(self, api: str) -> dict[str, dict[str, OperationSpec]]:
        """`api`'s operations grouped by path template, then by HTTP method (upper case)."""
        out: dict[str, dict[str, OperationSpec]] = {}
        for op in self.operations.values():
            if op.api == api:
                out.setdefault(op.template, {})[op.method] = op
        return out


def operation_name(api: str, operation_id: str) -> str:
    """The catalogue name of an operation: its operationId, qualified by contract when several share it."""
    return f"{api}.{operation_id}" if operation_id in SHARED_OPERATION_IDS else operation_id


def read_document(path: Path) -> Mapping[str, Any]:
    """An OpenAPI document (JSON, or YAML when PyYAML is installed)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


@cache
def load_contract(sanp: str, contracts: str | None = None) -> Contract:
    """The contract of SANP `sanp`: every API of APIS, read from the verified official files."""
    documents: dict[str, Mapping[str, Any]] = {}
    operations: dict[str, OperationSpec] = {}
    for api in APIS:
        file = api.file_in(sanp)
        if file is None:
            continue
        path = contract_path(sanp, file, contracts)
        try:
            document = read_document(path)
        except (OSError, ValueError) as exc:
            raise ContractError(f"{path} cannot be read as an OpenAPI document: {exc}") from None
        documents[api.name] = document
        for op in _operations(api, document):
            operations[op.name] = op
        info = operation_name(api.name, "healthCheck")
        if api.info and info not in operations:
            operations[info] = _unpublished_info(api)
    return Contract(sanp, documents, operations)


def _operations(api: Api, document: Mapping[str, Any]) -> list[OperationSpec]:
    found = []
    for template, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method not in item:
                continue
            raw = item[method]
            params = {(p["name"], p["in"]): p for p in shared}
            params.update({(p["name"], p["in"]): p for p in raw.get("parameters", [])})
            body = raw.get("requestBody", {})
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            found.append(
                OperationSpec(
                    api=api.name,
                    name=operation_name(api.name, raw["operationId"]),
                    operation_id=raw["operationId"],
                    method=method.upper(),
                    template=template,
                    parameters=tuple(
                        Parameter(
                            p["name"],
                            p["in"],
                            bool(p.get("required", p["in"] == "path")),
                            p.get("schema", {}),
                        )
                        for p in params.values()
                    ),
                    body=schema,
                    body_required=bool(body.get("required", False)),
                    responses=raw.get("responses", {}),
                )
            )
    return found


def _unpublished_info(api: Api) -> OperationSpec:
    """GET /info where the version's document dropped it (gpd.json and gpd_payments.json of 3.13.0): the
    platform still answers it, so the sandbox does, and says the contract does not publish it."""
    return OperationSpec(
        api=api.name,
        name=operation_name(api.name, "healthCheck"),
        operation_id="healthCheck",
        method="GET",
        template=INFO,
        parameters=(),
        body=None,
        body_required=False,
        responses={
            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppInfo"}}}}
        },
        published=False,
    )
