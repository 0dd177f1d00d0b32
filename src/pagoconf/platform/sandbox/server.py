"""The sandbox on a real port: the Starlette app over its store, served by uvicorn; a context manager."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pagoconf.engine.config import ConfigError
from pagoconf.engine.config import load as load_config
from pagoconf.engine.contracts import ContractError
from pagoconf.engine.server import AsgiServer, Served, ServerError
from pagoconf.platform.sandbox.app import build_app
from pagoconf.platform.sandbox.contract import APIS
from pagoconf.platform.sandbox.control import PREFIX
from pagoconf.platform.sandbox.gpd_node import PATH as PA_FOR_NODE_PATH
from pagoconf.platform.sandbox.gpd_node import GpdStation
from pagoconf.platform.sandbox.keys import Key, KeyRing, cli_keys, config_keys, generated_key
from pagoconf.platform.sandbox.node_side import StationLink, station_link
from pagoconf.platform.sandbox.receipts import ReceiptSink, keep_only
from pagoconf.platform.sandbox.service import SandboxService
from pagoconf.platform.sandbox.sqlite_store import MEMORY, SqliteStore
from pagoconf.platform.sandbox.store import Store, StoreError

CONFIG_TABLE = "sandbox"
RUN_KEYS = ("host", "port")
"""Keys of `[sandbox]` that `pagoconf run` reads (where its embedded sandbox listens), not the sandbox."""


def open_store(db: str | Path | None, *, sanp: str) -> tuple[Store, Path | str | None]:
    """The store `--db` names (a postgresql:// URL, a SQLite file, None for memory), and how to show it (the
    URL with its password masked); ConfigError in one line if it cannot hold the sandbox."""
    if isinstance(db, str) and "://" in db:
        scheme = db.partition("://")[0]
        if scheme not in ("postgresql", "postgres"):
            raise ConfigError(f"--db {scheme}://…: only postgresql:// URLs and SQLite files are supported")
    try:
        if isinstance(db, str) and "://" in db:
            from pagoconf.platform.sandbox.postgres_store import PostgresStore

            store = PostgresStore(db, sanp=sanp)
            return store, store.name
        path = Path(db) if db is not None else None
        return SqliteStore(path if path is not None else MEMORY, sanp=sanp), path
    except StoreError as exc:
        raise ConfigError(str(exc)) from None


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """What a config file's `[sandbox]` table says: keys (with their scope), strictness, the station Checkout
    pays through; and its `sanp`."""

    keys: tuple[Key, ...] = ()
    strict: bool = False
    sanp: str | None = None
    station: StationLink | None = None
    gpd_station: GpdStation = GpdStation()


def read_config(path: str | Path) -> SandboxConfig:
    """The `[sandbox]` table of a pagoconf.toml, read strictly (an unknown key is a ConfigError)."""
    from pagoconf import suites

    run = load_config(path, suite_keys=(*suites.config_keys(), CONFIG_TABLE))
    table = run.table(CONFIG_TABLE)
    keys = config_keys(table)
    strict = bool(table.get("strict", bool, False))
    station = station_link(table)
    default = GpdStation()
    gpd = GpdStation(
        table.text("gpd_broker", default.id_broker_pa) or default.id_broker_pa,
        table.text("gpd_station", default.id_station) or default.id_station,
    )
    table.done(also=RUN_KEYS)
    return SandboxConfig(tuple(keys), strict, run.sanp if "sanp" in run.raw else None, station, gpd)


class Sandbox(Served):
    """The GPD sandbox on a real port: the debt-positions and receipts APIs of one SANP version, their
    control API, real state (`db`: a SQLite file kept across restarts, a postgresql:// URL, None for memory)
    and a journal."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        sanp: str = "3.8.0",
        db: str | Path | None = None,
        keys: Iterable[str] = (),
        strict: bool = False,
        config: str | Path | None = None,
        contracts: str | None = None,
        receipt_sink: ReceiptSink = keep_only,
    ) -> None:
        """Open the store, load the contract and bind the port; nothing is served until start().

        `keys` are allowed for every organization; `config` may add keys restricted to organizations and
        segregation codes (and make the sandbox strict); `sanp` wins over the config's. Without any key, one
        is generated (`.keys`). `receipt_sink` receives every receipt the control API's payments build.
        ConfigError says what is wrong with the configuration, the database, the contract or the port."""
        settings = read_config(config) if config is not None else SandboxConfig()
        ring = [*cli_keys(keys), *settings.keys]
        self.keys = KeyRing(ring or [generated_key()])
        self.sanp = sanp
        self.strict = strict or settings.strict
        self.host = host
        self.store, self.db = open_store(db, sanp=sanp)
        try:
            self.service = SandboxService(
                self.store,
                self.keys,
                sanp=sanp,
                strict=self.strict,
                contracts=contracts,
                receipt_sink=receipt_sink,
                station=settings.station,
                gpd_station=settings.gpd_station,
            )
            self._server = AsgiServer(build_app(self.service), host, port)
        except (ContractError, ServerError) as exc:
            self.store.close()
            raise ConfigError(str(exc)) from None
        self.port = self._server.port

    @property
    def url(self) -> str:
        """http://HOST:PORT (IPv6 hosts bracketed)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_urls(self) -> dict[str, str]:
        """Each API's base URL by contract name (gpd, gpd_payments), and the control API's (control)."""
        served = [api for api in APIS if api.file_in(self.sanp) is not None]
        urls = {api.name: self.url + api.base_in(self.sanp) for api in served}
        urls["control"] = self.url + PREFIX
        urls["gpd_pa_for_node"] = self.url + PA_FOR_NODE_PATH
        return urls

    def start(self) -> Sandbox:
        """Serve in a background thread (resuming the uploads a restart interrupted) and return self."""
        super().start()
        self.service.uploads.resume()
        return self

    def _release(self) -> None:
        self.service.close()
        self.store.close()
