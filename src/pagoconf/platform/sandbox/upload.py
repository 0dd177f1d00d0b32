"""What a bulk-upload request holds, read once and safely: the multipart `file` part, the ZIP archive it must
be, its one `.json` entry (inflated with a bound of our own, never trusting the sizes the archive declares)
and the debt positions, or IUPDs, inside. Pure: bytes in, a `Reading` out; each stage says what is wrong
with it, and a later stage is read only when the earlier ones are fine."""

from __future__ import annotations

import gc
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email.message import Message
from functools import lru_cache
from typing import Any

from pagoconf.platform.sandbox.validation import schema_errors, schema_validator

FILE_FIELD = "file"
MAX_UNZIPPED = 100 * 1024 * 1024
MAX_PARTS = 32
CHUNK = 1024 * 1024
POSITIONS = "paymentPositions"
IUPDS = "paymentPositionIUPDs"
MULTIPART = "multipart/form-data"
UNSAFE_NAME = re.compile(r"(^|[/\\])\.\.([/\\]|$)|^[/\\]|^[A-Za-z]:|[\x00-\x1f]")
POSITION_MODEL = """{
  "type": "array", "minItems": 1, "maxItems": 100000,
  "items": {
    "type": "object",
    "required": ["iupd", "type", "fiscalCode", "fullName", "companyName"],
    "properties": {
      "iupd": {"type": "string", "pattern": "\\\\S"},
      "type": {"enum": ["F", "G"]},
      "fiscalCode": {"type": "string", "pattern": "\\\\S"},
      "fullName": {"type": "string", "pattern": "\\\\S"},
      "companyName": {"type": "string", "pattern": "\\\\S"},
      "country": {"type": ["string", "null"], "pattern": "^[A-Z]{2}$"},
      "email": {"type": ["string", "null"], "format": "email"}
    }
  }
}"""
"""The constraints gpd-upload's own PaymentPositionModel puts on each position before it accepts the file."""
IUPD_MODEL = """{
  "type": "array", "minItems": 1, "maxItems": 100000,
  "items": {"type": "string", "pattern": "\\\\S"}
}"""


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a multipart/form-data body."""

    name: str | None
    filename: str | None
    data: bytes


@dataclass(frozen=True)
class Reading:
    """A bulk-upload request, read stage by stage. A stage's problem is None when it is fine and also when an
    earlier stage failed (it was not read); `items` are the positions (compact JSON) or the IUPDs."""

    form: str | None = None
    file: str | None = None
    archive: str | None = None
    entry: str | None = None
    inflated: str | None = None
    json: str | None = None
    model: tuple[tuple[str, str], ...] = ()
    filename: str = ""
    entry_name: str = ""
    digest: str = ""
    items: tuple[bytes, ...] = ()
    iupds: tuple[str, ...] = ()
    sizes: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every stage is fine: the upload can be accepted."""
        return not any((self.form, self.file, self.archive, self.entry, self.inflated, self.json, self.model))


def read_upload(content_type: str, body: bytes, *, deleting: bool) -> Reading:
    """The reading of one upload request (`deleting`: the file lists IUPDs to delete)."""
    return _read(content_type, body, deleting)


@lru_cache(maxsize=2)
def _read(content_type: str, body: bytes, deleting: bool) -> Reading:
    boundary = form_boundary(content_type)
    if boundary is None:
        return Reading(form=f"a {MULTIPART} body with a boundary, got {content_type or 'no Content-Type'}")
    parts = form_parts(boundary, body)
    if parts is None:
        return Reading(file=f"the {MULTIPART} body does not parse: no part can be read")
    file = next((p for p in parts if p.name == FILE_FIELD), None)
    if file is None:
        return Reading(file=f"no `{FILE_FIELD}` part among {len(parts)} parts")
    name = file.filename or ""
    base = Reading(
        filename=name, digest=hashlib.sha256(file.data).hexdigest(), sizes={"file": len(file.data)}
    )
    if _extension(name) != "zip":
        return replace(base, archive=f"file name {name!r} does not end in .zip")
    try:
        archive = zipfile.ZipFile(io.BytesIO(file.data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        return replace(base, archive=f"{name} is not a ZIP archive ({exc})")
    problem = entry_problem(entries)
    if problem is not None:
        return replace(base, entry=problem)
    entry = entries[0]
    content, problem = inflate(archive, entry)
    if content is None:
        return replace(base, inflated=problem, entry_name=entry.filename)
    return _parsed(content, deleting, replace(base, entry_name=entry.filename))


def form_boundary(content_type: str) -> str | None:
    """The boundary of a multipart/form-data Content-Type, or None for any other type."""
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != MULTIPART or not isinstance(boundary, str) or not boundary:
        return None
    return boundary


def form_parts(boundary: str, body: bytes) -> list[Part] | None:
    """The parts of a multipart/form-data body; None when it is torn (no delimiter, headers or end)."""
    delimiter = b"--" + boundary.encode("latin-1", "replace")
    position = body.find(delimiter)
    if position < 0:
        return None
    position += len(delimiter)
    parts: list[Part] = []
    while not body.startswith(b"--", position):
        if not body.startswith(b"\r\n", position) or len(parts) >= MAX_PARTS:
            return None
        end = body.find(b"\r\n" + delimiter, position + 2)
        if end < 0:
            return None
        head, blank, data = body[position + 2 : end].partition(b"\r\n\r\n")
        if not blank:
            return None
        parts.append(_part(head, data))
        position = end + 2 + len(delimiter)
    return parts


def _part(head: bytes, data: bytes) -> Part:
    headers = Message()
    for line in head.decode("utf-8", "replace").split("\r\n"):
        header, colon, value = line.partition(":")
        if colon:
            headers[header.strip()] = value.strip()
    field_name = headers.get_param("name", header="content-disposition")
    return Part(field_name if isinstance(field_name, str) else None, headers.get_filename(), data)


def _extension(name: str) -> str:
    return name.rpartition(".")[2] if "." in name else ""


def entry_problem(entries: list[zipfile.ZipInfo]) -> str | None:
    """Why the archive's entries are not exactly one plain-named, unencrypted .json file, or None."""
    if not entries:
        return "No valid file found in ZIP: the archive is empty"
    if len(entries) > 1:
        return f"Too many entries in ZIP file: {len(entries)}, exactly one is allowed"
    entry = entries[0]
    if entry.is_dir():
        return f"No valid file found in ZIP: {entry.filename!r} is a folder"
    if UNSAFE_NAME.search(entry.filename) or "/" in entry.filename or "\\" in entry.filename:
        return f"ZIP entry name {entry.filename!r} is not a plain file name (folders and .. are refused)"
    if _extension(entry.filename) != "json":
        return f"ZIP contains unsupported file type: {entry.filename!r} is not a .json file"
    if entry.flag_bits & 0x1:
        return f"ZIP entry {entry.filename!r} is encrypted"
    return None


def inflate(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> tuple[bytes | None, str]:
    """The entry's bytes, read in chunks and stopped past MAX_UNZIPPED whatever the archive declares; or
    None and why (too large, corrupt, unsupported compression)."""
    out = io.BytesIO()
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(CHUNK):
                if out.tell() + len(chunk) > MAX_UNZIPPED:
                    return None, f"Unzipped content exceeds size limit: more than {MAX_UNZIPPED} bytes"
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        return None, f"ZIP entry {entry.filename!r} cannot be inflated: {exc}"
    return out.getvalue(), ""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while a large JSON tree is built and read once (it would
    otherwise walk the growing tree again and again); no cycle is made meanwhile."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _parsed(content: bytes, deleting: bool, reading: Reading) -> Reading:
    with _collector_paused():
        return _parsed_document(content, deleting, reading)


def _parsed_document(content: bytes, deleting: bool, reading: Reading) -> Reading:
    key = IUPDS if deleting else POSITIONS
    reading = replace(reading, sizes={**reading.sizes, "entry": len(content)})
    try:
        document = json.loads(content, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        return replace(reading, json=f"Given JSON is invalid: {exc}")
    shape = _shape_problem(document, key, deleting)
    if shape is not None:
        return replace(reading, json=shape)
    items = document[key]
    validator = schema_validator(IUPD_MODEL if deleting else POSITION_MODEL)
    errors = schema_errors(validator, items)
    if errors:
        return replace(reading, model=tuple((f"/{key}{e.where}", e.message) for e in errors[:100]))
    if deleting:
        return replace(reading, iupds=tuple(items))
    compact = tuple(json.dumps(p, separators=(",", ":"), ensure_ascii=False).encode() for p in items)
    return replace(reading, items=compact, iupds=tuple(str(p["iupd"]) for p in items))


def _shape_problem(document: Any, key: str, deleting: bool) -> str | None:
    if not isinstance(document, dict):
        return f"Given JSON is invalid for required API payload: an object with `{key}` expected"
    unknown = sorted(set(document) - {key})
    if unknown:
        return f"Given JSON is invalid for required API payload: unrecognized field {unknown[0]!r}"
    items = document.get(key)
    if not isinstance(items, list):
        return f"Given JSON is invalid for required API payload: `{key}` must be an array"
    wanted = str if deleting else dict
    if not all(isinstance(item, wanted) for item in items):
        what = "strings (IUPDs)" if deleting else "objects (debt positions)"
        return f"Given JSON is invalid for required API payload: `{key}` must hold {what}"
    return None


def forget() -> None:
    """Drop the cached readings (the positions of an accepted upload live on in the store)."""
    _read.cache_clear()
