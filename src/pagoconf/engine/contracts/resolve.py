"""Find a verified copy of the contract files among the candidate contracts roots."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from pagoconf import resources
from pagoconf.engine.contracts.manifest import (
    ContractError,
    Manifest,
    load_manifest,
    normalize_relpath,
    vendor_root,
)

CONTRACTS_ENV = "PAGOCONF_CONTRACTS"

OK = "ok"
MISSING = "missing"
ALTERED = "altered"


@dataclass(frozen=True)
class Candidate:
    """A contracts root to try, where it came from, and whether the user chose it explicitly."""

    root: Path
    source: str
    explicit: bool


@dataclass(frozen=True)
class FileStatus:
    """Verification status of one manifest file in one root."""

    path: str
    role: str
    status: str
    expected: str
    actual: str | None

    def describe(self) -> str:
        """Return a short human description, e.g. `x.xsd is altered (expected 1a2b3c4d, found 5e6f7a8b)`."""
        if self.status == MISSING:
            return f"{self.path} is missing"
        if self.status == ALTERED:
            found = (self.actual or "")[:12]
            return f"{self.path} is altered (sha256 expected {self.expected[:12]}, found {found})"
        return f"{self.path} is ok"


@dataclass(frozen=True)
class RootReport:
    """Verification result of one SANP version in one candidate root."""

    version: str
    root: Path
    source: str
    explicit: bool
    present: bool
    files: tuple[FileStatus, ...]

    @property
    def folder(self) -> Path:
        """Return the `sanp-<version>` folder inside this root."""
        return self.root / f"sanp-{self.version}"

    @property
    def complete(self) -> bool:
        """Return True when every manifest file is present with the expected hash."""
        return self.present and all(f.status == OK for f in self.files)

    def problem(self) -> str:
        """Return a one-clause description of what is wrong with this root."""
        if not self.present:
            return f"{self.root} ({self.source}) has no sanp-{self.version}/ folder"
        bad = [f.describe() for f in self.files if f.status != OK]
        if not bad:
            return f"{self.folder} ({self.source}) is complete"
        return f"in {self.folder} ({self.source}) " + ", ".join(bad)


@dataclass(frozen=True)
class VerifyReport:
    """What `verify` found: the root that would be used, or every root tried."""

    version: str
    manifest: Manifest
    chosen: RootReport | None
    tried: tuple[RootReport, ...]

    @property
    def ok(self) -> bool:
        """Return True when a complete, verified root was found."""
        return self.chosen is not None

    def error(self) -> ContractError:
        """Return the ContractError explaining why no root can be used and how to fix it."""
        v, m = self.version, self.manifest
        last = self.tried[-1] if self.tried else None
        dest = f" --dest {last.root}" if last is not None and last.explicit else ""
        fix = (
            f"run `pagoconf contracts fetch --sanp {v}{dest}` to download the pinned files "
            f"({m.upstream} commit {m.commit}), or point --contracts / ${CONTRACTS_ENV} at a folder "
            f"holding sanp-{v}/ laid out as pagopa-api."
        )
        if last is not None and last.explicit:
            return ContractError(
                f"The contracts root chosen by {last.source} cannot be used for SANP {v}: "
                f"{last.problem()}. To fix it, {fix}"
            )
        found = "; ".join(r.problem() for r in self.tried) or "no candidate roots"
        return ContractError(
            f"The official pagoPA contract files for SANP {v} were not found: {found}. To get them, {fix}"
        )


def candidate_roots(explicit: str | Path | None = None) -> list[Path]:
    """Return the contracts roots to try, in order."""
    return [c.root for c in _candidates(explicit)]


def _candidates(explicit: str | Path | None) -> list[Candidate]:
    """Return the ordered candidate roots with their source labels."""
    out: list[Candidate] = []
    if explicit is not None and str(explicit) != "":
        out.append(Candidate(Path(explicit).expanduser(), "--contracts", True))
    env = os.environ.get(CONTRACTS_ENV)
    if env:
        out.append(Candidate(Path(env).expanduser(), f"${CONTRACTS_ENV}", True))
    out.append(Candidate(vendor_root(), "pagoconf's fetched contracts", False))
    checkout = resources.checkout()
    if checkout is not None:
        out.append(
            Candidate(checkout.parent / "shared" / "contracts" / "pagopa-api", "shared checkout", False)
        )
    return out


def _sha256(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _signature(folder: Path, manifest: Manifest) -> tuple[tuple[int, int] | None, ...]:
    """Return (size, mtime) per manifest file so cached hashes are redone when a file changes."""
    sig: list[tuple[int, int] | None] = []
    for entry in manifest.files:
        try:
            st = (folder / entry.path).stat()
            sig.append((st.st_size, st.st_mtime_ns))
        except OSError:
            sig.append(None)
    return tuple(sig)


@lru_cache(maxsize=64)
def _hash_files(folder: str, manifest: Manifest, signature: tuple) -> tuple[FileStatus, ...]:
    """Hash each manifest file under `folder` (cached per folder, manifest and file signature)."""
    statuses = []
    for entry, sig in zip(manifest.files, signature, strict=True):
        path = Path(folder, *PurePosixPath(entry.path).parts)
        if sig is None or not path.is_file():
            statuses.append(FileStatus(entry.path, entry.role, MISSING, entry.sha256, None))
            continue
        try:
            actual = _sha256(path)
        except OSError:
            statuses.append(FileStatus(entry.path, entry.role, MISSING, entry.sha256, None))
            continue
        status = OK if actual == entry.sha256 else ALTERED
        statuses.append(FileStatus(entry.path, entry.role, status, entry.sha256, actual))
    return tuple(statuses)


def check_root(candidate: Candidate, manifest: Manifest) -> RootReport:
    """Verify every manifest file of `manifest.version` in one candidate root."""
    folder = candidate.root / f"sanp-{manifest.version}"
    present = folder.is_dir()
    if present:
        resolved = folder.resolve()
        files = _hash_files(str(resolved), manifest, _signature(resolved, manifest))
    else:
        files = tuple(FileStatus(f.path, f.role, MISSING, f.sha256, None) for f in manifest.files)
    return RootReport(manifest.version, candidate.root, candidate.source, candidate.explicit, present, files)


def clear_cache() -> None:
    """Forget cached hash verifications (e.g. after a fetch)."""
    _hash_files.cache_clear()


def verify(version: str, explicit: str | Path | None = None) -> VerifyReport:
    """Verify candidate roots in order, stopping at the first complete one or an incomplete explicit one."""
    manifest = load_manifest(version)
    tried: list[RootReport] = []
    for candidate in _candidates(explicit):
        report = check_root(candidate, manifest)
        tried.append(report)
        if report.complete:
            return VerifyReport(version, manifest, report, tuple(tried))
        if candidate.explicit:
            break
    return VerifyReport(version, manifest, None, tuple(tried))


def resolve_root(version: str, explicit: str | Path | None = None) -> Path:
    """Return the verified `sanp-<version>` folder to read contracts from, or raise ContractError."""
    report = verify(version, explicit)
    if report.chosen is None:
        raise report.error()
    return report.chosen.folder


def contract_path(version: str, relpath: str | PurePosixPath, explicit: str | Path | None = None) -> Path:
    """Return the verified path of one manifest file (pagopa-api relative path)."""
    rel = normalize_relpath(relpath)
    load_manifest(version).file(rel)
    return resolve_root(version, explicit).joinpath(*PurePosixPath(rel).parts)
