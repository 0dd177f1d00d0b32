"""The README's worked adapter in a second language (docs/examples/adapter.mjs, Node.js) does what it says:
served on a loopback port, driven by pagoconf's own HTTP adapter transport, it creates, publishes and
deletes a position in a real sandbox, and answers `ok: false` for an action it does not implement."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_support import KEY, ORG, Client, position

from pagoconf.platform.adapter import HttpAdapter
from pagoconf.platform.adapter.protocol import request
from pagoconf.platform.sandbox import Sandbox

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "adapter.mjs"
README = EXAMPLE.parents[2] / "README.md"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed: the example cannot run")


def test_the_readme_shows_the_example_as_it_is_in_the_repository() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") in README.read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def adapter() -> Iterator[HttpAdapter]:
    assert NODE is not None
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()} | {"PORT": str(port)}
    proc = subprocess.Popen([NODE, str(EXAMPLE)], env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert proc.poll() is None and time.monotonic() < deadline, "the example did not start"
            time.sleep(0.05)
        http = HttpAdapter(f"http://127.0.0.1:{port}/", timeout=20)
        yield http
        http.close()
    finally:
        proc.kill()
        proc.wait()


def test_the_node_adapter_creates_publishes_and_deletes_a_position(adapter: HttpAdapter) -> None:
    with Sandbox(keys=[KEY]) as sandbox:
        urls = sandbox.base_urls
        platform = {"gpd": urls["gpd"], "key": KEY, "organization": ORG}
        body = position()
        created = adapter.ask(request("createPosition", "1", platform, position=body, publish=False))
        assert created.ok, created
        assert created.result["iupd"] == body["iupd"] and created.result["status"] == "DRAFT"
        assert created.result["notices"][0]["iuv"] == body["paymentOption"][0]["iuv"]
        published = adapter.ask(request("publishPosition", "2", platform, iupd=body["iupd"]))
        assert published.ok and published.result["status"] in {"PUBLISHED", "VALID"}, published
        again = adapter.ask(request("createPosition", "3", platform, position=body, publish=False))
        assert not again.ok and "409" in again.error, again
        gone = adapter.ask(request("deletePosition", "4", platform, iupd=body["iupd"]))
        assert gone.ok, gone
        assert Client(sandbox).get(body["iupd"]).status == 404
        other = adapter.ask(request("noticeStatus", "5", platform, noticeNumber="301000000000000001"))
        assert not other.ok and "not in this example" in other.error
