"""The partner adapter protocol, pagoconf-adapter/1: one JSON request, one JSON answer, checked against the
JSON Schema beside this file (protocol.schema.json). An answer that is not the protocol's, or not the answer
to the request asked, is the adapter's fault: AdapterBroken, never a conformance failure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

PROTOCOL = "pagoconf-adapter/1"
SCHEMA_FILE = Path(__file__).with_name("protocol.schema.json")
ACTIONS = (
    "createPosition",
    "updatePosition",
    "publishPosition",
    "invalidatePosition",
    "deletePosition",
    "noticeStatus",
    "uploadPositions",
    "acaPosition",
    "startCheckout",
    "freshNotice",
)
MAX_ANSWER = 5 * 1024 * 1024
SHOWN = 300


class AdapterBroken(Exception):
    """The adapter could not be asked, or did not answer with the protocol: a harness/adapter problem (the
    scenario is broken, exit 3), never something the partner's system did on the wire."""

    def __init__(self, reason: str, call: AdapterCall | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.call = call


@dataclass(frozen=True, slots=True)
class AdapterCall:
    """The evidence of one adapter call: what was asked, what came back (stderr too), how long it took."""

    transport: str  # "command: python -m …" or "http: https://…"
    request: bytes
    answer: bytes = b""
    stderr: bytes = b""
    elapsed_ms: float = 0.0
    exit_status: int | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """An adapter's answer, read: done (`ok`) with its `result`, or not, with the partner's `error`."""

    action: str
    ok: bool
    result: Mapping[str, Any] = field(default_factory=dict)
    error: str = ""
    call: AdapterCall | None = None


@cache
def schema() -> Mapping[str, Any]:
    """The protocol's JSON Schema."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def _validator(pointer: str) -> Any:
    return jsonschema_rs.validator_for({"$ref": f"#/$defs/{pointer}", "$defs": schema()["$defs"]})


def problems(value: Any, pointer: str) -> list[str]:
    """How `value` breaks the protocol's definition at `#/$defs/<pointer>` ('' when it does not)."""
    found = []
    for error in _validator(pointer).iter_errors(value):
        where = "/" + "/".join(str(p) for p in error.instance_path)
        found.append(f"{where}: {error.message}"[:SHOWN])
    return found


def request(action: str, request_id: str, platform: Mapping[str, Any], **arguments: Any) -> dict[str, Any]:
    """A protocol request; ValueError if pagoconf itself built one the protocol does not allow."""
    if action not in ACTIONS:
        raise ValueError(f"unknown adapter action {action!r}")
    body = {"protocol": PROTOCOL, "id": request_id, "action": action, "platform": dict(platform), **arguments}
    wrong = problems(body, "request")
    if wrong:
        raise ValueError(f"pagoconf built an adapter request the protocol does not allow: {wrong[0]}")
    return body


def encode(body: Mapping[str, Any]) -> bytes:
    """A request as the bytes sent (one line of UTF-8 JSON)."""
    return (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def read_answer(asked: Mapping[str, Any], raw: bytes, call: AdapterCall) -> Answer:
    """The answer to `asked` in `raw`; AdapterBroken says how it is not one."""
    action = str(asked["action"])
    if len(raw) > MAX_ANSWER:
        raise AdapterBroken(f"the answer to {action} exceeds {MAX_ANSWER} bytes", call)
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        raise AdapterBroken(f"the adapter printed nothing in answer to {action}", call)
    try:
        value = json.loads(text)
    except ValueError:
        raise AdapterBroken(f"the answer to {action} is not JSON: {_shown(text)}", call) from None
    if not isinstance(value, dict):
        raise AdapterBroken(f"the answer to {action} is not a JSON object: {_shown(text)}", call)
    if value.get("protocol") != PROTOCOL:
        raise AdapterBroken(
            f"the answer to {action} speaks protocol {value.get('protocol')!r}, not {PROTOCOL!r}", call
        )
    wrong = problems(value, "answer")
    if wrong:
        raise AdapterBroken(f"the answer to {action} breaks {PROTOCOL}: {wrong[0]}", call)
    if value["id"] != asked["id"]:
        raise AdapterBroken(
            f"the answer to {action} (request {asked['id']}) answers request {value['id']!r}", call
        )
    if value.get("action", action) != action:
        raise AdapterBroken(f"asked {action}, the adapter answered {value['action']}", call)
    if not value["ok"]:
        return Answer(action, False, error=str(value["error"]), call=call)
    result = value["result"]
    wrong = problems(result, f"result/{action}")
    if wrong:
        raise AdapterBroken(f"the result of {action} is not the result of {action}: {wrong[0]}", call)
    return Answer(action, True, result, call=call)


def _shown(text: str) -> str:
    return repr(text[:SHOWN]) + ("…" if len(text) > SHOWN else "")
