"""Service data for spontaneous payments, generated from the catalogue service's own XSD."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from .config import TargetConfig
from .contracts import ContractError, service_schema_path


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
    """Deterministic generation (derandomized): the same bytes for the same XSD in every run."""
    from .strategies import from_xsd, mutations

    schema, root = _service(path)
    if valid:
        el = _draw(from_xsd(schema, root))
        return etree.tostring(el, xml_declaration=True, encoding="UTF-8")
    broken = _draw(
        mutations(schema, root, valid=from_xsd(schema, root)).filter(
            lambda m: m.kind in ("lexical", "structural")
        )
    )
    return etree.tostring(broken.element, xml_declaration=True, encoding="UTF-8")


def _draw(strategy):  # type: ignore[no-untyped-def]
    """One value of a strategy, the same every run (derandomized, no shrinking: fast)."""
    from hypothesis import HealthCheck, Phase, given, settings

    box = []

    @settings(
        max_examples=1,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def grab(value):  # type: ignore[no-untyped-def]
        box.append(value)

    grab()
    return box[0]
