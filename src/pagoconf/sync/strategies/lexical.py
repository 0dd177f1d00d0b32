"""Lexical values of XSD simple types: facets read from the xmlschema model, values built to satisfy them."""

from __future__ import annotations

import base64
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import hypothesis.strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy
from xmlschema.validators import XsdAtomicBuiltin, XsdList, XsdUnion

from pagoconf.sync.strategies import xsd_regex

XSD = "http://www.w3.org/2001/XMLSchema"
_F = f"{{{XSD}}}"

# Characters safe in any XML text or attribute: no controls but tab/LF/CR, no surrogates, no FFFE/FFFF.
_NOT_XML = "\ufffe\uffff"
TEXT_ALPHABET = st.characters(
    exclude_categories=("Cs", "Cc"), include_characters="\t\n\r", exclude_characters=_NOT_XML
)
_NO_CONTROL_WS = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters=_NOT_XML)
_NO_WS = st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters=_NOT_XML + " ")

# Bounds used when a numeric type gives none (stations should cope with these magnitudes).
_DEFAULT_DECIMAL_BOUND = Decimal(10) ** 12
_DEFAULT_INTEGER_BOUND = 10**18
_MAX_DEFAULT_SCALE = 4


class XsdUnsupported(NotImplementedError):
    """A schema construct these strategies cannot (yet) generate values for."""


def is_xml_safe(text: str) -> bool:
    """True when every character of `text` may appear in an XML 1.0 document."""
    return all(
        c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000"
        for c in text
    )


@dataclass(frozen=True)
class Facets:
    """The facets of one simple type, gathered along its whole derivation chain."""

    name: str
    builtin: str  # nearest built-in ancestor, e.g. "int", "token", "string"
    primitive: str  # e.g. "decimal", "string", "date"
    integral: bool
    white_space: str
    patterns: tuple[tuple[str, ...], ...] = ()  # AND across derivation steps, OR within one step
    enumeration: tuple[str, ...] | None = None  # lexical values, the most derived step's
    length: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_value: Any = None
    min_inclusive: bool = True
    max_value: Any = None
    max_inclusive: bool = True
    total_digits: int | None = None
    fraction_digits: int | None = None
    user_patterns: tuple[tuple[str, ...], ...] = field(default=())  # the patterns a schema author wrote

    @property
    def length_range(self) -> tuple[int, int | None]:
        """The allowed length (characters, octets or items) as (min, max or None)."""
        if self.length is not None:
            return self.length, self.length
        return self.min_length or 0, self.max_length

    def matches_patterns(self, text: str) -> bool:
        """True when `text` matches every derivation step's pattern (any alternative of each)."""
        return all(any(xsd_regex.exact(p).fullmatch(text) for p in step) for step in self.patterns)

    def describe(self) -> str:
        """A short summary of the facets, for messages."""
        parts = [f"{self.name} ({self.builtin})"]
        if self.enumeration is not None:
            parts.append("enumeration " + ", ".join(self.enumeration))
        for step in self.patterns:
            parts.append("pattern " + " | ".join(step))
        lo, hi = self.length_range
        if lo or hi is not None:
            parts.append(f"length {lo}..{'' if hi is None else hi}")
        if self.min_value is not None:
            parts.append(f"{'minInclusive' if self.min_inclusive else 'minExclusive'} {self.min_value}")
        if self.max_value is not None:
            parts.append(f"{'maxInclusive' if self.max_inclusive else 'maxExclusive'} {self.max_value}")
        return "; ".join(parts)


def _display(xsd_type: Any) -> str:
    name = getattr(xsd_type, "local_name", None) or getattr(xsd_type, "name", None)
    return name or "anonymous simple type"


def _chain(xsd_type: Any) -> list[Any]:
    out, t = [], xsd_type
    while t is not None and getattr(t, "is_simple", lambda: False)():
        out.append(t)
        if isinstance(t, XsdAtomicBuiltin) and t.base_type is None:
            break
        t = getattr(t, "base_type", None)
    return out


def _enumeration_lexicals(level: Any) -> list[str] | None:
    facet = level.facets.get(f"{_F}enumeration")
    if facet is None:
        return None
    elem = getattr(level, "elem", None)
    raw: list[str] = []
    if elem is not None:
        holder = elem if elem.tag == f"{_F}restriction" else elem.find(f"{_F}restriction")
        if holder is not None:
            raw = [e.get("value", "") for e in holder.findall(f"{_F}enumeration")]
    if not raw:
        raw = [_lexical_of(v) for v in facet.enumeration]
    return raw


def _lexical_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def facets_of(xsd_type: Any) -> Facets:
    """Every facet of an atomic simple type, combined along its derivation chain."""
    chain = _chain(xsd_type)
    builtin = next((t for t in chain if isinstance(t, XsdAtomicBuiltin)), None)
    if builtin is None:
        raise XsdUnsupported(f"{_display(xsd_type)} does not derive from a built-in atomic type")
    names = [t.local_name for t in chain if isinstance(t, XsdAtomicBuiltin)]
    values: dict[str, Any] = {}
    patterns: list[tuple[str, ...]] = []
    user_patterns: list[tuple[str, ...]] = []
    enumeration: list[str] | None = None
    for level in chain:
        facets = level.facets
        pat = facets.get(f"{_F}pattern")
        if pat is not None:
            step = tuple(pat.regexps)
            patterns.append(step)
            if not isinstance(level, XsdAtomicBuiltin):
                user_patterns.append(step)
        if enumeration is None:
            enumeration = _enumeration_lexicals(level)
        for key, facet in facets.items():
            if not key or key in (f"{_F}pattern", f"{_F}enumeration", f"{_F}whiteSpace"):
                continue
            local = key.split("}")[1]
            values.setdefault(local, [])
            values[local].append(facet.value)
    if enumeration is not None:
        enumeration = [v for v in enumeration if xsd_type.is_valid(v)]

    def tightest(local: str, pick: Callable[[Any], Any]) -> Any:
        found = values.get(local)
        return pick(found) if found else None

    lo_incl, lo_excl = tightest("minInclusive", max), tightest("minExclusive", max)
    hi_incl, hi_excl = tightest("maxInclusive", min), tightest("maxExclusive", min)
    min_value, min_inclusive = lo_incl, True
    if lo_excl is not None and (lo_incl is None or lo_excl >= lo_incl):
        min_value, min_inclusive = lo_excl, False
    max_value, max_inclusive = hi_incl, True
    if hi_excl is not None and (hi_incl is None or hi_excl <= hi_incl):
        max_value, max_inclusive = hi_excl, False
    return Facets(
        name=_display(xsd_type),
        builtin=str(names[0]),
        primitive=xsd_type.primitive_type.local_name,
        integral="integer" in names,
        white_space=getattr(xsd_type, "white_space", None) or "preserve",
        patterns=tuple(patterns),
        enumeration=tuple(enumeration) if enumeration is not None else None,
        length=tightest("length", min),
        min_length=tightest("minLength", max),
        max_length=tightest("maxLength", min),
        min_value=min_value,
        min_inclusive=min_inclusive,
        max_value=max_value,
        max_inclusive=max_inclusive,
        total_digits=tightest("totalDigits", min),
        fraction_digits=tightest("fractionDigits", min),
        user_patterns=tuple(user_patterns),
    )


# --- strategies ----------------------------------------------------------------------------------------

_CACHE: dict[int, tuple[Any, SearchStrategy[str]]] = {}
_LOCK = threading.Lock()


def simple_values(
    xsd_type: Any, overrides: Mapping[Any, SearchStrategy[str]] | None = None
) -> SearchStrategy[str]:
    """Lexical values of one simple type (atomic, list or union), valid against all of its facets."""
    if overrides and xsd_type in overrides:
        return overrides[xsd_type]
    if not overrides:
        with _LOCK:
            hit = _CACHE.get(id(xsd_type))
            if hit is not None and hit[0] is xsd_type:
                return hit[1]
    strategy = _build(xsd_type, overrides or {})
    if not overrides:
        with _LOCK:
            _CACHE[id(xsd_type)] = (xsd_type, strategy)
    return strategy


def _build(xsd_type: Any, overrides: Mapping[Any, SearchStrategy[str]]) -> SearchStrategy[str]:
    if getattr(xsd_type, "is_complex", lambda: False)():
        raise XsdUnsupported(f"{_display(xsd_type)} is a complex type, not a simple one")
    if xsd_type.local_name == "anySimpleType" and xsd_type.target_namespace == XSD:
        return st.text(TEXT_ALPHABET, max_size=20)
    if xsd_type.is_list():
        return _lists(xsd_type, overrides)
    if xsd_type.is_union():
        return _unions(xsd_type, overrides)
    return atomic_values(facets_of(xsd_type))


def _restricting_levels(xsd_type: Any, kind: type) -> tuple[Any, list[Any]]:
    """The list or union type at the root of a restriction chain, and the restrictions above it."""
    levels, t = [], xsd_type
    while not isinstance(t, kind):
        levels.append(t)
        t = t.base_type
    return t, levels


def _lists(xsd_type: Any, overrides: Mapping[Any, SearchStrategy[str]]) -> SearchStrategy[str]:
    root, _ = _restricting_levels(xsd_type, XsdList)
    item = simple_values(root.item_type, overrides).filter(
        lambda v: v != "" and not any(c.isspace() for c in v)
    )
    lo, hi = 0, None
    for key in ("length", "minLength", "maxLength"):
        found = [lv.facets[f"{_F}{key}"].value for lv in _chain_any(xsd_type) if f"{_F}{key}" in lv.facets]
        if not found:
            continue
        if key == "length":
            lo = hi = min(found)
        elif key == "minLength":
            lo = max(lo, max(found))
        else:
            hi = min(found) if hi is None else min(hi, min(found))
    values = st.lists(item, min_size=lo, max_size=hi if hi is not None else max(lo, 5)).map(" ".join)
    return values.filter(xsd_type.is_valid)


def _chain_any(xsd_type: Any) -> list[Any]:
    out, t = [], xsd_type
    while t is not None and not isinstance(t, XsdAtomicBuiltin):
        out.append(t)
        t = getattr(t, "base_type", None)
    return out


def _unions(xsd_type: Any, overrides: Mapping[Any, SearchStrategy[str]]) -> SearchStrategy[str]:
    root, levels = _restricting_levels(xsd_type, XsdUnion)
    members = [simple_values(m, overrides) for m in root.member_types]
    values = st.one_of(members)
    enumerations = [_enumeration_lexicals(lv) for lv in levels]
    enumeration = next((e for e in enumerations if e is not None), None)
    if enumeration is not None:
        valid = [v for v in enumeration if xsd_type.is_valid(v)]
        if not valid:
            raise XsdUnsupported(f"no enumeration value of {_display(xsd_type)} is valid")
        return st.sampled_from(valid)
    return values.filter(xsd_type.is_valid) if levels else values


def atomic_values(f: Facets) -> SearchStrategy[str]:
    """Lexical values satisfying the facets `f` of an atomic type."""
    if f.enumeration is not None:
        if not f.enumeration:
            raise XsdUnsupported(f"{f.name}: no enumeration value satisfies the other facets")
        return st.sampled_from(f.enumeration)
    maker = _BY_PRIMITIVE.get(f.primitive)
    if maker is None:
        raise XsdUnsupported(f"{f.name}: values of xs:{f.primitive} are not generated (not used by SANP)")
    return maker(f)


def _length_ok(f: Facets) -> Callable[[str], bool]:
    lo, hi = f.length_range
    return lambda v: lo <= len(v) and (hi is None or len(v) <= hi)


def _ws_ok(f: Facets) -> Callable[[str], bool]:
    if f.white_space == "collapse":
        return lambda v: (
            v == " ".join(v.split(" ")) and v.strip(" ") == v and not any(c in v for c in "\t\n\r")
        )
    if f.white_space == "replace":
        return lambda v: not any(c in v for c in "\t\n\r")
    return lambda v: True


def _strings(f: Facets) -> SearchStrategy[str]:
    lo, hi = f.length_range
    if hi is not None and hi < lo:
        raise XsdUnsupported(f"{f.name}: length facets admit no value")
    alphabet = {"preserve": TEXT_ALPHABET, "replace": _NO_CONTROL_WS}.get(f.white_space, _NO_WS)
    if f.primitive == "anyURI" and not f.patterns:
        return _uris(f)
    if not f.patterns:
        return st.text(alphabet, min_size=lo, max_size=hi)
    return _from_patterns(f)


def _from_patterns(f: Facets) -> SearchStrategy[str]:
    """Generate from the most restrictive step's pattern, then keep what the other facets allow."""
    lo, hi = f.length_range
    steps = sorted(f.patterns, key=lambda step: 0 if step in f.user_patterns else 1)
    first = steps[0]
    sources = []
    for p in first:
        plo, phi = xsd_regex.length_bounds(p)
        if (hi is not None and plo > hi) or (phi is not None and phi < lo):
            continue
        sources.append(xsd_regex.strategy(p, hi))
    if not sources:
        raise XsdUnsupported(f"{f.name}: its pattern admits no string of the allowed length ({f.describe()})")
    values = st.one_of(sources) if len(sources) > 1 else sources[0]
    checks: list[Callable[[str], bool]] = []
    pattern_lengths = [xsd_regex.length_bounds(p) for p in first]
    if not all(lo <= a and (hi is None or (b is not None and b <= hi)) for a, b in pattern_lengths):
        checks.append(_length_ok(f))
    if len(f.patterns) > 1:
        rest = steps[1:]
        checks.append(lambda v: all(any(xsd_regex.exact(p).fullmatch(v) for p in step) for step in rest))
    if f.white_space != "preserve":
        checks.append(_ws_ok(f))
    if not checks:
        return values
    return values.filter(lambda v: all(c(v) for c in checks))


def _uris(f: Facets) -> SearchStrategy[str]:
    lo, hi = f.length_range
    uris = st.from_regex(
        r"(https://[a-z]{1,12}\.example(/[a-z0-9]{1,8}){0,3}|urn:[a-z]{1,8}:[a-z0-9]{1,12})", fullmatch=True
    )
    return uris.filter(_length_ok(f)) if (lo or hi is not None) else uris


# --- numbers ------------------------------------------------------------------------------------------


def _fmt(n: int, scale: int, plus: bool, zeros: int) -> str:
    digits = str(abs(n)).rjust(scale + 1, "0")
    whole, frac = (digits[:-scale], digits[-scale:]) if scale else (digits, "")
    sign = "-" if n < 0 else ("+" if plus else "")
    return sign + "0" * zeros + whole + ("." + frac if scale else "")


def _unit_bounds(f: Facets, scale: int) -> tuple[int, int] | None:
    """The range of n such that n × 10^-scale honours the type's range and digit facets."""
    unit = Decimal(1).scaleb(-scale)
    if f.integral:
        default_lo, default_hi = Decimal(-_DEFAULT_INTEGER_BOUND), Decimal(_DEFAULT_INTEGER_BOUND)
    else:
        default_lo, default_hi = -_DEFAULT_DECIMAL_BOUND, _DEFAULT_DECIMAL_BOUND
    lo = Decimal(f.min_value) if f.min_value is not None else default_lo
    hi = Decimal(f.max_value) if f.max_value is not None else default_hi
    n_lo = math.ceil(lo / unit)
    if not f.min_inclusive and n_lo * unit == lo:
        n_lo += 1
    n_hi = math.floor(hi / unit)
    if not f.max_inclusive and n_hi * unit == hi:
        n_hi -= 1
    if f.total_digits is not None:
        cap = 10**f.total_digits - 1
        n_lo, n_hi = max(n_lo, -cap), min(n_hi, cap)
    return (n_lo, n_hi) if n_lo <= n_hi else None


def _numbers(f: Facets) -> SearchStrategy[str]:
    """Decimal and integer lexical forms: a scale, an integer count of units, a sign/zero-padding variant."""
    max_scale = (
        0 if f.integral else (f.fraction_digits if f.fraction_digits is not None else _MAX_DEFAULT_SCALE)
    )
    if f.user_patterns and all(
        xsd_regex.length_bounds(p)[1] is not None for step in f.user_patterns for p in step
    ):
        return _numbers_from_pattern(f)
    options: list[tuple[int, tuple[int, int], list[tuple[bool, int]]]] = []
    for scale in range(max_scale + 1):
        bounds = _unit_bounds(f, scale)
        if bounds is None:
            continue
        samples = {min(max(v, bounds[0]), bounds[1]) for v in (0, 1, 12 * 10**scale + 34, *bounds)}
        variants = [
            (plus, zeros)
            for plus, zeros in ((False, 0), (True, 0), (False, 1), (False, 3))
            if any(f.matches_patterns(_fmt(n, scale, plus and n >= 0, zeros)) for n in samples)
        ]
        if variants:
            options.append((scale, bounds, variants))
    if not options:
        raise XsdUnsupported(f"{f.name}: no number satisfies {f.describe()}")

    @st.composite
    def numbers(draw: Any) -> str:
        scale, (lo, hi), variants = draw(st.sampled_from(options))
        n = draw(st.integers(lo, hi))
        # the plain form (first) is the most likely and the one shrinking reaches
        k = draw(st.integers(0, 2 * len(variants) - 1)) if len(variants) > 1 else 0
        plus, zeros = variants[k] if k < len(variants) else variants[0]
        return _fmt(n, scale, plus and n >= 0, zeros)

    values = numbers()
    return values.filter(f.matches_patterns) if f.patterns else values


def _numbers_from_pattern(f: Facets) -> SearchStrategy[str]:
    """Numbers for a type whose pattern bounds the length: generate the pattern, keep values in range."""
    base = _from_patterns(f)

    def in_range(v: str) -> bool:
        try:
            d = Decimal(v)
        except ArithmeticError:
            return False
        if not d.is_finite() or (f.integral and "." in v):
            return False
        if f.min_value is not None and (d < f.min_value or (not f.min_inclusive and d == f.min_value)):
            return False
        if f.max_value is not None and (d > f.max_value or (not f.max_inclusive and d == f.max_value)):
            return False
        digits = d.normalize().as_tuple()
        frac = max(0, -int(digits.exponent))
        if f.fraction_digits is not None and frac > f.fraction_digits:
            return False
        return f.total_digits is None or len(digits.digits) <= f.total_digits

    return base.filter(in_range)


def _floats(f: Facets) -> SearchStrategy[str]:
    width: Literal[32, 64] = 32 if f.primitive == "float" else 64
    finite = st.floats(allow_nan=False, allow_infinity=False, width=width)
    if f.min_value is not None or f.max_value is not None:
        lo = float(f.min_value) if f.min_value is not None else None
        hi = float(f.max_value) if f.max_value is not None else None
        finite = st.floats(
            lo,
            hi,
            allow_nan=False,
            allow_infinity=False,
            width=width,
            exclude_min=not f.min_inclusive,
            exclude_max=not f.max_inclusive,
        )
        values = finite.map(repr)
    else:
        values = st.one_of(finite.map(repr), st.sampled_from(["INF", "-INF", "NaN"]))
    return values.filter(f.matches_patterns) if f.patterns else values


def _booleans(f: Facets) -> SearchStrategy[str]:
    forms = [v for v in ("true", "false", "1", "0") if f.matches_patterns(v)]
    if not forms:
        raise XsdUnsupported(f"{f.name}: no boolean lexical form matches {f.describe()}")
    return st.sampled_from(forms)


# --- dates and times ----------------------------------------------------------------------------------

_TZ = st.one_of(
    st.just(""),
    st.just("Z"),
    st.builds(
        lambda sign, h, m: f"{sign}{h:02d}:{0 if h == 14 else m:02d}",
        st.sampled_from("+-"),
        st.integers(0, 14),
        st.sampled_from([0, 30, 45]),
    ),
)


def _frac(micro: int) -> str:
    return "" if micro == 0 else "." + f"{micro:06d}".rstrip("0")


_LEXICAL_TIME: dict[str, SearchStrategy[str]] = {
    "date": st.builds(lambda d, z: d.isoformat() + z, st.dates(), _TZ),
    "dateTime": st.builds(
        lambda d, z: d.replace(microsecond=0).isoformat() + _frac(d.microsecond) + z,
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
        _TZ,
    ),
    "time": st.builds(
        lambda t, z: t.replace(microsecond=0).isoformat() + _frac(t.microsecond) + z, st.times(), _TZ
    ),
    "gYear": st.builds(lambda y, z: f"{y:04d}{z}", st.integers(1, 9999), _TZ),
    "gYearMonth": st.builds(
        lambda y, m, z: f"{y:04d}-{m:02d}{z}", st.integers(1, 9999), st.integers(1, 12), _TZ
    ),
    "gMonth": st.builds(lambda m, z: f"--{m:02d}{z}", st.integers(1, 12), _TZ),
    "gDay": st.builds(lambda d, z: f"---{d:02d}{z}", st.integers(1, 28), _TZ),
    "gMonthDay": st.builds(
        lambda m, d, z: f"--{m:02d}-{d:02d}{z}", st.integers(1, 12), st.integers(1, 28), _TZ
    ),
}


def _times(f: Facets) -> SearchStrategy[str]:
    if f.min_value is not None or f.max_value is not None:
        raise XsdUnsupported(f"{f.name}: range facets on xs:{f.primitive} are not supported")
    values = _LEXICAL_TIME[f.primitive]
    return values.filter(f.matches_patterns) if f.patterns else values


def _durations(f: Facets) -> SearchStrategy[str]:
    if f.min_value is not None or f.max_value is not None:
        raise XsdUnsupported(f"{f.name}: range facets on xs:duration are not supported")
    values = st.builds(
        lambda sign, d, h, s: f"{sign}P{d}DT{h}H{s}S",
        st.sampled_from(["", "-"]),
        st.integers(0, 400),
        st.integers(0, 23),
        st.integers(0, 59),
    )
    return values.filter(f.matches_patterns) if f.patterns else values


# --- binary -------------------------------------------------------------------------------------------


def _binary(f: Facets) -> SearchStrategy[str]:
    """base64Binary / hexBinary: random octets (length facets count octets), encoded; patterns respected."""
    lo, hi = f.length_range
    hex_ = f.primitive == "hexBinary"
    for step in f.user_patterns:
        bounds = [xsd_regex.length_bounds(p) for p in step]
        plo = min(a for a, _ in bounds)
        phi = None if any(b is None for _, b in bounds) else max(b for _, b in bounds if b is not None)
        if hex_:
            lo = max(lo, (plo + 1) // 2)
            hi = phi // 2 if phi is not None and (hi is None or phi // 2 < hi) else hi
        else:
            lo = max(lo, 3 * math.ceil(plo / 4) - 2 if plo > 0 else 0)
            hi = 3 * (phi // 4) if phi is not None and (hi is None or 3 * (phi // 4) < hi) else hi
    if hi is not None and hi < lo:
        raise XsdUnsupported(f"{f.name}: no octet count satisfies {f.describe()}")

    def encode(data: bytes) -> str:
        return data.hex().upper() if hex_ else base64.b64encode(data).decode("ascii")

    values = st.binary(min_size=lo, max_size=hi if hi is not None else max(lo, 64)).map(encode)
    return values.filter(f.matches_patterns) if f.patterns else values


_BY_PRIMITIVE: dict[str, Callable[[Facets], SearchStrategy[str]]] = {
    "string": _strings,
    "anyURI": _strings,
    "decimal": _numbers,
    "float": _floats,
    "double": _floats,
    "boolean": _booleans,
    "date": _times,
    "dateTime": _times,
    "time": _times,
    "gYear": _times,
    "gYearMonth": _times,
    "gMonth": _times,
    "gDay": _times,
    "gMonthDay": _times,
    "duration": _durations,
    "base64Binary": _binary,
    "hexBinary": _binary,
}


def checked(
    strategy: SearchStrategy[Any], xsd_type: Any, where: str, fixed: str | None = None
) -> SearchStrategy[str]:
    """A user-supplied strategy whose draws are checked against the simple type (errors at draw time)."""

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidArgument(f"override for {where} drew {value!r}, not a str")
        if not is_xml_safe(value):
            raise InvalidArgument(f"override for {where} drew {value!r}, which XML cannot carry")
        if fixed is not None and value != fixed:
            raise InvalidArgument(f"override for {where} drew {value!r}; the schema fixes it to {fixed!r}")
        if not xsd_type.is_valid(value):
            reason = next(iter(xsd_type.iter_errors(value)), None)
            raise InvalidArgument(
                f"override for {where} drew {value!r}, which {_display(xsd_type)} refuses"
                + (f": {getattr(reason, 'reason', reason)}" if reason is not None else "")
            )
        return value

    return strategy.map(check)


__all__ = [
    "TEXT_ALPHABET",
    "Facets",
    "XsdUnsupported",
    "atomic_values",
    "checked",
    "facets_of",
    "is_xml_safe",
    "simple_values",
]
