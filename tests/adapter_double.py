"""A partner adapter for the harness's own tests, as a command: `python adapter_double.py MODE [ARGS]`.

Modes: `fresh NUMBERS.json LOG.jsonl` answers freshNotice with the next number of its kind from the file
(and logs each request); `exit`, `hang`, `garbage`, `wrong-id`, `wrong-action`, `bad-result` and `refuse`
misbehave as named (what a broken or unwilling adapter does)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

PROTOCOL = "pagoconf-adapter/1"


def main(argv: list[str]) -> int:
    mode = argv[0]
    request = json.loads(sys.stdin.read())
    head = {"protocol": PROTOCOL, "id": request["id"]}
    if mode == "exit":
        print("the adapter exploded: no route to the partner's system", file=sys.stderr)
        return 3
    if mode == "hang":
        time.sleep(60)
        return 0
    if mode == "garbage":
        print("hello, this is not JSON")
        return 0
    if mode == "wrong-id":
        print(json.dumps({**head, "id": "another-request", "ok": True, "result": {"iupd": "X"}}))
        return 0
    if mode == "wrong-action":
        print(json.dumps({**head, "action": "deletePosition", "ok": True, "result": {"iupd": "X"}}))
        return 0
    if mode == "bad-result":
        print(json.dumps({**head, "ok": True, "result": {"created": True}}))
        return 0
    if mode == "refuse":
        print(json.dumps({**head, "ok": False, "error": "this system does not do that"}))
        return 0
    if mode == "fresh":
        numbers_file, log = Path(argv[1]), Path(argv[2])
        with log.open("a", encoding="utf-8") as f:
            f.write(json.dumps(request) + "\n")
        numbers = json.loads(numbers_file.read_text(encoding="utf-8"))
        left = numbers.get(request.get("kind"), [])
        if request["action"] != "freshNotice" or not left:
            print(json.dumps({**head, "ok": False, "error": f"no fresh {request.get('kind')} notice"}))
            return 0
        numbers[request["kind"]] = left[1:]
        numbers_file.write_text(json.dumps(numbers), encoding="utf-8")
        print(json.dumps({**head, "ok": True, "result": {"noticeNumber": left[0]}}))
        return 0
    print(f"unknown mode {mode}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
