"""The control API's OpenAPI document (control-openapi.json beside this file) and the request bodies it
declares: read, validated against the document's own schemas, refused with a 400 ProblemJson otherwise.
Shared by the control API and its station routes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pagoconf.platform.sandbox.problems import BAD_REQUEST, Refused, problem
from pagoconf.platform.sandbox.request import SandboxRequest
from pagoconf.platform.sandbox.validation import compile_schema, schema_errors

DOCUMENT = Path(__file__).with_name("control-openapi.json")


@cache
def document() -> Mapping[str, Any]:
    """The control API's OpenAPI document."""
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


@cache
def _validator(schema: str) -> Any:
    components = document()["components"]["schemas"]
    return compile_schema({"$ref": f"#/components/schemas/{schema}"}, components, request=True)


def json_body(request: SandboxRequest, schema: str, *, required: bool) -> dict[str, Any]:
    """The request's JSON body ({} when empty and not `required`), valid against control schema `schema`;
    Refused (400) otherwise."""
    if not request.body.strip():
        if required:
            raise Refused(problem(400, "a JSON body is required", BAD_REQUEST))
        return {}
    if not request.json_ok:
        raise Refused(problem(400, "JSON parse error: the body does not parse as JSON", BAD_REQUEST))
    errors = schema_errors(_validator(schema), request.json)
    if errors:
        raise Refused(problem(400, ", ".join(f"{e.where or '/'}: {e.message}" for e in errors), BAD_REQUEST))
    return dict(request.json)
