"""The reference client as an adapter command: one protocol request on stdin, one answer on stdout; what
the platform refused is an answer with ok=false, never an exit status (non-zero: the adapter broke)."""

from __future__ import annotations

import json
import sys

from pagoconf.platform.client.defects import client_class
from pagoconf.platform.client.reference import ReferenceClient, Refused
from pagoconf.platform.client.state import ClientState

TYPE_CHECKING = False  # see reference.py
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    Action = Callable[[ReferenceClient, Mapping[str, Any]], dict[str, Any]]

PROTOCOL = "pagoconf-adapter/1"
USAGE = "usage: python -m pagoconf.platform.client [--defect NAME]... [--state FILE] [--front-end URL]"
OPTIONS = {"--defect": "defect", "--state": "state", "--front-end": "front_end"}
ACTIONS: dict[str, Action] = {
    "createPosition": lambda c, r: c.create_position(r["position"], bool(r.get("publish"))),
    "updatePosition": lambda c, r: c.update_position(r["iupd"], r["position"], bool(r.get("publish"))),
    "publishPosition": lambda c, r: c.publish_position(r["iupd"]),
    "invalidatePosition": lambda c, r: c.invalidate_position(r["iupd"]),
    "deletePosition": lambda c, r: c.delete_position(r["iupd"]),
    "noticeStatus": lambda c, r: c.notice_status(r["noticeNumber"], r.get("fiscalCode")),
    "uploadPositions": lambda c, r: c.upload_positions(list(r["positions"])),
    "acaPosition": lambda c, r: c.aca_position(r["change"], r["position"]),
    "startCheckout": lambda c, r: c.start_checkout(list(r["notices"]), r.get("emailNotice")),
}


def answer(request: Mapping[str, Any], client: ReferenceClient) -> dict[str, Any]:
    """The protocol answer to one request."""
    head = {"protocol": PROTOCOL, "id": str(request.get("id", "")), "action": request.get("action")}
    action = ACTIONS.get(str(request.get("action")))
    if action is None:
        return {**head, "ok": False, "error": f"the reference client does not {request.get('action')}"}
    try:
        result = action(client, request)
    except Refused as refused:
        return {**head, "ok": False, "error": str(refused)}
    return {**head, "ok": True, "result": result}


def options(argv: list[str]) -> dict[str, list[str]] | None:
    """The command line's options (None when it is not this command's): argparse costs a start its import."""
    found: dict[str, list[str]] = {"defect": [], "state": [], "front_end": []}
    pairs = iter(argv)
    for flag in pairs:
        name, value = OPTIONS.get(flag), next(pairs, None)
        if name is None or value is None:
            return None
        found[name].append(value)
    return found


def main(argv: list[str]) -> int:
    """Read the request, answer it, remember what the platform now holds."""
    given = options(argv)
    if given is None:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        request = json.loads(sys.stdin.read())
    except ValueError as exc:
        print(f"the request is not JSON: {exc}", file=sys.stderr)
        return 2
    if not isinstance(request, dict) or request.get("protocol") != PROTOCOL:
        print(f"not a {PROTOCOL} request", file=sys.stderr)
        return 2
    state = ClientState(given["state"][-1] if given["state"] else None)
    front_end = given["front_end"][-1] if given["front_end"] else None
    client = client_class(given["defect"])(request.get("platform") or {}, state, front_end=front_end)
    reply = answer(request, client)
    state.save()
    sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
    return 0
