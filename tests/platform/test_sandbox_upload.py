"""Bulk upload: a real ZIP of one JSON file is accepted (202, Location, Retry-After), applied in the
background through GPD's own rules and model, and reported position by position; hostile files get the
documented 4xx, are journaled, and change nothing."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import urllib3
from sandbox_support import KEY, ORG, SANPS, Answer, Client, conforms, iuv, option, position, rules_of

from pagoconf.platform.sandbox import Sandbox
from pagoconf.platform.sandbox.clock import utc_now
from pagoconf.platform.sandbox.sqlite_store import SqliteStore
from pagoconf.platform.sandbox.upload_state import Upload

BROKER = "15376371009"
OTHER_ORG = "01234567890"
REPORT = "get-debt-positions-upload-report"


def zipped(*entries: tuple[str, bytes]) -> bytes:
    """A real ZIP archive of these entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def positions_file(*bodies: dict[str, Any]) -> bytes:
    """A ZIP holding {"paymentPositions": [...]}."""
    return zipped(("positions.json", json.dumps({"paymentPositions": list(bodies)}).encode()))


def iupds_file(*iupds: str) -> bytes:
    """A ZIP holding {"paymentPositionIUPDs": [...]}."""
    return zipped(("iupds.json", json.dumps({"paymentPositionIUPDs": list(iupds)}).encode()))


class Uploader:
    """Sends files to a sandbox's bulk-upload API and reads their status and report."""

    def __init__(self, client: Client, org: str = ORG) -> None:
        self.client = client
        self.url = f"{client.urls['gpd_massive']}/brokers/{BROKER}/organizations/{org}/debtpositions/file"

    def send(self, method: str, archive: bytes | None, name: str = "positions.zip", **kw: Any) -> Answer:
        """One upload request: the archive as the multipart `file` part (None: a form without it)."""
        fields = {"file": (name, archive, "application/zip")} if archive is not None else {"note": "no file"}
        body, content_type = urllib3.encode_multipart_formdata(fields)
        return self.client.request(method, self.url, raw=body, headers={"Content-Type": content_type}, **kw)

    def applied(self, answer: Answer) -> dict[str, Any]:
        """The report of an accepted upload, once the sandbox has applied it."""
        assert answer.status == 202, answer.data
        assert self.client.sandbox.service.uploads.wait(60)
        report = self.client.request("GET", answer.headers["Location"].replace("/status", "/report"))
        assert report.status == 200, report.data
        return dict(report.json)


def outcomes(report: dict[str, Any]) -> dict[str, int]:
    """IUPD → status code, from a report's grouped responses."""
    return {iupd: entry["statusCode"] for entry in report["responses"] for iupd in entry["requestIDs"]}


@pytest.fixture(scope="module", params=SANPS)
def uploads(request: pytest.FixtureRequest) -> Iterator[Uploader]:
    """An uploader on a sandbox of each SANP version."""
    with Sandbox(sanp=request.param, keys=[KEY]) as sandbox:
        yield Uploader(Client(sandbox))


@pytest.fixture(scope="module")
def uploads_38() -> Iterator[Uploader]:
    """An uploader on a SANP 3.8.0 sandbox."""
    with Sandbox(keys=[KEY]) as sandbox:
        yield Uploader(Client(sandbox))


def test_an_upload_creates_its_positions_and_reports_each_one(uploads: Uploader) -> None:
    client, sanp = uploads.client, uploads.client.sandbox.sanp
    good = [position() for _ in range(4)]
    zero = position(None, option(amount=0, transfer=[]))
    twin = position(good[0]["iupd"])
    answer = uploads.send("POST", positions_file(*good, zero, twin))
    assert answer.status == 202 and answer.headers["Retry-After"] == "1"
    location = answer.headers["Location"]
    assert location.startswith(uploads.url + "/") and location.endswith("/status")
    assert ("/upload/gpd/" in location) == (sanp == "3.13.0")
    assert rules_of(client.last()) == set()
    report = uploads.applied(answer)
    assert report["submittedItem"] == report["processedItem"] == 6 and report["endTime"]
    assert conforms(sanp, REPORT, 200, report) == []
    pairs = sorted((e["statusCode"], iupd) for e in report["responses"] for iupd in e["requestIDs"])
    assert pairs == sorted([*((201, b["iupd"]) for b in good), (400, zero["iupd"]), (409, twin["iupd"])])
    assert {client.status_of(b["iupd"]) for b in good} == {"VALID"}
    assert client.get(zero["iupd"]).status == 404
    status = client.request("GET", location)
    assert status.status == 200 and status.json["processedItem"] == 6


def test_an_update_file_rebuilds_positions_and_reports_the_unknown(uploads_38: Uploader) -> None:
    client = uploads_38.client
    kept = client.created(publish=True)
    changed = {**kept, "companyName": "Comune Aggiornato"}
    report = uploads_38.applied(uploads_38.send("PUT", positions_file(changed, position("IUPD-NOWHERE"))))
    assert outcomes(report) == {kept["iupd"]: 200, "IUPD-NOWHERE": 404}
    updated = client.get(kept["iupd"]).json
    assert updated["companyName"] == "Comune Aggiornato" and updated["status"] == "VALID"


def test_a_delete_file_deletes_what_may_be_deleted(uploads_38: Uploader) -> None:
    client = uploads_38.client
    first, second, paid = (client.created(publish=True) for _ in range(3))
    assert client.pay(paid["paymentOption"][0]["iuv"]).status == 200
    iupds = (first["iupd"], second["iupd"], paid["iupd"], "IUPD-NOWHERE")
    report = uploads_38.applied(uploads_38.send("DELETE", iupds_file(*iupds)))
    assert outcomes(report) == {
        first["iupd"]: 200,
        second["iupd"]: 200,
        paid["iupd"]: 409,
        "IUPD-NOWHERE": 404,
    }
    assert client.get(first["iupd"]).status == 404 and client.status_of(paid["iupd"]) == "PAID"


def test_a_few_thousand_positions_go_through(uploads_38: Uploader) -> None:
    client, org = uploads_38.client, "44444444444"
    bodies = [position(f"MANY-{n:05d}", option(iuv(n, "02"))) for n in range(2500)]
    report = Uploader(client, org).applied(Uploader(client, org).send("POST", positions_file(*bodies)))
    assert report["responses"] == [
        {
            "statusCode": 201,
            "statusMessage": "Debt position CREATED",
            "requestIDs": [b["iupd"] for b in bodies],
        }
    ]
    page = client.list({"page": 0, "limit": 50}, org=org).json
    assert page["page_info"]["total_pages"] == 50
    assert client.status_of("MANY-02499", org=org) == "VALID"


def _lying_zip() -> bytes:
    """A ZIP whose one entry says it inflates to 100 bytes and in fact inflates to 2 MiB of zeros."""
    archive = bytearray(zipped(("positions.json", b"0" * (2 * 1024 * 1024))))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = archive.find(signature)
        archive[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    return bytes(archive)


def _bomb() -> bytes:
    """A ZIP of 110 MiB of zeros (about 100 KiB compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("p.json", "w") as entry:
        for _ in range(110):
            entry.write(b"0" * (1024 * 1024))
    return buffer.getvalue()


HOSTILE = {
    "not a ZIP, by its name": (
        "positions.txt",
        positions_file(position()),
        400,
        "NOT A ZIP FILE",
        "UPLOAD-006",
    ),
    "not a ZIP, by its bytes": ("positions.zip", os.urandom(2048), 400, "NOT A ZIP FILE", "UPLOAD-006"),
    "two entries": (
        "positions.zip",
        zipped(("a.json", b"{}"), ("b.json", b"{}")),
        400,
        "INVALID FILE",
        "UPLOAD-007",
    ),
    "path traversal": (
        "positions.zip",
        zipped(("../../etc/evil.json", b"{}")),
        400,
        "INVALID FILE",
        "UPLOAD-007",
    ),
    "an entry in a folder": (
        "positions.zip",
        zipped(("dir/p.json", b"{}")),
        400,
        "INVALID FILE",
        "UPLOAD-007",
    ),
    "not a JSON entry": ("positions.zip", zipped(("p.csv", b"iupd\n1")), 400, "INVALID FILE", "UPLOAD-007"),
    "a zip bomb": ("positions.zip", _bomb(), 400, "INVALID FILE", "UPLOAD-008"),
    "a size the archive lies about": ("positions.zip", _lying_zip(), 400, "INVALID FILE", "UPLOAD-008"),
    "not JSON": (
        "positions.zip",
        zipped(("p.json", b'{"paymentPositions": [')),
        400,
        "INVALID JSON",
        "UPLOAD-009",
    ),
    "the delete shape": ("positions.zip", iupds_file("IUPD-1"), 400, "INVALID JSON", "UPLOAD-009"),
    "positions without names": (
        "positions.zip",
        positions_file({**position(), "fullName": " "}, {**position(), "email": "nope"}),
        400,
        "INVALID DEBT POSITIONS",
        "UPLOAD-010",
    ),
    "no positions": ("positions.zip", positions_file(), 400, "INVALID DEBT POSITIONS", "UPLOAD-010"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_is_refused_and_changes_nothing(uploads_38: Uploader, case: str) -> None:
    name, archive, status, title, rule = HOSTILE[case]
    client = uploads_38.client
    before = client.list({"page": 0, "limit": 50}).json["page_info"]
    answer = uploads_38.send("POST", archive, name)
    assert answer.status == status and answer.json["title"] == title, answer.data
    assert set(answer.json) == {"title", "status", "detail"}
    entry = client.last()
    assert entry["status"] == status and rules_of(entry, warning=False) == {rule}
    assert client.list({"page": 0, "limit": 50}).json["page_info"] == before
    assert client.sandbox.service.uploads.uploads.unfinished_uploads() == []


def test_bodies_that_are_no_upload_are_refused(uploads_38: Uploader) -> None:
    client = uploads_38.client
    answer = client.request("POST", uploads_38.url, body={"paymentPositions": []})
    assert answer.status == 415 and rules_of(client.last(), warning=False) == {"UPLOAD-004"}
    answer = uploads_38.send("POST", None)
    assert answer.status == 400 and answer.json["title"] == "EMPTY FILE"
    assert rules_of(client.last(), warning=False) == {"UPLOAD-005"}
    torn = {"Content-Type": "multipart/form-data; boundary=xyz"}
    answer = client.request("POST", uploads_38.url, raw=b"--xyz\r\nno headers, no end", headers=torn)
    assert answer.status == 400 and answer.json["title"] == "EMPTY FILE"
    assert rules_of(client.last(), warning=False) == {"UPLOAD-005"}
    huge, content_type = urllib3.encode_multipart_formdata({"file": ("p.zip", os.urandom(11 * 1024 * 1024))})
    answer = client.request("POST", uploads_38.url, raw=huge, headers={"Content-Type": content_type})
    assert answer.status == 413 and rules_of(client.last(), warning=False) == {"UPLOAD-003"}


def test_uploads_need_a_key_that_covers_the_organization(tmp_path: Path) -> None:
    config = tmp_path / "pagoconf.toml"
    config.write_text(
        f'[sandbox]\n[[sandbox.key]]\nvalue = "one-org-key"\norganizations = ["{ORG}"]\n', encoding="utf-8"
    )
    with Sandbox(config=config) as sandbox:
        client = Client(sandbox, key="one-org-key")
        mine, other = Uploader(client), Uploader(client, OTHER_ORG)
        assert mine.send("POST", positions_file(position()), key=None).status == 401
        assert rules_of(client.last(), warning=False) == {"UPLOAD-001"}
        assert other.send("POST", positions_file(position())).status == 403
        assert rules_of(client.last(), warning=False) == {"UPLOAD-002"}
        assert mine.send("POST", positions_file(position())).status == 202


@pytest.mark.parametrize("sanp", SANPS)
def test_the_same_file_twice_is_a_conflict_only_in_3_8(sanp: str) -> None:
    with Sandbox(sanp=sanp, keys=[KEY]) as sandbox:
        uploader = Uploader(Client(sandbox))
        archive = positions_file(position())
        assert uploader.send("POST", archive).status == 202
        again = uploader.send("POST", archive)
        if sanp == "3.8.0":
            assert again.status == 409 and rules_of(uploader.client.last(), warning=False) == {"UPLOAD-011"}
        else:
            assert again.status == 202 and rules_of(uploader.client.last()) == set()


def test_a_status_names_an_upload_of_that_broker_and_organization(uploads: Uploader) -> None:
    client = uploads.client
    location = uploads.send("POST", positions_file(position())).headers["Location"]
    assert client.request("GET", location).status == 200
    assert rules_of(client.last()) == set()
    for url in (
        location.replace(f"/organizations/{ORG}/", f"/organizations/{OTHER_ORG}/"),
        location.replace(f"/brokers/{BROKER}/", "/brokers/99999999999/"),
        location.rsplit("/", 2)[0] + "/nope/report",
    ):
        answer = client.request("GET", url)
        assert answer.status == 404 and answer.json["title"] == "STATUS NOT FOUND"
        assert rules_of(client.last(), warning=False) == {"UPLOAD-012"}


def test_the_file_list_names_a_weeks_uploads() -> None:
    with Sandbox(sanp="3.13.0", keys=[KEY]) as sandbox:
        uploader = Uploader(Client(sandbox))
        client = uploader.client
        ids = {
            uploader.send("POST", positions_file(position())).headers["Location"].split("/")[-2] for _ in "ab"
        }
        files = uploader.url + "s"
        listed = client.request("GET", files)
        assert listed.status == 200 and set(listed.json["fileIds"]) == ids and listed.json["hasMore"] is False
        assert rules_of(client.last()) == set()
        assert conforms("3.13.0", "get-debt-positions-fileids", 200, listed.json) == []
        today = utc_now().date()
        for query in (
            {"from": str(today), "to": str(today - timedelta(days=1))},
            {"from": str(today - timedelta(days=8)), "to": str(today)},
            {"from": "01/02/2030"},
            {"size": 50},
        ):
            answer = client.request("GET", files, query=query)
            assert answer.status == 400 and rules_of(client.last(), warning=False) == {"UPLOAD-013"}, query


def test_an_upload_cut_short_resumes_when_the_sandbox_opens_its_database_again(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    bodies = [position() for _ in range(3)]
    store = SqliteStore(db, sanp="3.8.0")
    items = b"\n".join(json.dumps(b).encode() for b in bodies)
    scope = {"id": "cli-1", "organizations": None, "segregation_codes": None}
    upload = Upload("left-over", ORG, BROKER, "CREATE", "digest", 3, utc_now(), key=scope)
    store.insert_upload(upload, items)
    store.close()
    with Sandbox(db=db, keys=[KEY]) as sandbox:
        client = Client(sandbox)
        assert sandbox.service.uploads.wait(30)
        assert {client.status_of(b["iupd"]) for b in bodies} == {"VALID"}
        url = Uploader(client).url + "/left-over/report"
        assert client.request("GET", url).json["processedItem"] == 3
