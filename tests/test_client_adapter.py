"""The partner adapter: its protocol (a JSON Schema every request pagoconf builds and every answer it accepts
keeps), its two transports (a command, an HTTP endpoint), and what a missing, failing, silent or chattering
adapter does to a run: the scenario is broken (exit 3) with the adapter's stderr as evidence, never failed,
never a traceback."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from support import ManyRuns, conformance, rules_with

from pagoconf.platform.adapter import PROTOCOL, AdapterBroken, CommandAdapter, HttpAdapter
from pagoconf.platform.adapter.protocol import ACTIONS, read_answer, request, schema
from pagoconf.platform.client.command import ACTIONS as CLIENT_ACTIONS

DOUBLE = str(Path(__file__).with_name("adapter_double.py"))
PLATFORM = {"gpd": "http://127.0.0.1:1/gpd", "key": "k", "organization": "77777777777"}
POSITION = {"iupd": "P-1", "paymentOption": [{"iuv": "01000000000000001", "amount": 100}]}
ARGUMENTS: dict[str, dict[str, Any]] = {
    "createPosition": {"position": POSITION, "publish": False},
    "updatePosition": {"iupd": "P-1", "position": POSITION, "publish": True},
    "publishPosition": {"iupd": "P-1"},
    "invalidatePosition": {"iupd": "P-1"},
    "deletePosition": {"iupd": "P-1"},
    "noticeStatus": {"noticeNumber": "301000000000000001", "fiscalCode": "77777777777"},
    "uploadPositions": {"positions": [POSITION]},
    "acaPosition": {"change": "cancel", "position": {"paFiscalCode": "77777777777", "iuv": "1", "amount": 5}},
    "startCheckout": {
        "notices": [
            {"noticeNumber": "301000000000000001", "fiscalCode": "77777777777", "amount": 1,
             "companyName": "Comune", "description": "TARI"}
        ]
    },
    "freshNotice": {"kind": "payable"},
}  # fmt: skip


HEAD = b'{"protocol": "pagoconf-adapter/1", '


def double(mode: str, *args: str, timeout: float = 5.0) -> CommandAdapter:
    return CommandAdapter([sys.executable, DOUBLE, mode, *args], timeout=timeout)


# --- the protocol ---------------------------------------------------------------------------------------


def test_the_schema_is_a_valid_json_schema_and_every_action_has_a_request_and_a_result() -> None:
    jsonschema_rs.validator_for(schema())  # raises if the document is not a schema
    assert set(ARGUMENTS) == set(ACTIONS)
    results = schema()["$defs"]["result"]
    assert set(ACTIONS) <= set(results)
    assert set(CLIENT_ACTIONS) == set(ACTIONS) - {"freshNotice"}


@pytest.mark.parametrize("action", ACTIONS)
def test_every_request_pagoconf_builds_keeps_the_protocol(action: str) -> None:
    built = request(action, "id-1", PLATFORM, **ARGUMENTS[action])
    assert built["protocol"] == PROTOCOL and built["action"] == action and built["platform"] == PLATFORM
    assert jsonschema_rs.validator_for(schema()).is_valid(built)


def test_a_request_that_breaks_the_protocol_is_pagoconfs_own_defect() -> None:
    with pytest.raises(ValueError, match="the protocol does not allow"):
        request("createPosition", "id-1", PLATFORM, position={"iupd": "x"})  # no publish, no options
    with pytest.raises(ValueError, match="unknown adapter action"):
        request("payEverything", "id-1", PLATFORM)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "printed nothing"),
        (b"<html/>", "is not JSON"),
        (b"[1]", "not a JSON object"),
        (b'{"protocol": "pagoconf-adapter/0", "id": "id-1", "ok": true, "result": {}}', "speaks protocol"),
        (HEAD + b'"id": "id-1", "ok": true}', "breaks pagoconf-adapter/1"),
        (HEAD + b'"id": "id-1", "ok": false}', "breaks pagoconf-adapter/1"),
        (HEAD + b'"id": "id-9", "ok": true, "result": {"iupd": "P"}}', "answers request"),
        (
            HEAD + b'"id": "id-1", "action": "publishPosition", "ok": true, "result": {}}',
            "asked createPosition, the adapter answered publishPosition",
        ),
        (HEAD + b'"id": "id-1", "ok": true, "result": {"x": 1}}', "not the result"),
    ],
)  # fmt: skip
def test_an_answer_that_is_not_the_protocols_is_broken(raw: bytes, message: str) -> None:
    asked = request("createPosition", "id-1", PLATFORM, **ARGUMENTS["createPosition"])
    with pytest.raises(AdapterBroken, match=message):
        read_answer(asked, raw, call=None)  # type: ignore[arg-type]


def test_a_partner_that_says_no_is_an_answer_not_a_break() -> None:
    asked = request("createPosition", "id-1", PLATFORM, **ARGUMENTS["createPosition"])
    answer = double("refuse").ask(asked)
    assert answer.ok is False and answer.error == "this system does not do that"


# --- the transports --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adapter", "message"),
    [
        (CommandAdapter(["/no/such/adapter"], timeout=5), "cannot be started"),
        (double("exit"), "exited with status 3 on createPosition; it said on stderr: the adapter exploded"),
        (double("hang", timeout=0.5), "did not answer createPosition within 0.5 s"),
        (double("garbage"), "is not JSON: 'hello, this is not JSON'"),
        (double("wrong-id"), "answers request 'another-request'"),
        (double("wrong-action"), "asked createPosition, the adapter answered deletePosition"),
        (double("bad-result"), "the result of createPosition is not the result of createPosition"),
    ],
)
def test_a_command_that_breaks_says_how_and_keeps_its_stderr(adapter: CommandAdapter, message: str) -> None:
    asked = request("createPosition", "id-1", PLATFORM, **ARGUMENTS["createPosition"])
    with pytest.raises(AdapterBroken, match=message.replace("(", r"\(").replace(")", r"\)")) as broken:
        adapter.ask(asked)
    call = broken.value.call
    assert call is not None and call.request == (json.dumps(asked, separators=(",", ":")) + "\n").encode()
    if "exploded" in message:
        assert b"no route to the partner's system" in call.stderr and call.exit_status == 3


class _Adapter(BaseHTTPRequestHandler):
    """An adapter served over HTTP: answers each request as the reference client would refuse it."""

    status = 200

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (stdlib name)
        asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body = json.dumps({"protocol": PROTOCOL, "id": asked["id"], "ok": False, "error": "later"}).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def http_adapter() -> Iterator[tuple[str, type[_Adapter]]]:
    handler = type("Handler", (_Adapter,), {"status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/adapter", handler
    server.shutdown()


def test_an_http_adapter_answers_in_a_200_and_is_broken_otherwise(http_adapter: tuple[str, Any]) -> None:
    url, handler = http_adapter
    asked = request("publishPosition", "id-7", PLATFORM, iupd="P-1")
    answer = HttpAdapter(url, timeout=5).ask(asked)
    assert answer.ok is False and answer.error == "later"
    handler.status = 503
    with pytest.raises(AdapterBroken, match="answered publishPosition with HTTP 503, not 200"):
        HttpAdapter(url, timeout=5).ask(asked)
    with pytest.raises(AdapterBroken, match="gave no answer to publishPosition"):
        HttpAdapter("http://127.0.0.1:9/adapter", timeout=2).ask(asked)


# --- a run with a broken adapter --------------------------------------------------------------------------


def _config(tmp_path: Path, mode: str, timeout: float = 5) -> Path:
    path = tmp_path / "pagoconf.toml"
    command = json.dumps([sys.executable, DOUBLE, mode])
    path.write_text(
        f"[adapter]\ncommand = {command}\ntimeout = {timeout}\n\n[client]\ncapabilities = []\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def runs() -> Iterator[ManyRuns]:
    runner = ManyRuns()
    yield runner
    runner.close()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["exit", "garbage", "hang"])
def test_a_broken_adapter_makes_the_run_inconclusive_never_not_conformant(
    runs: ManyRuns, tmp_path: Path, mode: str
) -> None:
    reports = tmp_path / "reports"
    config = str(_config(tmp_path, mode, timeout=1))
    proc = runs(
        "run", "--suite", "async", "--config", config, "--reports", str(reports),
        "-k", "publishing_a_draft or every_request_carries",
    )  # fmt: skip
    assert proc.returncode == 3, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    doc = conformance(reports)
    assert doc["verdict"] == "INCONCLUSIVE" and rules_with(doc, "failed") == set()
    assert {"CLIENT-002", "GPD-003", "CLIENT-009"} <= rules_with(doc, "broken")
    assert doc["scenarios"]["broken"] == 2 and doc["scenarios"]["failed"] == 0
    reason = {r["id"]: r.get("reason", "") for r in doc["rules"]}["CLIENT-002"]
    assert "the partner adapter broke" in reason
    if mode == "exit":
        assert "the adapter exploded" in reason
        attached = [p.read_bytes() for p in (reports / "allure-results").glob("*-attachment.txt")]
        assert any(b"no route to the partner's system" in a for a in attached)


def test_an_adapter_config_mistake_is_one_line_exit_2(runs: ManyRuns, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    for text, message in (
        ('[adapter]\ncommand = "x"\nurl = "http://h/a"\n', "give exactly one of command or url"),
        ("[adapter]\ntimeout = 3\n", "give exactly one of command or url"),
        ('[adapter]\nurl = "ftp://h"\n', "is not an http(s) URL"),
        ('[adapter]\ncommand = "x"\n[client]\norganization = "12"\n', "is not an 11-digit fiscal code"),
        ('[adapter]\ncommand = "x"\n[client]\ncapabilities = ["fax"]\n', "unknown 'fax'"),
        ('[adapter]\ncommand = "x"\ncomand = "y"\n', "unknown key '[adapter] comand'"),
    ):
        bad.write_text(text, encoding="utf-8")
        proc = runs("run", "--suite", "async", "--config", str(bad), "--reports", str(tmp_path / "r"))
        assert proc.returncode == 2 and message in proc.stderr, (text, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1
    bad.write_text('[adapter]\ncommand = "x"\n', encoding="utf-8")
    proc = runs("run", "--config", str(bad), "--client-defect", "no-key", "--reports", str(tmp_path / "r"))
    assert proc.returncode == 2 and "--client-defect applies to the embedded reference client" in proc.stderr
