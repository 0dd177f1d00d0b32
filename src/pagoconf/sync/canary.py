"""A loopback HTTP canary: a URL the station must never fetch (external-entity probes)."""

from __future__ import annotations

import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Canary:
    """Serves any path, remembering which tokens were fetched; a context manager."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.hits: list[str] = []
        self._hit = threading.Condition()
        hits, hit = self.hits, self._hit

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (stdlib name)
                with hit:
                    hits.append(self.path)
                    hit.notify_all()
                body = b"<!-- pagoconf canary -->"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.host = host
        self.port = self._server.server_address[1]

    def url(self) -> str:
        """A fresh URL (its own token) to name in one probe."""
        return f"http://{self.host}:{self.port}/canary/{secrets.token_hex(8)}"

    def fetched(self, url: str, *, within: float = 0.0) -> bool:
        """Whether anyone fetched this URL, waiting up to `within` seconds for a fetch still on its way."""
        path = url.split(f":{self.port}", 1)[1]
        with self._hit:
            return self._hit.wait_for(lambda: path in self.hits, timeout=within)

    def __enter__(self) -> Canary:
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
