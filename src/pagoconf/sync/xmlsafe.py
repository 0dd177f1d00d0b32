"""Safe, bounded XML parsing for anything that comes off the wire."""

from __future__ import annotations

from lxml import etree

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 256


class UnsafeXml(ValueError):
    """The bytes are not XML we are willing to read (malformed, DTD, too large, too deep)."""


def _parser() -> etree.XMLParser:
    """No DTD, no entities, no network: the only parser pagoconf uses on XML."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        collect_ids=False,
    )


_PARSER = _parser()


def parse_file(path: str) -> etree._ElementTree:
    """Parse an XML file (a contract schema) with the same safe settings; raises lxml's own errors."""
    return etree.parse(path, _parser())


def parse(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse XML bytes, refusing DTDs (hence entities), oversize input and deep nesting."""
    if len(data) > max_bytes:
        raise UnsafeXml(f"document of {len(data)} bytes exceeds the {max_bytes}-byte bound")
    if not data.strip():
        raise UnsafeXml("empty document")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"not well-formed XML: {exc}") from None
    if root is None:
        raise UnsafeXml("no root element")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml("a DOCTYPE/DTD is not allowed in a SOAP message")
    _check_depth(root)
    return root


def _check_depth(root: etree._Element) -> None:
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_DEPTH:
            raise UnsafeXml(f"nesting deeper than {MAX_DEPTH} levels")
