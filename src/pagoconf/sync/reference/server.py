"""The reference station on a real port: the model (and its defects) behind uvicorn, state in SQLite."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pagoconf.engine.server import AsgiServer, Served
from pagoconf.sync.reference.app import ENDPOINT, StationApp
from pagoconf.sync.reference.defects import station_class
from pagoconf.sync.reference.model import StationModel
from pagoconf.sync.reference.store import Store


class ReferenceStation(Served):
    """The reference paForNode station on a real port; a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        defects: Iterable[str] = (),
        sanp: str = "3.8.0",
        delay: float = 8.0,
        sluggish_delay: float = 2.2,
        db: str | Path | None = None,
        primitive_version: int = 2,
    ) -> None:
        """Build the station on its state database and bind its port; nothing is served until start().

        `db`: a SQLite file whose state (notices, receipts) survives a restart; None: a fresh temporary
        file removed on stop(). `primitive_version`: 1 serves paGetPayment/paSendRT, 2 their V2 pair.
        Unknown defects and versions other than 1 and 2 raise ValueError; a port that cannot be bound,
        ServerError."""
        if primitive_version not in (1, 2):
            raise ValueError(f"primitive_version must be 1 or 2, not {primitive_version!r}")
        self.defects = frozenset(defects)
        cls = station_class(self.defects)
        self._temporary: Path | None = None
        if db is None:
            handle, name = tempfile.mkstemp(prefix="pagoconf-station-", suffix=".sqlite")
            os.close(handle)
            self._temporary = Path(name)
        self.db = Path(db) if db is not None else self._temporary
        try:
            self.model: StationModel = cls(
                sanp=sanp,
                delay=delay,
                sluggish_delay=sluggish_delay,
                db=self.db,
                primitive_version=primitive_version,
            )
            self._server = AsgiServer(StationApp(self.model), host, port)
        except BaseException:
            if hasattr(self, "model"):
                self.model.close()
            self._remove_temporary()
            raise
        self.host = host
        self.port = self._server.port

    @property
    def primitive_version(self) -> int:
        """The primitive version the station is registered with (1 or 2)."""
        assert self.model.primitive_version is not None
        return self.model.primitive_version

    @property
    def store(self) -> Store:
        """The station's state: notices and the receipts received."""
        return self.model.store

    @property
    def url(self) -> str:
        """The endpoint URL, e.g. http://127.0.0.1:PORT/paForNode."""
        return f"http://{self.host}:{self.port}{ENDPOINT}"

    def _release(self) -> None:
        self.model.close()
        self._remove_temporary()

    def _remove_temporary(self) -> None:
        if self._temporary is not None:
            for suffix in ("", "-journal", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{self._temporary}{suffix}").unlink()
