"""junit.xml, completed: scenarios named as QA reads them, every always-on rule as a test case of its own
(one defect, one red test), and a failing case when the run was cut short."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from pagoconf.engine.ledger import BROKEN, FAILED, NOT_RUN, PASSED, RuleResult
from pagoconf.engine.reporting import failures
from pagoconf.engine.reporting.files import write_bytes_atomic
from pagoconf.engine.reporting.report import RunReport, operation_group
from pagoconf.engine.run import RunState


def complete_junit(path: Path, report: RunReport, run: RunState) -> None:
    """Rewrite pytest's junit.xml: readable scenario names, one case per judged always-on rule, and an
    error case for an aborted run (so that an interrupted run never looks green)."""
    if not path.exists():
        return
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    root = tree.getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        return
    names = {_junit_key(s.nodeid): s.name for s in run.scenarios if s.nodeid}
    for case in suite.iter("testcase"):
        key = (case.get("classname", ""), case.get("name", ""))
        if key in names:
            case.set("name", names[key])
    lookup = run.find
    for res in report.results:
        if res.rule.kind == "always" and (res.judged or res.status in (FAILED, BROKEN)):
            suite.append(_rule_case(res, report, lookup, run))
    if report.aborted:
        case = etree.SubElement(suite, "testcase", classname="pagoconf", name="the run as a whole")
        etree.SubElement(case, "error", message=report.aborted, type="aborted").text = report.aborted
    _recount(suite)
    write_bytes_atomic(path, etree.tostring(tree, xml_declaration=True, encoding="utf-8"))


def _rule_case(res: RuleResult, report: RunReport, lookup: failures.Lookup, run: RunState) -> etree._Element:
    r = res.rule
    case = etree.Element(
        "testcase",
        classname=f"pagoconf.rules.{_slug(operation_group(r))}",
        name=f"{r.id} {r.title}",
        time="0",
    )
    if res.advice:
        verdict = "failed" if res.status == FAILED else res.status
        reason = f"advice, outside the {report.profile} profile ({verdict}): never part of the verdict"
        etree.SubElement(case, "skipped", message=reason).text = reason
    elif res.status == FAILED and res.violations:
        message = failures.headline(r, res.violations, lookup, run.subject)
        text = "\n".join(failures.block(r, res.violations, report.sanp, lookup, run.subject, limit=10))
        etree.SubElement(case, "failure", message=message, type=r.severity).text = text
    elif res.status not in (PASSED,):
        reason = res.reason or res.status
        etree.SubElement(case, "skipped" if res.status == NOT_RUN else "error", message=reason).text = reason
    props = etree.SubElement(case, "properties")
    for name, value in (("rule", r.id), ("severity", r.severity), ("judged", str(res.judged))):
        etree.SubElement(props, "property", name=name, value=value)
    return case


def _recount(suite: etree._Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    for tag, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        suite.set(attr, str(sum(1 for c in cases if c.find(tag) is not None)))


def _junit_key(nodeid: str) -> tuple[str, str]:
    """pytest's (classname, name) for a node id."""
    names = nodeid.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    return ".".join(names[:-1]), names[-1]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
