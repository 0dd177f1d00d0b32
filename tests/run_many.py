"""Runs many `pagoconf …` command lines in one interpreter, for the meta-tests: one JSON list of arguments
per input line, one JSON answer {"code", "stdout", "stderr"} per output line. The imports, the schemas
and the catalogue are loaded once instead of once per run; every run is otherwise the real command."""

from __future__ import annotations

import contextlib
import io
import json
import sys

from pagoconf.cli import main


def serve() -> None:
    for line in sys.stdin:
        args = json.loads(line)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exc:
                code = int(exc.code or 0)
        sys.__stdout__.write(
            json.dumps({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n"
        )
        sys.__stdout__.flush()


if __name__ == "__main__":
    serve()
