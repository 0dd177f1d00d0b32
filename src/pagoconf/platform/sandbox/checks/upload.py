"""Rules on bulk uploads (gpd_massive.json): the key and its organizations, the multipart `file`, the ZIP
archive and its one JSON entry (read by upload.py, with bounds of its own), the positions inside, a file sent
twice (SANP 3.8.0), the uploads a status or report names, and the window of the file list (3.13.0)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from pagoconf.engine.violation import Violation
from pagoconf.platform.sandbox.checks.common import key_problem, now, unknown_key
from pagoconf.platform.sandbox.checks.registry import Stage, rule
from pagoconf.platform.sandbox.request import Case
from pagoconf.platform.sandbox.upload import FILE_FIELD, MAX_UNZIPPED, Reading, read_upload

CREATE = "create-debt-positions-by-file-upload"
UPDATE = "update-debt-positions-by-file-upload"
DELETE = "delete-debt-positions-by-file-upload"
STATUS = "get-debt-positions-upload-status"
REPORT = "get-debt-positions-upload-report"
FILES = "get-debt-positions-fileids"
FILE_OPERATIONS = frozenset({CREATE, UPDATE, DELETE})
ORGANIZATION = "organization-fiscal-code"
BROKER = "broker-code"
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_DAYS = 7
PAGE_SIZES = (100, 500)


def reading(case: Case) -> Reading | None:
    """The upload the request carries, read once (None: not a file operation, or a body past the bound)."""
    if case.operation not in FILE_OPERATIONS or case.request.too_large:
        return None
    content_type = case.request.header("content-type") or ""
    return read_upload(content_type, case.request.body, deleting=case.operation == DELETE)


def upload_id(case: Case) -> str:
    """The upload a status or report names ({file-id} in 3.8.0, {upload-id} in 3.13.0)."""
    params = case.request.path_params
    return params.get("upload-id") or params.get("file-id") or ""


# --- KEY, ORGANIZATION ----------------------------------------------------------------------------------


@rule("UPLOAD-001", stage=Stage.KEY, status=401, title="UNAUTHORIZED", refine=key_problem)
def uploads_carry_a_known_key(case: Case) -> Iterator[Violation]:
    """A subscription key the platform issued travels in Ocp-Apim-Subscription-Key."""
    yield from unknown_key(case)


@rule(
    "UPLOAD-002",
    stage=Stage.ORGANIZATION,
    status=403,
    title="FORBIDDEN",
    detail="You are not allowed to access this resource: {details}",
)
def the_key_covers_the_uploading_organization(case: Case) -> Iterator[Violation]:
    """A key restricted to some organizations uploads only for them."""
    allowed = (case.key or {}).get("organizations")
    org = case.request.path_params.get(ORGANIZATION)
    if allowed is not None and org is not None and org not in allowed:
        yield Violation(f"one of the key's organizations ({', '.join(allowed)})", org, f"path:{ORGANIZATION}")


# --- TRANSPORT ------------------------------------------------------------------------------------------


@rule(
    "UPLOAD-003",
    stage=Stage.TRANSPORT,
    status=413,
    title="PAYLOAD TOO LARGE",
    detail="The request body is larger than the sandbox reads ({details})",
)
def the_upload_body_is_of_reasonable_size(case: Case) -> Iterator[Violation]:
    """An upload request stays within 10 MiB."""
    if case.operation in FILE_OPERATIONS and case.request.too_large:
        yield Violation("at most 10 MiB", f"more than {case.request.body_size} bytes", "")


@rule(
    "UPLOAD-004",
    stage=Stage.TRANSPORT,
    status=415,
    title="UNSUPPORTED MEDIA TYPE",
    detail="Content type not supported: {details}",
)
def the_upload_is_multipart_form_data(case: Case) -> Iterator[Violation]:
    """The file travels in a multipart/form-data body."""
    read = reading(case)
    if read is not None and read.form:
        yield Violation("multipart/form-data with a boundary", read.form, "header:Content-Type")


@rule(
    "UPLOAD-005",
    stage=Stage.TRANSPORT,
    status=400,
    title="EMPTY FILE",
    detail="The zip file is missing: {details}",
)
def the_upload_carries_a_file(case: Case) -> Iterator[Violation]:
    """The multipart body has a `file` part."""
    read = reading(case)
    if read is not None and read.file:
        yield Violation(f"a `{FILE_FIELD}` part", read.file, f"part:{FILE_FIELD}")


# --- PLATFORM: the file (beyond its schema, `format: binary`) -------------------------------------------


@rule(
    "UPLOAD-006",
    stage=Stage.PLATFORM,
    status=400,
    title="NOT A ZIP FILE",
    detail="Only ZIP files can be uploaded: {details}",
)
def the_file_is_a_zip_archive(case: Case) -> Iterator[Violation]:
    """The file is a ZIP archive, and its name ends in .zip."""
    read = reading(case)
    if read is not None and read.archive:
        yield Violation("a ZIP archive named *.zip", read.archive, f"part:{FILE_FIELD}")


@rule("UPLOAD-007", stage=Stage.PLATFORM, status=400, title="INVALID FILE", detail="{details}")
def the_archive_holds_one_json_file(case: Case) -> Iterator[Violation]:
    """The archive holds exactly one entry: an unencrypted .json file with a plain name (no folder, no ..)."""
    read = reading(case)
    if read is not None and read.entry:
        yield Violation("exactly one entry, a plain-named .json file", read.entry, f"part:{FILE_FIELD}")


@rule("UPLOAD-008", stage=Stage.PLATFORM, status=400, title="INVALID FILE", detail="{details}")
def the_entry_inflates_within_100_mib(case: Case) -> Iterator[Violation]:
    """The entry inflates, intact, to at most 100 MiB (whatever sizes the archive declares)."""
    read = reading(case)
    if read is not None and read.inflated:
        yield Violation(
            f"an intact entry of at most {MAX_UNZIPPED} bytes", read.inflated, f"zip:{read.entry_name}"
        )


@rule("UPLOAD-009", stage=Stage.PLATFORM, status=400, title="INVALID JSON", detail="{details}")
def the_entry_is_json_of_the_operations_shape(case: Case) -> Iterator[Violation]:
    """The entry is JSON: {"paymentPositions": [objects]} to create or update, {"paymentPositionIUPDs":
    [strings]} to delete."""
    read = reading(case)
    if read is not None and read.json:
        expected = (
            '{"paymentPositionIUPDs": [...]}' if case.operation == DELETE else '{"paymentPositions": [...]}'
        )
        yield Violation(expected, read.json, f"zip:{read.entry_name}")


# --- DATA, UNIQUE ---------------------------------------------------------------------------------------


@rule(
    "UPLOAD-010",
    stage=Stage.DATA,
    status=400,
    title="INVALID DEBT POSITIONS",
    detail="The format of the debt positions in the uploaded file is invalid. Invalid values: {details}",
)
def the_positions_are_well_formed(case: Case) -> Iterator[Violation]:
    """1 to 100,000 items; each position has a non-blank iupd, fiscalCode, fullName and companyName, type F or
    G, a two-letter country and a valid e-mail when given; each IUPD to delete is non-blank."""
    read = reading(case)
    if read is None:
        return
    for where, message in read.model:
        yield Violation("as gpd-upload's model requires", message, where)


@rule(
    "UPLOAD-011",
    stage=Stage.UNIQUE,
    status=409,
    title="CONFLICT",
    detail="Conflict: duplicate file found. {details}",
)
def a_file_is_uploaded_once(case: Case) -> Iterator[Violation]:
    """The same file (same bytes) is not uploaded twice for one organization (SANP 3.8.0; 3.13.0 dropped the
    409)."""
    earlier = case.snapshot.get("duplicate_of")
    if case.operation in FILE_OPERATIONS and case.sanp == "3.8.0" and earlier:
        yield Violation(
            "a file not uploaded before", f"the same file was uploaded as {earlier}", f"part:{FILE_FIELD}"
        )


# --- EXISTS ---------------------------------------------------------------------------------------------


@rule(
    "UPLOAD-012",
    stage=Stage.EXISTS,
    status=404,
    title="STATUS NOT FOUND",
    detail="The status for given fileId {details} does not exist for GPD",
)
def the_upload_exists(case: Case) -> Iterator[Violation]:
    """A status or report names an upload of that broker and organization."""
    if case.operation in (STATUS, REPORT) and not case.snapshot.get("upload"):
        yield Violation("an upload of this broker and organization", upload_id(case), "path:upload")


# --- the file list (SANP 3.13.0) ------------------------------------------------------------------------


def file_window(case: Case, today: date) -> tuple[date, date] | None:
    """The days the file list covers (default: the last 7 days up to today); None if unreadable."""
    query = case.request.query_values
    try:
        end = date.fromisoformat(query["to"]) if "to" in query else None
        start = date.fromisoformat(query["from"]) if "from" in query else None
    except ValueError:
        return None
    end = end or (start + timedelta(days=MAX_DAYS) if start else today)
    start = start or end - timedelta(days=MAX_DAYS)
    return start, end


@rule("UPLOAD-013", stage=Stage.PLATFORM, status=400, title="BAD REQUEST")
def the_file_list_asks_for_a_week_at_most(case: Case) -> Iterator[Violation]:
    """A file list gives dates as YYYY-MM-DD, from ≤ to at most 7 days apart, and 100 to 500 ids a page."""
    if case.operation != FILES:
        return
    query = case.request.query_values
    for name in ("from", "to"):
        if name in query and not DAY.fullmatch(query[name]):
            yield Violation("a date YYYY-MM-DD", query[name], f"query:{name}")
    window = file_window(case, now(case).date())
    if window is not None and not timedelta(0) <= window[1] - window[0] <= timedelta(days=MAX_DAYS):
        yield Violation(
            f"from ≤ to, at most {MAX_DAYS} days apart", f"{window[0]} → {window[1]}", "query:from"
        )
    size = query.get("size")
    if size is not None and not (size.isdigit() and PAGE_SIZES[0] <= int(size) <= PAGE_SIZES[1]):
        yield Violation(f"{PAGE_SIZES[0]} to {PAGE_SIZES[1]}", size, "query:size")
