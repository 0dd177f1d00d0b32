"""The sandbox's JSON writer: orjson's compact output on the hot path, the standard library's for what
orjson refuses, the same data either way."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pagoconf.platform.sandbox.context import json_reply
from pagoconf.platform.sandbox.jsontext import PASSTHROUGH_DATETIME, dumps, text


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [1.5, None, True], "città": "Perù ✓"},
        {"amount": 10**30},  # beyond 64 bits: orjson refuses it
        {1: "a key that is not a string"},  # orjson refuses it; json writes "1"
        [2**64, -(2**70)],
    ],
)
def test_whatever_a_client_sent_is_written_and_reads_back(value: object) -> None:
    written = dumps(value)
    assert json.loads(written) == json.loads(json.dumps(value))
    assert b": " not in written and b", " not in written  # compact both ways
    assert text(value) == written.decode()


def test_date_times_go_to_default_when_asked() -> None:
    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert dumps({"at": moment}, default=lambda o: "T", option=PASSTHROUGH_DATETIME) == b'{"at":"T"}'


def test_an_answer_with_a_huge_number_is_still_an_answer() -> None:
    reply = json_reply(200, {"amount": 10**25})
    assert reply.status == 200 and json.loads(reply.body) == {"amount": 10**25}
