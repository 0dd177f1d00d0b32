"""Messages that break exactly one thing (structure, one facet, or the envelope) and say what they broke."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import hypothesis.strategies as st
from hypothesis import reject
from hypothesis.strategies import SearchStrategy
from lxml import etree

from pagoconf.sync import soap as wire
from pagoconf.sync.strategies import xsd_regex
from pagoconf.sync.strategies.lexical import Facets, facets_of, is_xml_safe
from pagoconf.sync.strategies.xsd import Attribute, ElementNode, as_xmlschema, from_xsd, plan

KINDS = ("structural", "lexical", "envelope")
# What a conformant party answers (alternatives separated by "|").
SYNTAX_KO = "KO PAA_SINTASSI_EXTRAXSD"
DEMAND_SYNTAX_KO = "KO PAA_SINTASSI_EXTRAXSD|PAA_SINTASSI_XSD"
NODE_REFUSES = "PPT_STAZIONE_INT_PA_ERRORE_RESPONSE"
SAME_ANSWER = "the answer to the unmutated request"
WSDL_NAMESPACE = "http://pagopa-api.pagopa.gov.it/paForNode"
FOREIGN_NAMESPACE = "urn:pagoconf:foreign"
UNKNOWN_NAME = "unexpectedElement"


@dataclass(frozen=True)
class Mutation:
    """One deliberate fault: what kind, what changed, the broken message, and what must come back.

    `expected` is the answer a conformant party gives: for a request, the station's KO and fault code
    (alternatives separated by "|") or "the answer to the unmutated request" when the fault is in transport
    metadata a station may ignore; for a response, the Node's fault to the PSP; for a catalogue element, the
    answer to a paDemandPaymentNotice carrying it. `payload` is the whole message (a SOAP envelope for
    paForNode elements) and `headers` the HTTP headers to send it with.
    """

    kind: str
    description: str
    element: etree._Element | None
    payload: bytes
    expected: str
    headers: Mapping[str, str] = field(default_factory=dict)


# --- locating instance nodes in the model -------------------------------------------------------------


def _local(el: Any) -> str:
    return etree.QName(el).localname


def _path(el: Any) -> str:
    """Slash path from below the root, with [n] where a name repeats (the root's own local name for it)."""
    parts = []
    while el.getparent() is not None:
        parent = el.getparent()
        same = [c for c in parent if c.tag == el.tag]
        name = _local(el)
        parts.append(f"{name}[{same.index(el) + 1}]" if len(same) > 1 else name)
        el = parent
    return "/".join(reversed(parts)) or _local(el)


def _annotate(el: Any, node: ElementNode) -> list[tuple[Any, ElementNode]]:
    """(instance element, compiled node) pairs in document order; children the model lacks are skipped."""
    out = [(el, node)]
    for child in el:
        if not isinstance(child.tag, str):
            continue
        info = node.children.get(child.tag)
        if info is not None:
            out.extend(_annotate(child, info.node))
    return out


# --- lexical breakers ---------------------------------------------------------------------------------

_PROBES = ("A", "a", "0", "-", " ", "é", "!", ".", "Z")
_BAD_LEXICAL: dict[str, tuple[str, ...]] = {
    "decimal": ("1,00", "1.2.3", "abc", "", "1e2", "0x10"),
    "float": ("1,5", "inf", "abc", ""),
    "double": ("1,5", "inf", "abc", ""),
    "boolean": ("True", "FALSE", "yes", "2", ""),
    "date": ("2024-13-01", "2024-02-30", "01/02/2024", "2024-1-5", "20240105", ""),
    "dateTime": ("2024-01-05", "2024-01-05 10:00:00", "2024-01-05T25:00:00", "2024-01-05T10:00", ""),
    "time": ("25:00:00", "10:00", "10.00.00", ""),
    "gYear": ("24", "year", ""),
    # libxml2 skips characters outside the base64 alphabet ("!!!!" passes), so only padding/length faults
    "base64Binary": ("abc", "a===", "ab=c", "AB==CD", "Zm9v=", "===="),
    "hexBinary": ("abc", "zz"),
}
_INTEGRAL_BAD = ("1.0", "1.5", "1a", "")


def _numeric_forms(f: Facets, value: Decimal) -> list[str]:
    """Exact lexical forms of `value` at scales 0–4, those matching the type's patterns first."""
    scales = (0,) if f.integral else (0, 1, 2, 3, 4)
    forms = [f"{value:.{s}f}" for s in scales if value.quantize(Decimal(1).scaleb(-s)) == value]
    matching = [v for v in forms if f.matches_patterns(v)]
    return matching + [v for v in forms if v not in matching]


def _breaks(f: Facets, value: str, fixed: str | None, where: str) -> list[tuple[str, str, str]]:
    """Candidate (family, value, description) triples, each breaking one facet (or the lexical space)."""
    out: list[tuple[str, str, str]] = []
    if fixed is not None:
        for v in (fixed + "X", fixed.lower(), "X"):
            out.append(("fixed", v, f"changed the fixed value of {where} from {fixed!r} to {v!r}"))
    if f.enumeration is not None:
        allowed = ", ".join(f.enumeration)
        seeds = [*f.enumeration]
        candidates = [s.lower() for s in seeds] + [s.upper() for s in seeds] + [s + "X" for s in seeds]
        candidates += ["X" * max(1, len(s)) for s in seeds] + ["UNKNOWN"]
        numbers = [Decimal(s) for s in seeds if _is_number(s)]
        if numbers:
            candidates += [str(max(numbers) + 1), str(min(numbers) - 1), "0"]
        for v in dict.fromkeys(candidates):
            if v not in f.enumeration:
                out.append(("enumeration", v, f"{where}: {v!r} is not in the enumeration ({allowed})"))
    lo, hi = f.length_range
    if f.primitive in ("string", "anyURI"):
        filler = value[-1] if value else "x"
        if hi is not None:
            word = "length" if f.length is not None else "maxLength"
            for extra in (1, 2, 10):
                v = value + filler * max(1, hi + extra - len(value))
                out.append(("length", v, f"{where} too long: {len(v)} characters ({word} {hi})"))
        if lo > 0:
            word = "length" if f.length is not None else "minLength"
            for v in dict.fromkeys((value[: lo - 1], "")):
                out.append(("length", v, f"{where} too short: {len(v)} characters ({word} {lo})"))
    for step in f.patterns if f.primitive == "string" else f.user_patterns:
        out.extend(_pattern_breaks(f, step, value, where))
    if f.primitive == "decimal":
        out.extend(("range", v, why) for v, why in _range_breaks(f, where))
        if f.total_digits is not None:
            v = "1" * (f.total_digits + 1)
            out.append(("digits", v, f"{where}: {v} has more than {f.total_digits} digits (totalDigits)"))
        if f.fraction_digits is not None and not f.integral:
            v = "0." + "0" * f.fraction_digits + "1"
            why = f"{where}: {v} has more than {f.fraction_digits} fraction digits (fractionDigits)"
            out.append(("digits", v, why))
    bad = _BAD_LEXICAL.get(f.primitive, ())
    if f.integral:
        bad = _INTEGRAL_BAD + bad
    for v in bad:
        what = "xs:integer" if f.integral else f"xs:{f.primitive}"
        out.append(("lexical", v, f"{where}: {v!r} is not a valid {what}"))
    return out


def _is_number(s: str) -> bool:
    try:
        return Decimal(s).is_finite()
    except ArithmeticError:
        return False


def _pattern_breaks(f: Facets, step: tuple[str, ...], value: str, where: str) -> list[tuple[str, str, str]]:
    pattern = " | ".join(step)

    def fails(v: str) -> bool:
        return not any(xsd_regex.exact(p).fullmatch(v) for p in step)

    out: list[tuple[str, str, str]] = []
    if f.primitive == "decimal" and _is_number(value):
        number = Decimal(value)
        for scale in (0, 1, 3):
            v = f"{number:.{scale}f}"
            if fails(v) and Decimal(v) == number:
                why = f"{where}: {v!r} has the wrong number of decimals (pattern {pattern})"
                out.append(("decimals", v, why))
    same_length = []
    for i in sorted({0, len(value) // 2, max(0, len(value) - 1)} if value else ()):
        for c in _PROBES:
            v = value[:i] + c + value[i + 1 :]
            if v != value and fails(v):
                same_length.append(v)
    bounds = [xsd_regex.length_bounds(p) for p in step]
    longer = []
    top = None if any(b is None for _, b in bounds) else max(b for _, b in bounds if b is not None)
    if top is not None:
        longer.append(value + (value[-1:] or "x") * (top + 1 - len(value)))
    low = min(a for a, _ in bounds)
    if low > 0:
        longer.append(value[: low - 1])
    longer += ["x" + value, value + "\n"]
    for v in dict.fromkeys(same_length + [v for v in longer if fails(v)]):
        out.append(("pattern", v, f"{where}: {v!r} does not match the pattern {pattern}"))
    return out


def _range_breaks(f: Facets, where: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    unit = Decimal(1) if f.integral else Decimal("0.01")
    if f.max_value is not None:
        top = Decimal(f.max_value)
        word = "maxInclusive" if f.max_inclusive else "maxExclusive"
        for value in [top + unit, top + 100 * unit] if f.max_inclusive else [top, top + unit]:
            for v in _numeric_forms(f, value)[:1]:
                out.append((v, f"{where} out of range: {v} above {word} {f.max_value}"))
    if f.min_value is not None:
        bottom = Decimal(f.min_value)
        word = "minInclusive" if f.min_inclusive else "minExclusive"
        for value in [bottom - unit, bottom - 100 * unit] if f.min_inclusive else [bottom, bottom - unit]:
            for v in _numeric_forms(f, value)[:1]:
                out.append((v, f"{where} out of range: {v} below {word} {f.min_value}"))
    return out


def _lexical_candidates(
    xsd_type: Any, fixed: str | None, value: str, where: str
) -> list[list[tuple[str, str]]]:
    """Breaking values for one leaf, by facet family, keeping only those the type (or fixed value) refuses."""
    try:
        f = facets_of(xsd_type)
    except NotImplementedError:
        return []
    seen: set[str] = set()
    families: dict[str, list[tuple[str, str]]] = {}
    for family, v, why in _breaks(f, value, fixed, where):
        if v in seen or not is_xml_safe(v):
            continue
        seen.add(v)
        if (fixed is not None and v != fixed) or not xsd_type.is_valid(v):
            families.setdefault(family, []).append((v, why))
    return list(families.values())


def _pick(draw: Any, families: list[list[tuple[str, str]]]) -> tuple[str, str]:
    """A facet family first, then one of its values: every facet gets its turn, whatever its candidates."""
    group = draw(st.sampled_from(families)) if len(families) > 1 else families[0]
    return draw(st.sampled_from(group)) if len(group) > 1 else group[0]


# --- the strategy -------------------------------------------------------------------------------------


def expected_answer(schema: Any, element: str) -> str:
    """What a conformant party answers to an XSD-invalid instance of `element` (see Mutation)."""
    root = plan(schema, element).root
    qname = etree.QName(root.tag)
    if qname.namespace == wire.PAFN:
        if qname.localname in wire.BY_REQUEST_ELEMENT:
            op = wire.BY_REQUEST_ELEMENT[qname.localname]
            return DEMAND_SYNTAX_KO if op.name == "paDemandPaymentNotice" else SYNTAX_KO
        return NODE_REFUSES
    return DEMAND_SYNTAX_KO


def _message(el: Any, soap: bool) -> bytes:
    """The whole message: a SOAP 1.1 envelope around a paForNode element, else an XML document."""
    if soap:
        return wire.envelope(copy.deepcopy(el))
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8")


Op = Callable[[Any], Mutation]


class _Mutator:
    """Builds the candidate mutations of one drawn instance."""

    def __init__(self, built: Any, original: Any, expected: str, headers: Mapping[str, str]) -> None:
        self.built = built
        self.root = copy.deepcopy(original)
        self.original = original
        self.expected = expected
        self.headers = dict(headers)
        self.pairs = _annotate(self.root, built.root)
        self.soap = etree.QName(built.root.tag).namespace == wire.PAFN

    def done(self, kind: str, description: str) -> Mutation:
        payload = _message(self.root, self.soap)
        return Mutation(kind, description, self.root, payload, self.expected, self.headers)

    # structural ----------------------------------------------------------------------------------------

    def structural(self) -> list[tuple[str, list[Op]]]:
        drops: list[Op] = []
        repeats: list[Op] = []
        swaps: list[Op] = []
        unknown: list[Op] = []
        namespaced: list[Op] = []
        for el, node in self.pairs:
            kids = [c for c in el if isinstance(c.tag, str)]
            counts: dict[str, int] = {}
            for c in kids:
                counts[c.tag] = counts.get(c.tag, 0) + 1
            for c in kids:
                info = node.children.get(c.tag)
                if info is None:
                    continue
                if info.required and counts[c.tag] <= info.min_occurs:
                    drops.append(self._drop(c))
                if info.single:
                    repeats.append(self._repeat(c, f"repeated {_path(c)}, which may occur once"))
                elif info.max_occurs is not None and counts[c.tag] == info.max_occurs and info.ordered:
                    repeats.append(
                        self._repeat(
                            c,
                            f"added occurrence {info.max_occurs + 1} of {_path(c)} "
                            f"(maxOccurs {info.max_occurs})",
                        )
                    )
                other = self._other_namespace(c)
                if other not in node.children and not node.wildcard:
                    namespaced.append(self._rename(c, other))
            for a, b in zip(kids, kids[1:], strict=False):
                ia, ib = node.children.get(a.tag), node.children.get(b.tag)
                if a.tag != b.tag and ia and ib and ia.ordered and ib.ordered:
                    swaps.append(self._swap(a, b))
            if not node.is_leaf and not node.wildcard:
                unknown.append(self._unknown(el, node))
        wrapper = [self._wrapper(None), self._wrapper(self._wrong_namespace())]
        return [
            ("drop", drops),
            ("repeat", repeats),
            ("swap", swaps),
            ("unknown", unknown),
            ("namespace", namespaced),
            ("wrapper", wrapper),
        ]

    def _drop(self, c: Any) -> Op:
        def op(draw: Any) -> Mutation:
            where = _path(c)
            c.getparent().remove(c)
            return self.done("structural", f"dropped required element {where}")

        return op

    def _repeat(self, c: Any, description: str) -> Op:
        def op(draw: Any) -> Mutation:
            c.addnext(copy.deepcopy(c))
            return self.done("structural", description)

        return op

    def _swap(self, a: Any, b: Any) -> Op:
        def op(draw: Any) -> Mutation:
            description = f"swapped siblings {_path(a)} and {_local(b)}"
            b.addnext(a)  # moves a after b
            return self.done("structural", description)

        return op

    def _unknown(self, el: Any, node: ElementNode) -> Op:
        def op(draw: Any) -> Mutation:
            kids = [c for c in el if isinstance(c.tag, str)]
            ns = next((etree.QName(t).namespace for t in node.children), None)
            name = UNKNOWN_NAME
            while etree.QName(ns, name).text in node.children:
                name += "X"
            at = draw(st.integers(0, len(kids))) if kids else 0
            extra = etree.Element(etree.QName(ns, name).text if ns else name)
            extra.text = "x"
            if at < len(kids):
                kids[at].addprevious(extra)
            else:
                el.append(extra)
            return self.done("structural", f"added unknown element {name} under {_path(el)}")

        return op

    def _other_namespace(self, c: Any) -> str:
        q = etree.QName(c)
        if q.namespace:
            return q.localname
        root_ns = etree.QName(self.root).namespace or FOREIGN_NAMESPACE
        return etree.QName(root_ns, q.localname).text

    def _rename(self, c: Any, tag: str) -> Op:
        def op(draw: Any) -> Mutation:
            where, ns = _path(c), etree.QName(c).namespace
            c.tag = tag
            if ns:
                return self.done("structural", f"took {where} out of its namespace {ns} (unqualified)")
            return self.done(
                "structural", f"put {where} in namespace {etree.QName(tag).namespace} (qualified)"
            )

        return op

    def _wrong_namespace(self) -> str:
        ns = etree.QName(self.root).namespace
        return WSDL_NAMESPACE if ns == wire.PAFN else FOREIGN_NAMESPACE

    def _wrapper(self, namespace: str | None) -> Op:
        def op(draw: Any) -> Mutation:
            q = etree.QName(self.root)
            if namespace is None and q.namespace:
                self.root.tag = q.localname
                return self.done("structural", f"unqualified the wrapper {q.localname} (no namespace)")
            target = namespace or FOREIGN_NAMESPACE
            self.root.tag = etree.QName(target, q.localname).text
            return self.done("structural", f"put the wrapper {q.localname} in namespace {target}")

        return op

    # lexical -------------------------------------------------------------------------------------------

    def lexical(self) -> list[tuple[str, list[Op]]]:
        # Leaves are grouped by declaration (first appearance first), then taken in document order: a
        # fault in the fourth transfer's idTransfer shrinks to the same fault in the first one.
        groups: dict[int, list[Op]] = {}
        for el, node in self.pairs:
            for attr in node.attributes:
                if el.get(attr.tag) is not None and _breakable(attr):
                    groups.setdefault(id(attr), []).append(self._break_attribute(el, attr))
            if node.is_leaf and _breakable(node):
                groups.setdefault(id(node), []).append(self._break_text(el, node))
        if not groups:
            return [("facet", [])]
        choices = list(groups.values())

        def op(draw: Any) -> Mutation:
            group = draw(st.sampled_from(choices)) if len(choices) > 1 else choices[0]
            return (draw(st.sampled_from(group)) if len(group) > 1 else group[0])(draw)

        return [("facet", [op])]

    def _break_text(self, el: Any, node: ElementNode) -> Op:
        def op(draw: Any) -> Mutation:
            where = _path(el)
            candidates = _lexical_candidates(node.simple_type, node.fixed, el.text or "", where)
            if not candidates:
                reject()
            value, description = _pick(draw, candidates)
            el.text = value
            return self.done("lexical", description)

        return op

    def _break_attribute(self, el: Any, attr: Attribute) -> Op:
        def op(draw: Any) -> Mutation:
            where = f"{_path(el)}/@{etree.QName(attr.tag).localname}"
            candidates = _lexical_candidates(attr.xsd_type, attr.fixed, el.get(attr.tag) or "", where)
            if not candidates:
                reject()
            value, description = _pick(draw, candidates)
            el.set(attr.tag, value)
            return self.done("lexical", description)

        return op

    # envelope ------------------------------------------------------------------------------------------

    def envelope(self, op_name: str) -> list[tuple[str, list[Op]]]:
        good = wire.envelope(copy.deepcopy(self.original))
        headers = {"SOAPAction": op_name, "Content-Type": wire.CONTENT_TYPE}

        def make(
            description: str,
            payload: bytes,
            expected: str | None = None,
            extra: Mapping[str, str] | None = None,
        ) -> Mutation:
            return Mutation(
                "envelope",
                description,
                None,
                payload,
                expected or self.expected,
                {**headers, **(extra or {})},
            )

        def not_xml(draw: Any) -> Mutation:
            text, what = draw(
                st.sampled_from(
                    [
                        (b'{"idPA": "77777777777"}', "a JSON object"),
                        (b"hello", "plain text"),
                        (good.replace(b"<soapenv:Body>", b"<soapenv:Body><<", 1), "markup with a stray '<'"),
                    ]
                )
            )
            return make(f"the message is not XML ({what})", text)

        def truncated(draw: Any) -> Mutation:
            cut = draw(st.integers(1, len(good) - 1))
            return make(f"truncated the message after {cut} of {len(good)} bytes", good[:cut])

        def empty_body(draw: Any) -> Mutation:
            env = etree.fromstring(good)
            body = env.find(f"{{{wire.SOAP_ENV}}}Body")
            for c in list(body):
                body.remove(c)
            return make("empty SOAP Body", etree.tostring(env, xml_declaration=True, encoding="UTF-8"))

        def no_body(draw: Any) -> Mutation:
            env = etree.fromstring(good)
            env.remove(env.find(f"{{{wire.SOAP_ENV}}}Body"))
            return make(
                "SOAP Envelope without a Body", etree.tostring(env, xml_declaration=True, encoding="UTF-8")
            )

        def soap12(draw: Any) -> Mutation:
            env = etree.Element(etree.QName(wire.SOAP12_ENV, "Envelope"), nsmap={"env": wire.SOAP12_ENV})
            etree.SubElement(env, etree.QName(wire.SOAP12_ENV, "Header"))
            etree.SubElement(env, etree.QName(wire.SOAP12_ENV, "Body")).append(copy.deepcopy(self.original))
            payload = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
            ctype = f'application/soap+xml; charset=utf-8; action="{op_name}"'
            return make(
                "SOAP 1.2 envelope (Content-Type application/soap+xml) instead of SOAP 1.1",
                payload,
                extra={"Content-Type": ctype},
            )

        def wrong_action(draw: Any) -> Mutation:
            others = [name for name in wire.OPERATIONS if name != op_name] + ["paUnknownOperation"]
            other = draw(st.sampled_from(others))
            return make(
                f"SOAPAction header names {other} instead of {op_name}",
                good,
                SAME_ANSWER,
                {"SOAPAction": other},
            )

        def wrong_type(draw: Any) -> Mutation:
            ctype = draw(
                st.sampled_from(["application/json", "text/plain; charset=utf-8", "application/xml"])
            )
            return make(
                f"Content-Type header {ctype} instead of {wire.CONTENT_TYPE}",
                good,
                SAME_ANSWER,
                {"Content-Type": ctype},
            )

        return [("envelope", [not_xml, truncated, empty_body, no_body, soap12, wrong_action, wrong_type])]


def _breakable(leaf: ElementNode | Attribute) -> bool:
    """True when some XML-safe value is invalid for the leaf (xs:string or xs:token without facets: none)."""
    if leaf.fixed is not None:
        return True
    xsd_type = leaf.simple_type if isinstance(leaf, ElementNode) else leaf.xsd_type
    try:
        f = facets_of(xsd_type)
    except NotImplementedError:
        return False
    lo, hi = f.length_range
    return bool(
        f.enumeration is not None
        or f.patterns
        or lo
        or hi is not None
        or f.min_value is not None
        or f.max_value is not None
        or f.primitive not in ("string", "anyURI")
    )


def mutations(
    schema: Any,
    element: str,
    *,
    valid: SearchStrategy[etree._Element] | None = None,
    kinds: Iterable[str] = KINDS,
    max_occurs: int = 5,
) -> SearchStrategy[Mutation]:
    """Instances of `element` with exactly one fault, described; envelope faults for paForNode requests.

    `valid` supplies the instances to break (from_xsd by default; domain_instances for realistic ones);
    `kinds` narrows the faults to "structural", "lexical" and/or "envelope".
    """
    chosen = tuple(kinds)
    unknown = set(chosen) - set(KINDS)
    if unknown or not chosen:
        raise ValueError(f"kinds must be a non-empty subset of {KINDS}, not {chosen!r}")
    xs = as_xmlschema(schema)
    built = plan(xs, element, max_occurs=max_occurs)
    source = valid if valid is not None else from_xsd(xs, element, max_occurs=max_occurs)
    expected = expected_answer(xs, element)
    qname = etree.QName(built.root.tag)
    request = wire.BY_REQUEST_ELEMENT.get(qname.localname) if qname.namespace == wire.PAFN else None
    if qname.namespace == wire.PAFN:
        headers = {"Content-Type": wire.CONTENT_TYPE} | ({"SOAPAction": request.name} if request else {})
    else:
        headers = {}
    if chosen == ("envelope",) and request is None:
        raise ValueError(f"envelope mutations apply to paForNode requests only, not to {element}")

    @st.composite
    def one_fault(draw: Any) -> Mutation:
        mutator = _Mutator(built, draw(source), expected, headers)
        by_kind: dict[str, list[tuple[str, list[Op]]]] = {}
        if "structural" in chosen:
            by_kind["structural"] = mutator.structural()
        if "lexical" in chosen:
            by_kind["lexical"] = mutator.lexical()
        if "envelope" in chosen and request is not None:
            by_kind["envelope"] = mutator.envelope(request.name)
        available = {kind: [ops for _, ops in fams if ops] for kind, fams in by_kind.items()}
        kinds_left = [kind for kind in KINDS if available.get(kind)]
        if not kinds_left:
            reject()
        kind = draw(st.sampled_from(kinds_left)) if len(kinds_left) > 1 else kinds_left[0]
        families = available[kind]
        ops = draw(st.sampled_from(families)) if len(families) > 1 else families[0]
        return (draw(st.sampled_from(ops)) if len(ops) > 1 else ops[0])(draw)

    return one_fault()
