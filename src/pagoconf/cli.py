"""`pagoconf …`: run, station, validate, rules, contracts."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .contracts import DEFAULT_SANP, SUPPORTED_SANP, ContractError

EXIT_OK, EXIT_NOT_CONFORMANT, EXIT_USAGE, EXIT_INCONCLUSIVE = 0, 1, 2, 3
RUN_PLUGINS = ("pytest_bdd.plugin", "allure_pytest_bdd.plugin", "_hypothesis_pytestplugin")
VERDICT_EXIT = {
    "CONFORMANT": EXIT_OK,
    "NOT_CONFORMANT": EXIT_NOT_CONFORMANT,
    "INCONCLUSIVE": EXIT_INCONCLUSIVE,
}


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Print a one-line error and return its exit code."""
    print(f"pagoconf: {message}", file=sys.stderr)
    return code


def cmd_run(args: argparse.Namespace) -> int:
    """Run the conformance features against the target and turn the verdict into an exit code."""
    import pytest

    from .paths import FEATURES, PROJECT

    reports = Path(args.reports).resolve()
    reports.mkdir(parents=True, exist_ok=True)
    verdict_file = reports / "conformance.json"
    verdict_file.unlink(missing_ok=True)
    argv = [
        str(FEATURES),
        "--rootdir",
        str(PROJECT),
        "-c",
        str(PROJECT / "pyproject.toml"),
        "--pagoconf-reports",
        str(reports),
        "--junitxml",
        str(reports / "junit.xml"),
        "--alluredir",
        str(reports / "allure-results"),
        "--clean-alluredir",
        "-o",
        "junit_family=xunit2",
        "-q",
        "--no-header",
        "-p",
        "no:cacheprovider",
    ]
    # Only the plugins a run needs (autoloading every installed one costs seconds per run).
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    for plugin in RUN_PLUGINS:
        argv += ["-p", plugin]
    argv += ["-v", "--tb=short"] if args.verbose else ["--tb=no"]
    if args.config:
        argv += ["--pagoconf-config", args.config]
    for flag, value in (
        ("--station", args.station),
        ("--sanp", args.sanp),
        ("--contracts", args.contracts),
        ("-k", args.k),
        ("-m", args.m),
        ("--hypothesis-profile", args.hypothesis_profile),
        ("--station-delay", args.station_delay),
        ("--node-timeout", args.timeout),
        ("--service-level", args.service_level),
    ):
        if value is not None:
            argv += [flag, str(value)]
    if args.primitive_version:
        argv += ["--primitive-version", str(args.primitive_version)]
    for defect in args.defect:
        argv += ["--defect", defect]
    if args.defect and args.config:
        return fail("--defect applies to the embedded reference station; drop --config/--station to use it")
    code = pytest.main(argv)
    if not verdict_file.exists():
        if code == pytest.ExitCode.NO_TESTS_COLLECTED:
            return fail("no scenario matched the selection (-k/-m)", EXIT_USAGE)
        return fail("the run did not complete (see the messages above)", EXIT_USAGE)
    verdict = json.loads(verdict_file.read_text(encoding="utf-8"))["verdict"]
    return VERDICT_EXIT[verdict]


def cmd_station(args: argparse.Namespace) -> int:
    """Serve the reference station, list its defects, or write the config that describes it."""
    from .reference import DEFECTS, ReferenceStation, write_config

    if args.list_defects:
        rows = [
            {"name": d.name, "rule": d.rule, "description": d.description, "also": list(d.also)}
            for d in DEFECTS.values()
        ]
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            width = max(len(r["name"]) for r in rows)
            for r in rows:
                print(f"{r['name']:<{width}}  {r['rule']:<12}  {r['description']}")
        return EXIT_OK
    unknown = [d for d in args.defect if d not in DEFECTS]
    if unknown:
        return fail(f"unknown defect {unknown[0]!r}; see `pagoconf station --list-defects`")
    if args.write_config:
        url = f"http://{args.host}:{args.port or 8086}/paForNode"
        path = write_config(
            Path(args.write_config), url, primitive_version=args.primitive_version, sanp=args.sanp
        )
        print(f"wrote {path} for a station at {url}")
        print(f"start it with:  pagoconf station --port {args.port or 8086}")
        print(f"then test it:   pagoconf run --config {path} --station {url}")
        return EXIT_OK
    station = ReferenceStation(
        args.host,
        args.port or 8086,
        defects=tuple(args.defect),
        sanp=args.sanp,
        db=args.db,
        primitive_version=args.primitive_version,
    )
    defects = f" with defects {', '.join(args.defect)}" if args.defect else ""
    print(
        f"pagoconf reference station (SANP {args.sanp}){defects} at {station.url}  (Ctrl-C to stop)",
        flush=True,
    )
    try:
        station.serve_forever()
    except OSError as exc:
        return fail(f"cannot listen on {args.host}:{args.port or 8086}: {exc.strerror}")
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Judge captured envelopes offline."""
    from .contracts import pa_for_node_schema
    from .offline import UnusableInput, judge_batch, judge_captured

    schema = pa_for_node_schema(args.sanp, args.contracts)
    if args.batch:
        try:
            handle = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            return fail(f"cannot read {args.batch}: {exc.strerror}")
        worst = EXIT_OK
        with handle:
            out = sys.stdout
            for verdict in judge_batch(schema, handle):
                out.write(json.dumps(verdict, ensure_ascii=False) + "\n")
                if "error" in verdict:
                    worst = EXIT_USAGE
                elif not verdict["conformant"] and worst == EXIT_OK:
                    worst = EXIT_NOT_CONFORMANT
        return worst
    if not args.operation or not args.response:
        return fail("validate needs --operation OP and a RESPONSE.xml (or --batch FILE.jsonl)")
    try:
        response = Path(args.response).read_bytes()
        request = Path(args.request).read_bytes() if args.request else b""
    except OSError as exc:
        return fail(f"cannot read {exc.filename}: {exc.strerror}")
    try:
        verdict = judge_captured(schema, args.operation, response, request)
    except UnusableInput as exc:
        return fail(str(exc))
    if args.json:
        print(json.dumps(verdict, ensure_ascii=False, indent=2))
    else:
        _print_verdict(verdict, args.sanp)
    return EXIT_OK if verdict["conformant"] else EXIT_NOT_CONFORMANT


def _print_verdict(verdict: dict, sanp: str) -> None:  # type: ignore[type-arg]
    from .rules import rule, spec_url

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


def cmd_rules(args: argparse.Namespace) -> int:
    """Print the rule catalogue with the scenarios that exercise each rule."""
    from .rules import catalogue, spec_url
    from .rules.coverage import rule_scenarios

    cover = rule_scenarios()
    rows = []
    for r in catalogue().values():
        rows.append(
            {
                "id": r.id,
                "title": r.title,
                "severity": r.severity,
                "level": r.level,
                "kind": r.kind,
                "applies_to": list(r.applies_to),
                "needs": list(r.needs),
                "spec": spec_url(r, args.sanp),
                "source": r.source,
                "scenarios": cover.get(r.id, []),
                "not_tested": r.not_tested,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    for row in rows:
        print(f"{row['id']:<13} {row['severity']:<8} {row['level']:<6} {row['title']}")
        print(f"{'':<13} {len(row['scenarios'])} scenario(s) · {row['spec']}")
    return EXIT_OK


def cmd_sandbox(args: argparse.Namespace) -> int:
    """The GPD/ACA sandbox is planned; say so clearly."""
    return fail("the GPD/ACA sandbox is not available in this version (planned: asynchronous model)")


def parser() -> argparse.ArgumentParser:
    """The command line of DESIGN.md."""
    p = argparse.ArgumentParser(
        prog="pagoconf", description="Conformance harness for pagoPA stations (SANP)."
    )
    p.add_argument("--version", action="version", version=f"pagoconf {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="test a station (default: the embedded reference station)")
    run.add_argument("--config", help="pagoconf.toml describing the station under test")
    run.add_argument("--station", help="the station's paForNode URL (overrides the config's)")
    run.add_argument(
        "--sanp", choices=SUPPORTED_SANP, help=f"SANP version (default: config, else {DEFAULT_SANP})"
    )
    run.add_argument(
        "--suite",
        choices=("sync", "async", "all"),
        default="all",
        help="sync: paForNode; async: GPD (not available yet); all (default)",
    )
    run.add_argument("--primitive-version", type=int, choices=(1, 2), help="the station's primitive version")
    run.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="embedded station only: start it with this defect (repeatable)",
    )
    run.add_argument(
        "--station-delay", type=float, help="embedded station: delay of the slow defects (seconds)"
    )
    run.add_argument(
        "--timeout",
        type=float,
        help="the Node's deadline for every exchange, seconds (default 7; 15 for receipts)",
    )
    run.add_argument(
        "--service-level",
        type=float,
        metavar="S",
        help="service-level time, seconds (default: config, else 2)",
    )
    run.add_argument("--reports", default="reports", help="output folder (default: reports)")
    run.add_argument("--contracts", help="contracts root holding sanp-<version>/")
    run.add_argument("-k", help="only scenarios matching this expression")
    run.add_argument("-m", help="only scenarios with these tags (e.g. 'verify and not timing')")
    run.add_argument("--hypothesis-profile", help="hypothesis profile (default pagoconf-ci; 'deep' for more)")
    run.add_argument("-v", "--verbose", action="store_true", help="show every scenario and its failure")
    run.set_defaults(func=cmd_run)

    st = sub.add_parser(
        "station", help="serve the reference station (a conformant model, with optional defects)"
    )
    st.add_argument("--host", default="127.0.0.1")
    st.add_argument("--port", type=int, default=0, help="port (default 8086)")
    st.add_argument("--defect", action="append", default=[], metavar="NAME")
    st.add_argument("--sanp", choices=SUPPORTED_SANP, default=DEFAULT_SANP)
    st.add_argument(
        "--primitive-version",
        type=int,
        choices=(1, 2),
        default=2,
        help="1: paGetPayment + paSendRT; 2: paGetPaymentV2 + paSendRTV2 (default)",
    )
    st.add_argument(
        "--db", metavar="FILE", help="SQLite file for notices and receipts (default: a temporary one)"
    )
    st.add_argument(
        "--list-defects", action="store_true", help="list the named defects and the rule each breaks"
    )
    st.add_argument("--json", action="store_true", help="with --list-defects: JSON")
    st.add_argument("--write-config", metavar="FILE", help="write the pagoconf.toml describing this station")
    st.set_defaults(func=cmd_station)

    sb = sub.add_parser("sandbox", help="GPD/ACA sandbox (planned)")
    sb.add_argument("--host", default="127.0.0.1")
    sb.add_argument("--port", type=int, default=0)
    sb.add_argument("--db")
    sb.add_argument("--station")
    sb.set_defaults(func=cmd_sandbox)

    va = sub.add_parser("validate", help="judge captured SOAP envelopes offline")
    va.add_argument("response", nargs="?", metavar="RESPONSE.xml")
    va.add_argument("--operation", help="the paForNode operation (e.g. paVerifyPaymentNotice)")
    va.add_argument(
        "--request", metavar="REQ.xml", help="the request it answered (enables request-aware rules)"
    )
    va.add_argument(
        "--batch", metavar="FILE.jsonl", help='one {"operation","request","response"} per line; - = stdin'
    )
    va.add_argument("--json", action="store_true")
    va.add_argument("--sanp", choices=SUPPORTED_SANP, default=DEFAULT_SANP)
    va.add_argument("--contracts")
    va.set_defaults(func=cmd_validate)

    ru = sub.add_parser("rules", help="the rule catalogue")
    ru.add_argument("--json", action="store_true")
    ru.add_argument("--sanp", choices=SUPPORTED_SANP, default=DEFAULT_SANP)
    ru.set_defaults(func=cmd_rules)

    from .contracts.commands import add_parser as add_contracts

    add_contracts(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; every expected error becomes a one-line message and exit 2."""
    args = parser().parse_args(argv)
    if getattr(args, "suite", "all") == "async":
        return fail("the asynchronous (GPD) suite is not available in this version")
    try:
        return int(args.func(args))
    except ContractError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INCONCLUSIVE)


if __name__ == "__main__":
    sys.exit(main())
