"""What the scenarios ask the partner's system to send, generated with Hypothesis from the published OpenAPI
schemas (`from_openapi`), with the domain values a schema cannot express (notice numbers with their check
digit, mod-97 IBANs, transfers that add up, dates that follow each other) laid over them by the composites
below. Identifiers (IUPD, IUV) are not drawn: the session numbers them, unique to the run."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.strategies import SearchStrategy

from pagoconf.platform.sandbox.contract import Contract
from pagoconf.platform.sandbox.validation import to_json_schema
from pagoconf.sync.strategies.domain import italian_ibans

READABLE = st.characters(min_codepoint=32, max_codepoint=126, exclude_characters="<>&\"'\\")
VISIBLE = st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="<>&\"'\\")
LONGEST_TEXT = 24
MOST_ITEMS = 2
CATEGORIES = ("9/0101108TS/", "9/0101002IM/", "9/0201101IM/", "9/0301109AP/")
STAMP_CATEGORY = "9/0301116TS/9/24B0060000000017"
OTHER_INSTITUTIONS = ("80001234567", "00456789012", "01199250158", "80015010723")
PROVINCES = ("RM", "MI", "NA", "TO", "FI", "BO")
SHAPES = (
    "with one payment option",
    "with several payment options",
    "in installments",
    "with five transfers to several institutions",
    "crediting a postal account",
    "with an @e.bollo",
)
EXAMPLES_PER_PROFILE_SHARE = 50
"""One example a scenario sends through the partner's system per this many examples the Hypothesis profile
allows (pagoconf-ci: 50 → 1; deep: 2000 → 40): each example costs a round trip through the partner."""

Overrides = Mapping[str, SearchStrategy[Any]]
NUMBERED = "(numbered by the session)"


class StrategyError(ValueError):
    """A schema that names no component, or that this generator cannot read."""


# --- from the OpenAPI schema ----------------------------------------------------------------------------


def from_openapi(
    contract: Contract,
    api: str,
    name: str,
    *,
    request: bool = True,
    overrides: Overrides | None = None,
    required: Iterable[str] = (),
) -> SearchStrategy[Any]:
    """Values of the component schema `name` of `api`'s document (read-only fields left out of a request);
    `overrides` replace the strategy of the properties they name, wherever they are; `required` names
    properties always drawn (an override of st.none() for one of them: always absent)."""
    components = contract.documents[api].get("components", {}).get("schemas", {})
    if name not in components:
        raise StrategyError(f"{api} has no component schema {name!r}")
    unknown = sorted(set(overrides or {}) - _property_names(components))
    if unknown:
        raise StrategyError(f"{api}'s schemas have no property {unknown[0]!r} to override")
    defs = {n: to_json_schema(s, request=request) for n, s in components.items()}
    return _Builder(defs, dict(overrides or {}), frozenset(required)).build(defs[name])


def _property_names(components: Mapping[str, Any]) -> set[str]:
    return {
        p
        for schema in components.values()
        if isinstance(schema, Mapping)
        for p in schema.get("properties", {})
    }


class _Builder:
    """Dispatches on each JSON Schema node (as validation.to_json_schema normalises OpenAPI's)."""

    def __init__(
        self, defs: Mapping[str, Any], overrides: dict[str, SearchStrategy[Any]], required: frozenset[str]
    ) -> None:
        self.defs = defs
        self.overrides = overrides
        self.required = required
        self.cache: dict[str, SearchStrategy[Any]] = {}

    def build(self, node: Any) -> SearchStrategy[Any]:
        if not isinstance(node, Mapping):
            return st.just(None)
        if "$ref" in node:
            target = str(node["$ref"]).rsplit("/", 1)[-1]
            if target not in self.cache:
                self.cache[target] = st.deferred(lambda: self.build(self.defs[target]))
            return self.cache[target]
        if "enum" in node:
            return st.sampled_from([v for v in node["enum"] if v is not None])
        for combinator in ("oneOf", "anyOf"):
            if combinator in node:
                return st.one_of([self.build(n) for n in node[combinator]])
        if "allOf" in node:
            merged: dict[str, Any] = {}
            for part in node["allOf"]:
                merged.update(self.defs[part["$ref"].rsplit("/", 1)[-1]] if "$ref" in part else part)
            return self.build(merged)
        kind = node.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        if kind == "object" or "properties" in node:
            return self._object(node)
        builder: Callable[[Mapping[str, Any]], SearchStrategy[Any]] = {
            "array": self._array,
            "string": _string,
            "integer": _integer,
            "number": _number,
            "boolean": lambda n: st.booleans(),
        }.get(str(kind), lambda n: st.just(None))
        return builder(node)

    def _object(self, node: Mapping[str, Any]) -> SearchStrategy[dict[str, Any]]:
        properties = node.get("properties", {})
        required = set(node.get("required", ())) | self.required

        def strategy(prop: str) -> SearchStrategy[Any]:
            return self.overrides[prop] if prop in self.overrides else self.build(properties[prop])

        return st.fixed_dictionaries(
            {p: strategy(p) for p in properties if p in required},
            optional={p: strategy(p) for p in properties if p not in required},
        )

    def _array(self, node: Mapping[str, Any]) -> SearchStrategy[list[Any]]:
        low = int(node.get("minItems", 0))
        high = max(low, min(int(node.get("maxItems", MOST_ITEMS)), MOST_ITEMS))
        return st.lists(self.build(node.get("items", {})), min_size=low, max_size=high)


def _string(node: Mapping[str, Any]) -> SearchStrategy[str]:
    if "pattern" in node:
        return st.from_regex(str(node["pattern"]), fullmatch=True, alphabet=READABLE)
    form = node.get("format")
    if form == "date-time":
        return st.datetimes(datetime(2030, 1, 1), datetime(2031, 1, 1)).map(
            lambda d: d.replace(microsecond=0).isoformat() + "Z"
        )
    if form == "date":
        return st.dates().map(str)
    if form == "email":
        return emails()
    low = max(int(node.get("minLength", 1)), 1)
    return texts(max(low, min(int(node.get("maxLength", LONGEST_TEXT)), LONGEST_TEXT)), low=low)


def _integer(node: Mapping[str, Any]) -> SearchStrategy[int]:
    return st.integers(int(node.get("minimum", 0)), int(min(node.get("maximum", 10**6), 10**6)))


def _number(node: Mapping[str, Any]) -> SearchStrategy[float]:
    return st.floats(float(node.get("minimum", 0)), float(node.get("maximum", 10**6)), allow_nan=False)


def _tidy(text: str) -> str:
    """Text as institutions write it: no leading, trailing or doubled spaces."""
    return re.sub(r"\s+", " ", text).strip()


# --- domain values --------------------------------------------------------------------------------------


def emails() -> SearchStrategy[str]:
    """E-mail addresses the platform's validators accept."""
    local = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
    return st.builds(lambda u, d: f"{u}@{d}.example.it", local, st.sampled_from(("mail", "pec", "posta")))


def personal_fiscal_codes() -> SearchStrategy[str]:
    """16-character personal fiscal codes (the shape the platform checks; the check letter is not)."""
    letters, digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
    parts = [
        st.text(letters, min_size=6, max_size=6),
        st.text(digits, min_size=2, max_size=2),
        st.sampled_from("ABCDEHLMPRST"),
        st.integers(1, 71).map(lambda d: f"{d:02d}"),
        st.sampled_from(letters),
        st.text(digits, min_size=3, max_size=3),
        st.sampled_from(letters),
    ]
    return st.tuples(*parts).map("".join)


def texts(high: int = LONGEST_TEXT, *, low: int = 1) -> SearchStrategy[str]:
    """Readable text of `low` to `high` characters, never blank (built so: a visible first character)."""
    rest = st.text(READABLE, min_size=max(low - 1, 0), max_size=max(high - 1, 0))
    return st.builds(lambda first, tail: _tidy(first + tail).ljust(low, "x"), VISIBLE, rest)


def stamps() -> SearchStrategy[dict[str, str]]:
    """@e.bollo requests: the document's SHA-256 in base64, stamp type 01, the province of residence."""
    return st.builds(
        lambda doc, province: {
            "hashDocument": base64.b64encode(hashlib.sha256(doc).digest()).decode(),
            "stampType": "01",
            "provincialResidence": province,
        },
        st.binary(min_size=1, max_size=64),
        st.sampled_from(PROVINCES),
    )


def metadata() -> SearchStrategy[list[dict[str, str]]]:
    """0 to 2 metadata entries with distinct keys (NOTIFICATION_FEE is the platform's)."""
    keys = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ_", min_size=1, max_size=12).map(
        lambda k: "NOTIFICATION_FEES" if k == "NOTIFICATION_FEE" else k
    )
    entry = st.fixed_dictionaries({"key": keys, "value": texts(20)})
    return st.lists(entry, max_size=2, unique_by=lambda e: e["key"])


def moments(now: datetime, *, days: tuple[int, int]) -> SearchStrategy[datetime]:
    """Whole seconds between `days` after `now`."""
    low, high = days
    return st.integers(low * 86_400, high * 86_400).map(
        lambda s: (now + timedelta(seconds=s)).replace(microsecond=0)
    )


def rfc3339(moment: datetime) -> str:
    """A UTC date-time with its offset, as GPD-023 asks."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def debt_positions(
    contract: Contract, *, shape: str, organization: str, now: datetime
) -> SearchStrategy[dict[str, Any]]:
    """PaymentPositionModels of one shape (SHAPES) for `organization`, due after `now`; iupd and iuv are
    placeholders for the session's numbering."""
    if shape not in SHAPES:
        raise StrategyError(f"unknown debt position shape {shape!r}; known: {', '.join(SHAPES)}")
    overrides = {
        "iupd": st.just(NUMBERED),
        "email": emails(),
        "validityDate": st.none(),
        "paymentOption": _options(contract, shape, organization, now),
    }
    base = from_openapi(
        contract, "gpd", "PaymentPositionModel", overrides=overrides, required=["paymentOption"]
    )
    codes = {"F": personal_fiscal_codes(), "G": _digits(11)}

    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        position = present(draw(base))
        position.pop("aca", None)  # 3.8.0's flag for GPD to register the position with ACA: not asked here
        position["fiscalCode"] = draw(codes[position["type"]])
        return position

    return build()


def present(value: dict[str, Any]) -> dict[str, Any]:
    """The fields that have a value (an override of st.none() leaves an optional field out)."""
    return {k: v for k, v in value.items() if v is not None}


def _digits(n: int) -> SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


def _options(contract: Contract, shape: str, organization: str, now: datetime) -> SearchStrategy[list[Any]]:
    single = _option(contract, organization, now, partial=False, shape=shape)
    if shape == "with several payment options":
        return st.lists(single, min_size=2, max_size=3)
    if shape == "in installments":
        rate = _option(contract, organization, now, partial=True, shape=shape)
        return st.tuples(single, st.lists(rate, min_size=2, max_size=3)).map(lambda t: [t[0], *t[1]])
    return single.map(lambda o: [o])


def _option(
    contract: Contract, organization: str, now: datetime, *, partial: bool, shape: str
) -> SearchStrategy[dict[str, Any]]:
    low, high = {"with five transfers to several institutions": (5, 5), "with an @e.bollo": (2, 2)}.get(
        shape, (1, 2)
    )
    transfers = st.integers(low, high).flatmap(
        lambda n: st.tuples(*(_transfer(contract, organization, k, shape=shape) for k in range(1, n + 1)))
    )
    overrides = {
        "iuv": st.just(NUMBERED),
        "nav": st.none(),
        "amount": st.just(0),
        "isPartialPayment": st.just(partial),
        "dueDate": st.just(""),
        "retentionDate": st.none(),
        "fee": st.none(),
        "description": texts(),
        "paymentOptionMetadata": metadata(),
        "transfer": transfers.map(list),
    }
    base = from_openapi(contract, "gpd", "PaymentOptionModel", overrides=overrides, required=["transfer"])
    dues, retention = moments(now, days=(2, 365)), st.one_of(st.none(), st.integers(1, 90))

    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        option = present(draw(base))
        due, keep = draw(dues), draw(retention)
        option["dueDate"] = rfc3339(due)
        if keep is not None:
            option["retentionDate"] = rfc3339(due + timedelta(days=keep))
        option["amount"] = sum(t["amount"] for t in option["transfer"])
        return option

    return build()


def _transfer(contract: Contract, organization: str, n: int, *, shape: str) -> SearchStrategy[dict[str, Any]]:
    stamp = shape == "with an @e.bollo" and n == 2
    others = shape == "with five transfers to several institutions" and n > 1
    overrides = {
        "idTransfer": st.just(str(n)),
        "amount": st.integers(1, 9_999_999),
        "remittanceInformation": texts(),
        "category": st.just(STAMP_CATEGORY) if stamp else st.sampled_from(CATEGORIES),
        "organizationFiscalCode": st.just(OTHER_INSTITUTIONS[n - 2] if others else organization),
        "iban": st.none() if stamp else italian_ibans(postal=False),
        "postalIban": italian_ibans(postal=True) if shape == "crediting a postal account" else st.none(),
        "stamp": stamps() if stamp else st.none(),
        "transferMetadata": metadata(),
    }
    required = ("organizationFiscalCode", "iban", "postalIban", "stamp")
    return from_openapi(contract, "gpd", "TransferModel", overrides=overrides, required=required).map(present)


def aca_positions(contract: Contract, *, organization: str, now: datetime) -> SearchStrategy[dict[str, Any]]:
    """NewDebtPositionRequests of paCreatePosition for `organization`; the iuv is numbered by the session."""
    overrides = {
        "paFiscalCode": st.just(organization),
        "entityFullName": texts(),
        "iuv": st.just(NUMBERED),
        "nav": st.none(),
        "amount": st.integers(1, 9_999_999),
        "description": texts(),
        "expirationDate": moments(now, days=(2, 365)).map(rfc3339),
        "iban": st.one_of(st.none(), italian_ibans(postal=False)),
        "postalIban": st.none(),
    }
    base = from_openapi(contract, "aca", "NewDebtPositionRequest", overrides=overrides)
    codes = {"F": personal_fiscal_codes(), "G": _digits(11)}

    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        request = present(draw(base))
        request["entityFiscalCode"] = draw(codes[request["entityType"]])
        return request

    return build()


def examples(strategy: SearchStrategy[Any], count: int) -> list[Any]:
    """`count` examples of `strategy`, drawn under the active Hypothesis profile (seeded under pagoconf-ci):
    the simplest, which Hypothesis draws first, is left out."""
    found: list[Any] = []

    @settings(
        max_examples=count + 1,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(value)

    collect()
    return found[-count:] if len(found) > count else found


def budget() -> int:
    """How many examples a scenario sends through the partner's system under the active profile."""
    active = settings.default
    return max(1, (active.max_examples if active is not None else 0) // EXAMPLES_PER_PROFILE_SHARE)
