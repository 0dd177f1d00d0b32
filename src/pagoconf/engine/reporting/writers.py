"""Write every report of a finished run: conformance.json/.md/.html, the completed junit.xml and the
Allure extras."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pagoconf.engine.reporting.allure_files import (
    write_allure_config,
    write_categories,
    write_environment,
    write_executor,
    write_rule_results,
)
from pagoconf.engine.reporting.files import write_text_atomic
from pagoconf.engine.reporting.html import write_html
from pagoconf.engine.reporting.junit import complete_junit
from pagoconf.engine.reporting.markdown import write_markdown
from pagoconf.engine.reporting.report import RunReport, build_report
from pagoconf.engine.run import RunState

__all__ = ["RunOutputs", "build_report", "write_all", "write_json"]


@dataclass(frozen=True)
class RunOutputs:
    """Where a run's reports go."""

    reports: Path
    junit: Path | None = None
    allure: Path | None = None


def write_json(report: RunReport, path: Path) -> Path:
    """Write conformance.json (report.as_dict(), indent 2, UTF-8)."""
    return write_text_atomic(path, json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")


def write_all(report: RunReport, run: RunState, out: RunOutputs, *, environment: Mapping[str, str]) -> None:
    """Every report; conformance.json last, so that its presence means the others are complete."""
    write_markdown(report, out.reports / "conformance.md")
    write_html(report, run, out.reports / "conformance.html")
    if out.junit is not None:
        complete_junit(out.junit, report, run)
    if out.allure is not None:
        write_environment(out.allure, environment)
        write_categories(out.allure)
        write_executor(out.allure, report)
        write_allure_config(out.allure, report)
        write_rule_results(out.allure, report, run)
    write_json(report, out.reports / "conformance.json")
