"""Service data for spontaneous payments, generated from the catalogue service's own XSD."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from pagoconf.engine.contracts import ContractError
from pagoconf.sync.config import TargetConfig
from pagoconf.sync.schema import service_schema_path


@cache
def _service(path: Path):  # type: ignore[no-untyped-def]
    """The xmlschema model of a catalogue service XSD and the name of its root element."""
    import xmlschema

    try:
        schema = xmlschema.XMLSchema(str(path), allow="local", defuse="always")
    except (xmlschema.XMLSchemaException, OSError) as exc:
        raise ContractError(f"the service schema {path} cannot be loaded: {exc}") from None
    roots = list(schema.elements)
    if len(roots) != 1:
        raise ContractError(f"the service schema {path} has {len(roots)} global elements; expected one root")
    return schema, roots[0]


def service_data(target: TargetConfig, *, valid: bool, contracts: str | None = None) -> bytes:
    """The service's XML: the simplest instance valid against its XSD, or one broken in one place."""
    service = target.spontaneous
    if service is None:
        raise LookupError("no [spontaneous] service configured")
    return _generated(service_schema_path(target.sanp, service.service_xsd, contracts), valid)


@cache
def _generated(path: Path, valid: bool) -> bytes:
    """The first instance Hypothesis generates, seeded: the same bytes in every run, and no time spent
    shrinking it."""
    from hypothesis import Phase, find, settings

    from pagoconf.sync.strategies import from_xsd, mutations

    schema, root = _service(path)
    quick = settings(database=None, max_examples=50, deadline=None, derandomize=True, phases=[Phase.generate])
    if valid:
        el = find(from_xsd(schema, root), lambda _: True, settings=quick)
        return etree.tostring(el, xml_declaration=True, encoding="UTF-8")
    broken = find(
        mutations(schema, root, valid=from_xsd(schema, root)),
        lambda m: m.kind in ("lexical", "structural"),
        settings=quick,
    )
    return etree.tostring(broken.element, xml_declaration=True, encoding="UTF-8")
