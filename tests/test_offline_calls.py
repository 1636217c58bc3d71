"""Nothing we run calls out: the strace judge itself, and the briefing's chromium under it.

The server's own check (a real ``streamlit run`` and a browser visit) is
``tests/browser/test_offline_server.py``; both read the trace with ``support.nettrace.outbound_calls``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from support.nettrace import outbound_calls, require_strace, traced

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def strace_available() -> None:
    require_strace()


def test_the_trace_catches_a_lookup_and_a_connection_to_another_machine(strace_available, tmp_path):
    # so that an empty result elsewhere means something: a child process's UDP "connection" to a
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


def test_what_is_sent_on_a_connected_socket_is_caught_even_when_route_probes_pass(strace_available, tmp_path):
    log = tmp_path / "send.strace"
    probe_only = "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(('192.0.2.1', 9))\n"
    subprocess.run(traced([sys.executable, "-c", probe_only], log), check=True, timeout=60)
    assert outbound_calls(log.read_text(), allow_udp_route_probes=True) == []

    subprocess.run(traced([sys.executable, "-c", probe_only + "s.send(b'x')\n"], log), check=True, timeout=60)
    sends = outbound_calls(log.read_text(), allow_udp_route_probes=True)

    assert len(sends) == 1 and "sendto(" in sends[0] and "192.0.2.1" in sends[0], sends


@pytest.mark.slow
def test_the_briefing_with_its_chromium_looks_up_no_host_and_sends_nothing_out(strace_available, tmp_path):
    """Chromium on its own looks up update, sign-in and search hosts at every start; ours must not.

    Allowed: chromium's UDP route probe (a connect that sends no packet, to learn whether IPv6 is
    routable). Anything sent, any TCP connection beyond loopback, any DNS query fails.
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{CHROMIUM} is missing", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing")
    from support.stores import build_mini_store

    store = build_mini_store(tmp_path / "store")
    out = tmp_path / "pack.pdf"
    log = tmp_path / "briefing.strace"
    env = {k: v for k, v in os.environ.items() if k != "BROWSER_PATH"}
    env.update(SEZ_DATA_DIR=str(store), PYTHONPATH=str(REPO))

    result = subprocess.run(traced([sys.executable, "-m", "sez_metrics", "briefing", "--out", str(out)], log),
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stderr
    assert "pictures left out" not in result.stderr  # chromium really ran and drew
    assert any(page.images for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    outbound = outbound_calls(log.read_text(errors="replace"), allow_udp_route_probes=True)
    assert not outbound, "the briefing called out:\n" + "\n".join(outbound[:20])
