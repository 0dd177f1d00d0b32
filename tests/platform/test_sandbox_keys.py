"""Subscription keys: required, known, and held to the organizations and segregation codes they were given."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_support import ORG, Client, iuv, option, position, rules_of

from pagoconf.engine.config import ConfigError
from pagoconf.platform.sandbox import Sandbox

OTHER_ORG = "01234567890"
CONFIG = f"""
sanp = "3.8.0"

[sandbox]

[[sandbox.key]]
value = "broker-key"

[[sandbox.key]]
value = "one-org-key"
organizations = ["{ORG}"]

[[sandbox.key]]
value = "segregated-key"
organizations = ["{ORG}"]
segregation_codes = ["47"]
"""


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A sandbox whose keys come from a config file."""
    path = tmp_path_factory.mktemp("keys") / "pagoconf.toml"
    path.write_text(CONFIG, encoding="utf-8")
    with Sandbox(config=path) as sandbox:
        yield sandbox


def test_a_key_restricted_to_organizations_is_refused_elsewhere(configured: Sandbox) -> None:
    client = Client(configured, key="one-org-key")
    assert client.list(org=ORG).status == 200
    answer = client.list(org=OTHER_ORG)
    assert answer.status == 403 and rules_of(client.last(), warning=False) == {"GPD-004"}
    assert Client(configured, key="broker-key").list(org=OTHER_ORG).status == 200


def test_a_segregated_key_touches_only_its_iuvs(configured: Sandbox) -> None:
    segregated = Client(configured, key="segregated-key")
    broker = Client(configured, key="broker-key")
    ours = position(None, option(iuv(code="47")))
    theirs = position(None, option(iuv(code="01")))
    assert segregated.create(ours).status == 201
    refused = segregated.create(theirs)
    assert refused.status == 403 and rules_of(segregated.last(), warning=False) == {"GPD-030"}
    assert refused.json["title"] == "Action is forbidden"
    assert broker.create(theirs).status == 201
    assert segregated.get(theirs["iupd"]).status == 403
    assert segregated.delete(theirs["iupd"]).status == 403
    assert segregated.get(ours["iupd"]).status == 200
    listed = {p["iupd"] for p in segregated.list({"page": 0, "limit": 50}).json["payment_position_list"]}
    assert ours["iupd"] in listed and theirs["iupd"] not in listed


def test_a_segregated_key_reads_only_its_receipts(configured: Sandbox) -> None:
    segregated = Client(configured, key="segregated-key")
    broker = Client(configured, key="broker-key")
    theirs = broker.created(position(None, option(iuv(code="01"))), publish=True)
    other_iuv = theirs["paymentOption"][0]["iuv"]
    broker.pay(other_iuv)
    assert broker.payments("GET", f"/payments/{ORG}/receipts/{other_iuv}").status == 200
    assert segregated.payments("GET", f"/payments/{ORG}/receipts/{other_iuv}").status == 403


def test_the_key_is_required_and_must_be_known(configured: Sandbox) -> None:
    for key in (None, "", "broker-key-but-not-quite"):
        client = Client(configured, key=key)
        answer = client.list()
        assert answer.status == 401 and answer.json["title"] == "UNAUTHORIZED"
        assert rules_of(client.last(), warning=False) == {"GPD-003"}


def test_a_sandbox_without_keys_generates_one() -> None:
    with Sandbox() as sandbox:
        (key,) = sandbox.keys.keys
        assert key.id == "generated" and len(key.value) >= 32
        assert Client(sandbox, key=key.value).list().status == 200


def test_the_request_id_is_echoed_or_made_up(configured: Sandbox) -> None:
    client = Client(configured, key="broker-key")
    assert client.list(headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    assert len(client.list().headers["X-Request-Id"]) == 36


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[sandbox]\nstrcit = true\n", "unknown key '[sandbox] strcit'"),
        ('[[sandbox.key]]\nvalue = "k"\norgs = ["1"]\n', "unknown key '[sandbox.key 1] orgs'"),
        (
            '[[sandbox.key]]\nvalue = "k"\nsegregation_codes = ["7"]\n',
            "'7' is not a two-digit segregation code",
        ),
        ('[[sandbox.key]]\norganizations = ["1"]\n', "value: is required"),
        ('[[sandbox.key]]\nvalue = "k"\n[[sandbox.key]]\nvalue = "k"\n', "repeats another key"),
        ("[sandbox\n", "is not valid TOML"),
    ],
)
def test_a_bad_config_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "pagoconf.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Sandbox(config=path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_the_config_can_make_the_sandbox_strict(tmp_path: Path) -> None:
    path = tmp_path / "pagoconf.toml"
    path.write_text('[sandbox]\nstrict = true\n[[sandbox.key]]\nvalue = "k"\n', encoding="utf-8")
    with Sandbox(config=path) as sandbox:
        assert sandbox.strict
        assert Client(sandbox, key="k").create(position(), to_publish="True").status == 400
