"""The harness under a hostile station: each misbehaviour a clear verdict, in time, in bounded memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import HostileStation
from support import conformance, pagoconf

from pagoconf.engine.transport import TransportSettings
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks import judge
from pagoconf.sync.client import SoapClient
from pagoconf.sync.schema import pa_for_node_schema

DEADLINE = 0.8
BOUND = 1024 * 1024


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileStation]:
    with HostileStation() as station:
        yield station


def exchange_with(hostile: HostileStation, behaviour: str) -> tuple[Answer, list[str]]:
    client = SoapClient(
        hostile.url(behaviour), TransportSettings(max_response_bytes=BOUND), timeouts={"sync": DEADLINE}
    )
    try:
        ex = client.call("paVerifyPaymentNotice", b"<x/>")
    finally:
        client.close()
    answer = Answer.of(ex, pa_for_node_schema("3.8.0"))
    failed = sorted({v.rule for j in judge(answer) for v in j.violations})
    return answer, failed


@pytest.mark.parametrize(
    ("behaviour", "rule"),
    [
        ("entity-bomb", "SOAP-003"),
        ("deep-nesting", "SOAP-003"),
        ("not-utf8", "SOAP-003"),
        ("wrong-content-type", "SOAP-002"),
        ("not-http", "SOAP-003"),
        ("trickled-headers", "TIME-001"),
        ("never-ends", "TIME-001"),
        ("silence", "TIME-001"),
        ("flood", "SOAP-003"),
    ],
)
def test_each_misbehaviour_is_a_clear_failure_within_the_deadline(
    hostile: HostileStation, behaviour: str, rule: str
) -> None:
    tracemalloc.start()
    answer, failed = exchange_with(hostile, behaviour)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ex = answer.exchange
    assert rule in failed, (ex.error, failed)
    assert not ex.unreachable  # the station was reached: this is its doing, not an inconclusive run
    assert ex.elapsed_ms < (DEADLINE + 1.0) * 1000
    assert len(ex.response) <= BOUND
    assert peak < 8 * BOUND, f"peak memory {peak} bytes"


def test_an_entity_bomb_is_never_expanded(hostile: HostileStation) -> None:
    answer, _ = exchange_with(hostile, "entity-bomb")
    assert answer.envelope is None and "DOCTYPE" in (answer.parse_error or "")


def test_a_run_against_a_url_that_does_not_speak_http_is_inconclusive_and_says_so(
    tmp_path: Path, hostile: HostileStation
) -> None:
    config = tmp_path / "hostile.toml"
    assert pagoconf("station", "--write-config", str(config)).returncode == 0
    proc = pagoconf(
        "run",
        "--config",
        str(config),
        "--station",
        hostile.url("not-http"),
        "--reports",
        str(tmp_path / "r"),
        timeout=120,
    )
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = conformance(tmp_path / "r")
    assert doc["verdict"] == "INCONCLUSIVE" and "does not answer HTTP" in doc["aborted"]
    assert "does not answer HTTP" in proc.stdout
    assert not {r["id"] for r in doc["rules"] if r["status"] in ("failed", "passed")}
    assert "Traceback" not in proc.stdout + proc.stderr
