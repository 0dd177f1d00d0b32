"""The Checkout cart API: each CHECKOUT rule broken and kept, the 302 to the cart's page, the key and the
journal as for the GPD APIs, and what SANP 3.13.0 adds (checkout_v1.json; the v2 API, returnWaitingUrl)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from checkout_support import EC, KEY, cart, journal, made_up, post_cart
from sandbox_support import Answer, rules_of

from pagoconf.engine.config import ConfigError
from pagoconf.engine.rules import catalogue
from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.checks import GPD, OUTCOMES, judge
from pagoconf.platform.sandbox.journal import read_journal
from pagoconf.platform.sandbox.request import case_from_entry

RESTRICTED = "restricted-key-0123"
CONFIG = f"""
[sandbox]
[[sandbox.key]]
value = "{KEY}"
[[sandbox.key]]
value = "{RESTRICTED}"
organizations = ["{EC}"]
"""
Post = Callable[[Sandbox], Answer]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A SANP 3.8.0 sandbox with no station: carts are judged and kept, never paid here."""
    config = tmp_path_factory.mktemp("checkout") / "pagoconf.toml"
    config.write_text(CONFIG, encoding="utf-8")
    with Sandbox(config=config) as sb:
        yield sb


def _post(body: Any, **kw: Any) -> Post:
    return lambda sb: post_cart(sb, body, **kw)


def _raw(data: bytes, content_type: str = "application/json") -> Post:
    return lambda sb: post_cart(sb, None, raw=data, headers={"Content-Type": content_type})


def _notices(count: int) -> dict[str, Any]:
    return {**cart(), "paymentNotices": [made_up(n) for n in range(1, count + 1)]}


def _urls(**urls: Any) -> dict[str, Any]:
    body = cart()
    body["returnUrls"] = {**body["returnUrls"], **urls}
    return {**body, "returnUrls": {k: v for k, v in body["returnUrls"].items() if v is not None}}


GOOD = _post(cart())
CASES: list[tuple[str, int, Post, Post]] = [
    ("CHECKOUT-001", 401, _post(cart(), key=None), GOOD),
    ("CHECKOUT-001", 401, _post(cart(), key="not-a-key"), GOOD),
    ("CHECKOUT-002", 403, _post(cart(), key=RESTRICTED), _post(cart(made_up(fiscalCode=EC)), key=RESTRICTED)),
    ("CHECKOUT-003", 400, _raw(b"paymentNotices=1", "text/plain"), GOOD),
    ("CHECKOUT-003", 400, _raw(b'{"paymentNotices": '), GOOD),
    ("CHECKOUT-003", 400, _raw(b""), GOOD),
    (
        "CHECKOUT-010",
        400,
        _post(cart(made_up(companyName="C" * 141))),
        _post(cart(made_up(companyName="C" * 140))),
    ),
    (
        "CHECKOUT-010",
        400,
        _post(cart(emailNotice="not-an-address")),
        _post(cart(emailNotice="m.rossi@example.it")),
    ),
    ("CHECKOUT-010", 400, _post(cart(allCCP="false")), _post(cart(allCCP=False))),
    ("CHECKOUT-010", 400, _post(cart({k: v for k, v in made_up().items() if k != "description"})), GOOD),
    ("CHECKOUT-011", 400, _post(_notices(0)), _post(_notices(5))),
    ("CHECKOUT-011", 400, _post(_notices(6)), _post(_notices(1))),
    ("CHECKOUT-011", 400, _post({"returnUrls": cart()["returnUrls"]}), GOOD),
    ("CHECKOUT-012", 400, _post(cart(made_up(amount=12.5))), _post(cart(made_up(amount=1250)))),
    ("CHECKOUT-012", 400, _post(cart(made_up(amount=0))), _post(cart(made_up(amount=1)))),
    ("CHECKOUT-012", 400, _post(cart(made_up(amount="1250"))), GOOD),
    ("CHECKOUT-013", 400, _post(cart(made_up(noticeNumber="30200000000000001"))), GOOD),
    ("CHECKOUT-013", 400, _post(cart(made_up(noticeNumber="30200000000000001X"))), GOOD),
    ("CHECKOUT-013", 400, _post(cart(made_up(fiscalCode="7777777777A"))), GOOD),
    ("CHECKOUT-014", 400, _post(_urls(returnOkUrl="www.comune.di.prova.it/pagopa/success.html")), GOOD),
    ("CHECKOUT-014", 400, _post(_urls(returnErrorUrl="javascript:alert(1)")), GOOD),
    ("CHECKOUT-014", 400, _post(_urls(returnCancelUrl="ftp://ec.example.it/cancel")), GOOD),
    (
        "CHECKOUT-014",
        400,
        _post(_urls(returnErrorUrl=None)),
        _post(_urls(returnErrorUrl="http://10.0.0.1:8080/e")),
    ),
    ("CHECKOUT-015", 400, _post(cart(made_up(1), made_up(1))), _post(cart(made_up(1), made_up(2)))),
]


@pytest.mark.parametrize(
    ("rule_id", "status", "bad", "good"), CASES, ids=[f"{r}-{n}" for n, (r, *_) in enumerate(CASES)]
)
def test_a_broken_rule_is_refused_with_a_problem_and_named_in_the_journal(
    sandbox: Sandbox, rule_id: str, status: int, bad: Post, good: Post
) -> None:
    answer = bad(sandbox)
    assert answer.status == status, answer.data
    assert set(answer.json) == {"title", "status", "detail"} and answer.json["status"] == status
    entry = journal(sandbox)[-1]
    assert entry["operation"] == "PostCarts" and entry["status"] == status
    assert rule_id in rules_of(entry, warning=False), entry["findings"]
    kept = good(sandbox)
    assert kept.status == 302, kept.data
    assert rule_id not in rules_of(journal(sandbox)[-1])


def test_an_id_cart_longer_than_a_payment_note_is_kept_with_a_warning(sandbox: Sandbox) -> None:
    answer = post_cart(sandbox, cart(idCart="c" * 211))
    assert answer.status == 302
    assert rules_of(journal(sandbox)[-1], warning=True) == {"CHECKOUT-016"}
    assert post_cart(sandbox, cart(idCart="c" * 210)).status == 302
    assert rules_of(journal(sandbox)[-1]) == set()


def test_a_valid_cart_is_answered_302_to_its_checkout_page(sandbox: Sandbox) -> None:
    answer = post_cart(sandbox, cart(idCart="EC-cart-1", emailNotice="m.rossi@example.it"))
    assert answer.status == 302
    location = answer.headers["Location"]
    assert location.startswith(sandbox.url + "/checkout/c/") and len(location.rsplit("/", 1)[1]) == 32
    entry = journal(sandbox)[-1]
    assert entry["api"] == "checkout" and entry["findings"] == []
    assert entry["response_headers"]["Location"] == location
    assert entry["request_headers"]["ocp-apim-subscription-key"] == "***redacted***"


def test_a_validation_error_points_into_the_cart(sandbox: Sandbox) -> None:
    answer = post_cart(sandbox, cart(made_up(1), made_up(2, amount=9.99, noticeNumber="1" * 17)))
    assert answer.json["title"] == "Bad Request" and "/paymentNotices/1/amount" in answer.json["detail"]
    found = {(f["rule"], f["where"]) for f in journal(sandbox)[-1]["findings"]}
    assert found == {
        ("CHECKOUT-012", "/paymentNotices/1/amount"),
        ("CHECKOUT-013", "/paymentNotices/1/noticeNumber"),
    }


def test_other_methods_on_the_carts_path_are_405(sandbox: Sandbox) -> None:
    r = urllib3.request(
        "GET", sandbox.base_urls["checkout"] + "/carts", headers={"Ocp-Apim-Subscription-Key": KEY}
    )
    assert r.status == 405 and r.json()["status"] == 405


def test_the_findings_are_the_same_when_the_journal_is_judged_again(tmp_path: Path) -> None:
    config = tmp_path / "pagoconf.toml"
    config.write_text(CONFIG, encoding="utf-8")
    with Sandbox(config=config, db=tmp_path / "s.db") as sb:
        for _, _, bad, good in CASES[::3]:
            bad(sb)
            good(sb)
        post_cart(sb, cart(idCart="c" * 300))
    entries = read_journal(tmp_path / "s.db", sanp="3.8.0")
    assert any(e.findings for e in entries)
    for entry in entries:
        assert judge(case_from_entry(entry, sanp="3.8.0")).findings == entry.findings, entry.seq


def test_3_13_0_reads_checkout_v1_json_and_adds_the_v2_api_with_a_waiting_url() -> None:
    with Sandbox(sanp="3.13.0", keys=[KEY]) as sb:
        assert set(sb.base_urls) >= {"checkout", "checkout_v2"}
        assert post_cart(sb, cart()).status == 302
        assert post_cart(sb, cart(), version="checkout_v2").status == 400
        assert rules_of(journal(sb)[-1], warning=False) == {"CHECKOUT-014"}
        waiting = cart(base="https://ec.example.it")
        waiting["returnUrls"]["returnWaitingUrl"] = "https://ec.example.it/waiting"
        answer = post_cart(sb, waiting, version="checkout_v2")
        assert answer.status == 302 and journal(sb)[-1]["operation"] == "PostCartsV2"
        page = urllib3.request("GET", answer.headers["Location"]).data.decode()
        assert '/wait"' in page and "<button" in page
    with Sandbox(sanp="3.8.0", keys=[KEY]) as sb:
        assert "checkout_v2" not in sb.base_urls
        r = urllib3.request(
            "POST", sb.url + "/checkout/ec/v2/carts", json=waiting, headers={"Ocp-Apim-Subscription-Key": KEY}
        )
        assert r.status == 404


def test_every_checkout_rule_has_a_check_an_answer_and_a_case() -> None:
    rules = {r.id for r in catalogue().values() if r.id.startswith("CHECKOUT-")}
    assert rules <= set(GPD.by_rule) and rules <= set(OUTCOMES)
    assert rules == {c[0] for c in CASES} | {"CHECKOUT-016"}
    for rule_id in rules:
        assert set(catalogue()[rule_id].applies_to) == {"PostCarts", "PostCartsV2"}


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('url = "http://127.0.0.1:1/paForNode"', "id_pa"),
        ('url = "ftp://x/y"\nid_pa = "1"\nid_broker_pa = "2"\nid_station = "3"', r"not an http\(s\) URL"),
        (
            'url = "http://h/p"\nid_pa = "1"\nid_broker_pa = "2"\nid_station = "3"\nprimitive_version = 3',
            "1 or 2",
        ),
        (
            'url = "http://h/p"\nid_pa = "1"\nid_broker_pa = "2"\nid_station = "3"\nidStation = "3"',
            "idStation",
        ),
    ],
)
def test_the_station_table_is_read_strictly(tmp_path: Path, table: str, problem: str) -> None:
    config = tmp_path / "pagoconf.toml"
    config.write_text(f"[sandbox]\n[sandbox.station]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        Sandbox(config=config)
