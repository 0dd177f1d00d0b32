"""The official paForNode and catalogue-service schemas, loaded from a verified contracts root."""

from __future__ import annotations

import threading
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from pagoconf.engine.contracts import ContractError, contract_path, load_manifest
from pagoconf.sync.xmlsafe import parse_file

if TYPE_CHECKING:
    import xmlschema

PA_FOR_NODE_NS = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"
PA_FOR_NODE_XSD = "wsdl/xsd/paForNode.xsd"
SERVICES_DIR = "catalogo-servizi"


class PaForNodeSchema:
    """The paForNode.xsd of one SANP version, as lxml (eager) and xmlschema (lazy) validators."""

    namespace = PA_FOR_NODE_NS

    def __init__(self, version: str, path: Path, lxml: etree.XMLSchema) -> None:
        """Keep the version, the schema file path and the compiled lxml schema."""
        self.version = version
        self.path = path
        self.lxml = lxml
        self._lock = threading.Lock()

    def errors(self, element: etree._Element) -> list[tuple[str, str]]:
        """(message, path) of every XSD error of one paForNode element; thread-safe (one shared error log)."""
        with self._lock:
            if self.lxml.validate(element):
                return []
            return [(e.message, e.path or "") for e in self.lxml.error_log]

    def __repr__(self) -> str:
        """Return a short debugging representation."""
        return f"PaForNodeSchema(version={self.version!r}, path={str(self.path)!r})"

    @cached_property
    def xmlschema(self) -> xmlschema.XMLSchema:
        """Return an xmlschema validator of the same file, built on first access, local files only."""
        import xmlschema

        try:
            return xmlschema.XMLSchema(str(self.path), allow="local", defuse="always")
        except (xmlschema.XMLSchemaException, OSError) as exc:
            raise ContractError(
                f"The SANP {self.version} schema {self.path} cannot be loaded by xmlschema ({exc}); "
                f"run `pagoconf contracts verify --sanp {self.version}` and re-fetch it if altered."
            ) from None


def pa_for_node_schema(version: str, explicit: str | Path | None = None) -> PaForNodeSchema:
    """Return the paForNode schema of `version` from the verified contracts root."""
    return _load_pa_for_node(version, contract_path(version, PA_FOR_NODE_XSD, explicit))


@cache
def _load_pa_for_node(version: str, path: Path) -> PaForNodeSchema:
    """Parse and compile paForNode.xsd (cached per version and resolved path)."""
    return PaForNodeSchema(version, path, load_lxml_schema(path, version))


def load_lxml_schema(path: Path, version: str) -> etree.XMLSchema:
    """Parse an XSD with the safe parser and compile it, mapping failures to ContractError."""
    try:
        doc = parse_file(str(path))
        return etree.XMLSchema(doc)
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise ContractError(
            f"The SANP {version} schema {path} cannot be parsed ({exc}); "
            f"run `pagoconf contracts verify --sanp {version}` and re-fetch it with "
            f"`pagoconf contracts fetch --sanp {version}`."
        ) from None


def service_schema_path(version: str, name: str, explicit: str | Path | None = None) -> Path:
    """Return the verified path of a catalogo-servizi XSD given its file name (`.xsd` optional)."""
    file_name = name if name.endswith(".xsd") else f"{name}.xsd"
    rel = f"{SERVICES_DIR}/{file_name}"
    manifest = load_manifest(version)
    known = [f.path.split("/", 1)[1] for f in manifest.files if f.path.startswith(SERVICES_DIR + "/")]
    if "/" in file_name or file_name not in known:
        raise ContractError(
            f"`{name}` is not a catalogo-servizi schema of SANP {version}; "
            f"known ones are: {', '.join(known) or 'none'}."
        )
    return contract_path(version, rel, explicit)
