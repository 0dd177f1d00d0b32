"""The reference station over real HTTP: conformant answers, and each named defect on the wire."""

from __future__ import annotations

import base64
import copy
import time
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from lxml import etree

from pagoconf import wire
from pagoconf.contracts import SUPPORTED_SANP, pa_for_node_schema
from pagoconf.faults import MEANING
from pagoconf.iban import is_postal, is_valid_iban
from pagoconf.notice_numbers import has_valid_check_digit, iuv_of
from pagoconf.reference import DEFECTS, IDENTITY, ReferenceStation, seed_notices, write_config
from pagoconf.rules import catalogue

EC = IDENTITY.id_pa
OTHER_EC = "01234567890"
NOTICES = seed_notices()
UNKNOWN_NAV = "301999999999999999"
VERIFY, V1, V2 = "paVerifyPaymentNotice", "paGetPayment", "paGetPaymentV2"
ALL_OPS = (VERIFY, V1, V2)
AMOUNT_SHAPE = r"\d+\.\d{2}"


def nav(kind: str, index: int = 0) -> str:
    """The notice number of one seeded notice."""
    return NOTICES[kind][index].nav


@dataclass(frozen=True)
class Reply:
    """One HTTP exchange with the station, with the Body's first element at hand."""

    status: int
    content_type: str
    body: bytes
    elapsed: float

    @property
    def res(self) -> etree._Element:
        """The element the SOAP Body holds."""
        children = wire.body_children(etree.fromstring(self.body))
        assert children, self.body
        return children[0]

    @property
    def outcome(self) -> str | None:
        """The outcome element's text."""
        return self.res.findtext("outcome")

    @property
    def fault_code(self) -> str | None:
        """The fault bean's faultCode."""
        return self.res.findtext("fault/faultCode")

    def texts(self, path: str) -> list[str]:
        """The texts of every element at `path` under the response element."""
        return [e.text or "" for e in self.res.findall(path)]


def request_body(
    op: str,
    notice: str,
    *,
    id_pa: str = EC,
    broker: str = IDENTITY.id_broker_pa,
    station: str = IDENTITY.id_station,
    fiscal_code: str = EC,
) -> bytes:
    """A SOAP envelope holding a verify/getPayment request for `notice`."""
    req = wire.wrapper(wire.operation(op).request)
    for name, value in (("idPA", id_pa), ("idBrokerPA", broker), ("idStation", station)):
        wire.element(req, name, value)
    qr = wire.element(req, "qrCode")
    wire.element(qr, "fiscalCode", fiscal_code)
    wire.element(qr, "noticeNumber", notice)
    return wire.envelope(req)


class Client:
    """Posts to one station with a session that ignores proxy settings."""

    def __init__(self, url: str) -> None:
        """Remember the endpoint."""
        self.url = url
        self.session = requests.Session()
        self.session.trust_env = False

    def post(self, data: bytes, soap_action: str | None = None, url: str | None = None) -> Reply:
        """POST raw bytes."""
        headers = {"Content-Type": wire.CONTENT_TYPE}
        if soap_action is not None:
            headers["SOAPAction"] = soap_action
        start = time.monotonic()
        r = self.session.post(url or self.url, data=data, headers=headers, timeout=10)
        return Reply(r.status_code, r.headers.get("Content-Type", ""), r.content, time.monotonic() - start)

    def call(self, op: str, notice: str, **fields: str) -> Reply:
        """Send one verify/getPayment request, with SOAPAction."""
        return self.post(request_body(op, notice, **fields), f'"{op}"')


@pytest.fixture(scope="module")
def station() -> Iterator[ReferenceStation]:
    """The conformant reference station, SANP 3.8.0."""
    with ReferenceStation() as s:
        yield s


@pytest.fixture(scope="module")
def client(station: ReferenceStation) -> Client:
    """A client of the conformant station."""
    return Client(station.url)


SCHEMAS = {v: pa_for_node_schema(v).lxml for v in SUPPORTED_SANP}


def assert_valid(reply: Reply) -> None:
    """The response element is valid against paForNode.xsd of every supported SANP version."""
    assert reply.status == 200 and reply.content_type == wire.CONTENT_TYPE
    assert reply.res.tag.startswith(f"{{{wire.PAFN}}}")
    for version, schema in SCHEMAS.items():
        doc = etree.ElementTree(copy.deepcopy(reply.res))
        assert schema.validate(doc), f"SANP {version}: {schema.error_log}\n{reply.body.decode()}"


def assert_ko(reply: Reply, code: str, id_pa: str = EC) -> None:
    """A valid KO answer with a complete fault bean for `code`."""
    assert_valid(reply)
    assert (reply.outcome, reply.fault_code) == ("KO", code), reply.body.decode()
    assert reply.res.findtext("fault/faultString") == MEANING[code]
    assert reply.res.findtext("fault/id") == id_pa
    assert reply.res.findtext("fault/description")


# --- conformant answers ----------------------------------------------------------------------------

STATE_CASES = {
    "unknown": ({"notice": UNKNOWN_NAV}, "PAA_PAGAMENTO_SCONOSCIUTO"),
    "other-institution-notice": (
        {"notice": nav("payable"), "fiscal_code": OTHER_EC},
        "PAA_PAGAMENTO_SCONOSCIUTO",
    ),
    "expired": ({"notice": nav("expired")}, "PAA_PAGAMENTO_SCADUTO"),
    "annulled": ({"notice": nav("annulled")}, "PAA_PAGAMENTO_ANNULLATO"),
    "paid": ({"notice": nav("paid")}, "PAA_PAGAMENTO_DUPLICATO"),
    "wrong-institution": ({"notice": nav("payable"), "id_pa": OTHER_EC}, "PAA_ID_DOMINIO_ERRATO"),
    "wrong-broker": ({"notice": nav("payable"), "broker": "11111111111"}, "PAA_ID_INTERMEDIARIO_ERRATO"),
    "wrong-station": ({"notice": nav("payable"), "station": "88888888888_99"}, "PAA_STAZIONE_INT_ERRATA"),
    "all-wrong": (
        {"notice": nav("payable"), "id_pa": OTHER_EC, "broker": "1", "station": "2"},
        "PAA_ID_DOMINIO_ERRATO",
    ),
    "broker-and-station-wrong": (
        {"notice": nav("payable"), "broker": "1", "station": "2"},
        "PAA_ID_INTERMEDIARIO_ERRATO",
    ),
}


@pytest.mark.parametrize("op", ALL_OPS)
@pytest.mark.parametrize("case", STATE_CASES)
def test_refusals_carry_the_documented_fault(client: Client, op: str, case: str) -> None:
    fields, code = STATE_CASES[case]
    fields = dict(fields)
    reply = client.call(op, fields.pop("notice"), **fields)
    assert reply.res.tag == f"{{{wire.PAFN}}}{wire.operation(op).response}"
    assert_ko(reply, code, id_pa=fields.get("id_pa", EC))


PAYABLE_KINDS = ("payable", "multi_beneficiary", "postal", "bollo")
SEEDED = [(kind, n.nav) for kind, group in NOTICES.items() for n in group]


@pytest.mark.parametrize("op", ALL_OPS)
@pytest.mark.parametrize(("kind", "notice"), SEEDED)
def test_every_answer_is_valid_for_both_sanp_versions(
    client: Client, op: str, kind: str, notice: str
) -> None:
    reply = client.call(op, notice)
    assert_valid(reply)
    expected = "OK" if kind in PAYABLE_KINDS and not (kind == "bollo" and op == V1) else "KO"
    assert reply.outcome == expected
    assert (reply.res.find("fault") is None) == (expected == "OK")


@pytest.mark.parametrize("kind", PAYABLE_KINDS)
def test_verify_describes_the_notice(client: Client, kind: str) -> None:
    notice = NOTICES[kind][0]
    reply = client.call(VERIFY, notice.nav)
    option = "paymentList/paymentOptionDescription/"
    assert reply.texts(option + "amount") == [f"{notice.amount:.2f}"]
    assert reply.texts(option + "options") == ["EQ"]
    assert reply.texts(option + "dueDate") == [notice.due_date.isoformat()]
    assert reply.texts(option + "allCCP") == ["true" if kind == "postal" else "false"]
    assert reply.res.findtext("fiscalCodePA") == EC
    assert reply.res.findtext("companyName") == IDENTITY.company_name
    assert reply.res.findtext("officeName") == IDENTITY.office_name


@pytest.mark.parametrize("op", (V1, V2))
@pytest.mark.parametrize("kind", PAYABLE_KINDS)
def test_activation_gives_consistent_payment_data(client: Client, op: str, kind: str) -> None:
    notice = NOTICES[kind][0]
    reply = client.call(op, notice.nav)
    if kind == "bollo" and op == V1:
        assert_ko(reply, "PAA_SEMANTICA")
        return
    assert_valid(reply)
    data = reply.res.find("data")
    assert data is not None
    assert data.findtext("creditorReferenceId") == iuv_of(notice.nav)
    assert data.findtext("paymentAmount") == f"{notice.amount:.2f}"
    due = date.fromisoformat(data.findtext("dueDate", ""))
    assert datetime.fromisoformat(data.findtext("retentionDate", "")).date() == due + timedelta(days=1)
    transfers = data.findall("transferList/transfer")
    assert [t.findtext("idTransfer") for t in transfers] == [str(i) for i in range(1, len(transfers) + 1)]
    amounts = [Decimal(t.findtext("transferAmount", "")) for t in transfers]
    assert sum(amounts) == Decimal(data.findtext("paymentAmount", ""))
    ibans = [t.findtext("IBAN") for t in transfers if t.find("IBAN") is not None]
    assert ibans and all(is_valid_iban(i or "") for i in ibans)
    assert all(is_postal(i or "") for i in ibans) == (kind == "postal")
    keys = [k.text for k in data.findall("metadata/mapEntry/key")]
    assert keys and len(keys) == len(set(keys))
    assert {t.findtext("fiscalCodePA") for t in transfers} >= (
        {EC, "01234567890", "15376371009"} if kind == "multi_beneficiary" else {EC}
    )


def test_the_stamp_hash_is_a_sha256_digest(client: Client) -> None:
    reply = client.call(V2, nav("bollo"))
    stamps = reply.res.findall("data/transferList/transfer/richiestaMarcaDaBollo")
    assert len(stamps) == 1
    assert len(base64.b64decode(stamps[0].findtext("hashDocumento", ""), validate=True)) == 32
    assert stamps[0].findtext("tipoBollo") == "01"
    bollo = [
        t
        for t in reply.res.findall("data/transferList/transfer")
        if t.find("richiestaMarcaDaBollo") is not None
    ]
    assert bollo[0].findtext("transferAmount") == "16.00"


def test_seeded_notices_are_well_formed() -> None:
    navs = [n.nav for group in NOTICES.values() for n in group]
    assert len(navs) == len(set(navs)) and len(NOTICES["payable"]) >= 2
    for group in NOTICES.values():
        for n in group:
            assert n.nav.startswith("301") and has_valid_check_digit(n.nav)
            amounts = [n.amount, *(t.amount for t in n.transfers)]
            assert all(str(a).endswith("0") and a.as_tuple().exponent == -2 for a in amounts)
    assert NOTICES["expired"][0].due_date < NOTICES["payable"][0].due_date


@pytest.mark.parametrize(
    ("data", "soap_action"),
    [
        (b"this is not XML", '"paVerifyPaymentNotice"'),
        (b"<a><b></a>", "paVerifyPaymentNotice"),
        (wire.envelope(etree.Element("nothing")), "paVerifyPaymentNotice"),
    ],
    ids=["text", "malformed", "foreign-element"],
)
def test_unreadable_requests_get_a_syntax_ko(client: Client, data: bytes, soap_action: str) -> None:
    assert_ko(client.post(data, soap_action), "PAA_SINTASSI_EXTRAXSD")


def test_an_empty_body_gets_a_syntax_ko(client: Client) -> None:
    env = etree.fromstring(request_body(V2, nav("payable")))
    body = env[1]
    body.remove(body[0])
    reply = client.post(etree.tostring(env), "paGetPaymentV2")
    assert reply.res.tag == f"{{{wire.PAFN}}}paGetPaymentV2Response"
    assert_ko(reply, "PAA_SINTASSI_EXTRAXSD")


def test_an_invalid_request_gets_a_syntax_ko_naming_its_institution(client: Client) -> None:
    env = etree.fromstring(request_body(V1, nav("payable"), id_pa="12345678901"))
    req = env[1][0]
    req.remove(req.find("idStation"))
    reply = client.post(etree.tostring(env))  # no SOAPAction: the Body element says which operation
    assert reply.res.tag == f"{{{wire.PAFN}}}paGetPaymentRes"
    assert_ko(reply, "PAA_SINTASSI_EXTRAXSD", id_pa="12345678901")


def test_an_unknown_operation_is_a_soap_client_fault(client: Client) -> None:
    reply = client.post(b"<x/>")
    assert reply.status == 500
    assert reply.res.tag == f"{{{wire.SOAP_ENV}}}Fault"
    assert reply.res.findtext("faultcode") == "soapenv:Client"


def test_oversized_requests_are_refused(client: Client) -> None:
    assert client.post(b" " * (1024 * 1024 + 1), "paVerifyPaymentNotice").status == 413


def test_other_paths_and_methods(client: Client, station: ReferenceStation) -> None:
    base = station.url.removesuffix("/paForNode")
    assert client.post(b"", url=base + "/other").status == 404
    r = client.session.get(station.url, timeout=5)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


def test_operations_not_yet_served_answer_system_error(client: Client) -> None:
    req = wire.wrapper("paDemandPaymentNoticeRequest")
    for name, value in (
        ("idPA", EC),
        ("idBrokerPA", IDENTITY.id_broker_pa),
        ("idStation", IDENTITY.id_station),
        ("idServizio", "00001"),
        ("idSoggettoServizio", "00001"),
        ("datiSpecificiServizioRequest", base64.b64encode(b"<service/>").decode()),
    ):
        wire.element(req, name, value)
    assert_ko(client.post(wire.envelope(req), "paDemandPaymentNotice"), "PAA_SYSTEM_ERROR")


def test_concurrent_requests_are_served(client: Client) -> None:
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: client.call(V2, nav("multi_beneficiary")), range(16)))
    assert {r.outcome for r in replies} == {"OK"}
    assert len({r.body for r in replies}) == 1


def test_sanp_3_13_station_validates_with_its_schema() -> None:
    with ReferenceStation(sanp="3.13.0") as s:
        c = Client(s.url)
        assert_valid(reply := c.call(V2, nav("bollo")))
        assert reply.outcome == "OK"


def test_unknown_defects_are_rejected_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="status-500"):
        ReferenceStation(defects=["no-such-defect"])


def test_defects_name_catalogue_rules() -> None:
    rules = catalogue()
    for defect in DEFECTS.values():
        assert defect.rule in rules and set(defect.also) <= rules.keys(), defect
    assert len(DEFECTS) >= 15  # issue 2 asks for at least 15


@pytest.mark.parametrize("version", (1, 2))
def test_write_config_describes_the_station(tmp_path: Path, version: int) -> None:
    path = write_config(
        tmp_path / "pagoconf.toml", "http://127.0.0.1:1234/paForNode", primitive_version=version
    )
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    station = config["station"]
    assert config["sanp"] == "3.8.0"
    assert (station["id_pa"], station["id_broker_pa"], station["id_station"]) == (
        EC,
        IDENTITY.id_broker_pa,
        IDENTITY.id_station,
    )
    assert station["url"] == "http://127.0.0.1:1234/paForNode" and station["primitive_version"] == version
    assert ("bollo" in station["capabilities"]) == ("bollo" in config["notices"]) == (version == 2)
    assert config["notices"]["payable"] == [n.nav for n in NOTICES["payable"]]
    assert config["timeouts"] == {"sync": 7.0, "receipt": 15.0}
    assert config["service_level"] == {"seconds": 2.0, "share": 0.98, "samples": 20}


# --- defects ------------------------------------------------------------------------------------------

BATTERY: dict[str, tuple[str, str]] = {
    "verify": (VERIFY, nav("payable")),
    "verify-unknown": (VERIFY, UNKNOWN_NAV),
    "verify-expired": (VERIFY, nav("expired")),
    "activate-v1": (V1, nav("payable")),
    "activate-multi": (V2, nav("multi_beneficiary")),
    "activate-bollo": (V2, nav("bollo")),
    "activate-annulled": (V2, nav("annulled")),
}
EVERYTHING = frozenset(BATTERY)
VERIFIES = frozenset(k for k, (op, _) in BATTERY.items() if op == VERIFY)
ACTIVATIONS_OK = frozenset({"activate-v1", "activate-multi", "activate-bollo"})
FAULTS = frozenset({"verify-unknown", "verify-expired", "activate-annulled"})

Check = Callable[[Client, Client], None]


@dataclass(frozen=True)
class Probe:
    """How a defect shows on the wire, and which battery answers it may change."""

    check: Check
    touches: frozenset[str] = frozenset()


PROBES: dict[str, Probe] = {}


def probe(name: str, touches: frozenset[str] | set[str] = frozenset()) -> Callable[[Check], Check]:
    """Register the wire check of defect `name`."""

    def register(check: Check) -> Check:
        PROBES[name] = Probe(check, frozenset(touches))
        return check

    return register


@probe("verify-refuses-payable", {"verify"})
def _(d: Client, c: Client) -> None:
    assert d.call(VERIFY, nav("payable")).fault_code == "PAA_SYSTEM_ERROR"
    assert c.call(VERIFY, nav("payable")).outcome == "OK"


@probe("activation-in-progress", ACTIVATIONS_OK)
def _(d: Client, c: Client) -> None:
    assert d.call(V2, nav("payable")).fault_code == "PAA_PAGAMENTO_IN_CORSO"
    assert d.call(V1, nav("payable")).fault_code == "PAA_PAGAMENTO_IN_CORSO"


@probe("status-500", EVERYTHING)
def _(d: Client, c: Client) -> None:
    for op, notice in BATTERY.values():
        bad, good = d.call(op, notice), c.call(op, notice)
        assert (bad.status, good.status) == (500, 200) and bad.body == good.body


@probe("json-content-type", EVERYTHING)
def _(d: Client, c: Client) -> None:
    bad, good = d.call(VERIFY, nav("payable")), c.call(VERIFY, nav("payable"))
    assert bad.content_type == "application/json" and bad.body == good.body


@probe("soap-fault-on-activation", ACTIVATIONS_OK)
def _(d: Client, c: Client) -> None:
    for op in (V1, V2):
        bad = d.call(op, nav("payable"))
        assert bad.status == 200 and bad.res.tag == f"{{{wire.SOAP_ENV}}}Fault"
        assert (bad.res.findtext("faultcode"), bad.res.findtext("faultstring")) == (
            "soapenv:Server",
            "internal error",
        )


@probe("unqualified-wrapper", VERIFIES)
def _(d: Client, c: Client) -> None:
    bad, good = d.call(VERIFY, nav("payable")), c.call(VERIFY, nav("payable"))
    assert bad.res.tag == "paVerifyPaymentNoticeRes" and good.res.tag.endswith("}paVerifyPaymentNoticeRes")
    assert [etree.tostring(e) for e in bad.res] == [etree.tostring(e) for e in good.res]


@probe("amounts-without-cents", {"verify"})
def _(d: Client, c: Client) -> None:
    amount = "paymentList/paymentOptionDescription/amount"
    assert d.call(VERIFY, nav("payable", 0)).texts(amount) == ["120.5"]
    assert d.call(VERIFY, nav("payable", 1)).texts(amount) == ["35"]
    assert c.call(VERIFY, nav("payable", 0)).texts(amount) == ["120.50"]
    assert c.call(V2, nav("payable", 0)).body == d.call(V2, nav("payable", 0)).body


@probe("ok-with-fault", {"verify"})
def _(d: Client, c: Client) -> None:
    bad = d.call(VERIFY, nav("payable"))
    assert bad.outcome == "OK" and bad.fault_code == "PAA_SYSTEM_ERROR"
    assert bad.res.findtext("fault/faultString") and bad.res.findtext("fault/id") == EC
    assert c.call(VERIFY, nav("payable")).res.find("fault") is None


@probe("blank-fault-string", FAULTS)
def _(d: Client, c: Client) -> None:
    bad, good = d.call(VERIFY, UNKNOWN_NAV), c.call(VERIFY, UNKNOWN_NAV)
    assert bad.fault_code == good.fault_code == "PAA_PAGAMENTO_SCONOSCIUTO"
    assert bad.res.findtext("fault/faultString") == "" and good.res.findtext("fault/faultString")


@probe("invented-fault-code", {"verify-expired"})
def _(d: Client, c: Client) -> None:
    assert d.call(VERIFY, nav("expired")).fault_code == "PAA_PAGAMENTO_EXPIRED"
    assert d.call(V2, nav("expired")).fault_code == "PAA_PAGAMENTO_EXPIRED"


@probe("fault-id-is-station", FAULTS)
def _(d: Client, c: Client) -> None:
    assert d.call(VERIFY, UNKNOWN_NAV).res.findtext("fault/id") == IDENTITY.id_station
    assert c.call(VERIFY, UNKNOWN_NAV).res.findtext("fault/id") == EC


@probe("verify-without-company", {"verify"})
def _(d: Client, c: Client) -> None:
    bad, good = d.call(VERIFY, nav("payable")), c.call(VERIFY, nav("payable"))
    assert bad.res.find("companyName") is None and good.res.findtext("companyName") == IDENTITY.company_name
    assert_valid(bad)


@probe("options-any", {"verify"})
def _(d: Client, c: Client) -> None:
    assert d.call(VERIFY, nav("payable")).texts("paymentList/paymentOptionDescription/options") == ["ANY"]


@probe("verify-names-another-institution", {"verify"})
def _(d: Client, c: Client) -> None:
    assert d.call(VERIFY, nav("payable")).res.findtext("fiscalCodePA") == "99999999999"


@probe("activation-without-data", ACTIVATIONS_OK)
def _(d: Client, c: Client) -> None:
    for op in (V1, V2):
        bad = d.call(op, nav("payable"))
        assert bad.outcome == "OK" and bad.res.find("data") is None
        assert_valid(bad)


@probe("creditor-reference-is-notice-number", ACTIVATIONS_OK)
def _(d: Client, c: Client) -> None:
    assert d.call(V2, nav("payable")).res.findtext("data/creditorReferenceId") == nav("payable")
    assert c.call(V2, nav("payable")).res.findtext("data/creditorReferenceId") == iuv_of(nav("payable"))


@probe("transfers-misnumbered", ACTIVATIONS_OK)
def _(d: Client, c: Client) -> None:
    assert d.call(V2, nav("multi_beneficiary")).texts("data/transferList/transfer/idTransfer") == [
        "2",
        "3",
        "4",
    ]


@probe("transfers-do-not-add-up", ACTIVATIONS_OK)
def _(d: Client, c: Client) -> None:
    bad, good = d.call(V2, nav("multi_beneficiary")), c.call(V2, nav("multi_beneficiary"))
    declared = Decimal(bad.res.findtext("data/paymentAmount", ""))
    assert declared == Decimal(good.res.findtext("data/paymentAmount", ""))
    assert sum(Decimal(a) for a in bad.texts("data/transferList/transfer/transferAmount")) - declared == 1


@probe("iban-bad-checksum", ACTIVATIONS_OK)
def _(d: Client, c: Client) -> None:
    ibans = d.call(V2, nav("postal")).texts("data/transferList/transfer/IBAN")
    assert ibans and not any(is_valid_iban(i) for i in ibans) and all(is_postal(i) for i in ibans)
    assert not any(
        is_valid_iban(i)
        for i in d.call(V1, nav("multi_beneficiary")).texts("data/transferList/transfer/IBAN")
    )


@probe("short-stamp-hash", {"activate-bollo"})
def _(d: Client, c: Client) -> None:
    bad = d.call(V2, nav("bollo"))
    digest = bad.res.findtext("data/transferList/transfer/richiestaMarcaDaBollo/hashDocumento", "")
    assert len(base64.b64decode(digest, validate=True)) == 16
    assert_valid(bad)


@probe("duplicate-metadata-key", ACTIVATIONS_OK)
def _(d: Client, c: Client) -> None:
    keys = d.call(V1, nav("payable")).texts("data/metadata/mapEntry/key")
    assert len(keys) > len(set(keys))


@probe("ignores-institution")
def _(d: Client, c: Client) -> None:
    fields = {"id_pa": OTHER_EC, "fiscal_code": OTHER_EC}
    assert d.call(VERIFY, nav("payable"), **fields).fault_code == "PAA_PAGAMENTO_SCONOSCIUTO"
    assert c.call(VERIFY, nav("payable"), **fields).fault_code == "PAA_ID_DOMINIO_ERRATO"


@probe("ignores-broker")
def _(d: Client, c: Client) -> None:
    assert d.call(V2, nav("payable"), broker="11111111111").outcome == "OK"
    assert d.call(V2, nav("payable"), id_pa=OTHER_EC).fault_code == "PAA_ID_DOMINIO_ERRATO"


@probe("ignores-station")
def _(d: Client, c: Client) -> None:
    assert d.call(VERIFY, nav("payable"), station="88888888888_99").outcome == "OK"
    assert d.call(VERIFY, nav("payable"), broker="1").fault_code == "PAA_ID_INTERMEDIARIO_ERRATO"


@probe("unknown-is-system-error", {"verify-unknown"})
def _(d: Client, c: Client) -> None:
    assert d.call(V1, UNKNOWN_NAV).fault_code == "PAA_SYSTEM_ERROR"


@probe("expired-is-payable", {"verify-expired"})
def _(d: Client, c: Client) -> None:
    assert d.call(V2, nav("expired")).outcome == "OK"


@probe("annulled-is-unknown", {"activate-annulled"})
def _(d: Client, c: Client) -> None:
    assert d.call(VERIFY, nav("annulled")).fault_code == "PAA_PAGAMENTO_SCONOSCIUTO"


@probe("paid-is-payable")
def _(d: Client, c: Client) -> None:
    assert d.call(VERIFY, nav("paid")).outcome == "OK" and c.call(VERIFY, nav("paid")).outcome == "KO"


@probe("stale-verify-amount", {"verify"})
def _(d: Client, c: Client) -> None:
    amount = "paymentList/paymentOptionDescription/amount"
    assert d.call(VERIFY, nav("payable")).texts(amount) == ["119.50"]
    assert d.call(V2, nav("payable")).res.findtext("data/paymentAmount") == "120.50"


@probe("allccp-always-true", {"verify"})
def _(d: Client, c: Client) -> None:
    assert d.call(VERIFY, nav("payable")).texts("paymentList/paymentOptionDescription/allCCP") == ["true"]


@probe("unstable-description", {"verify"})
def _(d: Client, c: Client) -> None:
    first, second = (d.call(VERIFY, nav("payable")).res.findtext("paymentDescription") for _ in range(2))
    assert first != second and first and first.endswith(")")
    assert c.call(VERIFY, nav("payable")).body == c.call(VERIFY, nav("payable")).body


@probe("unstable-activation", ACTIVATIONS_OK)
def _(d: Client, c: Client) -> None:
    path = "data/transferList/transfer/remittanceInformation"
    first, second = (d.call(V2, nav("payable")).texts(path)[0] for _ in range(2))
    assert first != second and len(second) <= 140


@probe("slow-verify")
def _(d: Client, c: Client) -> None:
    bad, good = d.call(VERIFY, nav("payable")), c.call(VERIFY, nav("payable"))
    assert bad.elapsed >= 0.3 and bad.body == good.body


@probe("sluggish")
def _(d: Client, c: Client) -> None:
    elapsed = [d.call(V2, nav("payable")).elapsed for _ in range(4)]  # any 4 in a row hold one 4th answer
    assert max(elapsed) >= 0.3


def test_every_defect_has_a_probe() -> None:
    assert PROBES.keys() == DEFECTS.keys()


@pytest.fixture(params=sorted(DEFECTS))
def defective(request: pytest.FixtureRequest) -> Iterator[tuple[str, Client]]:
    """A station started with one defect (short delays), and the defect's name."""
    with ReferenceStation(defects=[request.param], delay=0.3, sluggish_delay=0.3) as s:
        yield request.param, Client(s.url)


def test_defect_shows_on_the_wire_and_nowhere_else(defective: tuple[str, Client], client: Client) -> None:
    name, d = defective
    spec = PROBES[name]
    for key in sorted(EVERYTHING - spec.touches):
        op, notice = BATTERY[key]
        bad, good = d.call(op, notice), client.call(op, notice)
        assert (bad.status, bad.content_type, bad.body) == (good.status, good.content_type, good.body), key
    spec.check(d, client)


def test_a_crash_while_answering_is_a_soap_server_fault(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ReferenceStation() as s:

        def explode(*_: object) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(s.app, "_handle", explode)
        reply = Client(s.url).call(VERIFY, nav("payable"))
        assert reply.status == 500 and reply.res.findtext("faultcode") == "soapenv:Server"
        assert Client(s.url).post(b"", url=s.url + "x").status == 404  # still serving
    assert capsys.readouterr().err.count("\n") == 1
