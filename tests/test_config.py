"""pagoconf.toml: what a partner writes, and clear errors, naming the key and the file, when it is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pagoconf.engine.config import ConfigError, RunConfig, load
from pagoconf.identifiers import has_valid_check_digit
from pagoconf.suites import config_keys
from pagoconf.sync.config import check_url, from_file, parse
from pagoconf.sync.notices import MissingData, NoticeBook
from pagoconf.sync.reference import write_config

STATION = {
    "url": "http://127.0.0.1:9/paForNode",
    "id_pa": "77777777777",
    "id_broker_pa": "88888888888",
    "id_station": "88888888888_01",
}
STATION_TOML = """
[station]
url = "http://127.0.0.1:9/paForNode"
id_pa = "77777777777"
id_broker_pa = "88888888888"
id_station = "88888888888_01"
"""


def target(raw: dict[str, Any], source: str = "p.toml") -> Any:
    return parse(RunConfig(source=source, raw=raw))


def test_the_reference_stations_config_round_trips(tmp_path: Path) -> None:
    t = from_file(write_config(tmp_path / "p.toml", "http://127.0.0.1:8086/paForNode"))
    assert t.station.identity.id_pa == "77777777777" and t.station.primitive_version == 2
    assert {"v2", "multi", "postal", "bollo", "spontaneous"} <= t.capabilities
    assert t.notices["payable"] and t.to_pay["payable"] and t.spontaneous is not None
    v1 = from_file(write_config(tmp_path / "v1.toml", "http://127.0.0.1:8086/paForNode", primitive_version=1))
    assert "bollo" not in v1.capabilities and "bollo" not in v1.to_pay


def test_notices_to_pay_are_handed_out_once_each() -> None:
    book = NoticeBook(
        target({"station": STATION, "notices": {"to_pay": {"payable": ["301100000000010155"]}}})
    )
    assert book.to_pay("payable").number == "301100000000010155"
    with pytest.raises(MissingData, match="no unused \\[notices.to_pay\\] payable left"):
        book.to_pay("payable")


def test_never_issued_notices_have_the_stations_segregation_code_and_a_right_check_digit() -> None:
    book = NoticeBook(target({"station": STATION, "notices": {"payable": ["304200000000000148"]}}))
    numbers = {book.never_issued().number for _ in range(50)}
    assert len(numbers) == 50 and "304200000000000148" not in numbers
    assert all(n.startswith("304") and has_valid_check_digit(n) for n in numbers)


def test_never_issued_numbers_come_from_the_configured_numbers_and_prefixes() -> None:
    whole, prefix = "399000000000000077", "3990011"
    book = NoticeBook(target({"station": STATION, "notices": {"never_issued": [whole, prefix]}}))
    numbers = {book.never_issued().number for _ in range(40)}
    assert whole in numbers
    extended = numbers - {whole}
    assert extended and all(
        n.startswith(prefix) and len(n) == 18 and has_valid_check_digit(n) for n in extended
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "station: is required"),
        ({"station": {**STATION, "id_pa": ""}}, "[station] id_pa: must not be blank"),
        ({"station": {**STATION, "primitive_version": 3}}, "primitive_version must be 1 or 2"),
        ({"station": {**STATION, "capabilities": ["teleport"]}}, "unknown ['teleport']"),
        (
            {"station": {**STATION, "capabilities": "multi"}},
            "[station] capabilities: must be a list, not 'multi'",
        ),
        ({"station": {**STATION, "verfy_tls": False}}, "unknown key '[station] verfy_tls'"),
        ({"station": {**STATION, "verify_tls": "no"}}, "[station] verify_tls: must be true or false"),
        ({"station": {**STATION, "url": "htp:/x"}}, "is not an http(s) URL"),
        (
            {"station": {**STATION, "primitive_version": 1, "capabilities": ["bollo"]}},
            "needs primitive_version 2",
        ),
        ({"station": {**STATION, "capabilities": ["spontaneous"]}}, "needs a [spontaneous] table"),
        ({"station": STATION, "notices": {"lost": ["301100000000010155"]}}, "unknown key '[notices] lost'"),
        ({"station": STATION, "notices": {"payable": ["12345"]}}, "'12345' is not an 18-digit notice number"),
        ({"station": STATION, "notices": {"never_issued": ["3x"]}}, "not a notice number or a prefix"),
        (
            {"station": STATION, "notices": {"to_pay": {"expired": ["301100000000010155"]}}},
            "[notices.to_pay] expired",
        ),
        ({"station": STATION, "timeouts": {"sync": -1}}, "[timeouts] sync: must be a positive number"),
        ({"station": STATION, "service_level": {"share": 98}}, "[service_level] share: must be a fraction"),
        (
            {"station": {**STATION, "headers": {"Ocp-Apim-Subscription-Key": "${PAGOCONF_TEST_UNSET_KEY}"}}},
            "PAGOCONF_TEST_UNSET_KEY",
        ),
    ],
)
def test_a_wrong_config_says_which_key_and_why(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        target(raw)
    assert message in str(err.value) and "p.toml" in str(err.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('sanp = "3.9.0"\n' + STATION_TOML, "sanp: must be one of '3.8.0', '3.13.0'"),
        ("sedd = 3\n" + STATION_TOML, "unknown key 'sedd'"),
        ("[timeout]\nsync = 7\n" + STATION_TOML, "unknown table 'timeout'"),
        ("seed = true\n" + STATION_TOML, "seed: must be an integer"),
        ("[station\n", "is not valid TOML"),
    ],
)
def test_the_top_level_is_strict_too(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        from_file(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_a_missing_file_or_a_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load(tmp_path / "nope.toml", suite_keys=config_keys())
    with pytest.raises(ConfigError, match="is a folder"):
        load(tmp_path, suite_keys=config_keys())


@pytest.mark.parametrize("url", ["htp:/x", "no-scheme.example/paForNode", "", "   ", "http://", "ftp://h/x"])
def test_a_station_url_must_be_http_or_https_with_a_host(url: str) -> None:
    with pytest.raises(ConfigError, match="--station"):
        check_url(url, "--station")


def test_secret_headers_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGOCONF_TEST_KEY", "s3cret")
    t = target({"station": {**STATION, "headers": {"Ocp-Apim-Subscription-Key": "${PAGOCONF_TEST_KEY}"}}})
    assert t.station.headers == {"Ocp-Apim-Subscription-Key": "s3cret"}
    assert "s3cret" not in str(t.describe())


def test_overrides_from_the_command_line() -> None:
    t = target({"station": STATION}).with_overrides(
        url="http://127.0.0.1:1/x", primitive_version=1, timeout=0.5
    )
    assert (t.station.url, t.station.primitive_version) == ("http://127.0.0.1:1/x", 1)
    assert t.timeouts == {"sync": 0.5, "receipt": 0.5}
