"""Tests of the contracts subsystem against the real official pagoPA files."""

from __future__ import annotations

import argparse
import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree

from pagoconf.engine.contracts import (
    DEFAULT_SANP,
    SUPPORTED_SANP,
    ContractError,
    candidate_roots,
    commands,
    contract_path,
    fetch,
    load_manifest,
    resolve_root,
    verify,
)
from pagoconf.sync.schema import PaForNodeSchema, pa_for_node_schema, service_schema_path

NS = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every test independent of the caller's contracts/proxy environment."""
    for name in ("PAGOCONF_CONTRACTS", "PAGOCONF_MANIFESTS", "PAGOCONF_CONTRACTS_BASE_URL", *PROXY_VARS):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")


def copy_version(version: str, root: Path) -> Path:
    """Copy the manifest files of `version` from the resolved root into `root/sanp-<version>`."""
    src = resolve_root(version)
    dst = root / f"sanp-{version}"
    for entry in load_manifest(version).files:
        (dst / entry.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / entry.path, dst / entry.path)
    return dst


def verify_res(outcome: str = "KO", qualified_children: bool = False) -> etree._Element:
    """Build a paVerifyPaymentNoticeRes with a fault bean; children unqualified unless asked."""
    child_ns = f"{{{NS}}}" if qualified_children else ""
    root = etree.Element(f"{{{NS}}}paVerifyPaymentNoticeRes", nsmap={"pafn": NS})
    etree.SubElement(root, f"{child_ns}outcome").text = outcome
    fault = etree.SubElement(root, f"{child_ns}fault")
    for name, text in (
        ("faultCode", "PAA_SINTASSI_XSD"),
        ("faultString", "bad request"),
        ("id", "77777777777"),
    ):
        etree.SubElement(fault, f"{child_ns}{name}").text = text
    return root


def test_supported_versions_and_default() -> None:
    assert DEFAULT_SANP == "3.8.0"
    assert SUPPORTED_SANP == ("3.8.0", "3.13.0")


@pytest.mark.parametrize("version", SUPPORTED_SANP)
def test_manifest_matches_source_commit_and_resolves_without_manual_step(version: str) -> None:
    manifest = load_manifest(version)
    folder = resolve_root(version)
    assert folder.name == f"sanp-{version}"
    assert (folder / "SOURCE_COMMIT").read_text().strip() == manifest.commit
    assert manifest.upstream == "pagopa/pagopa-api"
    paths = {f.path for f in manifest.files}
    assert {"wsdl/paForNode.wsdl", "wsdl/xsd/paForNode.xsd", "openapi/gpd.json"} <= paths
    assert contract_path(version, "wsdl/xsd/paForNode.xsd").is_file()
    assert verify(version).ok


def test_candidate_roots_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAGOCONF_CONTRACTS", str(tmp_path / "env"))
    roots = candidate_roots(tmp_path / "cli")
    assert roots[:2] == [tmp_path / "cli", tmp_path / "env"]
    assert roots[2].parts[-2:] == ("contracts", "vendor")
    assert roots[3].parts[-3:] == ("shared", "contracts", "pagopa-api")


def test_unknown_version_lists_supported() -> None:
    with pytest.raises(ContractError, match=r"3\.8\.0, 3\.13\.0"):
        load_manifest("9.9.9")


def test_manifest_override_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAGOCONF_MANIFESTS", str(tmp_path))
    with pytest.raises(ContractError, match="manifest for SANP 3.8.0 is missing"):
        load_manifest("3.8.0")


def test_unlisted_path_is_refused() -> None:
    with pytest.raises(ContractError, match="not listed"):
        contract_path("3.8.0", "wsdl/nodeForPa.wsdl")
    with pytest.raises(ContractError):
        contract_path("3.8.0", "../secrets.txt")


@pytest.mark.parametrize("version", SUPPORTED_SANP)
def test_pa_for_node_schema_validates(version: str) -> None:
    schema = pa_for_node_schema(version)
    assert schema is pa_for_node_schema(version)
    assert schema.version == version and schema.namespace == NS
    assert schema.path.name == "paForNode.xsd"
    assert schema.lxml.validate(verify_res()), schema.lxml.error_log
    assert not schema.lxml.validate(verify_res(outcome="MAYBE"))
    assert not schema.lxml.validate(verify_res(qualified_children=True))
    fresh = PaForNodeSchema(version, schema.path, schema.lxml)  # the cached one may have built it already
    assert "xmlschema" not in vars(fresh)  # built lazily, on first use


def test_service_schema_path() -> None:
    assert service_schema_path("3.13.0", "Cie_1_0_0").name == "Cie_1_0_0.xsd"
    with pytest.raises(ContractError, match="TassaAutomobilistica_1_1_0.xsd"):
        service_schema_path("3.8.0", "Cie_1_0_0.xsd")


def test_altered_file_in_explicit_root_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_version("3.8.0", tmp_path)
    assert resolve_root("3.8.0", tmp_path) == folder
    with (folder / "wsdl/xsd/paForNode.xsd").open("ab") as fh:
        fh.write(b"<!-- tampered -->")
    with pytest.raises(ContractError, match=r"wsdl/xsd/paForNode\.xsd is altered") as exc:
        resolve_root("3.8.0", tmp_path)
    assert "pagoconf contracts fetch --sanp 3.8.0" in str(exc.value)
    monkeypatch.setenv("PAGOCONF_CONTRACTS", str(tmp_path))
    with pytest.raises(ContractError, match=r"PAGOCONF_CONTRACTS.*paForNode\.xsd is altered"):
        pa_for_node_schema("3.8.0")


def test_missing_file_says_how_to_fetch(tmp_path: Path) -> None:
    folder = copy_version("3.13.0", tmp_path)
    (folder / "openapi/gpd.json").unlink()
    with pytest.raises(ContractError, match=r"openapi/gpd\.json is missing") as exc:
        contract_path("3.13.0", "wsdl/xsd/paForNode.xsd", tmp_path)
    assert "pagoconf contracts fetch" in str(exc.value)
    report = verify("3.13.0", tmp_path)
    assert not report.ok
    assert [f.path for f in report.tried[0].files if f.status == "missing"] == ["openapi/gpd.json"]


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve a pagopa-api-like `<commit>/<path>` tree from 127.0.0.1; yield (base_url, tree)."""
    tree = tmp_path / "mirror"
    manifest = load_manifest("3.8.0")
    src = resolve_root("3.8.0")
    for entry in manifest.files:
        dst = tree / manifest.commit / entry.path
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / entry.path, dst)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tree)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", tree / manifest.commit
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_writes_verified_files(mirror: tuple[str, Path], tmp_path: Path) -> None:
    base_url, _ = mirror
    dest = tmp_path / "dest"
    paths = fetch("3.8.0", dest_root=dest, base_url=base_url, timeout=5)
    manifest = load_manifest("3.8.0")
    assert len(paths) == len(manifest.files) and all(p.is_file() for p in paths)
    assert (dest / "sanp-3.8.0" / "SOURCE_COMMIT").read_text().strip() == manifest.commit
    assert resolve_root("3.8.0", dest) == dest / "sanp-3.8.0"
    assert sorted(p.name for p in dest.iterdir()) == ["sanp-3.8.0"]


def test_fetch_env_base_url(
    mirror: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGOCONF_CONTRACTS_BASE_URL", mirror[0])
    assert fetch("3.8.0", dest_root=tmp_path / "dest", timeout=5)


def test_fetch_rejects_altered_bytes(mirror: tuple[str, Path], tmp_path: Path) -> None:
    base_url, tree = mirror
    with (tree / "openapi/gpd.json").open("ab") as fh:
        fh.write(b"\n")
    dest = tmp_path / "dest"
    with pytest.raises(ContractError, match=r"openapi/gpd\.json.*127\.0\.0\.1"):
        fetch("3.8.0", dest_root=dest, base_url=base_url, timeout=5)
    assert not (dest / "sanp-3.8.0" / "openapi/gpd.json").exists()
    assert list(dest.iterdir()) == []  # nothing installed, staging removed


def test_fetch_http_error_names_file(mirror: tuple[str, Path], tmp_path: Path) -> None:
    base_url, tree = mirror
    (tree / "wsdl/paForNode.wsdl").unlink()
    with pytest.raises(ContractError, match=r"wsdl/paForNode\.wsdl.*HTTP 404"):
        fetch("3.8.0", dest_root=tmp_path / "dest", base_url=base_url, timeout=5)


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse argv with a parser holding only the contracts subcommand."""
    parser = argparse.ArgumentParser(prog="pagoconf")
    commands.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_run_verify_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert commands.run(parse(["contracts", "verify"])) == 0
    out = capsys.readouterr().out
    assert "SANP 3.8.0: ok" in out and "SANP 3.13.0: ok" in out


def test_run_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert commands.run(parse(["contracts", "--sanp", "3.8.0"])) == 0
    out = capsys.readouterr().out
    assert "paForNode schema" in out and load_manifest("3.8.0").commit in out


def test_run_verify_bad_explicit_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(["contracts", "verify", "--sanp", "3.8.0", "--contracts", str(tmp_path)])
    assert commands.run(args) == 2
    err = capsys.readouterr().err
    assert "pagoconf contracts fetch --sanp 3.8.0" in err and "Traceback" not in err


def test_run_fetch(mirror: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "dest"
    args = parse(["contracts", "fetch", "--sanp", "3.8.0", "--base-url", mirror[0], "--dest", str(dest)])
    assert commands.run(args) == 0
    assert resolve_root("3.8.0", dest) == dest / "sanp-3.8.0"
