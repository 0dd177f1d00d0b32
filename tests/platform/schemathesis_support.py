"""Helpers for judging the sandbox by schemathesis: the APIs it serves (from `contract.APIS`), an in-process
sandbox behind a late-bound ASGI app, each published document loaded as a schemathesis schema with the
sandbox's key in its auth, the seeded Hypothesis profile, and the allowances: where the faithful sandbox
answers as GPD does rather than as the published contract says (domain-brief §6.6), or where a published
document is silent about what every platform API does. Each allowance names its source; strict mode runs
without the departures."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from sandbox_support import KEY, SANPS
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure, FailureGroup, failure_report_title, format_failures
from schemathesis.core.transport import Response

from pagoconf.engine.contracts import contract_path
from pagoconf.engine.rules import catalogue
from pagoconf.platform.sandbox import control, control_document
from pagoconf.platform.sandbox.app import build_app
from pagoconf.platform.sandbox.checks import OUTCOMES, Stage
from pagoconf.platform.sandbox.contract import APIS, Api, read_document
from pagoconf.platform.sandbox.dates import LOCAL_DATE_TIME
from pagoconf.platform.sandbox.journal import JournalEntry
from pagoconf.platform.sandbox.keys import HEADER, KeyRing, cli_keys
from pagoconf.platform.sandbox.server import open_store
from pagoconf.platform.sandbox.service import SandboxService

FAITHFUL, STRICT = "faithful", "strict"
MODES = (FAITHFUL, STRICT)
EXAMPLES = int(os.environ.get("PAGOCONF_SCHEMATHESIS_EXAMPLES", "6"))
"""Generated requests per operation in the fuzzing phase, each sent to both modes (raise it to go deeper)."""
COVERAGE = os.environ.get("PAGOCONF_SCHEMATHESIS_COVERAGE", "") not in ("", "0")
"""schemathesis' coverage phase (every boundary and mutation of every parameter): thorough, but minutes."""
SEED = 20_380_119
PROFILE = "pagoconf-schemathesis"
settings.register_profile(
    PROFILE,
    parent=settings.get_profile("default"),
    derandomize=True,
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
"""Seeded and small, whatever profile Hypothesis would load (its `ci` profile when CI is set)."""


def profile() -> settings:
    """The Hypothesis settings every test of this suite runs with."""
    return settings.get_profile(PROFILE)


# --- what the sandbox serves ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    """One published document the sandbox serves in one SANP version, at its base path."""

    sanp: str
    api: Api
    path: Path
    document: Mapping[str, Any] = field(repr=False)

    @property
    def base(self) -> str:
        """The path the sandbox serves the API under."""
        return self.api.base_in(self.sanp)

    @property
    def id(self) -> str:
        """`gpd_3_8_0`: a name for a test."""
        return f"{self.api.name}_{self.sanp.replace('.', '_')}"

    @property
    def schemes(self) -> dict[str, Mapping[str, Any]]:
        """The document's API-key schemes that carry the platform's subscription key header."""
        found = self.document.get("components", {}).get("securitySchemes", {})
        return {
            name: s
            for name, s in found.items()
            if s.get("type") == "apiKey" and s.get("in") == "header" and s.get("name") == HEADER
        }


def served_apis() -> list[Served]:
    """Every API the sandbox serves, in every SANP version the tests cover, as `contract.APIS` lists them."""
    out = []
    for sanp in SANPS:
        for api in APIS:
            file = api.file_in(sanp)
            if file is None:
                continue
            path = contract_path(sanp, file)
            out.append(Served(sanp, api, path, read_document(path)))
    return out


# --- the sandbox, in process --------------------------------------------------------------------------------


class InProcessSandbox:
    """A sandbox service and its ASGI app, as `Sandbox` assembles them, without a port."""

    def __init__(self, sanp: str, *, strict: bool) -> None:
        self.sanp, self.strict = sanp, strict
        self.store, _ = open_store(None, sanp=sanp)
        self.service = SandboxService(self.store, KeyRing(cli_keys([KEY])), sanp=sanp, strict=strict)
        self.app = build_app(self.service)
        self.service.uploads.resume()

    def mark(self) -> int:
        """How many exchanges the journal holds now."""
        return self.store.journal_count()

    def entry_since(self, mark: int, method: str) -> JournalEntry | None:
        """The journal entry of the one `method` request answered since `mark` (requests are sent one at a
        time; only the service writes the journal)."""
        entries = [e for e in self.store.journal(after=mark, limit=50) if e.method == method.upper()]
        return entries[-1] if entries else None

    def close(self) -> None:
        """Stop the background work and close the store."""
        self.service.close()
        self.store.close()


class Sandboxes:
    """In-process sandboxes by SANP version and mode, opened when first asked for."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, bool], InProcessSandbox] = {}
        self._platforms: dict[tuple[str, str], Platform] = {}

    def get(self, sanp: str, mode: str) -> InProcessSandbox:
        """The sandbox of `sanp` in `mode`."""
        key = (sanp, mode == STRICT)
        if key not in self._open:
            self._open[key] = InProcessSandbox(sanp, strict=key[1])
        return self._open[key]

    def platform(self, sanp: str, mode: str) -> Platform:
        """The sandbox of `sanp` in `mode`, reached through its documents (their schemas loaded once)."""
        if (sanp, mode) not in self._platforms:
            self._platforms[(sanp, mode)] = Platform(self.get(sanp, mode), mode)
        return self._platforms[(sanp, mode)]

    def close(self) -> None:
        """Close every sandbox opened."""
        for sandbox in self._open.values():
            sandbox.close()
        self._open.clear()
        self._platforms.clear()


class AppSlot:
    """An ASGI app that forwards each request to the sandbox bound to it: schemathesis binds a schema to one
    app when it is loaded (at collection), the test binds the sandbox of its SANP version and mode."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # the sandboxes have no start-up work; they outlive this slot
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        assert self.app is not None, "no sandbox bound to this schema"
        await self.app(scope, receive, send)


# --- the schemas --------------------------------------------------------------------------------------------


class SubscriptionKey:
    """schemathesis auth for a document that does not declare the platform's key on every operation (no
    scheme at all, or a header the gateway does not read): the gateway asks every API for
    `Ocp-Apim-Subscription-Key` all the same (domain-brief §1, "Auth")."""

    def get(self, case: Any, context: Any) -> str:
        return KEY

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), HEADER: data}


def declares_the_key_everywhere(served: Served) -> bool:
    """Every operation of the document requires one of its schemes for the platform's key."""
    default = served.document.get("security", [])
    for item in served.document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            security = operation.get("security", default) or []
            if not any(name in served.schemes for requirement in security for name in requirement):
                return False
    return True


def load_schema(served: Served, *, examples: int = EXAMPLES, coverage: bool = COVERAGE) -> Any:
    """`served`'s document as a schemathesis schema: the sandbox's base path and key, seeded generation,
    bound to an `AppSlot` (`schema.app`)."""
    by_config = declares_the_key_everywhere(served)
    auth = {name: {"api_key": KEY} for name in served.schemes} if by_config else {}
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            # the documents' `servers` are the real pagoPA hosts: always the sandbox's own path
            "base-url": "http://sandbox.test" + served.base,
            **({"auth": {"openapi": auth}} if auth else {}),
            "generation": {
                "mode": "all",
                "max-examples": examples,
                "deterministic": True,
                "database": "none",
            },
            "phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}},
        }
    )
    schema = schemathesis.openapi.from_path(served.path, config=config)
    schema.app = AppSlot()
    if not by_config:  # schemathesis applies configured auth only where no provider is registered
        schema.auth(refresh_interval=None)(SubscriptionKey)
    return schema


# --- allowances ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """What an allowance judges: one failure schemathesis reported, the request and answer it is about,
    the sandbox's journal entry of that request (its findings), and the mode."""

    failure: Failure
    case: Any
    response: Any
    entry: JournalEntry | None
    mode: str
    served: Served

    @property
    def checks(self) -> set[str]:
        return set(type(self.failure).checks)

    @property
    def refusing(self) -> list[Any]:
        """The findings the sandbox refused the request for."""
        return [f for f in self.entry.findings if not f.warning] if self.entry else []

    def warned(self, rule: str) -> bool:
        """The sandbox served the request and recorded `rule` as a departure (a warning)."""
        return self.entry is not None and any(f.rule == rule and f.warning for f in self.entry.findings)


@dataclass(frozen=True)
class Allowance:
    """A failure schemathesis reports that is the platform's documented behaviour, not a sandbox defect:
    `source` says where the behaviour is documented; `modes` where it applies (strict runs without the
    departures); `applies` decides for one failure."""

    name: str
    source: str
    checks: frozenset[str]
    modes: frozenset[str]
    applies: Callable[[Seen], bool]
    rule: str | None = None
    """The sandbox's departure rule this allowance stands for, if it is one."""

    def excuses(self, seen: Seen) -> bool:
        return seen.mode in self.modes and bool(seen.checks & self.checks) and self.applies(seen)


def _departure(rule: str) -> Callable[[Seen], bool]:
    return lambda seen: seen.warned(rule) and 200 <= seen.response.status_code < 300


def _by_the_schema(finding: Any) -> bool:
    """A finding of the sandbox's validation of the request by its published schema (`<keyword> as …
    declares`, of a rule whose basis is the SANP contract; ACA-009 quotes GPD's schema, a platform rule)."""
    return finding.expected.endswith(" declares") and catalogue()[finding.rule].basis == "sanp"


def _java_pattern(finding: Any) -> bool:
    """A pattern the sandbox matches as Java does: against the whole value, `\\h` a horizontal space
    (validation.java_pattern); JSON Schema's patterns are unanchored ECMA ones."""
    return _by_the_schema(finding) and finding.expected.startswith("pattern ")


def _refused_beyond_the_schema(seen: Seen) -> bool:
    return bool(seen.refusing) and all(not _by_the_schema(f) or _java_pattern(f) for f in seen.refusing)


def _malformed_request(seen: Seen) -> bool:
    """A 400 ProblemJson for a request the sandbox refused before looking at any state."""
    return (
        seen.response.status_code == 400
        and bool(seen.refusing)
        and all(OUTCOMES[f.rule].stage <= Stage.PLATFORM for f in seen.refusing)
    )


def _local_date_time(seen: Seen) -> bool:
    instance = getattr(seen.failure, "instance", None)
    return (
        'is not a "date-time"' in seen.failure.message
        and isinstance(instance, str)
        and bool(LOCAL_DATE_TIME.fullmatch(instance))
    )


def _media_type_refused(seen: Seen) -> bool:
    return (
        seen.response.status_code == 415
        and bool(seen.refusing)
        and all(f.where == "header:Content-Type" for f in seen.refusing)
    )


def _unknown_query_parameter(seen: Seen) -> bool:
    return "in query - object with unexpected properties" in seen.failure.message


BOTH = frozenset(MODES)
ONLY_FAITHFUL = frozenset({FAITHFUL})
ALLOWANCES: tuple[Allowance, ...] = (
    # --- departures: the faithful sandbox answers as GPD does (domain-brief §6.6); strict runs without ---
    Allowance(
        "null-validity-date",
        "§6.6 row `validityDate: null` in a position: the contract says not nullable (400), GPD accepts it "
        "(sandbox rule GPD-020)",
        frozenset({"negative_data_rejection"}),
        ONLY_FAITHFUL,
        _departure("GPD-020"),
        "GPD-020",
    ),
    Allowance(
        "lenient-booleans",
        "§6.6 row `toPublish=True` (capital T): the contract says true/false only, GPD's Spring binding also "
        "takes True, yes, on, 1 (sandbox rule GPD-021)",
        frozenset({"negative_data_rejection"}),
        ONLY_FAITHFUL,
        _departure("GPD-021"),
        "GPD-021",
    ),
    Allowance(
        "undeclared-segregation-codes",
        "§6.6 row `segregationCodes=NN,MM` on create/get/update/delete/publish/invalidate: not in gpd.json "
        "3.8.0, GPD reads it (sandbox rule GPD-022)",
        frozenset({"negative_data_rejection"}),
        ONLY_FAITHFUL,
        _departure("GPD-022"),
        "GPD-022",
    ),
    Allowance(
        "page-defaults-to-0",
        "§6.6 row list `limit` above 50 (IDPC:237-245): `page` defaults to 0 though the spec marks it "
        "required (sandbox rule GPD-024)",
        frozenset({"negative_data_rejection"}),
        ONLY_FAITHFUL,
        _departure("GPD-024"),
        "GPD-024",
    ),
    Allowance(
        "plain-text-deletion",
        "§6.6 row DELETE: the contract declares a JSON body, GPD answers 200 with a plain-text body "
        "(DPC:239; sandbox rule GPD-033)",
        frozenset({"content_type_conformance", "response_schema_conformance"}),
        ONLY_FAITHFUL,
        lambda seen: seen.warned("GPD-033"),
        "GPD-033",
    ),
    Allowance(
        "date-times-without-offset-read",
        "not a §6.6 row: GPD reads a date-time without offset as UTC (its fields are LocalDateTime), where "
        "RFC 3339 requires one (sandbox rule GPD-023, its own departure)",
        frozenset({"negative_data_rejection"}),
        ONLY_FAITHFUL,
        _departure("GPD-023"),
        "GPD-023",
    ),
    Allowance(
        "date-times-without-offset-written",
        "not a §6.6 row: GPD writes its LocalDateTime fields without offset (2030-01-01T00:00:00), which "
        "`format: date-time` forbids; the strict sandbox writes RFC 3339 (dates.wire)",
        frozenset({"response_schema_conformance"}),
        ONLY_FAITHFUL,
        _local_date_time,
    ),
    # --- what GPD refuses beyond its contract: both modes refuse it ("what GPD refuses, both refuse") ---
    Allowance(
        "refused-beyond-the-schema",
        "§6.6 rows list `limit` above 50, due-date and payment-date filters together, a list date window "
        "over 30 days, PUT body `iupd` unlike the path, metadata key NOTIFICATION_FEE, and the field limits "
        "of `model/pd/*.java`; §6.2 (dates, amounts, transfers, uniqueness) and §6.3 (states): a schema-"
        "valid request refused by a platform rule, or by a pattern read as Java reads it (whole value, "
        "`\\h`), never by the schema alone",
        frozenset({"positive_data_acceptance"}),
        BOTH,
        _refused_beyond_the_schema,
    ),
    Allowance(
        "bad-request-where-undeclared",
        "§6.6 'other behaviour': a malformed request (bad JSON, wrong parameter type, missing parameter) is "
        "answered 400 ProblemJson (ErrorHandler.java:50-183), also by operations whose document declares "
        "no 400 (e.g. gpd_payments 3.8.0; getOrganizationDebtPositionByIUPD and deletePosition 3.13.0)",
        frozenset({"status_code_conformance"}),
        BOTH,
        _malformed_request,
    ),
    Allowance(
        "media-type-refused-where-undeclared",
        "not a §6.6 row: a body without the media type the operation consumes is refused 415, as the "
        "platform's framework does (Spring's HttpMediaTypeNotSupportedException; sandbox rules GPD-005, "
        "ACA-003, UPLOAD-004), though no document lists 415",
        frozenset({"status_code_conformance"}),
        BOTH,
        _media_type_refused,
    ),
    Allowance(
        "undeclared-query-parameters-ignored",
        "not a §6.6 row: a query parameter the operation does not declare is ignored, as the platform's "
        "binding does; OpenAPI does not forbid one, schemathesis' negative data sends one "
        "(segregationCodes, which GPD reads, is judged by its own rule GPD-022)",
        frozenset({"negative_data_rejection"}),
        BOTH,
        _unknown_query_parameter,
    ),
    Allowance(
        "key-header-misnamed",
        "domain-brief §1 'Auth' (every REST call carries Ocp-Apim-Subscription-Key): gpd_massive.json "
        "3.13.0 names its key header `ApiKey`, which the gateway does not read, so leaving it out is not "
        "leaving out the key (the suite sends the real header through `SubscriptionKey`)",
        frozenset({"ignored_auth"}),
        BOTH,
        lambda seen: not declares_the_key_everywhere(seen.served),
    ),
)
"""Every failure the suite tolerates, and why. `subscription-key-everywhere` is not here: it is auth
(`SubscriptionKey`), applied where a document declares no scheme for the platform's key (domain-brief §1
"Auth": every REST call carries Ocp-Apim-Subscription-Key)."""
OUT_OF_REACH = {
    "GPD-002": "GET /info of SANP 3.13.0 is in no document, so schemathesis never asks for it",
    "GPD-026": "the page size a list gets unasked is invisible to the response schema (any length is valid)",
}
"""The sandbox's departure rules no schemathesis check can observe, and why."""


EXCUSED: Counter[str] = Counter()
"""How many failures each allowance excused in this process (PAGOCONF_SCHEMATHESIS_ALLOWANCES=FILE writes
them at the end of the module, to see which allowances a run still needs)."""


def unexcused(failures: Sequence[Failure], **seen: Any) -> list[Failure]:
    """The failures no allowance excuses."""
    left = []
    for failure in failures:
        excuse = next((a for a in ALLOWANCES if a.excuses(Seen(failure, **seen))), None)
        if excuse is None:
            left.append(failure)
        else:
            EXCUSED[f"{excuse.name} ({seen['mode']})"] += 1
    return left


def write_excused() -> None:
    """Write EXCUSED where PAGOCONF_SCHEMATHESIS_ALLOWANCES names (nothing when it is not set)."""
    target = os.environ.get("PAGOCONF_SCHEMATHESIS_ALLOWANCES")
    if target:
        Path(target).write_text(json.dumps(dict(sorted(EXCUSED.items())), indent=1) + "\n", encoding="utf-8")


def findings_note(entry: JournalEntry | None, mode: str) -> str:
    """The sandbox's own findings on a request, for a failure's report."""
    if entry is None:
        return f"the {mode} sandbox journaled no entry for this request"
    operation = entry.operation or "(no operation)"
    lines = [f"the {mode} sandbox's journal #{entry.seq}: {entry.status} {operation}"]
    lines += [
        f"  {'warning' if f.warning else 'refused'} {f.rule} at {f.where or '/'}: expected {f.expected}, "
        f"got {f.actual}"
        for f in entry.findings
    ]
    return "\n".join(lines)


def _failure_group(
    case: Any, response: Any, failures: list[Failure], entry: JournalEntry | None, mode: str
) -> FailureGroup:
    """The failures as schemathesis reports them (title, answer, curl), and the sandbox's own findings."""
    answer = Response.from_any(response)
    curl = case.as_curl_command(headers=dict(answer.request.headers))
    message = failure_report_title(failures) + "\n"
    message += format_failures(
        case_id=None,
        response=answer,
        failures=failures,
        curl=curl,
        config=case.operation.schema.config.output,
    )
    error = FailureGroup(failures, message + "\n\n")
    error.add_note(findings_note(entry, mode))
    return error


def call_and_judge(
    case: Any, sandbox: InProcessSandbox, mode: str, served: Served, *, checks: Sequence[Any] | None = None
) -> Any:
    """Send `case` to `sandbox` and validate the answer with every schemathesis check; raise the failures no
    allowance excuses (a FailureGroup, noted with the sandbox's findings)."""
    mark = sandbox.mark()
    response = case.call()
    entry = sandbox.entry_since(mark, case.method)
    if response.status_code == 401 and not case.operation.schema.is_security_param_negated(case):
        raise AssertionError(
            f"the sandbox refused schemathesis' key: nothing is tested\n{findings_note(entry, mode)}"
        )
    try:
        case.validate_response(response, checks=list(checks) if checks else None)
    except FailureGroup as group:
        left = unexcused(
            group.exceptions, case=case, response=response, entry=entry, mode=mode, served=served
        )
        if left:
            raise _failure_group(case, response, left, entry, mode) from None
    return response


def iter_failures(group: BaseExceptionGroup[Any]) -> Iterator[Failure]:
    """Every schemathesis failure inside an exception group."""
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            yield from iter_failures(exc)
        elif isinstance(exc, Failure):
            yield exc


# --- the APIs as a client sees them, for the stateful flows -------------------------------------------------

RESPONSE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
"""What every step of a flow is judged by (the probing checks already ran on every operation)."""
CONTROL = "control"


def control_served(sanp: str) -> Served:
    """The sandbox's own control API (/_sandbox/), as its document publishes it."""
    api = Api(CONTROL, "control-openapi.json", control.PREFIX, "Sandbox control")
    return Served(sanp, api, control_document.DOCUMENT, control_document.document())


class Platform:
    """A sandbox reached through its published documents (and its control API's): each call a schemathesis
    case, each answer judged by the response checks and the allowances."""

    def __init__(self, sandbox: InProcessSandbox, mode: str) -> None:
        self.sandbox, self.mode = sandbox, mode
        by_name = {s.api.name: s for s in served_apis() if s.sanp == sandbox.sanp}
        by_name[CONTROL] = control_served(sandbox.sanp)
        self._apis: dict[str, tuple[Served, Any]] = {}
        for name, served in by_name.items():
            schema = load_schema(served, examples=1, coverage=False)
            schema.app.app = sandbox.app
            self._apis[name] = (served, schema)
        from schemathesis.checks import CHECKS, load_all_checks

        load_all_checks()
        self._checks = CHECKS.get_by_names(list(RESPONSE_CHECKS))

    def call(
        self,
        api: str,
        method: str,
        template: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        **path: str,
    ) -> Any:
        """`method template` of `api` with these path parameters, query and JSON body; the answer, judged."""
        served, schema = self._apis[api]
        operation = schema[template][method.upper()]
        payload = {"body": body, "media_type": "application/json"} if body is not None else {}
        # schemathesis applies no auth to a hand-built case: it carries the key as a client does
        case = operation.Case(
            path_parameters=path,
            headers={HEADER: KEY},
            query=dict(query or {}),
            **payload,
        )
        return call_and_judge(case, self.sandbox, self.mode, served, checks=self._checks)
