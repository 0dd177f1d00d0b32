"""Manifests pinning the official pagoPA contract files (path, sha256, upstream commit)."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from pagoconf import resources

DEFAULT_SANP = "3.8.0"
SUPPORTED_SANP = ("3.8.0", "3.13.0")
MANIFESTS_ENV = "PAGOCONF_MANIFESTS"

_HEX40 = re.compile(r"[0-9a-f]{40}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class ContractError(Exception):
    """A contract file or manifest is missing, altered or unusable; the message says how to fix it."""


@dataclass(frozen=True)
class ContractFile:
    """One pinned upstream file: its pagopa-api path, sha256 and a short human role."""

    path: str
    sha256: str
    role: str


@dataclass(frozen=True)
class Manifest:
    """The pinned set of contract files of one SANP version."""

    version: str
    upstream: str
    branch: str
    commit: str
    files: tuple[ContractFile, ...]

    def file(self, relpath: str) -> ContractFile:
        """Return the entry for `relpath`, or raise ContractError if it is not pinned."""
        for entry in self.files:
            if entry.path == relpath:
                return entry
        raise ContractError(
            f"`{relpath}` is not listed in the SANP {self.version} manifest, so pagoconf cannot verify it; "
            f"add it (path, sha256, role) to contracts/sanp-{self.version}.toml before using it."
        )


def vendor_root() -> Path:
    """The contracts root `fetch` fills: `contracts/vendor/` in a checkout, else pagoconf's data folder."""
    return resources.data_dir() / "vendor"


def manifests_dir() -> Path:
    """Return the folder holding sanp-<version>.toml files ($PAGOCONF_MANIFESTS overrides)."""
    override = os.environ.get(MANIFESTS_ENV)
    return Path(override) if override else resources.MANIFESTS


def normalize_relpath(relpath: str | PurePosixPath) -> str:
    """Return a clean pagopa-api relative path, rejecting absolute paths and `..` parts."""
    text = str(relpath).replace("\\", "/")
    pure = PurePosixPath(text)
    if not text or pure.is_absolute() or ".." in pure.parts or pure.as_posix() in ("", "."):
        raise ContractError(f"`{relpath}` is not a valid contract path; use a pagopa-api relative path.")
    return pure.as_posix()


def load_manifest(version: str) -> Manifest:
    """Load and validate the manifest of SANP `version`."""
    if version not in SUPPORTED_SANP:
        raise ContractError(
            f"SANP version `{version}` is not supported; choose one of {', '.join(SUPPORTED_SANP)} "
            f"(default {DEFAULT_SANP})."
        )
    path = manifests_dir() / f"sanp-{version}.toml"
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise ContractError(
            f"The manifest for SANP {version} is missing at {path}; restore contracts/sanp-{version}.toml "
            f"from the repository (or fix ${MANIFESTS_ENV})."
        ) from None
    return _parse(str(path), mtime, version)


@lru_cache(maxsize=32)
def _parse(path: str, mtime_ns: int, version: str) -> Manifest:
    """Parse one manifest file (cached per path and modification time)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ContractError(
            f"The manifest {path} cannot be read ({exc}); restore it from the repository."
        ) from None

    def bad(why: str) -> ContractError:
        return ContractError(f"The manifest {path} is invalid: {why}; restore it from the repository.")

    for key in ("version", "upstream", "branch", "commit"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise bad(f"`{key}` must be a non-empty string")
    if data["version"] != version:
        raise bad(f"it declares version {data['version']!r} instead of {version!r}")
    if not _HEX40.fullmatch(data["commit"]):
        raise bad("`commit` must be a 40-character lowercase hex git commit")
    raw_files = data.get("file")
    if not isinstance(raw_files, list) or not raw_files:
        raise bad("it lists no [[file]] entries")
    files: list[ContractFile] = []
    seen: set[str] = set()
    for item in raw_files:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("path", "sha256")):
            raise bad("every [[file]] needs string `path` and `sha256`")
        try:
            rel = normalize_relpath(item["path"])
        except ContractError:
            raise bad(f"file path {item['path']!r} must be relative without `..`") from None
        if rel in seen:
            raise bad(f"file {rel} is listed twice")
        if not _HEX64.fullmatch(item["sha256"]):
            raise bad(f"the sha256 of {rel} must be 64 lowercase hex characters")
        seen.add(rel)
        files.append(ContractFile(rel, item["sha256"], str(item.get("role", ""))))
    return Manifest(data["version"], data["upstream"], data["branch"], data["commit"], tuple(files))
