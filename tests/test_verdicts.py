"""Verdicts a partner can trust: passed means judged, one defect is one red rule, and the operator's
mistakes are never the station's defects (each case here was once reported wrongly)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree
from support import PAGOCONF, conformance, pagoconf, rules_with

from pagoconf.engine.server import AsgiServer
from pagoconf.sync.reference import ReferenceStation, station_class
from pagoconf.sync.reference.app import StationApp
from pagoconf.sync.reference.model import ACTIVATIONS, Reply, plain

pytestmark = pytest.mark.slow


class PlainWebServer(BaseHTTPRequestHandler):
    """What a mistyped URL often reaches: a web server that answers every POST with HTML."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (stdlib name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"<html><body><h1>501 Not Implemented</h1></body></html>"
        self.send_response(501)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def web_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), PlainWebServer)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/paForNode"
    httpd.shutdown()


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("config") / "pagoconf.toml"
    assert pagoconf("station", "--write-config", str(path)).returncode == 0
    return path


class MalformedActivation:
    """A station whose activations answer HTTP 500 with malformed XML, all else conformant."""

    def __init__(self) -> None:
        base = station_class(())

        class Broken(base):  # type: ignore[misc, valid-type]
            def answer(self, data: bytes, soap_action: str | None = None) -> Reply:
                reply = super().answer(data, soap_action)
                return plain(500, "<oops") if reply.operation in ACTIVATIONS else reply

        self.model = Broken(primitive_version=2)
        self.server = AsgiServer(StationApp(self.model)).start()
        self.url = f"http://127.0.0.1:{self.server.port}/paForNode"

    def stop(self) -> None:
        self.server.stop()
        self.model.close()


# --- passed means judged -------------------------------------------------------------------------


def test_a_property_with_nothing_to_judge_never_passes(tmp_path: Path) -> None:
    proc = pagoconf(
        "run", "--defect", "unqualified-wrapper", "--defect", "prefix-sensitive", "-m", "property",
        "--profile", "hardening", "--reports", str(tmp_path),
    )  # fmt: skip
    doc = conformance(tmp_path)
    assert proc.returncode == 1 and doc["verdict"] == "NOT_CONFORMANT", proc.stdout[-2000:]
    assert "SOAP-003" in rules_with(doc, "failed")
    assert "ROBUST-002" not in rules_with(doc, "passed")


def test_a_plain_web_server_is_not_a_station_and_nothing_passes(
    tmp_path: Path, config: Path, web_server: str
) -> None:
    proc = pagoconf("run", "--config", str(config), "--station", web_server, "--reports", str(tmp_path))
    doc = conformance(tmp_path)
    assert proc.returncode == 3 and doc["verdict"] == "INCONCLUSIVE"
    assert "is the path right?" in doc["aborted"] and "HTTP 501" in doc["aborted"]
    assert "is the path right?" in proc.stdout
    assert rules_with(doc, "passed") == set() and rules_with(doc, "failed") == set()
    assert doc["exchanges"] == 1  # one request told it all


def test_a_rule_whose_activation_half_was_never_judged_is_not_passed(tmp_path: Path, config: Path) -> None:
    station = MalformedActivation()
    try:
        proc = pagoconf("run", "--config", str(config), "--station", station.url, "--reports", str(tmp_path))
    finally:
        station.stop()
    doc = conformance(tmp_path)
    assert proc.returncode == 1 and {"SOAP-001", "SOAP-003"} <= rules_with(doc, "failed")
    rules = {r["id"]: r for r in doc["rules"]}
    for rid in ("STATE-002", "STATE-004", "ACTIVATE-001"):
        assert rules[rid]["status"] == "not_run", rules[rid]
        assert "not judged" in rules[rid]["reason"]
    # the broken-request property's activations get the same 500: ROBUST-001 sees it too
    allowed = {"SOAP-001", "SOAP-002", "SOAP-003", "SOAP-004", "SCHEMA-001", "ROBUST-001"}
    assert rules_with(doc, "failed") <= allowed


# --- one defect, one red rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("defect", "rule"), [("transfers-do-not-add-up", "ACTIVATE-005"), ("json-content-type", "SOAP-002")]
)
def test_one_defect_is_one_red_rule_in_every_report(tmp_path: Path, defect: str, rule: str) -> None:
    proc = pagoconf("run", "--defect", defect, "--reports", str(tmp_path))
    doc = conformance(tmp_path)
    assert proc.returncode == 1 and rules_with(doc, "failed") == {rule}
    assert doc["scenarios"]["failed"] == 0 and doc["scenarios"]["passed"] > 40
    suite = etree.parse(str(tmp_path / "junit.xml")).getroot().find("testsuite")
    assert suite is not None
    failing = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name", "").split()[0] for c in failing] == [rule]
    message = failing[0].find("failure").get("message", "")  # type: ignore[union-attr]
    assert rule in message and "#" in message and "attachment" in message
    allure = [json.loads(p.read_text()) for p in (tmp_path / "allure-results").glob("*-result.json")]
    assert [r["name"].split()[0] for r in allure if r["status"] == "failed"] == [rule]
    titles = [
        r["name"] for r in allure if r.get("labels") and any(lb["value"] == "Verify" for lb in r["labels"])
    ]
    assert len(titles) == len(set(titles))  # each example of an outline has its own title
    html = (tmp_path / "conformance.html").read_text(encoding="utf-8")
    assert html.count('class="failure"') == 1 and f'id="{rule}"' in html


# --- the operator's mistakes -----------------------------------------------------------------------


def _untouched(reports: Path) -> Path:
    reports.mkdir(parents=True, exist_ok=True)
    marker = reports / "conformance.json"
    marker.write_text('{"verdict": "EARLIER"}', encoding="utf-8")
    return marker


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--station", "htp:/x"], "is not an http(s) URL"),
        (["--station", ""], "the station URL is empty"),
        (["--station", "station.example.it/paForNode"], "no scheme"),
        (["--defect", "no-such-defect"], "unknown defect 'no-such-defect'"),
        (["--hypothesis-profile", "nope"], "unknown --hypothesis-profile 'nope'"),
        (["-k", "verify and"], "-k 'verify and' is not a valid expression"),
        (["-m", "nosuchtag"], "unknown tag 'nosuchtag'; the features are tagged"),
        (["--timeout", "-1"], "--timeout must be a positive number"),
    ],
)
def test_a_mistake_on_the_command_line_is_one_line_exit_2_and_touches_nothing(
    tmp_path: Path, config: Path, args: list[str], message: str
) -> None:
    marker = _untouched(tmp_path / "r")
    extra = ["--config", str(config)] if args[0] == "--station" else []
    started = time.monotonic()
    proc = pagoconf("run", *extra, *args, "--reports", str(tmp_path / "r"))
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr + proc.stdout[-1000:]
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert marker.read_text() == '{"verdict": "EARLIER"}'
    assert time.monotonic() - started < 20


def test_reports_on_a_file_or_an_unwritable_place_is_exit_2(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    for where, message in ((a_file, "is not a folder"), (tmp_path / "missing" / "r", "does not exist")):
        proc = pagoconf("run", "--reports", str(where))
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert pagoconf("run", "--reports", str(locked)).returncode == 2


@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        ("verify_tls = true", "verfy_tls = true", "unknown key '[station] verfy_tls'"),
        ("[timeouts]", "[timeout]", "unknown table 'timeout'"),
        ("capabilities = [", 'capabilities = "multi"\nunused = [', "[station] capabilities: must be a list"),
    ],
)
def test_an_unknown_key_or_a_wrong_type_in_the_config_is_exit_2_naming_key_and_file(
    tmp_path: Path, config: Path, line: str, replacement: str, message: str
) -> None:
    broken = tmp_path / "broken.toml"
    original = config.read_text(encoding="utf-8")
    assert line in original
    broken.write_text(original.replace(line, replacement, 1), encoding="utf-8")
    proc = pagoconf("run", "--config", str(broken), "--reports", str(tmp_path / "r"))
    assert proc.returncode == 2 and message in proc.stderr and str(broken) in proc.stderr, proc.stderr


def test_station_port_out_of_range_is_exit_2() -> None:
    proc = pagoconf("station", "--port", "99999")
    assert proc.returncode == 2 and "between 0 and 65535" in proc.stderr and "Traceback" not in proc.stderr


def test_a_second_run_on_used_up_test_data_says_so_and_is_not_a_failure(tmp_path: Path) -> None:
    config = tmp_path / "pagoconf.toml"
    with ReferenceStation(db=tmp_path / "station.sqlite") as station:
        assert pagoconf("station", "--write-config", str(config), "--port", str(station.port)).returncode == 0
        first = pagoconf(
            "run", "--config", str(config), "--reports", str(tmp_path / "first"), "-m", "receipts"
        )
        second = pagoconf(
            "run", "--config", str(config), "--reports", str(tmp_path / "second"), "-m", "receipts"
        )
    assert first.returncode == 0, first.stdout[-2000:]
    doc = conformance(tmp_path / "second")
    assert second.returncode == 3 and doc["verdict"] == "INCONCLUSIVE" and rules_with(doc, "failed") == set()
    assert any("is already paid" in n and "prepare fresh [notices.to_pay]" in n for n in doc["notes"])
    assert "prepare fresh [notices.to_pay]" in second.stdout


def test_interrupting_a_run_says_so_in_the_reports(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*PAGOCONF, "run", "--reports", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list((tmp_path / "allure-results").glob("*-result.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    doc = conformance(tmp_path)
    assert proc.returncode == 3 and doc["verdict"] == "INCONCLUSIVE", out[-2000:]
    assert "interrupted" in (doc["aborted"] or "")
    suite = etree.parse(str(tmp_path / "junit.xml")).getroot().find("testsuite")
    assert suite is not None and int(suite.get("errors", "0")) + int(suite.get("failures", "0")) >= 1


def test_profiles_decide_whether_pagoconfs_own_advice_counts(tmp_path: Path) -> None:
    certification = pagoconf("run", "--defect", "fault-id-is-station", "--reports", str(tmp_path / "c"))
    doc = conformance(tmp_path / "c")
    assert certification.returncode == 0 and doc["profile"] == "certification"
    (fault_id,) = [r for r in doc["rules"] if r["id"] == "FAULT-003"]
    assert fault_id["status"] == "failed" and fault_id["advice"] and not fault_id["required"]
    hardening = pagoconf(
        "run", "--defect", "fault-id-is-station", "--profile", "hardening", "--reports", str(tmp_path / "h")
    )
    assert hardening.returncode == 1 and conformance(tmp_path / "h")["profile"] == "hardening"


def test_a_slow_station_is_not_waited_for_again_and_again(tmp_path: Path) -> None:
    proc = pagoconf(
        "run", "--defect", "slow-verify", "--station-delay", "1.2", "--timeout", "0.4",
        "--reports", str(tmp_path),
    )  # fmt: skip
    doc = conformance(tmp_path)
    assert proc.returncode == 1 and rules_with(doc, "failed") == {"TIME-001"}
    (time_001,) = [r for r in doc["rules"] if r["id"] == "TIME-001"]
    assert len({v["exchange"] for v in time_001["violations"]}) <= 3  # asked, late, late: then no more


@pytest.mark.parametrize("command", ["run", "station", "validate", "rules", "contracts", "sandbox", "client"])
def test_every_command_helps_with_a_description_the_exit_codes_and_an_example(command: str) -> None:
    proc = pagoconf(command, "--help")
    assert proc.returncode == 0
    assert "exit codes" in proc.stdout or command == "contracts"
    assert "example" in proc.stdout.lower()
    if command == "run":
        assert "feature tags" in proc.stdout and "pa_for_node" in proc.stdout and "--config" in proc.stdout


def test_dev_reads_relative_paths_from_where_the_user_is(tmp_path: Path) -> None:
    dev = Path(__file__).resolve().parents[1] / "dev"
    proc = subprocess.run(
        ["sh", str(dev), "pagoconf", "station", "--write-config", "mine.toml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "mine.toml").exists()
