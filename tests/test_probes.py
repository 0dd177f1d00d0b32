"""Hostile probes and the property runner, on their own (no station)."""

from __future__ import annotations

import urllib.request

import pytest

from pagoconf.sync import soap as wire
from pagoconf.sync import xmlsafe
from pagoconf.sync.canary import Canary
from pagoconf.sync.config import Identity
from pagoconf.sync.requests.primitives import verify_request
from pagoconf.sync.requests.probes import (
    OVERSIZE_BYTES,
    deeply_nested,
    entity_bomb,
    external_entity,
    oversized,
    respelled,
)
from pagoconf.sync.schema import pa_for_node_schema

ID = Identity("77777777777", "88888888888", "88888888888_01")
USUAL = verify_request(ID, ID.id_pa, "301100000000000148")


def request_of(envelope: bytes):  # type: ignore[no-untyped-def]
    return wire.body_children(xmlsafe.parse(envelope))[0]


@pytest.mark.parametrize(
    ("soap", "pafn"), [("s", "p"), (None, None), ("soap", None), (None, "x"), ("a", "a")]
)
def test_respelled_requests_mean_the_same(soap: str | None, pafn: str | None) -> None:
    usual, other = request_of(USUAL), request_of(respelled(USUAL, soap_prefix=soap, pafn_prefix=pafn))
    assert pa_for_node_schema("3.8.0").errors(other) == []
    assert other.tag == usual.tag and [(c.tag, c.text) for c in other.iter()] == [
        (c.tag, c.text) for c in usual.iter()
    ]


@pytest.mark.parametrize(
    "hostile", [entity_bomb(USUAL), external_entity(USUAL, "http://127.0.0.1:9/x"), deeply_nested(USUAL)]
)
def test_the_harness_itself_refuses_its_own_hostile_probes(hostile: bytes) -> None:
    with pytest.raises(xmlsafe.UnsafeXml):
        xmlsafe.parse(hostile)


def test_an_oversized_request_has_the_announced_size_and_is_still_the_same_request() -> None:
    big = oversized(USUAL)
    assert len(big) == OVERSIZE_BYTES
    root = xmlsafe.parse(big, max_bytes=2 * OVERSIZE_BYTES)
    assert (
        wire.body_children(root)[0].findtext("idPA") == ID.id_pa
    )  # a comment pads it: the request is unchanged


def test_the_canary_knows_which_url_was_fetched() -> None:
    with Canary() as canary:
        fetched, untouched = canary.url(), canary.url()
        with urllib.request.urlopen(fetched, timeout=5) as r:  # noqa: S310 (loopback only)
            assert r.status == 200
        assert canary.fetched(fetched) and not canary.fetched(untouched)
