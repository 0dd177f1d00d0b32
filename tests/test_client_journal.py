"""Journal mode: a partner runs its own flows against `pagoconf sandbox --db FILE`, then `pagoconf run --suite
async --journal FILE` judges what was recorded, offline, with the same reports: every request by the contract
and the platform's rules, the sequences by the client rules that read them; what needs a driven scenario is
not run, with the reason; a file that is not a sandbox journal of the run's SANP version is exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from support import ManyRuns, conformance, rules_with

from pagoconf.platform.journal_mode import DRIVEN_ONLY
from pagoconf.platform.sandbox import Sandbox

pytestmark = pytest.mark.slow

ORG = "77777777777"
KEY = "journal-key-0123456789"
_http = urllib3.PoolManager(retries=False)


class Partner:
    """A partner's own system against a sandbox: the reference client's command for the good flows, raw
    HTTP for the bad habits a journal must show."""

    def __init__(self, sandbox: Sandbox, state: Path) -> None:
        urls = sandbox.base_urls
        self.urls = urls
        apis = ("gpd", "gpd_payments", "gpd_massive", "aca", "checkout")
        identity = {"key": KEY, "organization": ORG, "broker": "88888888888", "segregationCode": "01"}
        self.platform = {**{k: urls[k] for k in apis}, **identity}
        self.state = state
        self.count = 0

    def ask(self, action: str, **arguments: Any) -> dict[str, Any]:
        self.count += 1
        request = {"protocol": "pagoconf-adapter/1", "id": str(self.count), "action": action,
                   "platform": self.platform, **arguments}  # fmt: skip
        proc = subprocess.run(
            [sys.executable, "-m", "pagoconf.platform.client", "--state", str(self.state)],
            input=json.dumps(request), capture_output=True, text=True, check=True,
        )  # fmt: skip
        answer: dict[str, Any] = json.loads(proc.stdout)
        return answer

    def raw(self, method: str, path: str, body: Any = None, **headers: str) -> int:
        sent = {"Ocp-Apim-Subscription-Key": KEY, "X-Request-Id": f"raw-{self.count}", **headers}
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            sent["Content-Type"] = "application/json"
        return int(_http.request(method, self.urls["gpd"] + path, body=data, headers=sent).status)

    def pay(self, iuv: str) -> None:
        _http.request("POST", f"{self.urls['control']}/organizations/{ORG}/paymentoptions/{iuv}/pay")


def position(iupd: str, iuv: str, amount: int = 12_345) -> dict[str, Any]:
    return {
        "iupd": iupd, "type": "F", "fiscalCode": "RSSMRA80A01H501U", "fullName": "Mario Rossi",
        "companyName": "Comune di Prova", "switchToExpired": False,
        "paymentOption": [{
            "iuv": iuv, "amount": amount, "description": "TARI", "isPartialPayment": False,
            "dueDate": "2031-01-01T00:00:00Z",
            "transfer": [{"idTransfer": "1", "amount": amount, "remittanceInformation": "TARI 2031",
                          "category": "9/0101108TS/", "iban": "IT60X0542811101000000123456"}],
        }],
    }  # fmt: skip


@pytest.fixture(scope="module")
def journals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Two recorded sessions: a partner with good habits, and one with bad ones."""
    folder = tmp_path_factory.mktemp("journals")
    good, bad = folder / "good.db", folder / "bad.db"
    with Sandbox(keys=[KEY], db=good) as sandbox:
        partner = Partner(sandbox, folder / "good-state.json")
        assert partner.ask("createPosition", position=position("J-1", "01000000000000101"), publish=True)[
            "ok"
        ]
        partner.pay("01000000000000101")
        assert partner.ask("noticeStatus", noticeNumber="301000000000000101")["result"]["paid"] is True
        assert not partner.ask("updatePosition", iupd="J-1", position=position("J-1", "01000000000000101"),
                               publish=False)["ok"]  # fmt: skip
    with Sandbox(keys=[KEY], db=bad) as sandbox:
        partner = Partner(sandbox, folder / "bad-state.json")
        assert partner.raw("POST", f"/organizations/{ORG}/debtpositions?toPublish=true",
                           position("B-1", "01000000000000201")) == 201  # fmt: skip
        partner.pay("01000000000000201")
        for _ in range(2):  # an update of a paid position, refused (409), sent again unchanged
            assert (
                partner.raw(
                    "PUT", f"/organizations/{ORG}/debtpositions/B-1", position("B-1", "01000000000000201")
                )
                == 409
            )
        assert (
            partner.raw("POST", f"/organizations/{ORG}/debtpositions", position("B-2", "01000000000000301"))
            == 201
        )
        cart = {"paymentNotices": [{"noticeNumber": "301000000000000301", "fiscalCode": ORG, "amount": 12_345,
                                    "companyName": "Comune di Prova", "description": "TARI"}],
                "returnUrls": {n: f"https://ente.example.it/{n}" for n in ("returnOkUrl", "returnCancelUrl",
                                                                             "returnErrorUrl")}}  # fmt: skip
        status = _http.request("POST", partner.urls["checkout"] + "/carts", body=json.dumps(cart).encode(),
                               headers={"Ocp-Apim-Subscription-Key": KEY, "Content-Type": "application/json",
                                        "X-Request-Id": "raw-cart"},
                               redirect=False).status  # fmt: skip
        assert status == 302  # a cart for a notice whose position is still a draft
    yield {"good": good, "bad": bad}


@pytest.fixture(scope="module")
def runs() -> Iterator[ManyRuns]:
    runner = ManyRuns()
    yield runner
    runner.close()


def _judge(
    runs: ManyRuns, journal: Path, reports: Path, *extra: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = runs("run", "--suite", "async", "--journal", str(journal), "--reports", str(reports), *extra)
    return proc, conformance(reports)


def test_a_partner_with_good_habits_is_conformant_on_what_its_journal_shows(
    runs: ManyRuns, journals: dict[str, Path], tmp_path: Path
) -> None:
    proc, doc = _judge(runs, journals["good"], tmp_path, "--profile", "hardening")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert doc["verdict"] == "CONFORMANT" and doc["target"]["async"]["journal"] == str(journals["good"])
    passed = rules_with(doc, "passed")
    assert {"GPD-003", "GPD-044", "CLIENT-009"} <= passed  # always-on rules and a sequence, each judged
    rules = {r["id"]: r for r in doc["rules"]}
    for rid in ("CLIENT-001", "CLIENT-002", "CLIENT-004", "CLIENT-011", "CLIENT-013"):
        assert rules[rid]["status"] == "not_run" and not rules[rid]["required"]
        assert DRIVEN_ONLY in rules[rid]["reason"], rules[rid]
    assert "holds nothing to judge it on" in rules["CLIENT-006"]["reason"]  # no 429 was recorded
    for name in ("junit.xml", "conformance.md", "conformance.html", "allure-results"):
        assert (tmp_path / name).exists(), name


def test_a_partner_with_bad_habits_is_caught_by_the_sequences_its_journal_holds(
    runs: ManyRuns, journals: dict[str, Path], tmp_path: Path
) -> None:
    proc, doc = _judge(runs, journals["bad"], tmp_path, "--profile", "hardening", "--no-allure")
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert doc["verdict"] == "NOT_CONFORMANT"
    assert rules_with(doc, "failed") == {"GPD-062", "CLIENT-003", "CLIENT-005", "CLIENT-014"}
    rules = {r["id"]: r for r in doc["rules"]}
    assert "sent it again" in rules["CLIENT-005"]["violations"][0]["actual"]
    assert "DRAFT" in rules["CLIENT-014"]["violations"][0]["actual"]
    assert "CLIENT-003" in proc.stdout and rules_with(doc, "broken") == set()


def test_a_file_that_is_not_a_journal_of_the_runs_sanp_is_exit_2(
    runs: ManyRuns, journals: dict[str, Path], tmp_path: Path
) -> None:
    other = tmp_path / "other.txt"
    other.write_text("not a database", encoding="utf-8")
    for args, message in (
        (["--journal", str(other)], "is not a pagoconf sandbox journal"),
        (["--journal", str(tmp_path / "missing.db")], "does not exist"),
        (["--journal", str(journals["good"]), "--sanp", "3.13.0"], "not 3.13.0 (judge it with --sanp 3.8.0)"),
    ):
        proc = runs("run", "--suite", "async", *args, "--reports", str(tmp_path / "r"))
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
