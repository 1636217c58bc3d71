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

import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from browsing import ARTIFACTS, REPO, AppPage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STRACE = shutil.which("strace")
TRACED_CALLS = "trace=connect,sendto,sendmsg,sendmmsg"
# Generous: strace -f slows the server's start several times over.
START_TIMEOUT_S = 120

_ADDRESS = re.compile(
    r"sa_family=(?P<family>AF_INET6?),\s*sin6?_port=htons\((?P<port>\d+)\).*?"
    r"(?:inet_addr\(\"(?P<v4>[^\"]+)\"\)|inet_pton\(AF_INET6,\s*\"(?P<v6>[^\"]+)\")"
)
_UNIX_PATH = re.compile(r'sa_family=AF_UNIX,\s*sun_path="(?P<path>[^"]*)"')
# Where glibc and systemd hand a host-name lookup over a local socket.
_RESOLVER_SOCKETS = ("nscd", "resolve")


def outbound_calls(trace: str) -> list[str]:
    """The strace lines that reach beyond this machine or look up a host name."""
    found = []
    for line in trace.splitlines():
        if not any(f"{call}(" in line for call in ("connect", "sendto", "sendmsg", "sendmmsg")):
            continue
        for match in _ADDRESS.finditer(line):
            address = ipaddress.ip_address(match["v4"] or match["v6"])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            if int(match["port"]) == 53 or not address.is_loopback:
                found.append(line.strip())
        for match in _UNIX_PATH.finditer(line):
            if any(name in match["path"] for name in _RESOLVER_SOCKETS):
                found.append(line.strip())
    return found


@pytest.fixture(scope="module")
def strace_available() -> str:
    """strace, able to trace here; skipped on a workstation without it, a failure under CI."""
    problem = None
    if STRACE is None:
        problem = "strace is missing (apt-get install strace)"
    else:
        probe = subprocess.run([STRACE, "-f", "-qq", "-e", "trace=connect", "-o", os.devnull, "true"],
                               capture_output=True, text=True, timeout=30)
        if probe.returncode != 0:
            problem = f"strace cannot trace here: {probe.stderr.strip()}"
    if problem:
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    return STRACE


def traced(command: list[str], log: Path) -> list[str]:
    return [STRACE, "-f", "-qq", "-s", "64", "-e", TRACED_CALLS, "-o", str(log), *command]


def test_the_trace_catches_a_lookup_and_a_connection_to_another_machine(strace_available, tmp_path):
    # so that an empty result below means something: a child process's UDP "connection" to a
    # documentation address (no packet needs to leave) and a DNS query are both caught
    log = tmp_path / "probe.strace"
    script = (
        "import socket, subprocess, sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(('192.0.2.1', 9))\n"
        "subprocess.run([sys.executable, '-c', \"import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
        ".sendto(b'x', ('127.0.0.1', 53))\"])\n"
    )
    subprocess.run(traced([sys.executable, "-c", script], log), check=True, timeout=60)

    calls = outbound_calls(log.read_text())

    assert any("192.0.2.1" in line for line in calls), calls
    assert any("htons(53)" in line for line in calls), calls


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


def _stop(process: subprocess.Popen) -> None:
    # strace itself ignores SIGTERM while it traces; the server exits on it, and strace with it.
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue


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
        _stop(process)


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
    _stop(process)

    trace = server.trace.read_text(errors="replace")
    assert "HTTP/1.1 101 Switching Protocols" in trace  # the websocket session was traced
    outbound = outbound_calls(trace)
    assert not outbound, "the server called out (full trace: test-artifacts/offline-server.strace):\n" + "\n".join(outbound[:20])
