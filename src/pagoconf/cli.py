"""`pagoconf …`: run, station, sandbox, client, validate, rules, contracts.

Every mistake of the operator is one line on stderr and exit 2, before anything is sent or any earlier
report is touched; the station's failures are exit 1; what cannot be judged is exit 3."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from pagoconf import __version__, resources, suites
from pagoconf.engine.config import ConfigError
from pagoconf.engine.contracts import DEFAULT_SANP, SUPPORTED_SANP, ContractError
from pagoconf.engine.rules import DEFAULT_PROFILE, PROFILES

EXIT_OK, EXIT_NOT_CONFORMANT, EXIT_USAGE, EXIT_INCONCLUSIVE = 0, 1, 2, 3
RUN_PLUGINS = ("pytest_bdd.plugin", "allure_pytest_bdd.plugin", "_hypothesis_pytestplugin")
HYPOTHESIS_PROFILES = ("pagoconf-ci", "deep")
VERDICT_EXIT = {
    "CONFORMANT": EXIT_OK,
    "NOT_CONFORMANT": EXIT_NOT_CONFORMANT,
    "INCONCLUSIVE": EXIT_INCONCLUSIVE,
}
EXIT_CODES = """exit codes:
  0  CONFORMANT       every required rule passed
  1  NOT_CONFORMANT   at least one required rule failed (the target did something wrong)
  2  usage error      a mistake in the command, the configuration or the contract files (one line)
  3  INCONCLUSIVE     nothing failed, but something could not be judged (unreachable, not run, interrupted)"""


class UsageError(Exception):
    """An operator's mistake, reported in one line with exit 2."""


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Print a one-line error and return its exit code."""
    print(f"pagoconf: {message}", file=sys.stderr)
    return code


# ------------------------------------------------------------------------------------------ run


def cmd_run(args: argparse.Namespace) -> int:
    """Run the conformance features against the target and turn the verdict into an exit code."""
    import pytest

    chosen = _chosen_suites(args)
    areas = [a for a in suites.areas(chosen) if (resources.FEATURES / a).is_dir()]
    if not areas:
        raise UsageError(f"the {args.suite} suite has no scenarios in this version of pagoconf")
    if args.journal is not None and args.suite != "async":
        raise UsageError("--journal judges a recorded session of the asynchronous suite: add --suite async")
    _check_run_options(args)
    reports = _reports_dir(args.reports)
    verdict_file = reports / "conformance.json"
    argv = [
        *(str(resources.FEATURES / a) for a in areas),
        "--rootdir", str(resources.ROOT),
        "--confcutdir", str(resources.ROOT),
        "-c", str(resources.PACKAGE / "engine" / "pytest.ini"),
        "--pagoconf-reports", str(reports),
        "--junitxml", str(reports / "junit.xml"),
        "--pagoconf-profile", args.profile,
        "-q", "--no-header",
        "-p", "no:unraisableexception", "-p", "no:threadexception",  # their gc.collect() costs 0.2 s a run
    ]  # fmt: skip
    if not args.no_allure:
        argv += ["--alluredir", str(reports / "allure-results"), "--clean-alluredir"]
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the plugins a run needs: seconds saved
    for plugin in RUN_PLUGINS:
        if plugin != "allure_pytest_bdd.plugin" or not args.no_allure:
            argv += ["-p", plugin]
    argv += ["-v", "--tb=short"] if args.verbose else ["--tb=no"]
    for flag, value in (
        ("--pagoconf-config", args.config),
        ("--station", args.station),
        ("--sanp", args.sanp),
        ("--contracts", args.contracts),
        ("-k", args.k),
        ("-m", args.m),
        ("--hypothesis-profile", args.hypothesis_profile),
        ("--station-delay", args.station_delay),
        ("--node-timeout", args.timeout),
        ("--service-level", args.service_level),
        ("--primitive-version", args.primitive_version),
    ):
        if value is not None:
            argv += [flag, str(value)]
    for defect in args.defect:
        argv += ["--defect", defect]
    for defect in args.client_defect:
        argv += ["--client-defect", defect]
    if args.journal is not None:
        argv += ["--journal", str(Path(args.journal).resolve())]
    verdict_file.unlink(missing_ok=True)
    code = pytest.main(argv)
    if not verdict_file.exists():
        if code == pytest.ExitCode.NO_TESTS_COLLECTED:
            return fail("no scenario matched the selection (-k/-m)")
        if code == pytest.ExitCode.INTERRUPTED:
            return fail("interrupted before the run began", EXIT_INCONCLUSIVE)
        return fail("the run did not complete (see the messages above)")
    verdict = json.loads(verdict_file.read_text(encoding="utf-8"))["verdict"]
    return VERDICT_EXIT[verdict]


TARGETS = (("sync", "station"), ("async", "adapter"))
"""The table of pagoconf.toml that names each suite's target (without it: the embedded reference one)."""


def _chosen_suites(args: argparse.Namespace) -> tuple[str, ...]:
    """The suites a run drives. `--suite all` with a --config drives the halves the file describes
    ([station], [adapter]): a partner's certification never counts pagoconf's own reference station or
    client."""
    if args.suite != "all":
        return (args.suite,)
    if args.config is None:
        return ("sync", "async")
    import tomllib

    try:
        raw = tomllib.loads(Path(args.config).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ("sync", "async")  # the strict reading of the file says what is wrong with it
    described = tuple(suite for suite, table in TARGETS if table in raw)
    return described or ("sync", "async")


def _check_run_options(args: argparse.Namespace) -> None:
    """Everything the command line can check before anything is sent."""
    from pagoconf.sync.config import check_url

    if args.station is not None:
        check_url(args.station, "--station")
    _check_station_defects(args.defect)
    if args.defect and args.config:
        raise UsageError(
            "--defect applies to the embedded reference station; drop --config/--station to use it"
        )
    _check_client_options(args)
    if args.hypothesis_profile and args.hypothesis_profile not in HYPOTHESIS_PROFILES:
        raise UsageError(
            f"unknown --hypothesis-profile {args.hypothesis_profile!r}; "
            f"known: {', '.join(HYPOTHESIS_PROFILES)}"
        )
    for name in ("timeout", "station_delay", "service_level"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be a positive number of seconds")
    sanp = args.sanp or DEFAULT_SANP
    if args.config:
        from pagoconf.engine.config import load
        from pagoconf.sync.config import parse

        run_config = load(args.config, suite_keys=suites.config_keys())  # strict: unknown keys, wrong types
        if "station" in run_config.raw:
            parse(run_config)
        _check_client_config(args, run_config)
        sanp = args.sanp or run_config.sanp
    if args.journal is not None:
        from pagoconf.platform.journal_mode import check_journal
        from pagoconf.platform.sandbox.journal import JournalError

        try:
            check_journal(args.journal, sanp=sanp)
        except JournalError as exc:
            raise UsageError(f"--journal {args.journal}: {exc}") from None
    from pagoconf.sync.schema import pa_for_node_schema

    pa_for_node_schema(sanp, args.contracts)  # the contract files are there and verified
    _check_expression(args.k, "-k", None)
    _check_expression(args.m, "-m", _known_tags())


def _check_station_defects(names: list[str]) -> None:
    """--defect names known defects of the embedded reference station."""
    from pagoconf.sync.reference.defects import defect_names

    try:
        defect_names(names)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _check_client_options(args: argparse.Namespace) -> None:
    """--client-defect names known defects of the embedded reference client; --journal drives nothing."""
    from pagoconf.platform.client.defects import defect_names

    try:
        defect_names(args.client_defect)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.journal is not None and args.client_defect:
        raise UsageError("--client-defect drives the reference client; --journal judges a recorded session")


def _check_client_config(args: argparse.Namespace, run_config: Any) -> None:
    """The config's [adapter] and [client] tables, read strictly; no --client-defect with an [adapter]."""
    from pagoconf.platform.adapter.config import read_adapter, read_client

    adapter = read_adapter(run_config)
    read_client(run_config, reference=adapter is None)
    if "sandbox" in run_config.raw:
        from pagoconf.platform.sandbox.server import read_config as read_sandbox
        from pagoconf.platform.session import sandbox_address

        if sandbox_address(run_config)[2]:
            read_sandbox(args.config)
    if adapter is not None and args.client_defect:
        raise UsageError(
            "--client-defect applies to the embedded reference client; drop [adapter] from --config to use it"
        )


def _known_tags() -> list[str]:
    """The plain tags of the feature files (read with a regex: the command line stays quick to start)."""
    found = {
        tag
        for path in resources.FEATURES.rglob("*.feature")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("@")
        for tag in re.findall(r"@([A-Za-z_][\w.-]*)(?=\s|$)", line)
    }
    return [*sorted(found), "rule", "needs"]


def _check_expression(expr: str | None, flag: str, known: list[str] | None) -> None:
    """A -k/-m expression pytest can read; for -m, only tags the features carry."""
    if expr is None:
        return
    try:
        from _pytest.mark.expression import Expression  # pytest's own reader of -k and -m
    except ImportError:  # a pytest without it: pytest itself will say, and the reports stay untouched
        return
    try:
        Expression.compile(expr)
    except Exception as exc:  # noqa: BLE001  (pytest 8 raises ParseError, pytest 9 UsageError)
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"{flag} {expr!r} is not a valid expression: {detail}") from None
    if known is not None:
        names = set(re.findall(r"[A-Za-z_][\w:.\-@]*", expr)) - {"and", "or", "not"}
        unknown = sorted(names - set(known))
        if unknown:
            raise UsageError(f"-m: unknown tag {unknown[0]!r}; the features are tagged {', '.join(known)}")


def _reports_dir(value: str) -> Path:
    """The reports folder, created if missing; UsageError if it is a file or not writable."""
    path = Path(value).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise UsageError(f"--reports {value}: exists and is not a folder")
    if not path.parent.is_dir():
        raise UsageError(
            f"--reports {value}: the folder {path.parent} does not exist (pagoconf creates only the last one)"
        )
    try:
        path.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".pagoconf-write-test-"):
            pass
    except OSError as exc:
        raise UsageError(f"--reports {value}: cannot write there ({exc.strerror or exc})") from None
    return path


# ------------------------------------------------------------------------------------------ station


def cmd_station(args: argparse.Namespace) -> int:
    """Serve the reference station, list its defects, or write the config that describes it."""
    from pagoconf.engine.server import ServerError
    from pagoconf.sync.reference import DEFECTS, ReferenceStation, write_config

    if args.list_defects:
        _print_defects(DEFECTS, args.json)
        return EXIT_OK
    _check_station_defects(args.defect)
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: a port is between 0 and 65535")
    port = args.port or 8086
    if args.write_config:
        url = f"http://{args.host}:{port}/paForNode"
        path = write_config(
            Path(args.write_config), url, primitive_version=args.primitive_version, sanp=args.sanp
        )
        print(f"wrote {path} for a station at {url}")
        print(f"start it with:  pagoconf station --port {port}")
        print(f"then test it:   pagoconf run --config {path}")
        return EXIT_OK
    try:
        station = ReferenceStation(
            args.host, port, defects=tuple(args.defect), sanp=args.sanp, db=args.db,
            primitive_version=args.primitive_version,
        )  # fmt: skip
    except ServerError as exc:
        raise UsageError(str(exc)) from None
    defects = f" with defects {', '.join(args.defect)}" if args.defect else ""
    print(
        f"pagoconf reference station (SANP {args.sanp}){defects} at {station.url}  (Ctrl-C to stop)",
        flush=True,
    )
    station.serve_forever()
    return EXIT_OK


def _print_defects(defects: Any, as_json: bool) -> None:
    rows = [
        {"name": d.name, "rule": d.rule, "description": d.description, "also": list(d.also)}
        for d in defects.values()
    ]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        also = f" (also {', '.join(r['also'])})" if r["also"] else ""
        print(f"{r['name']:<{width}}  {r['rule']:<12}  {r['description']}{also}")


# ------------------------------------------------------------------------------------------ validate


def cmd_validate(args: argparse.Namespace) -> int:
    """Judge captured envelopes offline."""
    from pagoconf.sync.offline import UnusableInput, judge_batch, judge_captured
    from pagoconf.sync.schema import pa_for_node_schema

    schema = pa_for_node_schema(args.sanp, args.contracts)
    if args.batch:
        try:
            handle = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise UsageError(f"cannot read {args.batch}: {exc.strerror}") from None
        worst = EXIT_OK
        with handle:
            for verdict in judge_batch(schema, handle):
                sys.stdout.write(json.dumps(verdict, ensure_ascii=False) + "\n")
                if "error" in verdict:
                    worst = EXIT_USAGE
                elif not verdict.get("conformant", True) and worst == EXIT_OK:
                    worst = EXIT_NOT_CONFORMANT
        return worst
    if not args.response:
        raise UsageError("validate needs a RESPONSE.xml (or --batch FILE.jsonl)")
    try:
        response = Path(args.response).read_bytes()
        request = Path(args.request).read_bytes() if args.request else b""
    except OSError as exc:
        raise UsageError(f"cannot read {exc.filename}: {exc.strerror}") from None
    try:
        verdict = judge_captured(schema, args.operation, response, request)
    except UnusableInput as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(verdict, ensure_ascii=False, indent=2))
    else:
        _print_verdict(verdict, args.sanp)
    return EXIT_OK if verdict["conformant"] else EXIT_NOT_CONFORMANT


def _print_verdict(verdict: dict[str, Any], sanp: str) -> None:
    from pagoconf.engine.rules import rule, spec_url

    if verdict["conformant"]:
        print(f"✓ {verdict['operation']}: conformant ({len(verdict['checked'])} rules checked, SANP {sanp})")
        return
    print(f"✗ {verdict['operation']}: not conformant")
    for v in verdict["violations"]:
        r = rule(v["rule"])
        print(
            f"  {v['rule']} {r.title} [{r.severity}]\n    {v['message']}\n    where {v['where']}\n"
            f"    spec  {spec_url(r, sanp)}"
        )


# ------------------------------------------------------------------------------------------ rules


def cmd_rules(args: argparse.Namespace) -> int:
    """Print the rule catalogue with the scenarios that exercise each rule."""
    from pagoconf.engine.coverage import rule_scenarios
    from pagoconf.engine.rules import catalogue, spec_url

    cover = rule_scenarios()
    rows = [
        {
            "id": r.id,
            "suite": r.suite,
            "title": r.title,
            "severity": r.severity,
            "level": r.level,
            "basis": r.basis,
            "kind": r.kind,
            "applies_to": list(r.applies_to),
            "needs": list(r.needs),
            "spec": spec_url(r, args.sanp),
            "source": r.source,
            "scenarios": cover.get(r.id, []),
            "not_tested": r.not_tested,
        }
        for r in catalogue().values()
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    for row in rows:
        print(f"{row['id']:<13} {row['severity']:<8} {row['level']:<6} {row['basis']:<8} {row['title']}")
        print(f"{'':<13} {len(cover.get(str(row['id']), []))} scenario(s) · {row['spec']}")
    return EXIT_OK


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Serve the platform sandbox (GPD, its receipts) until Ctrl-C."""
    from pagoconf.engine.server import ServerError
    from pagoconf.platform.sandbox.cli import run_sandbox

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: a port is between 0 and 65535")
    try:
        return run_sandbox(args)
    except ServerError as exc:
        raise UsageError(str(exc)) from None


def cmd_client(args: argparse.Namespace) -> int:
    """The reference client's named defects."""
    from pagoconf.platform.client.defects import DEFECTS

    if not args.list_defects:
        raise UsageError(
            "client needs --list-defects (the reference client runs inside `pagoconf run`; "
            "pick defects with --client-defect NAME)"
        )
    _print_defects(DEFECTS, args.json)
    return EXIT_OK


# ------------------------------------------------------------------------------------------ parser


def _command(sub: Any, name: str, help_text: str, description: str, example: str) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=help_text,
        description=description,
        epilog=f"{EXIT_CODES}\n\nexample:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def parser() -> argparse.ArgumentParser:
    """The command line of DESIGN.md."""
    p = argparse.ArgumentParser(
        prog="pagoconf",
        description="Conformance harness for pagoPA creditor institutions: certifies an EC's station "
        "(SANP paForNode) against the SANP contracts, rule by rule, with evidence.",
        epilog="`pagoconf COMMAND --help` describes each command.\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"pagoconf {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    try:
        tags = ", ".join(_known_tags()[:-2])
    except Exception:  # noqa: BLE001  (the help must show even if the features cannot be read)
        tags = "see the feature files"
    run = _command(
        sub,
        "run",
        "test a station (default: the embedded reference station)",
        "Run the certification scenarios against a target and write the reports: conformance.json, "
        "conformance.md, conformance.html, junit.xml and allure-results/ in --reports. Without --config, "
        f"pagoconf starts its own reference station on a free loopback port and tests it.\n\nfeature tags "
        f"(for -m): {tags}",
        "pagoconf run --config pagoconf.toml --reports out/ -m 'verify or states'",
    )
    run.add_argument("--config", metavar="FILE", help="pagoconf.toml describing the station under test")
    run.add_argument("--station", metavar="URL", help="the station's paForNode URL (overrides the config's)")
    run.add_argument(
        "--sanp", choices=SUPPORTED_SANP, help=f"SANP version (default: config, else {DEFAULT_SANP})"
    )
    run.add_argument(
        "--suite", choices=("sync", "async", "all"), default="all",
        help="sync: the station (paForNode); async: the GPD/ACA/Checkout client; all (default): both, or "
        "with --config the ones it describes ([station], [adapter])",
    )  # fmt: skip
    run.add_argument(
        "--profile", choices=tuple(PROFILES), default=DEFAULT_PROFILE,
        help="certification (default): SANP and what the platform enforces; hardening: pagoconf's own "
        "recommendations too",
    )  # fmt: skip
    run.add_argument("--primitive-version", type=int, choices=(1, 2), help="the station's primitive version")
    run.add_argument(
        "--defect", action="append", default=[], metavar="NAME",
        help="embedded station only: start it with this defect (repeatable; see `pagoconf station "
        "--list-defects`)",
    )  # fmt: skip
    run.add_argument(
        "--client-defect", action="append", default=[], metavar="NAME",
        help="embedded reference client only: start it with this defect (repeatable; see `pagoconf client "
        "--list-defects`)",
    )  # fmt: skip
    run.add_argument(
        "--journal", metavar="FILE",
        help="with --suite async: judge the journal a `pagoconf sandbox --db FILE` session recorded, offline",
    )  # fmt: skip
    run.add_argument(
        "--station-delay", type=float, metavar="S", help="embedded station: delay of the slow defects"
    )
    run.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="the Node's deadline for every exchange (default 7; 15 receipts)",
    )
    run.add_argument(
        "--service-level", type=float, metavar="S", help="service-level time (default: config, else 2)"
    )
    run.add_argument("--reports", default="reports", metavar="DIR", help="output folder (default: reports)")
    run.add_argument("--contracts", metavar="DIR", help="contracts root holding sanp-<version>/")
    run.add_argument("-k", metavar="EXPR", help="only scenarios whose name matches this expression")
    run.add_argument(
        "-m", metavar="TAGS", help="only scenarios with these feature tags, e.g. 'verify and not timing'"
    )
    run.add_argument("--hypothesis-profile", metavar="NAME", help="pagoconf-ci (default, seeded) or deep")
    run.add_argument(
        "--no-allure", action="store_true", help="skip allure-results/ (a quicker run for a CI gate)"
    )
    run.add_argument("-v", "--verbose", action="store_true", help="show every scenario and its failure")
    run.set_defaults(func=cmd_run)

    st = _command(
        sub,
        "station",
        "serve the reference station (a conformant model, with optional defects)",
        "Serve pagoconf's reference station: a conformant EC station seeded with notices in every state. "
        "Each --defect breaks one rule on the wire. --write-config writes the pagoconf.toml describing it.",
        "pagoconf station --port 8086 --defect transfers-do-not-add-up",
    )
    st.add_argument("--host", default="127.0.0.1")
    st.add_argument("--port", type=int, default=0, help="port (default 8086)")
    st.add_argument("--defect", action="append", default=[], metavar="NAME")
    st.add_argument("--sanp", choices=SUPPORTED_SANP, default=DEFAULT_SANP)
    st.add_argument(
        "--primitive-version", type=int, choices=(1, 2), default=2,
        help="1: paGetPayment + paSendRT; 2: paGetPaymentV2 + paSendRTV2 (default)",
    )  # fmt: skip
    st.add_argument(
        "--db", metavar="FILE", help="SQLite file for notices and receipts (default: a temporary one)"
    )
    st.add_argument(
        "--list-defects", action="store_true", help="list the named defects and the rule each breaks"
    )
    st.add_argument("--json", action="store_true", help="with --list-defects: JSON")
    st.add_argument("--write-config", metavar="FILE", help="write the pagoconf.toml describing this station")
    st.set_defaults(func=cmd_station)

    sb = _command(
        sub, "sandbox", "the pagoPA platform sandbox (GPD debt positions and receipts) for a GPD client",
        "Serve the pagoPA platform for a partner's client, with real state: every API under the path it "
        "has on "
        "the real platform after the host, each request validated by the contract of the chosen SANP version "
        "and the GPD rules, and journaled with its findings (keep it with --db FILE).",
        "pagoconf sandbox --port 8090 --key my-key --db sandbox.sqlite",
    )  # fmt: skip
    from pagoconf.platform.sandbox.cli import add_arguments as add_sandbox_arguments

    add_sandbox_arguments(sb)
    sb.set_defaults(func=cmd_sandbox)

    cl = _command(
        sub, "client", "the reference GPD/ACA/Checkout client's named defects",
        "pagoconf's own reference client of GPD, ACA and Checkout (what `pagoconf run` certifies when no "
        "[adapter] is configured) and its named defects, each breaking one rule on the wire.",
        "pagoconf client --list-defects --json",
    )  # fmt: skip
    cl.add_argument(
        "--list-defects", action="store_true", help="list the named defects and the rule each breaks"
    )
    cl.add_argument("--json", action="store_true", help="with --list-defects: JSON")
    cl.set_defaults(func=cmd_client)

    va = _command(
        sub,
        "validate",
        "judge captured SOAP messages offline",
        "Judge a station's captured answer (and optionally the request it answered) with every always-on "
        "rule, offline. --batch judges one JSON object per line: {operation, request, response}.",
        "pagoconf validate --operation paVerifyPaymentNotice --request req.xml res.xml",
    )
    va.add_argument("response", nargs="?", metavar="RESPONSE.xml")
    va.add_argument("--operation", help="the paForNode operation (default: read from the envelope)")
    va.add_argument(
        "--request", metavar="REQ.xml", help="the request it answered (enables request-aware rules)"
    )
    va.add_argument(
        "--batch", metavar="FILE.jsonl", help='one {"operation","request","response"} per line; - = stdin'
    )
    va.add_argument("--json", action="store_true")
    va.add_argument("--sanp", choices=SUPPORTED_SANP, default=DEFAULT_SANP)
    va.add_argument("--contracts", metavar="DIR")
    va.set_defaults(func=cmd_validate)

    ru = _command(
        sub, "rules", "the rule catalogue",
        "The rule catalogue: id, severity, level, basis, title, SANP page, the scenarios that exercise it.",
        "pagoconf rules --json",
    )  # fmt: skip
    ru.add_argument("--json", action="store_true")
    ru.add_argument("--sanp", choices=SUPPORTED_SANP, default=DEFAULT_SANP)
    ru.set_defaults(func=cmd_rules)

    from pagoconf.engine.contracts.commands import add_parser as add_contracts

    add_contracts(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; every expected error becomes a one-line message and exit 2."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (UsageError, ConfigError, ContractError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INCONCLUSIVE)


if __name__ == "__main__":
    sys.exit(main())
