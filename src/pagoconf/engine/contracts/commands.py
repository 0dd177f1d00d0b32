"""The `pagoconf contracts` subcommand: list, verify and fetch the pinned contract files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pagoconf.engine.contracts.fetch import BASE_URL_ENV, DEFAULT_BASE_URL, fetch
from pagoconf.engine.contracts.manifest import DEFAULT_SANP, SUPPORTED_SANP, ContractError, vendor_root
from pagoconf.engine.contracts.resolve import CONTRACTS_ENV, OK, RootReport, VerifyReport, verify

ACTIONS = ("list", "verify", "fetch")

HELP = f"""\
actions:
  list     show, per SANP version, the contracts root in use (or "missing"), the pinned
           upstream commit and every file with its role and status (always exit 0)
  verify   check that every pinned file is present with the expected sha256 (exit 2 if not)
  fetch    download the pinned files from {DEFAULT_BASE_URL}/<commit>/<path>
           into --dest (default: the fetched copy, see below), verifying each before installing

Without --sanp every action covers all supported versions ({", ".join(SUPPORTED_SANP)});
the default version used by the rest of pagoconf is {DEFAULT_SANP}.
Roots are tried in order: --contracts DIR, ${CONTRACTS_ENV}, the fetched copy (contracts/vendor/ in a
checkout, $XDG_DATA_HOME/pagoconf/vendor once installed), and ../shared/contracts/pagopa-api/ beside a
checkout. An explicit root that is incomplete is an error.

exit codes: 0 the files are there and verified (list always 0) · 2 missing or altered files

examples:
  pagoconf contracts verify --sanp 3.8.0
  pagoconf contracts fetch --sanp 3.13.0
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `contracts` subcommand to an argparse subparsers object and return its parser."""
    parser = subparsers.add_parser(
        "contracts",
        help="list, verify or fetch the official pagoPA contract files",
        description="Manage the official pagoPA contract files (WSDL/XSD/OpenAPI) pinned by "
        "contracts/sanp-<version>.toml.",
        epilog=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", nargs="?", choices=ACTIONS, default="list", help="default: list")
    parser.add_argument(
        "--sanp",
        metavar="VERSION",
        choices=SUPPORTED_SANP,
        help=f"one SANP version ({', '.join(SUPPORTED_SANP)}); default: all supported",
    )
    parser.add_argument(
        "--contracts",
        metavar="DIR",
        help=f"contracts root holding sanp-<version>/ folders laid out as pagopa-api (or ${CONTRACTS_ENV})",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help=f"fetch: mirror serving <URL>/<commit>/<path> (or ${BASE_URL_ENV}); default {DEFAULT_BASE_URL}",
    )
    parser.add_argument(
        "--dest",
        metavar="DIR",
        help="fetch: contracts root to write into (default: the fetched copy, see below)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the contracts action; return 0 on success, 2 on a ContractError (message on stderr)."""
    action = getattr(args, "action", None) or "list"
    versions = [args.sanp] if getattr(args, "sanp", None) else list(SUPPORTED_SANP)
    explicit = getattr(args, "contracts", None)
    try:
        if action == "fetch":
            return _fetch(versions, args)
        if action == "verify":
            return _verify(versions, explicit)
        return _list(versions, explicit)
    except ContractError as exc:
        print(f"pagoconf: error: {exc}", file=sys.stderr)
        return 2


def _list(versions: list[str], explicit: str | None) -> int:
    """Print the root, commit and per-file status of each version."""
    for i, version in enumerate(versions):
        if i:
            print()
        report = verify(version, explicit)
        m = report.manifest
        print(f"SANP {version}  ({m.upstream} branch {m.branch}, commit {m.commit})")
        if report.chosen is not None:
            print(f"  root: {report.chosen.folder}  [{report.chosen.source}]")
            _print_files(report.chosen)
            continue
        print("  root: missing")
        for tried in report.tried:
            print(f"  tried {tried.root}  [{tried.source}]: " + ("present" if tried.present else "no folder"))
            if tried.present:
                _print_files(tried)
        print(f"  fix: pagoconf contracts fetch --sanp {version}")
    return 0


def _print_files(report: RootReport) -> None:
    """Print one aligned line per manifest file: status, path, role."""
    width = max(len(f.path) for f in report.files)
    for f in report.files:
        print(f"    {f.status:<8} {f.path:<{width}}  {f.role}")


def _verify(versions: list[str], explicit: str | None) -> int:
    """Print one status line per version; return 2 with the error paragraph if any is not usable."""
    failures: list[VerifyReport] = []
    for version in versions:
        report = verify(version, explicit)
        if report.chosen is not None:
            n = sum(1 for f in report.chosen.files if f.status == OK)
            print(f"SANP {version}: ok, {n} files verified in {report.chosen.folder}")
        else:
            print(f"SANP {version}: NOT usable")
            failures.append(report)
    for report in failures:
        print(f"pagoconf: error: {report.error()}", file=sys.stderr)
    return 2 if failures else 0


def _fetch(versions: list[str], args: argparse.Namespace) -> int:
    """Fetch each version and print where its files were installed."""
    dest = Path(args.dest).expanduser() if getattr(args, "dest", None) else vendor_root()
    for version in versions:
        paths = fetch(version, dest_root=dest, base_url=getattr(args, "base_url", None))
        print(f"SANP {version}: {len(paths)} files fetched and verified into {dest / f'sanp-{version}'}")
    return 0
