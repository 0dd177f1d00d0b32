"""The command line: validate (single and batch), rules, station, and its error handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import pagoconf

from pagoconf.engine.rules import catalogue
from pagoconf.sync.config import Identity
from pagoconf.sync.reference import DEFECTS, IDENTITY, station_class
from pagoconf.sync.reference.data import seed_notices
from pagoconf.sync.requests.primitives import get_payment_request, verify_request

ID = Identity(IDENTITY.id_pa, IDENTITY.id_broker_pa, IDENTITY.id_station)


def station_answer(request: bytes, action: str, defects: tuple[str, ...] = ()) -> bytes:
    """What the reference station (optionally with defects) answers, without HTTP."""
    return station_class(defects)().answer(request, action).body


@pytest.fixture(scope="module")
def payable() -> str:
    return seed_notices()["payable"][0].nav


@pytest.fixture
def captured(tmp_path: Path, payable: str) -> tuple[Path, Path]:
    req = verify_request(ID, ID.id_pa, payable)
    (tmp_path / "req.xml").write_bytes(req)
    (tmp_path / "res.xml").write_bytes(station_answer(req, "paVerifyPaymentNotice"))
    return tmp_path / "req.xml", tmp_path / "res.xml"


def test_validate_accepts_a_conformant_answer(captured: tuple[Path, Path]) -> None:
    req, res = captured
    proc = pagoconf(
        "validate", "--operation", "paVerifyPaymentNotice", "--request", str(req), str(res), "--json"
    )
    assert proc.returncode == 0, proc.stderr
    verdict = json.loads(proc.stdout)
    assert verdict["conformant"] is True and verdict["operation"] == "paVerifyPaymentNotice"
    assert verdict["violations"] == [] and "VERIFY-004" in verdict["checked"]


def test_validate_names_the_rule_a_broken_answer_breaks(tmp_path: Path, payable: str) -> None:
    req = verify_request(ID, ID.id_pa, payable)
    (tmp_path / "res.xml").write_bytes(station_answer(req, "paVerifyPaymentNotice", ("options-any",)))
    proc = pagoconf("validate", "--operation", "paVerifyPaymentNotice", str(tmp_path / "res.xml"), "--json")
    assert proc.returncode == 1
    verdict = json.loads(proc.stdout)
    assert verdict["conformant"] is False
    assert verdict["violations"] == [
        {
            "rule": "VERIFY-003",
            "severity": "critical",
            "message": "expected options = EQ; actual options = ANY",
            "where": "/paVerifyPaymentNoticeRes/paymentList/paymentOptionDescription/options",
        }
    ]
    human = pagoconf("validate", "--operation", "paVerifyPaymentNotice", str(tmp_path / "res.xml"))
    assert human.returncode == 1 and "VERIFY-003" in human.stdout and "docs.pagopa.it" in human.stdout


def test_validate_uses_the_request_when_given(tmp_path: Path, payable: str) -> None:
    req = verify_request(ID, ID.id_pa, payable)
    other = verify_request(ID, "99999999999", payable)  # the answer describes 77777777777, not 99999999999
    (tmp_path / "req.xml").write_bytes(other)
    (tmp_path / "res.xml").write_bytes(station_answer(req, "paVerifyPaymentNotice"))
    proc = pagoconf(
        "validate",
        "--operation",
        "paVerifyPaymentNotice",
        "--request",
        str(tmp_path / "req.xml"),
        str(tmp_path / "res.xml"),
        "--json",
    )
    assert proc.returncode == 1
    assert [v["rule"] for v in json.loads(proc.stdout)["violations"]] == ["VERIFY-004"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--operation", "paVerifyPaymentNotice", "missing.xml"], "cannot read missing.xml"),
        (["--operation", "paNothing", "res.xml"], "unknown operation 'paNothing'"),
        (["notxml.xml"], "cannot tell the operation from the envelope: pass --operation"),
        ([], "validate needs a RESPONSE.xml"),
    ],
)
def test_validate_refuses_its_own_unusable_input_in_one_line(
    captured: tuple[Path, Path], args: list[str], message: str
) -> None:
    folder = captured[1].parent
    (folder / "notxml.xml").write_text("this is not xml")
    proc = pagoconf("validate", *[str(folder / a) if a.endswith(".xml") else a for a in args])
    assert proc.returncode == 2
    assert message in proc.stderr.replace(str(folder) + "/", "")
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("content", "actual"),
    [
        ("this is not xml", "not well-formed XML"),
        ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><l>&b;</l>', "DOCTYPE"),
        ("", "the captured answer is empty"),
    ],
)
def test_an_answer_that_is_not_xml_is_the_stations_failure(tmp_path: Path, content: str, actual: str) -> None:
    (tmp_path / "res.xml").write_text(content)
    proc = pagoconf("validate", "--operation", "paVerifyPaymentNotice", str(tmp_path / "res.xml"), "--json")
    assert proc.returncode == 1, proc.stderr
    (violation,) = json.loads(proc.stdout)["violations"]
    assert violation["rule"] == "SOAP-003" and actual in violation["message"]


def test_validate_tells_the_operation_from_the_envelope(captured: tuple[Path, Path]) -> None:
    req, res = captured
    proc = pagoconf("validate", "--request", str(req), str(res), "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["operation"] == "paVerifyPaymentNotice"


def test_validate_batch_answers_each_line_in_order(tmp_path: Path, payable: str) -> None:
    verify = verify_request(ID, ID.id_pa, payable)
    activate = get_payment_request(ID, ID.id_pa, payable, version=2)
    lines = [
        {
            "operation": "paVerifyPaymentNotice",
            "request": verify.decode(),
            "response": station_answer(verify, "paVerifyPaymentNotice").decode(),
        },
        {
            "operation": "paGetPaymentV2",
            "request": activate.decode(),
            "response": station_answer(activate, "paGetPaymentV2", ("transfers-do-not-add-up",)).decode(),
        },
        {"operation": "paGetPaymentV2", "response": "garbage"},
        {"response": "<x/>"},
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(x) for x in lines) + "\n\nnot json\n")
    proc = pagoconf("validate", "--batch", str(batch))
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert proc.returncode == 2  # some lines were unusable
    assert [o["line"] for o in out] == [1, 2, 3, 4, 5, 6]  # one output line per input line, blank included
    assert out[0]["conformant"] is True
    assert out[1]["conformant"] is False and [v["rule"] for v in out[1]["violations"]] == ["ACTIVATE-005"]
    assert out[2]["conformant"] is False and out[2]["violations"][0]["rule"] == "SOAP-003"
    assert "cannot tell the operation" in out[3]["error"]
    assert out[4] == {"line": 5, "blank": True} and "error" in out[5]
    stdin = pagoconf("validate", "--batch", "-", input=json.dumps(lines[0]) + "\n")
    assert stdin.returncode == 0 and json.loads(stdin.stdout)["conformant"] is True


def test_rules_lists_the_catalogue_with_scenarios() -> None:
    proc = pagoconf("rules", "--json")
    rows = json.loads(proc.stdout)
    assert [r["id"] for r in rows] == list(catalogue())
    assert all(r["scenarios"] or r["not_tested"] or r["kind"] == "always" for r in rows)
    assert all(
        r["spec"].startswith("https://docs.pagopa.it/sanp/sanp-3.8.0/") for r in rows if r["suite"] == "sync"
    )
    assert "VERIFY-003" in pagoconf("rules").stdout


def test_station_lists_its_defects_with_their_rules() -> None:
    proc = pagoconf("station", "--list-defects", "--json")
    rows = json.loads(proc.stdout)
    assert len(rows) >= 15 and {r["name"] for r in rows} == set(DEFECTS)
    assert all(r["rule"] in catalogue() and r["description"] for r in rows)
    assert "transfers-do-not-add-up" in pagoconf("station", "--list-defects").stdout


def test_unknown_defect_and_bad_config_are_usage_errors(tmp_path: Path) -> None:
    proc = pagoconf("run", "--defect", "no-such-defect", "--reports", str(tmp_path))
    assert proc.returncode == 2 and "no-such-defect" in proc.stdout + proc.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[station]\nurl = 'http://127.0.0.1:9/paForNode'\n")
    proc = pagoconf("run", "--config", str(bad), "--reports", str(tmp_path))
    assert proc.returncode == 2 and "id_pa: is required" in proc.stdout + proc.stderr
    proc = pagoconf("run", "--config", str(tmp_path / "absent.toml"), "--reports", str(tmp_path))
    assert proc.returncode == 2 and "does not exist" in proc.stdout + proc.stderr


def test_missing_contracts_are_a_clear_error_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "contracts"
    (empty / "sanp-3.8.0").mkdir(parents=True)
    proc = pagoconf("run", "--contracts", str(empty), "--reports", str(tmp_path / "r"))
    assert proc.returncode == 2, proc.stdout[-2000:]
    assert "pagoconf contracts fetch" in proc.stdout + proc.stderr
    proc = pagoconf("validate", "--contracts", str(empty), "--operation", "paVerifyPaymentNotice", "x.xml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
