"""The server never calls out: a real ``streamlit run app.py`` under strace, visited by a real browser.

The browser tests see only what the browser requests; this sees the server process itself (and
every process it starts). strace records each connect/sendto/sendmsg of the server; any address
outside this machine, and any host-name lookup (a DNS query, or asking nscd/systemd-resolved),
fails the test. The browser runs in its own process, untraced: only the server is judged.

The server is started as a deployment starts it (``scripts/run-dashboard.sh``): no
``--server.address``, no headless or usage-statistics flags, so ``.streamlit/config.toml`` is what
is tested.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from browsing import ARTIFACTS, REPO, AppPage, stop_server
from support.nettrace import outbound_calls, require_strace, traced

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Generous: strace -f slows the server's start several times over.
START_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def strace_available() -> None:
    require_strace()


@dataclass
class TracedServer:
    base_url: str
    port: int
    trace: Path
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def traced_server(strace_available, browser_data_dir, tmp_path):
    """``streamlit run app.py`` as a deployment starts it, under ``strace -f``; stopped before the trace is read."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    trace = ARTIFACTS / "offline-server.strace"
    log = ARTIFACTS / "offline-server.log"
    # Only the project's config may decide: no STREAMLIT_* setting from the caller's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(SEZ_DATA_DIR=str(browser_data_dir), PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        process = subprocess.Popen(traced(command, trace), cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = TracedServer(f"http://127.0.0.1:{port}", port, trace, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the traced server did not start:\n" + log.read_text(errors="replace")[-3000:], pytrace=False)
            time.sleep(0.2)  # polling the health endpoint
        yield server, process
    finally:
        stop_server(process, term_grace_s=20, kill_grace_s=10)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read()


def _cross_origin_websocket(port: int) -> str:
    """The status line the server answers a websocket handshake from another web site with."""
    request = (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: streamlit\r\nOrigin: http://example.org\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request.encode())
        return sock.recv(1024).decode(errors="replace").splitlines()[0]


def test_the_server_calls_nothing_outside_this_machine_from_start_through_a_page_visit(traced_server, browser):
    server, process = traced_server
    assert b"<!doctype html>" in _get(server.base_url + "/").lower()
    assert _get(server.base_url + "/_stcore/health") == b"ok"

    context = browser.new_context()
    try:
        app = AppPage(context.new_page(), server.base_url, server_log=server.log).attach()
        app.open("/")  # a websocket session that runs the Overview page
        app.open("/map?zone=rashakai")  # and a second page, with the offline map
        app.assert_clean()
    finally:
        context.close()
    # Another web site's page trying to talk to the dashboard is refused without any lookup.
    assert " 403 " in _cross_origin_websocket(server.port)
    stop_server(process, term_grace_s=20, kill_grace_s=10)

    trace = server.trace.read_text(errors="replace")
    assert "HTTP/1.1 101 Switching Protocols" in trace  # the websocket session was traced
    outbound = outbound_calls(trace)
    assert not outbound, "the server called out (full trace: test-artifacts/offline-server.strace):\n" + "\n".join(outbound[:20])
