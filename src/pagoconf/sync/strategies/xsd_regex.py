"""XSD regular expressions (XML Schema Part 2, Appendix F) translated to Python `re`."""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache

import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy

MAX_CP = sys.maxunicode

Ranges = tuple[tuple[int, int], ...]


class XsdRegexError(ValueError):
    """A pattern that is not a valid XSD regular expression, or uses a construct we do not support."""


# --- code point sets ---------------------------------------------------------------------------------


def _normalise(ranges: list[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(r for r in ranges if r[0] <= r[1]):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def _complement(rs: Ranges) -> Ranges:
    out, start = [], 0
    for lo, hi in rs:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= MAX_CP:
        out.append((start, MAX_CP))
    return tuple(out)


def _subtract(a: Ranges, b: Ranges) -> Ranges:
    return _intersect(a, _complement(b))


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _chars(s: str) -> Ranges:
    return _normalise([(ord(c), ord(c)) for c in s])


@cache
def _all_categories(old: bool = False) -> dict[str, list[tuple[int, int]]]:
    """Ranges of every general category, in current Unicode or (old) in Unicode 3.2 (one pass, cached)."""
    category = unicodedata.ucd_3_2_0.category if old else unicodedata.category
    out: dict[str, list[tuple[int, int]]] = {}
    for cp in range(MAX_CP + 1):
        rs = out.setdefault(category(chr(cp)), [])
        if rs and rs[-1][1] == cp - 1:
            rs[-1] = (rs[-1][0], cp)
        else:
            rs.append((cp, cp))
    return out


@cache
def _category(prefix: str, old: bool = False) -> Ranges:
    """Code points whose general category starts with `prefix` (in Unicode 3.2 when `old`)."""
    return _normalise([r for cat, rs in _all_categories(old).items() if cat.startswith(prefix) for r in rs])


@cache
def _stable_category(prefix: str) -> Ranges:
    """Code points in the category both today and in Unicode 3.2: safe to generate for any validator."""
    return _intersect(_category(prefix), _category(prefix, True))


_CATEGORIES = {
    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Ps",
    "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp", "S", "Sm", "Sc", "Sk", "So", "C", "Cc", "Cf", "Co", "Cn",
}  # fmt: skip

# XML 1.0 (5th edition) NameStartChar / NameChar, the meaning of \i and \c.
_NAME_START = _normalise(
    [(ord(":"), ord(":")), (ord("A"), ord("Z")), (ord("_"), ord("_")), (ord("a"), ord("z")), (0xC0, 0xD6),
     (0xD8, 0xF6), (0xF8, 0x2FF), (0x370, 0x37D), (0x37F, 0x1FFF), (0x200C, 0x200D), (0x2070, 0x218F),
     (0x2C00, 0x2FEF), (0x3001, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFFD), (0x10000, 0xEFFFF)]
)  # fmt: skip
_NAME_CHAR = _normalise(
    [*_NAME_START, (ord("-"), ord("-")), (ord("."), ord(".")), (ord("0"), ord("9")), (0xB7, 0xB7),
     (0x300, 0x36F), (0x203F, 0x2040)]
)  # fmt: skip
_SPACE = _chars(" \t\n\r")
_DOT = _complement(_chars("\n\r"))
# Characters an XML 1.0 document may carry.
XML_CHARS = _normalise([(0x9, 0xA), (0xD, 0xD), (0x20, 0xD7FF), (0xE000, 0xFFFD), (0x10000, MAX_CP)])


# Generative stand-ins for \\i and \\c: names every XML edition and validator accepts.
_NAME_START_SAFE = _normalise(
    [
        (ord(":"), ord(":")),
        (ord("A"), ord("Z")),
        (ord("_"), ord("_")),
        (ord("a"), ord("z")),
        (0xC0, 0xD6),
        (0xD8, 0xF6),
        (0xF8, 0xFF),
    ]
)
_NAME_CHAR_SAFE = _normalise([*_NAME_START_SAFE, (ord("-"), ord(".")), (ord("0"), ord("9"))])
_ASCII_DIGITS = ((ord("0"), ord("9")),)

Sets = tuple[Ranges, Ranges]  # (exact, generative ⊆ exact)


def _multi_escape(letter: str) -> Sets:
    """The sets of one multi-character escape (\\s \\i \\c \\d \\w and their complements)."""
    lower = letter.lower()
    if lower == "s":
        exact, gen = _SPACE, _SPACE
    elif lower == "i":
        exact, gen = _NAME_START, _NAME_START_SAFE
    elif lower == "c":
        exact, gen = _NAME_CHAR, _NAME_CHAR_SAFE
    elif lower == "d":
        exact, gen = _category("Nd"), _ASCII_DIGITS
    elif lower == "w":
        exact = _complement(_normalise([*_category("P"), *_category("Z"), *_category("C")]))
        gen = _subtract(
            _normalise(
                [
                    *_stable_category("L"),
                    *_stable_category("M"),
                    *_stable_category("S"),
                    *_stable_category("N"),
                ]
            ),
            _subtract(_category("Nd"), _ASCII_DIGITS),
        )
    else:  # pragma: no cover - callers pass only the letters above
        raise XsdRegexError(f"unknown escape \\{letter}")
    if letter.isupper():
        exact = _complement(exact)
        gen = exact  # a complement is taken of the exact set, so nothing outside it slips in
    return exact, gen


_SINGLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"} | {c: c for c in "\\|.-^?*+{}()[]"}
_MULTI_ESCAPES = set("sSiIcCdDwW")
_META = set(".\\?*+{}()|[]")


# --- syntax tree ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CharSet:
    """One character from a set of code point ranges (`safe`: the subset to generate from)."""

    ranges: Ranges
    safe: Ranges


@dataclass(frozen=True)
class Seq:
    """Pieces one after another."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt:
    """One of several branches."""

    branches: tuple[Node, ...]


@dataclass(frozen=True)
class Repeat:
    """A piece with a quantifier; `hi` None means unbounded."""

    item: Node
    lo: int
    hi: int | None


Node = CharSet | Seq | Alt | Repeat


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.s = pattern
        self.i = 0

    def error(self, why: str) -> XsdRegexError:
        return XsdRegexError(f"XSD pattern {self.s!r}, position {self.i}: {why}")

    def peek(self, k: int = 0) -> str | None:
        j = self.i + k
        return self.s[j] if j < len(self.s) else None

    def take(self) -> str:
        if self.i >= len(self.s):
            raise self.error("unexpected end of pattern")
        c = self.s[self.i]
        self.i += 1
        return c

    def parse(self) -> Node:
        node = self.alternation()
        if self.i != len(self.s):
            raise self.error(f"unexpected {self.s[self.i]!r}")
        return node

    def alternation(self) -> Node:
        branches = [self.branch()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.branch())
        return branches[0] if len(branches) == 1 else Alt(tuple(branches))

    def branch(self) -> Node:
        items: list[Node] = []
        while self.peek() not in (None, "|", ")"):
            items.append(self.piece())
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def piece(self) -> Node:
        atom = self.atom()
        c = self.peek()
        if c == "?":
            self.i += 1
            return Repeat(atom, 0, 1)
        if c == "*":
            self.i += 1
            return Repeat(atom, 0, None)
        if c == "+":
            self.i += 1
            return Repeat(atom, 1, None)
        if c == "{":
            self.i += 1
            lo, hi = self.quantity()
            return Repeat(atom, lo, hi)
        return atom

    def quantity(self) -> tuple[int, int | None]:
        m = re.compile(r"(\d+)(,(\d*))?\}").match(self.s, self.i)
        if not m:
            raise self.error("malformed quantifier")
        self.i = m.end()
        lo = int(m.group(1))
        if m.group(2) is None:
            return lo, lo
        hi = int(m.group(3)) if m.group(3) else None
        if hi is not None and hi < lo:
            raise self.error(f"quantifier {{{lo},{hi}}} has max < min")
        return lo, hi

    def atom(self) -> Node:
        c = self.take()
        if c == "(":
            if self.peek() == "?":
                raise self.error("(? is not XSD syntax")
            inner = self.alternation()
            if self.take() != ")":
                raise self.error("missing )")
            return inner
        if c == "[":
            return CharSet(*self.char_class())
        if c == ".":
            return CharSet(_DOT, _DOT)
        if c == "\\":
            return CharSet(*self.escape())
        if c in "?*+{}])":
            raise self.error(f"unexpected {c!r}")
        one = ((ord(c), ord(c)),)
        return CharSet(one, one)

    def escape(self) -> Sets:
        """After a backslash: a single-character, multi-character or category escape, as sets."""
        c = self.take()
        if c in _SINGLE_ESCAPES:
            one = _chars(_SINGLE_ESCAPES[c])
            return one, one
        if c in _MULTI_ESCAPES:
            return _multi_escape(c)
        if c in "pP":
            if self.take() != "{":
                raise self.error("\\p needs {…}")
            end = self.s.find("}", self.i)
            if end < 0:
                raise self.error("unterminated \\p{")
            name = self.s[self.i : end]
            self.i = end + 1
            if name.startswith("Is"):
                raise self.error(f"Unicode block escape \\p{{{name}}} is not supported")
            if name not in _CATEGORIES:
                raise self.error(f"unknown category \\p{{{name}}}")
            if c == "P":
                exact = _complement(_category(name))
                return exact, _intersect(exact, _complement(_category(name, True)))
            return _category(name), _stable_category(name)
        raise self.error(f"unknown escape \\{c}")

    def class_char(self) -> int | Sets:
        """One character of a character group (an int), or the sets of a multi-character escape."""
        c = self.take()
        if c == "\\":
            nxt = self.peek()
            if nxt is not None and nxt in _SINGLE_ESCAPES:
                self.i += 1
                return ord(_SINGLE_ESCAPES[nxt])
            return self.escape()
        if c == "[":
            raise self.error("'[' must be escaped inside a character class")
        return ord(c)

    def char_class(self) -> Sets:
        """After '[': a (negated) character group, optionally minus another class, up to ']'."""
        negate = False
        if self.peek() == "^":
            self.i += 1
            negate = True
        exact: list[tuple[int, int]] = []
        gen: list[tuple[int, int]] = []
        subtract: Sets | None = None
        first = True
        while True:
            c = self.peek()
            if c is None:
                raise self.error("unterminated character class")
            if c == "]" and not first:
                self.i += 1
                break
            if c == "-" and self.peek(1) == "[" and not first:
                self.i += 2
                subtract = self.char_class()
                if self.take() != "]":
                    raise self.error("a class subtraction must end the character class")
                break
            first = False
            item = self.class_char()
            if isinstance(item, tuple):
                exact.extend(item[0])
                gen.extend(item[1])
                continue
            if self.peek() == "-" and self.peek(1) not in ("]", "[", None):
                self.i += 1
                end = self.class_char()
                if isinstance(end, tuple):
                    raise self.error("a range cannot end with a multi-character escape")
                if end < item:
                    raise self.error(f"range {chr(item)!r}-{chr(end)!r} is reversed")
                exact.append((item, end))
                gen.append((item, end))
            else:
                exact.append((item, item))
                gen.append((item, item))
        ex, ge = _normalise(exact), _normalise(gen)
        if negate:
            ex = _complement(ex)
            ge = ex  # complement of the exact set: nothing outside it
        if subtract is not None:
            # subtract the exact (widest) set, so the generative side stays inside the exact one
            ex, ge = _subtract(ex, subtract[0]), _subtract(ge, subtract[0])
        return ex, ge


@cache
def parse(pattern: str) -> Node:
    """The syntax tree of an XSD pattern (XsdRegexError if it is not one)."""
    return _Parser(pattern).parse()


# --- facts and translation ----------------------------------------------------------------------------


def length_bounds(node: Node) -> tuple[int, int | None]:
    """The fewest and most characters a match can have (None: no upper bound)."""
    if isinstance(node, CharSet):
        return (1, 1) if node.ranges else (0, 0)  # an empty class never matches
    if isinstance(node, Seq):
        lo = 0
        hi_: int | None = 0
        for item in node.items:
            a, b = length_bounds(item)
            lo += a
            hi_ = None if hi_ is None or b is None else hi_ + b
        return lo, hi_
    if isinstance(node, Alt):
        bounds = [length_bounds(b) for b in node.branches]
        highs = [b for _, b in bounds]
        return min(a for a, _ in bounds), None if None in highs else max(h for h in highs if h is not None)
    a, b = length_bounds(node.item)
    return a * node.lo, None if node.hi is None or b is None else b * node.hi


def _escape_cp(cp: int) -> str:
    ch = chr(cp)
    if ch.isascii() and (ch.isalnum() or ch in " _"):
        return ch
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def _class(rs: Ranges) -> str:
    if not rs:
        return "(?!)"
    if rs == ((rs[0][0], rs[0][0]),):
        return _escape_cp(rs[0][0])
    comp = _complement(rs)

    def body(ranges: Ranges) -> str:
        return "".join(
            _escape_cp(lo) if lo == hi else f"{_escape_cp(lo)}-{_escape_cp(hi)}" for lo, hi in ranges
        )

    if comp and len(comp) < len(rs):
        return f"[^{body(comp)}]"
    return f"[{body(rs)}]"


# Big classes are generated from this sample of scripts (hypothesis builds a regex class char by char):
# ASCII and Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari, some CJK, symbols and emoji.
_SAMPLE = _normalise(
    [(0x09, 0x0A), (0x0D, 0x0D), (0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x5D0, 0x5EA),
     (0x620, 0x64A), (0x905, 0x939), (0x2000, 0x206F), (0x20A0, 0x20BF), (0x3041, 0x3096), (0x4E00, 0x4EFF),
     (0xE000, 0xE00F), (0xFB01, 0xFB06), (0x1F300, 0x1F64F), (0x10000, 0x1000F)]
)  # fmt: skip
_BIG = 4096


def _size(rs: Ranges) -> int:
    return sum(hi - lo + 1 for lo, hi in rs)


def _thin(rs: Ranges) -> Ranges:
    """A class small enough to hand to from_regex: big ones keep only their sampled scripts."""
    if _size(rs) <= _BIG:
        return rs
    sampled = _intersect(rs, _SAMPLE)
    if sampled:
        return sampled
    out, left = [], _BIG
    for lo, hi in rs:
        out.append((lo, min(hi, lo + left - 1)))
        left -= out[-1][1] - lo + 1
        if left <= 0:
            break
    return tuple(out)


def to_python(node: Node, *, generative: bool = False, max_repeat: int | None = None) -> str:
    """Python `re` source for the tree: exact, or (generative) a subset of it that is safe to generate.

    Generative mode keeps characters XML allows and every validator agrees on (\\d as [0-9], categories
    as in Unicode 3.2 too, \\i and \\c as Latin-1 name characters), thins big classes to a sample of
    scripts, and bounds unbounded quantifiers to `max_repeat` when given.
    """
    if isinstance(node, CharSet):
        return _class(_thin(_intersect(node.safe, XML_CHARS)) if generative else node.ranges)
    if isinstance(node, Seq):
        return "".join(to_python(i, generative=generative, max_repeat=max_repeat) for i in node.items)
    if isinstance(node, Alt):
        return (
            "(?:"
            + "|".join(to_python(b, generative=generative, max_repeat=max_repeat) for b in node.branches)
            + ")"
        )
    hi = node.hi
    if hi is None and generative and max_repeat is not None:
        hi = max(node.lo, max_repeat)
    inner = _wrap(node.item, generative, max_repeat)
    if (node.lo, hi) == (0, 1):
        q = "?"
    elif node.lo == hi:
        q = f"{{{node.lo}}}"
    elif hi is None:
        q = {0: "*", 1: "+"}.get(node.lo, f"{{{node.lo},}}")
    else:
        q = f"{{{node.lo},{hi}}}"
    return inner + q


def _wrap(node: Node, generative: bool, max_repeat: int | None) -> str:
    """The source of a quantified item, grouped unless it is one class or already a group."""
    src = to_python(node, generative=generative, max_repeat=max_repeat)
    return src if isinstance(node, CharSet | Alt) else f"(?:{src})"


@cache
def exact(pattern: str) -> re.Pattern[str]:
    """The compiled Python equivalent of an XSD pattern (implicitly anchored: use `fullmatch`)."""
    return re.compile(to_python(parse(pattern)))


@cache
def generative(pattern: str, max_repeat: int | None = None) -> str:
    """Python source for generating matches of an XSD pattern (a subset of its language)."""
    return to_python(parse(pattern), generative=True, max_repeat=max_repeat)


def _alphabet(rs: Ranges) -> str:
    return "".join(chr(c) for lo, hi in _thin(_intersect(rs, XML_CHARS)) for c in range(lo, hi + 1))


def _node_strategy(node: Node, max_repeat: int | None) -> SearchStrategy[str]:
    if isinstance(node, CharSet):
        chars = _alphabet(node.safe)
        return st.text(chars, min_size=1, max_size=1) if chars else st.nothing()
    if isinstance(node, Seq):
        return st.tuples(*(_node_strategy(i, max_repeat) for i in node.items)).map("".join)
    if isinstance(node, Alt):
        return st.one_of([_node_strategy(b, max_repeat) for b in node.branches])
    hi = node.hi
    if hi is None and max_repeat is not None:
        hi = max(node.lo, max_repeat)
    if isinstance(node.item, CharSet):
        chars = _alphabet(node.item.safe)
        if not chars:
            return st.just("") if node.lo == 0 else st.nothing()
        return st.text(chars, min_size=node.lo, max_size=hi)
    return st.lists(_node_strategy(node.item, max_repeat), min_size=node.lo, max_size=hi).map("".join)


@cache
def strategy(pattern: str, max_repeat: int | None = None) -> SearchStrategy[str]:
    """Strings matching an XSD pattern, drawn from its syntax tree (same language as `generative`).

    A quantified class is one hypothesis string (st.text), not one draw per character as with
    st.from_regex: generation is faster and shrinking much cheaper on long messages.
    """
    return _node_strategy(parse(pattern), max_repeat)
