"""Download the pinned contract files of one SANP version and verify them before use."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from pagoconf.engine.contracts.manifest import ContractError, ContractFile, load_manifest, vendor_root
from pagoconf.engine.contracts.resolve import clear_cache
from pagoconf.engine.transport import HttpClient, TransportSettings

DEFAULT_BASE_URL = "https://raw.githubusercontent.com/pagopa/pagopa-api"
BASE_URL_ENV = "PAGOCONF_CONTRACTS_BASE_URL"
MAX_BYTES = 20 * 1024 * 1024


def fetch(
    version: str,
    dest_root: str | Path | None = None,
    base_url: str | None = None,
    timeout: float = 30,
) -> list[Path]:
    """Download, verify and install every manifest file; return their installed paths."""
    manifest = load_manifest(version)
    base = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    root = Path(dest_root).expanduser() if dest_root else vendor_root()
    target = root / f"sanp-{version}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".sanp-{version}.", suffix=".partial", dir=root))
    except OSError as exc:
        raise ContractError(
            f"Cannot write contract files under {root} ({exc}); choose a writable folder with --dest."
        ) from None
    try:
        client = HttpClient(TransportSettings(max_response_bytes=MAX_BYTES))
        try:
            staged = [
                _download(client, f"{base}/{manifest.commit}/{entry.path}", entry, staging, timeout)
                for entry in manifest.files
            ]
        finally:
            client.close()
        installed = []
        for entry, tmp in zip(manifest.files, staged, strict=True):
            final = target.joinpath(*PurePosixPath(entry.path).parts)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            installed.append(final)
        (target / "SOURCE_COMMIT").write_text(manifest.commit + "\n", encoding="ascii")
    except OSError as exc:
        raise ContractError(
            f"Cannot install SANP {version} contract files into {target} ({exc}); "
            "choose a writable folder with --dest."
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        clear_cache()
    return installed


def _download(client: HttpClient, url: str, entry: ContractFile, staging: Path, timeout: float) -> Path:
    """Download one file into `staging`, bounded in size, and check its sha256."""
    fix = (
        "check the network or pass --base-url / $PAGOCONF_CONTRACTS_BASE_URL pointing at a pagopa-api mirror"
    )
    ex = client.send("fetch", url, b"", {}, deadline=timeout, method="GET")
    if ex.error and "bound" in ex.error:
        raise ContractError(
            f"Contract file {entry.path} from {url} is larger than {MAX_BYTES // (1 << 20)} MiB, "
            "which no pinned "
            f"file is; refusing it, so {fix}."
        )
    if ex.error:
        raise ContractError(f"Downloading contract file {entry.path} from {url} failed ({ex.error}); {fix}.")
    if ex.status != 200:
        raise ContractError(
            f"Downloading contract file {entry.path} from {url} failed with HTTP {ex.status}; {fix}."
        )
    actual = hashlib.sha256(ex.response).hexdigest()
    if actual != entry.sha256:
        raise ContractError(
            f"Contract file {entry.path} downloaded from {url} does not match the manifest "
            f"(sha256 expected {entry.sha256[:12]}, got {actual[:12]}); nothing was installed — "
            f"{fix} that serves the pinned commit."
        )
    tmp = staging.joinpath(*PurePosixPath(entry.path).parts)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_bytes(ex.response)
    return tmp
