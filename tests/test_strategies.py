"""The hypothesis strategies: XSD-valid instances of every global element, domain values, one-fault mutations.

The default run draws a few examples per element (seeded by the pagoconf-ci profile) and stays fast. For a
certification-grade check of the generators themselves, draw thousands per element:

    PAGOCONF_DEEP=1 .venv/bin/pytest tests/test_strategies.py -m slow

(`test_deep_*` are marked `slow` and skipped unless PAGOCONF_DEEP=1; they take several minutes.)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import xmlschema
from elementpath.regex import translate_pattern
from hypothesis import Phase, find, given, settings
from hypothesis.errors import InvalidArgument
from lxml import etree

from pagoconf.engine.contracts import SUPPORTED_SANP, load_manifest
from pagoconf.identifiers import has_valid_check_digit, is_valid_iban, iuv_of
from pagoconf.sync import soap as wire
from pagoconf.sync.reference import StationModel
from pagoconf.sync.schema import load_lxml_schema, pa_for_node_schema, service_schema_path
from pagoconf.sync.strategies import (
    KINDS,
    Mutation,
    XsdRegexError,
    XsdUnsupported,
    domain_instances,
    domain_overrides,
    expected_answer,
    from_xsd,
    from_xsd_type,
    italian_ibans,
    iuvs,
    mutations,
    notice_numbers,
    payments_with_transfers,
    xsd_regex,
)
from pagoconf.sync.strategies.mutations import DEMAND_SYNTAX_KO, NODE_REFUSES, SAME_ANSWER, SYNTAX_KO
from pagoconf.sync.strategies.xsd import plan

XSD_NS = "http://www.w3.org/2001/XMLSchema"
VERSIONS = ("3.8.0", "3.13.0")
DEEP = os.environ.get("PAGOCONF_DEEP") == "1"
deep_only = pytest.mark.skipif(
    not DEEP, reason="set PAGOCONF_DEEP=1 to draw thousands of examples per element"
)


@dataclass(frozen=True)
class Target:
    """One global element of one schema file of one SANP version."""

    version: str
    source: str  # "paForNode" or a catalogo-servizi file name
    element: str

    def __str__(self) -> str:
        return f"{self.version}-{self.source}-{self.element}"


def _global_elements(path: Path) -> list[str]:
    root = etree.parse(str(path)).getroot()
    return [e.get("name") for e in root.findall(f"{{{XSD_NS}}}element")]


def _catalogue_files(version: str) -> list[str]:
    return sorted(
        f.path.split("/", 1)[1].removesuffix(".xsd")
        for f in load_manifest(version).files
        if f.path.startswith("catalogo-servizi/") and f.path.endswith(".xsd")
    )


def _targets() -> list[Target]:
    out = []
    for version in VERSIONS:
        out += [Target(version, "paForNode", n) for n in _global_elements(pa_for_node_schema(version).path)]
        for name in _catalogue_files(version):
            out += [Target(version, name, n) for n in _global_elements(service_schema_path(version, name))]
    return out


TARGETS = _targets()
REQUESTS = [t for t in TARGETS if t.source == "paForNode" and t.element in wire.BY_REQUEST_ELEMENT]


@cache
def schemas(version: str, source: str) -> tuple[Any, etree.XMLSchema]:
    """(xmlschema model, lxml validator) of one schema file."""
    if source == "paForNode":
        pa = pa_for_node_schema(version)
        return pa.xmlschema, pa.lxml
    path = service_schema_path(version, source)
    return xmlschema.XMLSchema(str(path), allow="local", defuse="always"), load_lxml_schema(path, version)


def lxml_errors(validator: etree.XMLSchema, el: etree._Element) -> list[str]:
    """The XSD errors lxml reports for `el` (empty when valid)."""
    return [] if validator.validate(el) else [f"{e.path}: {e.message}" for e in validator.error_log]


def test_targets_cover_every_global_element_of_both_versions_and_the_catalogue() -> None:
    assert set(VERSIONS) <= set(SUPPORTED_SANP)
    for version in VERSIONS:
        pa = {t.element for t in TARGETS if t.version == version and t.source == "paForNode"}
        assert pa == set(schemas(version, "paForNode")[0].elements)
        assert {op.request for op in wire.OPERATIONS.values()} <= pa
        assert {t.source for t in TARGETS if t.version == version} - {"paForNode"} == set(
            _catalogue_files(version)
        )
    assert len({t for t in TARGETS if t.source != "paForNode"}) >= 6


# --- valid instances ----------------------------------------------------------------------------------


def _check_valid(target: Target, examples: int) -> None:
    xs, validator = schemas(target.version, target.source)

    @settings(max_examples=examples, deadline=None)
    @given(from_xsd(xs, target.element))
    def valid(el: etree._Element) -> None:
        assert lxml_errors(validator, el) == []
        assert etree.QName(el).localname == target.element
        reparsed = etree.fromstring(etree.tostring(el, encoding="UTF-8"))  # XML-safe text survives the wire
        assert lxml_errors(validator, reparsed) == []

    valid()


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_generated_instances_validate_against_the_xsd(target: Target) -> None:
    _check_valid(target, examples=12)


@pytest.mark.slow
@deep_only
@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_deep_thousands_of_instances_validate(target: Target) -> None:
    _check_valid(target, examples=2000)


def test_pa_for_node_children_are_unqualified_and_catalogue_children_qualified() -> None:
    xs, _ = schemas("3.8.0", "paForNode")
    cup, _ = schemas("3.13.0", "Cup_1_0_0")
    cup_ns = "http://PuntoAccessoPSP.spcoop.gov.it/Cup"

    @settings(max_examples=5, deadline=None)
    @given(from_xsd(xs, "paVerifyPaymentNoticeReq"), from_xsd(cup, "pagamentoCup"))
    def forms(request: etree._Element, service: etree._Element) -> None:
        assert request.tag == f"{{{wire.PAFN}}}paVerifyPaymentNoticeReq" and request.prefix == "pafn"
        assert all(etree.QName(c).namespace is None for c in request.iter() if c is not request)
        assert service.prefix == "cup" and all(etree.QName(c).namespace == cup_ns for c in service.iter())

    forms()


def test_choices_optionals_and_repetitions_are_all_reached() -> None:
    xs, _ = schemas("3.13.0", "paForNode")
    seen: set[str] = set()
    counts: set[int] = set()

    @settings(max_examples=60, deadline=None)
    @given(from_xsd(xs, "paGetPaymentV2Response", max_occurs=5))
    def explore(el: etree._Element) -> None:
        seen.update(etree.QName(e).localname for e in el.iter())
        counts.add(len(el.findall("data/transferList/transfer")))

    explore()
    assert {"IBAN", "richiestaMarcaDaBollo", "fault", "metadata", "data"} <= seen
    assert 1 in counts and max(counts) >= 3


def test_the_compiled_model_walk_is_cached() -> None:
    xs, _ = schemas("3.8.0", "paForNode")
    assert plan(xs, "paSendRTReq") is plan(xs, "paSendRTReq")
    assert plan(xs, "paSendRTReq", max_occurs=2) is not plan(xs, "paSendRTReq")


def test_an_unknown_element_or_bad_max_occurs_is_refused() -> None:
    xs, _ = schemas("3.8.0", "paForNode")
    with pytest.raises(ValueError, match="paVerifyPaymentNoticeReq"):
        from_xsd(xs, "paVerify")
    with pytest.raises(ValueError, match="max_occurs"):
        from_xsd(xs, "paSendRTReq", max_occurs=0)


# --- overrides ----------------------------------------------------------------------------------------


def test_overrides_replace_values_by_name_and_the_more_specific_path_wins() -> None:
    xs, validator = schemas("3.13.0", "paForNode")
    strategy = from_xsd(
        xs,
        "paSendRTV2Request",
        overrides={
            "fiscalCode": st.just("77777777777"),
            "receipt.fiscalCode": st.just("12345678901"),
            "idPA": st.just("77777777777"),
            "transfer/IBAN": st.just("IT60X0542811101000000123456"),
        },
    )

    @settings(max_examples=15, deadline=None)
    @given(strategy)
    def overridden(el: etree._Element) -> None:
        assert el.findtext("idPA") == "77777777777"
        assert el.findtext("receipt/fiscalCode") == "12345678901"
        assert {i.text for i in el.iter("IBAN")} <= {"IT60X0542811101000000123456"}
        assert lxml_errors(validator, el) == []

    overridden()


def test_an_unknown_override_key_raises_at_build_time_naming_the_valid_ones() -> None:
    xs, _ = schemas("3.8.0", "paForNode")
    with pytest.raises(ValueError, match=r"unknown override key 'IBAN'.*noticeNumber"):
        from_xsd(xs, "paVerifyPaymentNoticeReq", overrides={"IBAN": st.just("x")})
    with pytest.raises(ValueError, match="element content"):
        from_xsd(xs, "paVerifyPaymentNoticeReq", overrides={"qrCode": st.just("x")})
    with pytest.raises(ValueError, match="unknown override key 'debtor.IBAN'"):
        from_xsd(xs, "paGetPaymentRes", overrides={"debtor.IBAN": st.just("x")})
    with pytest.raises(TypeError, match="strategy"):
        from_xsd(xs, "paVerifyPaymentNoticeReq", overrides={"idPA": "77777777777"})  # type: ignore[dict-item]


def test_an_override_that_draws_an_invalid_value_is_reported_at_draw_time() -> None:
    xs, _ = schemas("3.8.0", "paForNode")
    strategy = from_xsd(xs, "paVerifyPaymentNoticeReq", overrides={"noticeNumber": st.just("12345")})

    @settings(max_examples=1, deadline=None)
    @given(strategy)
    def draw(el: etree._Element) -> None:
        raise AssertionError("unreachable")

    with pytest.raises(InvalidArgument, match=r"qrCode/noticeNumber.*'12345'.*stNoticeNumber"):
        draw()


# --- simple types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_name",
    [
        "stAmountNotZero",
        "common:stAmount",
        "stEMail",
        "stBase64Binary72",
        "stIdTransfer",
        "stEntityUniqueIdentifierType",
        "stFiscalCodePA",
        "stNoticeNumber",
        "stText35",
        "xs:int",
        "xs:boolean",
        "xs:date",
        "xs:dateTime",
        "stNazioneProvincia",
    ],
)
def test_simple_type_values_honour_every_facet(type_name: str) -> None:
    xs, _ = schemas("3.13.0", "paForNode")
    from pagoconf.sync.strategies.xsd import resolve_type

    xsd_type = resolve_type(xs, type_name)

    @settings(max_examples=40, deadline=None)
    @given(from_xsd_type(xs, type_name))
    def valid(value: str) -> None:
        assert xsd_type.is_valid(value), value

    valid()


def test_simple_type_lexical_forms() -> None:
    xs, _ = schemas("3.8.0", "paForNode")
    booleans: set[str] = set()
    amounts: list[str] = []

    @settings(max_examples=60, deadline=None)
    @given(
        from_xsd_type(xs, "xs:boolean"),
        from_xsd_type(xs, "stAmountNotZero"),
        from_xsd_type(xs, "stBase64Binary72"),
    )
    def forms(flag: str, amount: str, digest: str) -> None:
        booleans.add(flag)
        amounts.append(amount)
        assert 4 <= len(digest) <= 72
        assert Decimal("0.01") <= Decimal(amount) <= Decimal("999999999.99")

    forms()
    assert booleans == {"true", "false", "1", "0"}
    assert all(xsd_regex.exact(r"\d+\.\d{2}").fullmatch(a) for a in amounts)
    with pytest.raises(ValueError, match="stAmountNotZero"):
        from_xsd_type(xs, "stAmountZero")
    with pytest.raises(ValueError, match="not a simple type"):
        from_xsd_type(xs, "ctQrCode")


@pytest.mark.parametrize(
    ("pattern", "matches", "refuses"),
    [
        (r"\d+\.\d{2}", ["0.01", "12.50"], ["12.5", "a.bc", "1.00\n"]),
        (".{4,72}", ["abcd", "a b\tc"], ["abc", "ab\ncd", "ab\rcd"]),
        ("a^b$", ["a^b$"], ["ab"]),
        ("[a-z-[aeiou]]+", ["bcd"], ["bad"]),
        (r"[\i-[:]][\c-[:]]*", ["a-b.c"], ["a:b", "1a"]),
        (r"[a-zA-Z0-9_\.\+\-]+@[a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*", ["a.b+c@d-e.f"], ["a@b.", "@b"]),
        (r"\s\S", [" x", "\tx"], ["xx", "\xa0x"]),
        (r"\w\W", ["a ", "+_", "é!"], ["_a", "ab"]),
        (r"\d", ["5", "\u0663"], ["a"]),
        (r"\p{Lu}{2}", ["AB", "ÀÉ"], ["ab"]),
        (r"\p{IsBasicLatin}+", ["a~"], ["é"]),
    ],
)
def test_xsd_patterns_translate_to_anchored_python(
    pattern: str, matches: list[str], refuses: list[str]
) -> None:
    regex = xsd_regex.exact(pattern)
    assert [m for m in matches if not regex.fullmatch(m)] == []
    assert [r for r in refuses if regex.fullmatch(r)] == []

    @settings(max_examples=30, deadline=None)
    @given(xsd_regex.strategy(pattern, 30))
    def generated_values_match(value: str) -> None:
        assert regex.fullmatch(value)

    generated_values_match()


def _elementpath(pattern: str) -> re.Pattern[str]:
    """elementpath's own translation of an XSD pattern, compiled as xmlschema compiles it."""
    python = translate_pattern(pattern, back_references=False, lazy_quantifiers=False, anchors=False)
    return re.compile(python)


def test_elementpath_bug_s_outside_a_class_is_python_whitespace() -> None:
    phone = r"\+[0-9]{2,2}\s[0-9]{3,3}\-[0-9]{7,7}"  # a SANP pattern
    for space in ("\xa0", "\u2003", "\u3000", "\x85"):
        value = f"+39{space}123-4567890"
        assert _elementpath(phone).fullmatch(value)
        assert not xsd_regex.exact(phone).fullmatch(value)
        assert not _elementpath(r"\S").fullmatch(space)
        assert xsd_regex.exact(r"\S").fullmatch(space)
    assert xsd_regex.exact(phone).fullmatch("+39 123-4567890")


def test_elementpath_bug_w_outside_a_class_is_python_word_characters() -> None:
    for word in ("+", "$", "\u0301"):  # symbols and marks are XSD word characters
        assert not _elementpath(r"\w").fullmatch(word)
        assert xsd_regex.exact(r"\w").fullmatch(word)
        assert _elementpath(r"\W").fullmatch(word)
        assert not xsd_regex.exact(r"\W").fullmatch(word)
    assert _elementpath(r"\w").fullmatch("_")  # a connector punctuation, not an XSD word character
    assert not xsd_regex.exact(r"\w").fullmatch("_")
    assert xsd_regex.exact(r"\W").fullmatch("_")


@pytest.mark.parametrize(
    ("pattern", "bounds"),
    [
        (".{4,72}", (4, 72)),
        (r"\d+\.\d{2}", (4, None)),
        ("[0-9]{11}_([0-9]{2})?(_)?(WEB|ATM|APP|PAGOPA|ONUS|CARD)?", (12, 21)),
        ("a{2,}|bc", (2, None)),
        ("(ab){2,3}", (4, 6)),
        ("a^b$", (4, 4)),
    ],
)
def test_length_bounds_come_from_the_translated_pattern(pattern: str, bounds: tuple[int, int | None]) -> None:
    assert xsd_regex.length_bounds(pattern) == bounds


def test_generation_caps_unbounded_quantifiers_at_max_repeat() -> None:
    capped = re.compile(xsd_regex.generative(r"a*b+(cd){2,}", 3))
    assert capped.fullmatch("aaabbbcdcdcd") and capped.fullmatch("bcdcd")
    assert not capped.fullmatch("aaaabcdcd")
    assert not capped.fullmatch("abbbbcdcd")
    assert not capped.fullmatch("abcdcdcdcd")
    assert xsd_regex.length_bounds(r"a*b+(cd){2,}") == (5, None)


@pytest.mark.parametrize(
    "pattern", [r"\p{Lu}{1,5}", r"\P{L}{1,5}", r"\w{1,5}", r"\d+\.\d{2}", r"[\i-[:]][\c-[:]]*", r"\S{1,5}"]
)
def test_generated_values_are_valid_for_libxml2_too(pattern: str) -> None:
    schema = etree.XMLSchema(
        etree.XML(
            f'<xs:schema xmlns:xs="{XSD_NS}"><xs:element name="v"><xs:simpleType>'
            f'<xs:restriction base="xs:string"><xs:pattern value="{pattern}"/></xs:restriction>'
            "</xs:simpleType></xs:element></xs:schema>"
        )
    )

    @settings(max_examples=100, deadline=None)
    @given(xsd_regex.strategy(pattern, 10))
    def accepted(value: str) -> None:
        el = etree.Element("v")
        el.text = value
        assert lxml_errors(schema, el) == []

    accepted()


@pytest.mark.parametrize("pattern", ["a{3,1}", "[a", "a)", r"\p{Foo}", "(?:a)", r"\q", "a**"])
def test_invalid_patterns_raise_xsd_regex_error(pattern: str) -> None:
    with pytest.raises(XsdRegexError, match="XSD pattern"):
        xsd_regex.exact(pattern)
    with pytest.raises(XsdRegexError):
        xsd_regex.length_bounds(pattern)


SYNTHETIC = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:pagoconf:test"
           targetNamespace="urn:pagoconf:test" elementFormDefault="qualified">
  <xs:simpleType name="code"><xs:restriction base="xs:NCName"><xs:maxLength value="12"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="upper"><xs:restriction base="xs:string"><xs:pattern value="\\p{Lu}{2,5}"/>
    </xs:restriction></xs:simpleType>
  <xs:simpleType name="words"><xs:list itemType="t:code"/></xs:simpleType>
  <xs:simpleType name="shortWords"><xs:restriction base="t:words"><xs:minLength value="1"/>
    <xs:maxLength value="3"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="numOrFlag"><xs:union memberTypes="xs:int xs:boolean"/></xs:simpleType>
  <xs:simpleType name="money"><xs:restriction base="xs:decimal"><xs:totalDigits value="7"/>
    <xs:fractionDigits value="2"/><xs:minExclusive value="0"/><xs:maxExclusive value="10000"/>
  </xs:restriction></xs:simpleType>
  <xs:simpleType name="three"><xs:restriction base="xs:unsignedShort"><xs:pattern value="[0-9]{3}"/>
    </xs:restriction></xs:simpleType>
  <xs:simpleType name="hex4"><xs:restriction base="xs:hexBinary"><xs:length value="4"/></xs:restriction>
  </xs:simpleType>
  <xs:complexType name="amount"><xs:simpleContent><xs:extension base="t:money">
    <xs:attribute name="currency" type="t:upper" use="required"/>
    <xs:attribute name="version" type="xs:string" fixed="1.0"/>
  </xs:extension></xs:simpleContent></xs:complexType>
  <xs:complexType name="node"><xs:sequence>
    <xs:element name="label" type="t:code"/>
    <xs:element name="child" type="t:node" minOccurs="0" maxOccurs="2"/>
  </xs:sequence></xs:complexType>
  <xs:complexType name="bag"><xs:all>
    <xs:element name="a" type="xs:boolean"/><xs:element name="b" type="xs:date" minOccurs="0"/>
    <xs:element name="c" type="xs:time"/>
  </xs:all></xs:complexType>
  <xs:element name="doc"><xs:complexType><xs:sequence>
    <xs:element name="amount" type="t:amount"/>
    <xs:choice maxOccurs="unbounded">
      <xs:element name="word" type="t:shortWords"/>
      <xs:element name="flag" type="t:numOrFlag"/>
      <xs:element name="q" type="t:three"/>
    </xs:choice>
    <xs:element name="hex" type="t:hex4"/>
    <xs:element name="tree" type="t:node"/>
    <xs:element name="bag" type="t:bag"/>
    <xs:element name="when" type="xs:dateTime"/>
    <xs:element name="d" type="xs:double"/>
    <xs:element name="fixedText" type="xs:string" fixed="A001"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="open"><xs:complexType><xs:sequence><xs:any processContents="lax"/></xs:sequence>
  </xs:complexType></xs:element>
</xs:schema>
"""


def test_constructs_sanp_does_not_use_are_generated_validly_too(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.xsd"
    path.write_text(SYNTHETIC, encoding="utf-8")
    xs = xmlschema.XMLSchema(str(path))
    validator = etree.XMLSchema(etree.parse(str(path)))

    @settings(max_examples=40, deadline=None)
    @given(from_xsd(xs, "doc"), mutations(xs, "doc"))
    def valid_and_broken(el: etree._Element, mutation: Mutation) -> None:
        assert lxml_errors(validator, el) == []
        assert mutation.element is not None and lxml_errors(validator, mutation.element) != []

    valid_and_broken()
    with pytest.raises(XsdUnsupported, match="wildcard"):
        from_xsd(xs, "open")


# --- domain values ------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(notice_numbers(aux_digits=(0, 1, 2, 3)), iuvs(), italian_ibans(), payments_with_transfers())
def test_domain_values_pass_their_checks(nav: str, iuv: str, iban: str, payment: Any) -> None:
    assert has_valid_check_digit(nav)
    assert len(iuv) == 17 and has_valid_check_digit("3" + iuv)
    assert is_valid_iban(iban) and iban.startswith("IT") and len(iban) == 27
    assert sum(payment.transfers) == payment.amount and 1 <= len(payment.transfers) <= 5


def test_known_italian_ibans_have_the_cin_we_compute() -> None:
    from pagoconf.sync.strategies.domain import _cin

    assert _cin("0542811101000000123456") == "X"
    assert _cin("0760103200000000001016") == "R"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "element", ["paGetPaymentV2Response", "paGetPaymentRes", "paSendRTV2Request", "paVerifyPaymentNoticeReq"]
)
def test_domain_instances_keep_the_rules_the_xsd_cannot_express(version: str, element: str) -> None:
    xs, validator = schemas(version, "paForNode")

    @settings(max_examples=15, deadline=None)
    @given(domain_instances(xs, element))
    def coherent(el: etree._Element) -> None:
        assert lxml_errors(validator, el) == []
        assert all(has_valid_check_digit(n.text) for n in el.iter("noticeNumber"))
        assert all(is_valid_iban(i.text) for i in el.iter("IBAN"))
        for holder in el.iter():
            amount, transfers = holder.findtext("paymentAmount"), holder.findall("transferList/transfer")
            if amount is not None and transfers:
                assert Decimal(amount) == sum(Decimal(t.findtext("transferAmount")) for t in transfers)
                assert [t.findtext("idTransfer") for t in transfers] == [
                    str(i + 1) for i in range(len(transfers))
                ]
            nav, reference = holder.findtext("noticeNumber"), holder.findtext("creditorReferenceId")
            if nav is not None and reference is not None:
                assert reference == iuv_of(nav)

    coherent()


def test_domain_overrides_can_be_narrowed_to_what_an_element_has() -> None:
    xs, _ = schemas("3.8.0", "paForNode")
    assert set(domain_overrides()) == {"noticeNumber", "IBAN", "creditorReferenceId"}
    assert set(domain_overrides(xs, "paVerifyPaymentNoticeReq")) == {"noticeNumber"}
    assert domain_overrides(xs, "paSendRTRes") == {}


# --- mutations ----------------------------------------------------------------------------------------


def _names(xs: Any, element: str) -> set[str]:
    return {n.local_name for n in plan(xs, element).elements}


def _check_mutations(target: Target, examples: int) -> None:
    xs, validator = schemas(target.version, target.source)
    names = _names(xs, target.element)
    expected = expected_answer(xs, target.element)
    is_request = target.source == "paForNode" and target.element in wire.BY_REQUEST_ELEMENT
    kinds_seen: set[str] = set()

    @settings(max_examples=examples, deadline=None)
    @given(mutations(xs, target.element))
    def broken(m: Mutation) -> None:
        kinds_seen.add(m.kind)
        assert m.kind in KINDS and m.description and m.payload
        if m.kind == "envelope":
            assert is_request and m.element is None
            assert m.expected in (expected, SAME_ANSWER)
            return
        assert m.element is not None
        assert lxml_errors(validator, m.element) != [], f"still valid after: {m.description}"
        assert any(name in m.description for name in names), m.description
        assert m.expected == expected

    broken()
    assert kinds_seen <= {"structural", "lexical", "envelope"}


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_each_mutation_breaks_the_xsd_and_names_what_it_changed(target: Target) -> None:
    _check_mutations(target, examples=12)


@pytest.mark.slow
@deep_only
@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_deep_thousands_of_mutations_are_invalid(target: Target) -> None:
    _check_mutations(target, examples=1000)


def test_every_kind_of_mutation_is_produced() -> None:
    xs, _ = schemas("3.8.0", "paForNode")
    starts: set[str] = set()

    @settings(max_examples=150, deadline=None)
    @given(mutations(xs, "paGetPaymentV2Request"))
    def collect(m: Mutation) -> None:
        starts.add(m.description.split(" ")[0] if m.kind != "lexical" else m.kind)

    collect()
    assert {"dropped", "repeated", "swapped", "added", "put", "unqualified", "lexical"} <= starts
    assert {"truncated", "SOAP", "the", "empty", "SOAPAction", "Content-Type"} & starts


def test_expected_answers_follow_the_element() -> None:
    pa, _ = schemas("3.13.0", "paForNode")
    cup, _ = schemas("3.13.0", "Cup_1_0_0")
    assert expected_answer(pa, "paVerifyPaymentNoticeReq") == SYNTAX_KO
    assert expected_answer(pa, "paDemandPaymentNoticeRequest") == DEMAND_SYNTAX_KO
    assert expected_answer(pa, "paGetPaymentV2Response") == NODE_REFUSES
    assert expected_answer(cup, "pagamentoCup") == DEMAND_SYNTAX_KO
    with pytest.raises(ValueError, match="subset"):
        mutations(pa, "paSendRTRes", kinds=("semantic",))
    with pytest.raises(ValueError, match="requests only"):
        mutations(pa, "paSendRTRes", kinds=("envelope",))


def _outcome(body: bytes) -> tuple[str | None, str | None]:
    env = etree.fromstring(body)
    children = wire.body_children(env) or []
    answer = children[0] if children else None
    if answer is None:
        return None, None
    return answer.findtext("outcome"), answer.findtext("fault/faultCode")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("element", ["paVerifyPaymentNoticeReq", "paGetPaymentV2Request"])
def test_the_reference_station_answers_each_mutation_as_expected(version: str, element: str) -> None:
    xs, _ = schemas(version, "paForNode")
    station = StationModel(sanp=version)
    action = wire.BY_REQUEST_ELEMENT[element].name

    @settings(max_examples=25, deadline=None)
    @given(mutations(xs, element, valid=domain_instances(xs, element)))
    def answered(m: Mutation) -> None:
        reply = station.answer(m.payload, m.headers.get("SOAPAction"))
        if m.expected == SAME_ANSWER:
            assert _outcome(reply.body) == _outcome(station.answer(m.payload, action).body), m.description
        else:
            assert reply.status == 200
            assert _outcome(reply.body) == ("KO", "PAA_SINTASSI_EXTRAXSD"), m.description

    answered()


# --- shrinking ----------------------------------------------------------------------------------------


def test_an_instance_with_two_transfers_shrinks_to_a_small_readable_one() -> None:
    xs, validator = schemas("3.8.0", "paForNode")
    found = find(
        from_xsd(xs, "paGetPaymentV2Response"),
        lambda el: len(el.findall("data/transferList/transfer")) >= 2,
        settings=settings(max_examples=200, deadline=None, phases=(Phase.generate, Phase.shrink)),
    )
    text = etree.tostring(found)
    assert len(found.findall("data/transferList/transfer")) == 2
    assert lxml_errors(validator, found) == []
    assert found.find("fault") is None and not list(found.iter("metadata"))  # no optional element left
    assert len(text) <= 1100, text  # every tag required by the XSD, each text at its shortest


def test_a_lexical_mutation_shrinks_to_a_short_description() -> None:
    xs, _ = schemas("3.8.0", "paForNode")
    found = find(
        mutations(xs, "paVerifyPaymentNoticeReq", kinds=("lexical",)),
        lambda m: "pattern" in m.description,
        settings=settings(max_examples=300, deadline=None, phases=(Phase.generate, Phase.shrink)),
    )
    assert found.element is not None and len(found.payload) < 600
    assert "qrCode/" in found.description and len(found.description) < 120, found.description
