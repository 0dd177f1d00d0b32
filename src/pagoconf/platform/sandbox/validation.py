"""Validation by the published contract: the operation's own schemas, compiled with jsonschema_rs.

The OpenAPI schemas are translated to JSON Schema 2020-12 once per operation (`nullable`, `readOnly` in
requests, `int32`/`int64` bounds, `$ref` to `#/$defs`), and patterns are matched against the whole value, as
the platform's Java validation does. Query and path values are converted to the parameter's declared type
before validation; nothing here knows a field by name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jsonschema_rs

from pagoconf.platform.sandbox.contract import OperationSpec, Parameter, load_contract

DRAFT = "https://json-schema.org/draft/2020-12/schema"
INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
ANNOTATIONS = frozenset(
    {"example", "examples", "default", "xml", "discriminator", "externalDocs", "deprecated"}
)
SPRING_TRUE = frozenset({"true", "on", "yes", "1"})
SPRING_FALSE = frozenset({"false", "off", "no", "0"})
HORIZONTAL_SPACE = r"\t \xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000"


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One way a value breaks its schema: where (a JSON pointer, or `query:NAME`), keyword, message."""

    where: str
    keyword: str
    message: str
    value: Any = None
    format: str = ""


@dataclass(frozen=True, slots=True)
class Coerced:
    """Query or path values converted to their declared types; `lenient` names those only the platform's
    binding accepts (`toPublish=True`: Spring reads booleans case-insensitively, and on/yes/1)."""

    values: Mapping[str, Any]
    lenient: Mapping[str, str]


def json_pointer(parts: Iterable[str | int]) -> str:
    """A JSON pointer ('' for the root) from path segments."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def java_pattern(pattern: str) -> str:
    """A Java regular expression as an anchored ECMA one: `\\h` spelled out, the whole value matched."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            out.append(
                HORIZONTAL_SPACE
                if pair == "\\h" and in_class
                else f"[{HORIZONTAL_SPACE}]"
                if pair == "\\h"
                else pair
            )
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        out.append(ch)
        i += 1
    return f"^(?:{''.join(out)})$"


def to_json_schema(node: Any, *, request: bool) -> Any:
    """An OpenAPI schema object as JSON Schema 2020-12 (for a request: read-only properties left out)."""
    if isinstance(node, list):
        return [to_json_schema(n, request=request) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    hidden = set()
    if request:
        hidden = {
            n for n, s in node.get("properties", {}).items() if isinstance(s, dict) and s.get("readOnly")
        }
    for key, value in node.items():
        if key in ANNOTATIONS or key == "nullable":
            continue
        if key == "$ref" and isinstance(value, str):
            out[key] = value.replace("#/components/schemas/", "#/$defs/")
        elif key == "properties" and isinstance(value, dict):
            out[key] = {n: to_json_schema(s, request=request) for n, s in value.items() if n not in hidden}
        elif key == "required" and isinstance(value, list):
            out[key] = [n for n in value if n not in hidden]
        elif key == "pattern" and isinstance(value, str):
            out[key] = java_pattern(value)
        else:
            out[key] = to_json_schema(value, request=request)
    if node.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    for bound, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
        if isinstance(node.get(exclusive), bool):  # OpenAPI 3.0's boolean form (ProblemJson.status)
            flag = out.pop(exclusive)
            if flag and bound in out:
                out[exclusive] = out.pop(bound)
    bounds = INT_BOUNDS.get(str(node.get("format")))
    if node.get("type") == "integer" and bounds:
        out["minimum"] = max(out.get("minimum", bounds[0]), bounds[0])
        out["maximum"] = min(out.get("maximum", bounds[1]), bounds[1])
    return out


def compile_schema(schema: Mapping[str, Any], components: Mapping[str, Any], *, request: bool) -> Any:
    """A jsonschema_rs validator for `schema`, its `$ref`s resolved against `components`."""
    root = dict(to_json_schema(schema, request=request))
    root["$schema"] = DRAFT
    root["$defs"] = {name: to_json_schema(s, request=request) for name, s in components.items()}
    return jsonschema_rs.validator_for(root, validate_formats=True)


def schema_errors(validator: Any, instance: Any, *, location: str = "") -> list[SchemaError]:
    """Every error of `instance` against a compiled validator, in document order. With `location` (path,
    query) the instance is an object of parameters and `where` names the parameter: `query:limit`."""
    errors = []
    for e in validator.iter_errors(instance):
        keyword = type(e.kind).__name__
        keyword = keyword[0].lower() + keyword[1:]
        parts = list(e.instance_path)
        if keyword == "required":
            parts.append(str(getattr(e.kind, "property", "")).strip('"'))
        where = (f"{location}:{parts[0]}" if parts else location) if location else json_pointer(parts)
        errors.append(
            SchemaError(where, keyword, e.message, e.instance, str(getattr(e.kind, "format", "") or ""))
        )
    return errors


class OperationValidator:
    """The compiled schemas of one operation: its parameters (by location) and its JSON body."""

    def __init__(self, op: OperationSpec, components: Mapping[str, Any]) -> None:
        self.op = op
        self.body = compile_schema(op.body, components, request=True) if op.body is not None else None
        self.params: dict[str, Any] = {}
        for location in ("path", "query"):
            declared = [p for p in op.parameters if p.location == location]
            schema = {
                "type": "object",
                "properties": {p.name: p.schema for p in declared},
                "required": [p.name for p in declared if p.required],
            }
            self.params[location] = compile_schema(schema, components, request=True)

    def body_errors(self, body: Any) -> list[SchemaError]:
        """The body's errors against the operation's request schema (none when it takes no body)."""
        return [] if self.body is None else schema_errors(self.body, body)

    def parameter_errors(self, location: str, values: Mapping[str, Any]) -> list[SchemaError]:
        """The errors of already-coerced `location` values (missing required ones included)."""
        return schema_errors(self.params[location], dict(values), location=location)


def coerce(op: OperationSpec, location: str, raw: Mapping[str, str]) -> Coerced:
    """`raw` string values of `location` converted to the types the operation declares; undeclared ones
    and values that do not convert stay strings (the schema then reports them)."""
    values: dict[str, Any] = {}
    lenient: dict[str, str] = {}
    for name, text in raw.items():
        param = op.parameter(name, location)
        if param is None:
            continue
        value, spring_only = _typed(param, text)
        values[name] = value
        if spring_only:
            lenient[name] = text
    return Coerced(values, lenient)


def _typed(param: Parameter, text: str) -> tuple[Any, bool]:
    kind = param.schema.get("type")
    if kind == "integer" and re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text), False
    if kind == "number" and re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", text):
        return float(text), False
    if kind == "boolean":
        if text in ("true", "false"):
            return text == "true", False
        if text.lower() in SPRING_TRUE | SPRING_FALSE:
            return text.lower() in SPRING_TRUE, True
    return text, False


@cache
def operation_validator(sanp: str, operation: str, contracts: str | None = None) -> OperationValidator:
    """The compiled validator of `operation` in SANP `sanp` (compiled once)."""
    contract = load_contract(sanp, contracts)
    op = contract.operation(operation)
    components = contract.documents[op.api].get("components", {}).get("schemas", {})
    return OperationValidator(op, components)


@cache
def schema_validator(schema_json: str) -> Any:
    """A jsonschema_rs validator for a plain JSON Schema given as JSON text (the platform's own limits)."""
    import json

    return jsonschema_rs.validator_for({"$schema": DRAFT, **json.loads(schema_json)}, validate_formats=True)


def read_only_sent(
    schema: Mapping[str, Any] | None, components: Mapping[str, Any], instance: Any, where: str = ""
) -> list[str]:
    """JSON pointers of the read-only properties a request body carries (OpenAPI: SHOULD NOT be sent), in
    the order of the schema's properties. Only the parts of the body whose schema leads to a read-only
    property are walked (`_read_only_map`, worked out once per schema)."""
    found: list[str] = []
    _read_only_walk(_read_only_map(resolve(schema, components), components), instance, where, found)
    return found


@dataclass(slots=True)
class _ReadOnlyMap:
    """Where a schema's read-only properties are: its properties that are read-only or lead to one, in
    schema order, as (name, read-only, the property's map); and its array items' map, if they lead to one.
    Filled once, when it is made, then only read."""

    properties: list[tuple[str, bool, _ReadOnlyMap | None]] = field(default_factory=list)
    items: _ReadOnlyMap | None = None


def _read_only_walk(node: _ReadOnlyMap, instance: Any, where: str, found: list[str]) -> None:
    if isinstance(instance, dict):
        for name, read_only, sub in node.properties:
            if name not in instance:
                continue
            if read_only:
                found.append(where + json_pointer([name]))
            elif sub is not None and isinstance(instance[name], (dict, list)):
                _read_only_walk(sub, instance[name], where + json_pointer([name]), found)
    elif isinstance(instance, list) and node.items is not None:
        for n, item in enumerate(instance):
            _read_only_walk(node.items, item, f"{where}/{n}", found)


_READ_ONLY_MAPS: dict[int, tuple[Mapping[str, Any], _ReadOnlyMap]] = {}
_NOTHING_READ_ONLY = _ReadOnlyMap()


def _read_only_map(node: Mapping[str, Any], components: Mapping[str, Any]) -> _ReadOnlyMap:
    """The read-only map of a resolved schema, worked out once per schema object (and kept only once it is
    whole, so that another thread never reads one half made)."""
    entry = _READ_ONLY_MAPS.get(id(node))
    if entry is not None and entry[0] is node:
        return entry[1]
    building: dict[int, tuple[Mapping[str, Any], _ReadOnlyMap]] = {}
    found = _made_read_only_map(node, components, building)
    _READ_ONLY_MAPS.update(building)
    return found


def _made_read_only_map(
    node: Mapping[str, Any],
    components: Mapping[str, Any],
    building: dict[int, tuple[Mapping[str, Any], _ReadOnlyMap]],
) -> _ReadOnlyMap:
    entry = building.get(id(node)) or _READ_ONLY_MAPS.get(id(node))
    if entry is not None and entry[0] is node:
        return entry[1]
    if not node:
        return _NOTHING_READ_ONLY
    if not _leads_to_read_only(node, components):
        building[id(node)] = (node, _NOTHING_READ_ONLY)
        return _NOTHING_READ_ONLY
    found = _ReadOnlyMap()
    building[id(node)] = (node, found)  # before its parts: a cycle of `$ref`s comes back to it
    for name, (read_only, sub) in _properties(node, components).items():
        target = resolve(sub, components)
        if read_only:
            found.properties.append((name, True, None))
        elif _leads_to_read_only(target, components):
            found.properties.append((name, False, _made_read_only_map(target, components, building)))
    items = node.get("items")
    target = resolve(items, components) if isinstance(items, dict) else {}
    if _leads_to_read_only(target, components):
        found.items = _made_read_only_map(target, components, building)
    return found


def _leads_to_read_only(node: Mapping[str, Any], components: Mapping[str, Any]) -> bool:
    """A resolved schema has a read-only property, or leads to one through a property that is not read-only
    or through its array items (cycles of `$ref` included)."""
    seen: list[Mapping[str, Any]] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if not current or any(current is s for s in seen):
            continue
        seen.append(current)
        properties = _properties(current, components)
        if any(read_only for read_only, _ in properties.values()):
            return True
        pending += [resolve(sub, components) for read_only, sub in properties.values() if not read_only]
        items = current.get("items")
        if isinstance(items, dict):
            pending.append(resolve(items, components))
    return False


_PROPERTIES: dict[int, tuple[Mapping[str, Any], dict[str, tuple[bool, Any]]]] = {}


def _properties(node: Mapping[str, Any], components: Mapping[str, Any]) -> dict[str, tuple[bool, Any]]:
    """A schema's properties by name: (read-only, sub-schema), worked out once per schema object."""
    entry = _PROPERTIES.get(id(node))
    if entry is None or entry[0] is not node:
        properties = {
            name: (
                bool(
                    resolve(sub, components).get("readOnly")
                    or (isinstance(sub, dict) and sub.get("readOnly"))
                ),
                sub,
            )
            for name, sub in node.get("properties", {}).items()
        }
        entry = (node, properties)
        _PROPERTIES[id(node)] = entry
    return entry[1]


def resolve(schema: Any, components: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema a `$ref` chain ends at ({} for anything that is not a schema)."""
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 32:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        seen += 1
    return schema if isinstance(schema, dict) else {}
