"""Hostile and unusual requests built from a normal one: entity probes, size, depth, namespace spellings."""

from __future__ import annotations

import copy
import re

from lxml import etree

from pagoconf.sync import xmlsafe
from pagoconf.sync.soap import PAFN, SOAP_ENV, body_children

BOMB_ENTITIES = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
)
OVERSIZE_BYTES = 10 * 1024 * 1024
NESTING_LEVELS = 10_000


def _with_doctype(envelope: bytes, internal_subset: str, reference: str) -> bytes:
    """The envelope with a DOCTYPE and `reference` as the text of idPA."""
    text = envelope.decode("utf-8")
    text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
    text = re.sub(r"<idPA>[^<]*</idPA>", f"<idPA>{reference}</idPA>", text, count=1)
    doctype = f"<!DOCTYPE soapenv:Envelope [{internal_subset}]>"
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n{text}'.encode()


def external_entity(envelope: bytes, url: str) -> bytes:
    """The request naming an external entity at `url` (a station that resolves it fetches the URL)."""
    return _with_doctype(envelope, f'<!ENTITY probe SYSTEM "{url}">', "&probe;")


def entity_bomb(envelope: bytes) -> bytes:
    """The request with a billion-laughs entity (10^9 'lol' once expanded) as its idPA."""
    return _with_doctype(envelope, BOMB_ENTITIES, "&lol9;")


def oversized(envelope: bytes, size: int = OVERSIZE_BYTES) -> bytes:
    """The request padded with comments (1 KiB each, so a parser could read them) to exactly `size` bytes."""
    head, sep, tail = envelope.partition(b"<soapenv:Body>")
    pad = max(0, size - len(envelope))
    comment = b"<!--" + b"x" * 1017 + b"-->"
    full, rest = divmod(pad, len(comment))
    last = b"<!--" + b"x" * (rest - 7) + b"-->" if rest >= 7 else b" " * rest
    return head + comment * full + last + sep + tail


def deeply_nested(envelope: bytes, levels: int = NESTING_LEVELS) -> bytes:
    """The request with `levels` nested unknown elements inside its request element."""
    return envelope.replace(b"<idBrokerPA>", b"<n>" * levels + b"</n>" * levels + b"<idBrokerPA>", 1)


def respelled(envelope: bytes, *, soap_prefix: str | None, pafn_prefix: str | None) -> bytes:
    """The same message with other namespace prefixes; None makes that namespace the default namespace."""
    request = body_children(xmlsafe.parse(envelope))[0]  # type: ignore[index]
    local = etree.QName(request).localname

    def tag(prefix: str | None, name: str) -> str:
        return f"{prefix}:{name}" if prefix else name

    def declare(prefix: str | None, namespace: str) -> str:
        return f'xmlns:{prefix}="{namespace}"' if prefix else f'xmlns="{namespace}"'

    children = []
    for child in request:
        if not isinstance(child.tag, str):
            continue
        clean = copy.deepcopy(child)
        etree.cleanup_namespaces(clean)
        text = etree.tostring(clean).decode()
        if pafn_prefix is None or soap_prefix is None:  # unqualified children must leave a default namespace
            text = re.sub(r"^<([^\s/>]+)", r'<\1 xmlns=""', text, count=1)
        children.append(text)
    soap = soap_prefix
    doc = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{tag(soap, "Envelope")} {declare(soap, SOAP_ENV)}>'
        f"<{tag(soap, 'Header')}/><{tag(soap, 'Body')}>"
        f"<{tag(pafn_prefix, local)} {declare(pafn_prefix, PAFN)}>{''.join(children)}"
        f"</{tag(pafn_prefix, local)}>"
        f"</{tag(soap, 'Body')}></{tag(soap, 'Envelope')}>"
    )
    return doc.encode("utf-8")
