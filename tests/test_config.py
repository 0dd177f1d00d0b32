"""pagoconf.toml: what a partner writes, and clear errors when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from pagoconf.sync.config import ConfigError, load, parse
from pagoconf.identifiers import has_valid_check_digit
from pagoconf.sync.notices import MissingData, NoticeBook
from pagoconf.sync.reference import write_config

STATION = {
    "url": "http://127.0.0.1:9/paForNode",
    "id_pa": "77777777777",
    "id_broker_pa": "88888888888",
    "id_station": "88888888888_01",
}


def test_the_reference_stations_config_round_trips(tmp_path: Path) -> None:
    target = load(write_config(tmp_path / "p.toml", "http://127.0.0.1:8086/paForNode"))
    assert target.station.identity.id_pa == "77777777777" and target.station.primitive_version == 2
    assert {"v2", "multi", "postal", "bollo", "spontaneous"} <= target.capabilities
    assert target.notices["payable"] and target.to_pay["payable"] and target.spontaneous is not None
    v1 = load(write_config(tmp_path / "v1.toml", "http://127.0.0.1:8086/paForNode", primitive_version=1))
    assert "bollo" not in v1.capabilities and "bollo" not in v1.to_pay


def test_notices_to_pay_are_handed_out_once_each() -> None:
    target = parse({"station": STATION, "notices": {"to_pay": {"payable": ["301100000000010155"]}}})
    book = NoticeBook(target)
    assert book.to_pay("payable").number == "301100000000010155"
    with pytest.raises(MissingData, match="no unused \\[notices.to_pay\\] payable left"):
        book.to_pay("payable")


def test_never_issued_notices_have_the_stations_segregation_code_and_a_right_check_digit() -> None:
    target = parse({"station": STATION, "notices": {"payable": ["304200000000000148"]}})
    book = NoticeBook(target)
    numbers = {book.never_issued().number for _ in range(50)}
    assert len(numbers) == 50 and "304200000000000148" not in numbers
    assert all(n.startswith("304") and has_valid_check_digit(n) for n in numbers)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "missing [station] table"),
        ({"station": {**STATION, "id_pa": ""}}, "id_pa is required"),
        ({"station": {**STATION, "primitive_version": 3}}, "primitive_version must be 1 or 2"),
        ({"station": {**STATION, "capabilities": ["teleport"]}}, "unknown ['teleport']"),
        (
            {"station": {**STATION, "primitive_version": 1, "capabilities": ["bollo"]}},
            "needs primitive_version 2",
        ),
        ({"station": {**STATION, "capabilities": ["spontaneous"]}}, "needs a [spontaneous] table"),
        ({"station": STATION, "notices": {"lost": ["301100000000010155"]}}, "lost: unknown kind"),
        ({"station": STATION, "notices": {"payable": ["12345"]}}, "'12345' is not an 18-digit notice number"),
        (
            {"station": STATION, "notices": {"to_pay": {"expired": ["301100000000010155"]}}},
            "[notices.to_pay] expired",
        ),
        ({"station": STATION, "timeouts": {"sync": -1}}, "[timeouts] sync must be a positive number"),
        (
            {"station": {**STATION, "headers": {"Ocp-Apim-Subscription-Key": "${PAGOCONF_TEST_UNSET_KEY}"}}},
            "PAGOCONF_TEST_UNSET_KEY",
        ),
    ],
)
def test_a_wrong_config_says_which_key_and_why(raw: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError) as err:
        parse(raw, source="p.toml")
    assert message in str(err.value) and "p.toml" in str(err.value)


def test_secret_headers_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGOCONF_TEST_KEY", "s3cret")
    target = parse({"station": {**STATION, "headers": {"Ocp-Apim-Subscription-Key": "${PAGOCONF_TEST_KEY}"}}})
    assert target.station.headers == {"Ocp-Apim-Subscription-Key": "s3cret"}
    assert "s3cret" not in str(target.describe())


def test_overrides_from_the_command_line() -> None:
    target = parse({"station": STATION}).with_overrides(
        url="http://127.0.0.1:1/x", sanp="3.13.0", primitive_version=1, timeout=0.5
    )
    assert (target.station.url, target.sanp, target.station.primitive_version) == (
        "http://127.0.0.1:1/x",
        "3.13.0",
        1,
    )
    assert target.timeouts == {"sync": 0.5, "receipt": 0.5}
