"""XSD regular expressions (XML Schema Part 2, Appendix F) as Python `re`, via elementpath's translator.

elementpath's `translate_pattern` (the one xmlschema validates with) does the translation, after one fix:
outside a character class it passes `\\s \\S \\w \\W` through to Python, whose classes are not XSD's
(Python's `\\s` takes NBSP and U+2003, its `\\w` takes `_` but not `+`), so those escapes are first put
in a class of their own, which elementpath translates right.

Length bounds come from walking the tree of Python's regex parser on the translated pattern. The stdlib
has no public regex parser: `re._parser` is the one there is (Hypothesis' `from_regex` relies on it too)
but its `getwidth()` reports "unbounded" as a private sentinel (`MAXWIDTH`, 2**64 on 3.11), so a small
walk of our own says None instead.

Generation walks the same tree, unbounded quantifiers capped at `max_repeat`, and draws a quantified
character class as one `st.text`. `st.from_regex` draws every character on its own: 2 to 19 times the
choices per SANP value, enough for whole requests to overrun Hypothesis' choice limits and skew what the
seeded mutation runs reach. Characters come from a pool every validator agrees on: Latin-1 when the
pattern uses `\\i \\c`; with `\\p \\w \\d`, code points whose category Unicode 3.2, today's Unicode and
libxml2's tables agree on, digits ASCII only; otherwise the XML characters of the BMP and a sample beyond.
"""

from __future__ import annotations

import itertools
import re
import re._parser as sre_parse
import sys
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

import hypothesis.strategies as st
from elementpath.regex import RegexError, translate_pattern
from hypothesis.strategies import SearchStrategy


class XsdRegexError(ValueError):
    """A pattern that is not a valid XSD regular expression."""


_TOKEN = re.compile(r"\\[pP]\{[^}]*\}|\\.|\{\d+,\}|.", re.DOTALL)
_UNBOUNDED = re.compile(r"\{(\d+),\}")
_PYTHON_CLASS_ESCAPES = {r"\s", r"\S", r"\w", r"\W"}
_NAME_ESCAPES = {r"\i", r"\I", r"\c", r"\C"}
_CATEGORY_ESCAPES = {r"\d", r"\D", r"\w", r"\W"}

# UnicodeData gives these as First/Last ranges (CJK ideographs, Hangul syllables) and libxml2's tables hold
# only the two ends; U+180E, Cf in Unicode 3.2 and today, is Zs in libxml2's (Unicode 4.0).
_ENDS_ONLY = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0x20000, 0x2FFFF))
_MISCLASSIFIED = "\u180e"
_UNAGREED = {"Cn", "Cs", "Co"}  # unassigned in 3.2, surrogates, private use (also listed by ends only)
_ASTRAL_SAMPLE = ((0x10000, 0x1000F), (0x1F300, 0x1F64F))  # Linear B, pictographs and emoticons
_CATEGORY_SOURCE = {
    sre_parse.CATEGORY_DIGIT: r"\d",
    sre_parse.CATEGORY_NOT_DIGIT: r"\D",
    sre_parse.CATEGORY_SPACE: r"\s",
    sre_parse.CATEGORY_NOT_SPACE: r"\S",
    sre_parse.CATEGORY_WORD: r"\w",
    sre_parse.CATEGORY_NOT_WORD: r"\W",
}
_ONE_CHAR = (sre_parse.LITERAL, sre_parse.NOT_LITERAL, sre_parse.IN, sre_parse.ANY, sre_parse.CATEGORY)
_EMPTY = st.just("")


def _tokens(pattern: str) -> Iterable[tuple[str, int]]:
    """The pattern's atoms, escapes and quantifiers, each with its character class depth."""
    depth = 0
    for tok in _TOKEN.findall(pattern):
        yield tok, depth
        if tok == "[":
            depth += 1
        elif tok == "]" and depth:
            depth -= 1


def _rewrite(tok: str, max_repeat: int | None) -> str:
    """One token outside any class: class escapes bracketed, unbounded quantifiers capped."""
    if tok in _PYTHON_CLASS_ESCAPES:
        return f"[{tok}]"
    if max_repeat is None:
        return tok
    if tok in ("*", "+"):
        lo = 0 if tok == "*" else 1
    elif m := _UNBOUNDED.fullmatch(tok):
        lo = int(m[1])
    else:
        return tok
    return f"{{{lo},{max(lo, max_repeat)}}}"


@cache
def _translate(pattern: str, max_repeat: int | None = None) -> str:
    """elementpath's anchored Python translation of the (fixed, optionally bounded) XSD pattern."""
    fixed = "".join(tok if depth else _rewrite(tok, max_repeat) for tok, depth in _tokens(pattern))
    try:
        python = translate_pattern(fixed, back_references=False, lazy_quantifiers=False, anchors=False)
        re.compile(python)
    except (RegexError, re.error) as e:
        raise XsdRegexError(f"XSD pattern {pattern!r}: {e}") from e
    return python


@cache
def exact(pattern: str) -> re.Pattern[str]:
    """The compiled Python equivalent of an XSD pattern (anchored: `match` and `fullmatch` agree)."""
    return re.compile(_translate(pattern))


def _width(items: Any) -> tuple[int, int | None]:
    """Fewest and most characters a parsed sequence matches (None: unbounded)."""
    lo = 0
    hi: int | None = 0
    for op, av in items:
        a, b = _item_width(op, av)
        lo += a
        hi = None if hi is None or b is None else hi + b
    return lo, hi


def _item_width(op: Any, av: Any) -> tuple[int, int | None]:
    """Fewest and most characters one parsed item matches (lookarounds and anchors: none)."""
    if op in _ONE_CHAR:
        return 1, 1
    if op is sre_parse.SUBPATTERN:
        return _width(av[-1])
    if op is sre_parse.BRANCH:
        widths = [_width(branch) for branch in av[1]]
        highs = [b for _, b in widths]
        return min(a for a, _ in widths), None if None in highs else max(b for b in highs if b is not None)
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
        lo, hi, item = av
        a, b = _width(item)
        return a * lo, None if hi == sre_parse.MAXREPEAT or b is None else b * hi
    return 0, 0


@cache
def length_bounds(pattern: str) -> tuple[int, int | None]:
    """The fewest and most characters a match of the XSD pattern can have (None: no upper bound)."""
    return _width(sre_parse.parse(_translate(pattern)))


def generative(pattern: str, max_repeat: int | None = None) -> str:
    """Python source matching the XSD pattern, unbounded quantifiers capped at `max_repeat` repetitions."""
    exact(pattern)
    return _translate(pattern, max_repeat)


def _agreed(ch: str) -> bool:
    """A character whose category Unicode 3.2, today's Unicode and libxml2 agree on (digits: ASCII)."""
    category = unicodedata.ucd_3_2_0.category(ch)
    if category != unicodedata.category(ch) or ch in _MISCLASSIFIED:
        return False
    if category == "Nd":
        return "0" <= ch <= "9"
    if category == "Cc":
        return ch in "\t\n\r"
    return not any(lo <= ord(ch) <= hi for lo, hi in _ENDS_ONLY)


@cache
def _agreed_chars(top: int) -> str:
    """Every agreed character up to code point `top` (the cheap 3.2 test first: most are unassigned)."""
    old = unicodedata.ucd_3_2_0.category
    return "".join(ch for ch in map(chr, range(top + 1)) if old(ch) not in _UNAGREED and _agreed(ch))


@cache
def _plain_chars() -> str:
    """XML text characters: the whole BMP but controls, and a sample beyond it."""
    codes = itertools.chain(range(0x10000), *(range(lo, hi + 1) for lo, hi in _ASTRAL_SAMPLE))
    return "".join(
        ch
        for ch in map(chr, codes)
        if ch in "\t\n\r" or (unicodedata.category(ch) not in ("Cc", "Cs") and ch not in "\ufffe\uffff")
    )


def _pool(pattern: str) -> str:
    """The characters to generate from: narrower when a name or category escape could disagree."""
    escapes = {tok[:2] for tok, _ in _tokens(pattern) if tok.startswith("\\")}
    if escapes & _NAME_ESCAPES:
        return _agreed_chars(0xFF)
    if escapes & (_CATEGORY_ESCAPES | {r"\p", r"\P"}):
        return _agreed_chars(sys.maxunicode)
    return _plain_chars()


def _char_source(op: Any, av: Any) -> str:
    """A one-character item of the parse tree (or a part of a class) back as regex source."""
    if op is sre_parse.LITERAL:
        return re.escape(chr(av))
    if op is sre_parse.NOT_LITERAL:
        return f"[^{re.escape(chr(av))}]"
    if op is sre_parse.RANGE:
        return f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}"
    if op is sre_parse.CATEGORY:
        return _CATEGORY_SOURCE[av]
    if op is sre_parse.NEGATE:
        return "^"
    if op is sre_parse.IN:
        return "[" + "".join(_char_source(o, a) for o, a in av) + "]"
    return "."


@cache
def _members(source: str, pool: str) -> str:
    return "".join(re.findall(source, pool))


def _text(op: Any, av: Any, pool: str, lo: int, hi: int | None) -> SearchStrategy[str]:
    """`lo` to `hi` characters of one item, as a single text draw."""
    chars = chr(av) if op is sre_parse.LITERAL else _members(_char_source(op, av), pool)
    if lo == hi and len(chars) == 1:
        return st.just(chars * lo)
    if not chars:
        return _EMPTY if lo == 0 else st.nothing()
    return st.text(chars, min_size=lo, max_size=hi)


def _generate(items: Any, pool: str) -> SearchStrategy[str]:
    """Strings a parsed sequence matches."""
    parts = [part for part in (_generate_item(op, av, pool) for op, av in items) if part is not _EMPTY]
    if not parts:
        return _EMPTY
    return parts[0] if len(parts) == 1 else st.tuples(*parts).map("".join)


def _generate_item(op: Any, av: Any, pool: str) -> SearchStrategy[str]:
    if op in _ONE_CHAR:
        return _text(op, av, pool, 1, 1)
    if op is sre_parse.SUBPATTERN:
        return _generate(av[-1], pool)
    if op is sre_parse.BRANCH:
        return st.one_of([_generate(branch, pool) for branch in av[1]])
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
        lo, hi, item = av
        top = None if hi == sre_parse.MAXREPEAT else hi
        if len(item) == 1 and item[0][0] in _ONE_CHAR:
            return _text(item[0][0], item[0][1], pool, lo, top)
        return st.lists(_generate(item, pool), min_size=lo, max_size=top).map("".join)
    return _EMPTY


@cache
def strategy(pattern: str, max_repeat: int | None = None) -> SearchStrategy[str]:
    """Strings matching an XSD pattern that every validator accepts, quantifiers capped at `max_repeat`.

    Deferred only for its short repr: the text strategies inside spell out alphabets of thousands.
    """
    built = _generate(sre_parse.parse(generative(pattern, max_repeat)), _pool(pattern))
    return st.deferred(lambda: built)
