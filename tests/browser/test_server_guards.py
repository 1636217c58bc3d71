"""Hostile visitors against a real ``streamlit run app.py``: upload flood, per-session caps, clear_cache.

A raw client (``stclient``) does what an attacker's script does: take the XSRF cookie, open a
WebSocket session, then PUT files to ``/_stcore/upload_file/<own session>/<any id>`` or send a
``clear_cache`` BackMsg. Without ``sez_metrics.app.serverguard`` the flood is stored (HTTP 204, the
server's memory grows by the flood's size) and clear_cache empties every cache of the process.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browsing import REPO, AppPage, expect, stop_server
from stclient import Session
from support.stores import copy_shipped
from test_steward_publish import PASSWORD, STEWARD, UPLOAD_INPUT, VIEWPORT, sign_in

from sez_metrics.core import settings
from sez_metrics.storage.folder import VersionStore

pytestmark = pytest.mark.browser

FLOOD_FILES = 200
FLOOD_FILE_BYTES = 2**20
# Without the guard the flood's 200 MB stays in memory; allocator noise and the runs are far below this.
RSS_GROWTH_LIMIT_KB = 100 * 1024


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.fixture(scope="module")
def guarded(serve, tmp_path_factory):
    """A server with one password steward (made by ``add-steward``) on its own copy of the data."""
    root = tmp_path_factory.mktemp("guards")
    data_dir = copy_shipped(root / "data")
    secrets = root / "secrets.toml"
    made = subprocess.run([sys.executable, "-m", "sez_metrics", "add-steward", STEWARD, "--display-name", "Guard Steward",
                           "--password-stdin", "--secrets", str(secrets)],
                          input=PASSWORD + "\n", text=True, capture_output=True, cwd=REPO, timeout=60)
    assert made.returncode == 0, made.stderr
    with serve(data_dir, "guards", "--secrets.files", str(secrets)) as dashboard:
        yield dashboard, data_dir


def test_an_anonymous_upload_flood_is_refused_and_memory_stays_bounded(guarded):
    dashboard, _ = guarded
    session = Session(dashboard.base_url)
    try:
        assert session.upload(b"zone_id\nx\n") == 403  # warm-up: the route, the parser, the guard
        before = _rss_kb(dashboard.pid)
        payload = b"z" * FLOOD_FILE_BYTES
        statuses = [session.upload(payload) for _ in range(FLOOD_FILES)]
        after = _rss_kb(dashboard.pid)
    finally:
        session.close()
    assert set(statuses) == {403}, statuses
    growth = after - before
    print(f"server RSS {before / 1024:.0f} MB -> {after / 1024:.0f} MB over {FLOOD_FILES} x 1 MB anonymous uploads")
    assert growth < RSS_GROWTH_LIMIT_KB, f"server RSS grew by {growth / 1024:.0f} MB"
    log = dashboard.log_path.read_text(errors="replace")
    assert log.count("upload refused for session") == 1, "one log line per session, not one per request"


def test_a_signed_in_steward_is_held_to_the_per_session_caps(guarded, browser, tmp_path):
    dashboard, data_dir = guarded
    context = browser.new_context(viewport=dict(VIEWPORT))
    page = context.new_page()
    app = AppPage(page, dashboard.base_url, server_log=dashboard.log_path).attach()
    try:
        latest = VersionStore(data_dir).latest()
        small = tmp_path / "status.csv"
        shutil.copy(data_dir / "versions" / latest.id / "status.csv", small)
        puts: list[tuple[str, dict]] = []
        page.on("request", lambda r: puts.append((r.url, r.headers)) if r.method == "PUT" and "/upload_file/" in r.url else None)
        sign_in(app)
        page.locator(UPLOAD_INPUT).set_input_files(str(small))  # the steward's own upload: 1 file held
        expect(page.get_by_text("Validation:")).to_be_visible(timeout=60_000)
        url, headers = puts[0]
        base = url.rsplit("/", 1)[0]
        token = {"X-Xsrftoken": headers["x-xsrftoken"]}

        def put(file_id: str, data: bytes) -> int:
            multipart = {"file": {"name": "status.csv", "mimeType": "text/csv", "buffer": data}}
            return page.request.put(f"{base}/{file_id}", multipart=multipart, headers=token).status

        # Bytes: files of just under the per-file limit until the session's byte cap is reached.
        big = b"x" * (settings.MAX_UPLOAD_BYTES - 4096)
        fits = (settings.MAX_UPLOAD_BYTES_PER_SESSION - small.stat().st_size) // len(big)
        assert [put(f"big-{i}", big) for i in range(fits)] == [204] * fits
        assert put("big-over", big) == 403, "over the per-session byte cap"
        for i in range(fits):  # the steward removes them (the uploader's ✕): the room comes back
            assert page.request.delete(f"{base}/big-{i}", headers=token).status == 204
        # Files: small files until the per-session file count is reached.
        room = settings.MAX_UPLOAD_FILES_PER_SESSION - 1
        assert [put(f"small-{i}", b"zone_id\nx\n") for i in range(room)] == [204] * room
        assert put("small-over", b"zone_id\nx\n") == 403, "over the per-session file cap"
        assert put("small-0", b"zone_id\ny\n") == 204, "replacing a held file is not a new one"
    finally:
        context.close()


def _metric(base_url: str, name: str, cache: str) -> list[str]:
    with urllib.request.urlopen(f"{base_url}/_stcore/metrics", timeout=10) as response:
        text = response.read().decode()
    return [line for line in text.splitlines() if line.startswith(name) and f'cache="{cache}"' in line]


def _misses(base_url: str, cache: str) -> int:
    lines = [line for line in _metric(base_url, "cache_lookups_total", cache) if 'result="miss"' in line]
    return int(float(lines[0].rsplit(" ", 1)[1])) if lines else 0


def test_a_visitors_clear_cache_message_does_not_empty_the_version_caches(guarded):
    dashboard, _ = guarded
    cache = "sez_metrics.app.cached._cached_load"
    victim = Session(dashboard.base_url)
    attacker = Session(dashboard.base_url)
    try:
        assert victim.rerun(timeout=120), "the overview did not finish"
        assert _metric(dashboard.base_url, "cache_memory_bytes", cache), "the version cache holds the loaded versions"
        misses = _misses(dashboard.base_url, cache)
        attacker.clear_cache()
        time.sleep(1)  # the BackMsg is handled on the server's event loop
        assert _metric(dashboard.base_url, "cache_memory_bytes", cache), "clear_cache emptied the version cache"
        assert victim.rerun(timeout=120)
        assert _misses(dashboard.base_url, cache) == misses, "the victim's reload loaded versions again"
    finally:
        attacker.close()
        victim.close()


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].rpartition(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


def test_by_default_the_server_listens_on_this_machine_only(tmp_path):
    """``streamlit run app.py`` without --server.address: config.toml binds it to 127.0.0.1."""
    port = _free_port()
    log = tmp_path / "server.log"
    env = dict(os.environ, SEZ_DATA_DIR=str(REPO / "data"), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                    "--server.fileWatcherType", "none"], cwd=REPO, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _listening_addresses(port):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.1)  # polling for the listening socket
        assert _listening_addresses(port) == {"0100007F"}, "listens beyond 127.0.0.1"
    finally:
        stop_server(process, term_grace_s=15)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_diff_is_computed_once_per_pair_and_shared_by_every_session(guarded):
    dashboard, data_dir = guarded
    ids = [v.id for v in VersionStore(data_dir).versions()]
    assert len(ids) >= 3, "needs a pair that no other page computes"
    query = f"version={ids[-1]}&compare={ids[0]}"
    cache = "sez_metrics.app.cached._cached_diff"
    sessions = [Session(dashboard.base_url) for _ in range(3)]
    try:
        before = _misses(dashboard.base_url, cache)
        for session in sessions:
            assert session.rerun(query, page_name="changes", timeout=180), "the changes page did not finish"
        after = _misses(dashboard.base_url, cache)
    finally:
        for session in sessions:
            session.close()
    assert after - before == 1, f"{after - before} computations of one pair for {len(sessions)} sessions"
