"""Schema rule: the response element is valid against paForNode.xsd (lxml on the hot path)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pagoconf.engine.violation import Violation
from pagoconf.sync.answer import Answer
from pagoconf.sync.checks.registry import check

_PREFIX = re.compile(r"(?<=/)[A-Za-z_][\w.-]*:")


@check("SCHEMA-001")
def valid_against_pa_for_node_xsd(answer: Answer) -> Iterator[Violation]:
    """Every XSD error of the response element, each with its path."""
    yield from xsd_violations(answer.schema, answer.response)


def xsd_violations(schema, element) -> Iterator[Violation]:  # type: ignore[no-untyped-def]
    """XSD errors of one paForNode element as violations (shared with `pagoconf validate`)."""
    for message, path in schema.errors(element):
        yield Violation(
            expected=f"valid against paForNode.xsd (SANP {schema.version})",
            actual=message,
            where=_PREFIX.sub("", path),
        )
