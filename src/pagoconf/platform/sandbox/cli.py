"""`pagoconf sandbox`: its arguments and what it does (cli.py wires them into the command line)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TextIO

from pagoconf.engine.config import ConfigError
from pagoconf.engine.contracts import DEFAULT_SANP, SUPPORTED_SANP


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sandbox's options."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one, printed at start-up)")
    parser.add_argument(
        "--sanp", choices=SUPPORTED_SANP, help=f"SANP version (default: config, else {DEFAULT_SANP})"
    )
    parser.add_argument(
        "--db", metavar="FILE", help="SQLite file for the state and the journal, kept across restarts"
    )
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="KEY",
        help="an Ocp-Apim-Subscription-Key good for every organization (repeatable; none: one is generated)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="pagoconf.toml whose [sandbox] table adds restricted keys and the station Checkout pays through",
    )
    parser.add_argument(
        "--strict", action="store_true", help="answer as the published contract says, not as GPD does"
    )
    parser.add_argument("--contracts", metavar="DIR", help="contracts root holding sanp-<version>/")


def run_sandbox(args: argparse.Namespace, *, out: TextIO = sys.stdout) -> int:
    """Start the sandbox, print its base URLs and keys, serve until Ctrl-C. ConfigError: one line, exit 2."""
    from pagoconf.platform.sandbox.server import Sandbox, read_config  # the command line loads it on use

    sanp = args.sanp
    if sanp is None and args.config is not None:
        sanp = read_config(args.config).sanp
    sandbox = Sandbox(
        args.host,
        args.port,
        sanp=sanp or DEFAULT_SANP,
        db=args.db,
        keys=args.key,
        strict=args.strict,
        config=args.config,
        contracts=args.contracts,
    )
    mode = "strict: answers as the published contract" if sandbox.strict else "faithful: answers as GPD does"
    print(f"pagoconf GPD sandbox, SANP {sandbox.sanp} ({mode}) at {sandbox.url}  (Ctrl-C to stop)", file=out)
    width = max(map(len, sandbox.base_urls), default=0)
    for name, url in sandbox.base_urls.items():
        print(f"  {name:<{width}}  {url}", file=out)
    for key in sandbox.keys.keys:
        scope = []
        if key.organizations is not None:
            scope.append("organizations " + ", ".join(sorted(key.organizations)))
        if key.segregation_codes is not None:
            scope.append("segregation codes " + ", ".join(sorted(key.segregation_codes)))
        print(f"  key {key.id}: {key.value}  ({'; '.join(scope) or 'every organization'})", file=out)
    print(f"  state: {sandbox.db or 'in memory (lost on stop)'}", file=out, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        sandbox.serve_forever()
    print("pagoconf GPD sandbox stopped", file=out, flush=True)
    return 0


__all__ = ["ConfigError", "add_arguments", "run_sandbox"]
