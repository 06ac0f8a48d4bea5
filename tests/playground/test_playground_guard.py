"""The playground answers only its own pages on this computer: Host and Origin checks.

A page on another site must not drive the playground through the visitor's browser
(cross-site websocket hijacking), and a name re-pointed at 127.0.0.1 (DNS rebinding) must not
load it. These tests send the attacks with Starlette's client, through the command line, and
from real pages in headless chromium.
"""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette 1.x suggests httpx2 for its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

from glassnet.cli import main
from glassnet.playground.guard import is_loopback, refusal
from glassnet.playground.server import create_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

OWN = "http://127.0.0.1:8765"
WS = "ws://127.0.0.1:8765/ws"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), base_url=OWN)


def hello(ws: Any) -> str:
    ws.send_json({"type": "hello"})
    return ws.receive_json()["type"]


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "127.0.0.2", "LOCALHOST:1"]
)
def test_loopback_hosts_are_served(client: TestClient, host: str) -> None:
    response = client.get("/", headers={"host": host})
    assert response.status_code == 200
    assert "<canvas" in response.text


@pytest.mark.parametrize(
    "host", ["evil.example:8765", "127.0.0.1.evil.example:8765", "192.168.1.5:8765", "", "0.0.0.0"]
)
def test_other_hosts_are_refused_dns_rebinding(client: TestClient, host: str) -> None:
    response = client.get("/", headers={"host": host})
    assert response.status_code == 403
    assert "is not a loopback address" in response.text
    assert client.get("/static/app.js", headers={"host": host}).status_code == 403


def test_the_page_s_own_origin_may_open_the_websocket(client: TestClient) -> None:
    with client.websocket_connect(WS, headers={"origin": OWN}) as ws:
        assert hello(ws) == "data"


def test_a_client_without_origin_is_not_a_web_page_and_may_connect(client: TestClient) -> None:
    with client.websocket_connect(WS) as ws:
        assert hello(ws) == "data"


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://evil.example:8765",
        "http://127.0.0.1:9999",  # another server on this computer
        "http://localhost:8765",  # the same server under another name is another origin
        "null",  # a sandboxed frame or a file:// page
        "https://127.0.0.1:8765",
    ],
)
def test_websocket_from_another_origin_is_refused(client: TestClient, origin: str) -> None:
    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect(WS, headers={"origin": origin}):
            pass
    assert info.value.code == 1008
    response = client.get("/", headers={"origin": origin})
    assert response.status_code == 403
    assert f"Origin {origin!r} is not this playground's own page" in response.text


def test_websocket_to_a_rebound_host_is_refused(client: TestClient) -> None:
    headers = {"host": "evil.example:8765", "origin": "http://evil.example:8765"}
    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect(WS, headers=headers):
            pass
    assert info.value.code == 1008


def test_allow_remote_accepts_any_host_but_still_checks_the_origin() -> None:
    remote = TestClient(create_app(allow_remote=True), base_url="http://10.1.2.3:8765")
    assert remote.get("/").status_code == 200
    remote_ws = "ws://10.1.2.3:8765/ws"
    with remote.websocket_connect(remote_ws, headers={"origin": "http://10.1.2.3:8765"}) as ws:
        assert hello(ws) == "data"
    with pytest.raises(WebSocketDisconnect):
        with remote.websocket_connect(remote_ws, headers={"origin": "https://evil.example"}):
            pass


def test_refusal_rules() -> None:
    assert refusal({"host": "localhost:80", "origin": "http://LOCALHOST:80"}) is None
    assert refusal({"host": "evil.example"}, allow_remote=True) is None
    assert "Origin" in refusal({"host": "evil.example", "origin": "http://x"}, allow_remote=True)
    assert not is_loopback("::ffff:8.8.8.8")
    assert is_loopback("::1") and is_loopback("127.255.0.1:1")


def test_cli_refuses_a_non_loopback_host_without_allow_remote(capsys: Any) -> None:
    status = main(["playground", "--host", "0.0.0.0", "--port", "0", "--no-browser"])
    assert status == 2
    err = capsys.readouterr().err
    assert "--host 0.0.0.0 lets other computers reach the playground" in err
    assert "--allow-remote" in err


def test_cli_warns_when_allow_remote_listens_beyond_loopback() -> None:
    cmd = [sys.executable, "-m", "glassnet.cli", "playground", "--host", "0.0.0.0"]
    cmd += ["--port", "0", "--no-browser", "--allow-remote"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "glassnet playground at http://0.0.0.0:" in line
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "warning: the playground listens on 0.0.0.0" in err
    assert "no password" in err


# -- real pages in chromium ---------------------------------------------------------------

PROBE = """<!doctype html><script>
window.result = new Promise((resolve) => {
  const ws = new WebSocket("ws://127.0.0.1:%d/ws");
  ws.onopen = () => ws.send(JSON.stringify({type: "hello"}));
  ws.onmessage = (e) => resolve("read " + JSON.parse(e.data).type);
  ws.onerror = () => resolve("refused");
});
</script>"""


@pytest.fixture(scope="module")
def other_site(live_server: str) -> Iterator[str]:
    """Another web site on this computer (another port: another origin) whose page tries to
    open the playground's websocket, as a malicious site would."""
    port = int(live_server.rsplit(":", 1)[1])
    page = (PROBE % port).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the base class's name)
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_chromium_page_from_another_site_cannot_open_the_websocket(
    browser: Any, live_server: str, other_site: str
) -> None:
    page = browser.new_page()
    try:
        page.goto(other_site)
        assert page.evaluate("window.result") == "refused"
        # the same script on the playground's own page reads the state: the refusal is the
        # Origin check, not a broken probe
        page.goto(live_server + "/")
        port = int(live_server.rsplit(":", 1)[1])
        page.add_script_tag(content=(PROBE % port).split("<script>")[1].split("</script>")[0])
        assert page.evaluate("window.result") == "read data"
    finally:
        page.close()


@pytest.mark.browser
def test_chromium_dns_rebinding_is_refused(browser: Any, live_server: str) -> None:
    """A name that resolves to 127.0.0.1 but is not a loopback name gets 403 in the browser.

    Chromium resolves every ``*.localhost`` name to 127.0.0.1 by itself, as a rebound
    attacker's name would resolve; the page must still be refused.
    """
    port = live_server.rsplit(":", 1)[1]
    page = browser.new_page()
    try:
        response = page.goto(f"http://rebound.localhost:{port}/")
        assert response.status == 403
        assert "is not a loopback address" in page.inner_text("body")
        response = page.goto(f"http://127.0.0.1:{port}/")
        assert response.status == 200
    finally:
        page.close()
