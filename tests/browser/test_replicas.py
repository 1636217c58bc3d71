"""Two dashboard replicas on one PostgreSQL store, behind the shipped nginx configuration.

Real servers throughout: a PostgreSQL cluster (tests/support/pgserver.py), two ``streamlit run app.py``
processes with ``SEZ_STORE`` set to it, nginx running deploy/nginx/ with both as its upstream.
A version published from the command line after both started shows on both at their next page
load; a replica killed in the middle of a session costs that browser a reconnect, and the next
page load works through the other replica.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from browsing import REPO, AppPage, as_of_stamp, expect, sidebar_navigation
from test_proxy import _nginx
from test_publish import edit_cell

from sez_metrics.storage.store import open_store
from sez_metrics.storage.store_copy import copy_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _active_sessions(base_url: str) -> int:
    """The replica's own count of connected sessions (its metrics endpoint, reached directly)."""
    with urllib.request.urlopen(f"{base_url}/_stcore/metrics", timeout=5) as response:
        text = response.read().decode()
    found = re.search(r"^active_sessions(?:\{[^}]*\})? (\d+)", text, re.MULTILINE)
    return int(found.group(1)) if found else 0


def _publish_from_the_command_line(url: str, tmp_path) -> str:
    store = open_store(url)
    latest = store.versions()[-1]
    files, problems = store.read_version_files(latest)
    assert not problems
    upload = tmp_path / "upload"
    upload.mkdir()
    zone = files["status.csv"].split(b"\n")[1].split(b",")[0].decode()
    (upload / "status.csv").write_bytes(edit_cell(files["status.csv"], zone, "note", "Checked on site by the replica test"))
    env = {k: v for k, v in os.environ.items() if k != "SEZ_DATA_DIR"} | {"SEZ_STORE": url}
    run = subprocess.run([sys.executable, "-m", "sez_metrics", "publish", "--author", "Replica Test", "--note", "site visit",
                          "--label", "Published while serving", str(upload / "status.csv")],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()[-1]


def test_two_replicas_behind_nginx_follow_the_store_and_survive_a_killed_replica(
        pg_server, serve, browser, browser_data_dir, tmp_path, monkeypatch):
    url = pg_server.new_database()
    copy_store(open_store(browser_data_dir), open_store(url))
    before = open_store(url).versions()[-1].id
    monkeypatch.setenv("SEZ_STORE", url)  # the replicas' store (it wins over SEZ_DATA_DIR)
    with serve(browser_data_dir, "replica-a") as a, serve(browser_data_dir, "replica-b") as b, \
            _nginx(tmp_path / "nginx", [a.base_url, b.base_url]) as proxy:
        context = browser.new_context(ignore_https_errors=True)
        try:
            pages = {name: AppPage(context.new_page(), base).attach() for name, base in
                     (("a", a.base_url), ("b", b.base_url), ("proxy", proxy.base_url))}
            for app in pages.values():
                app.open("/timeline")
                expect(as_of_stamp(app.page)).to_contain_text(f"({before}")
                expect(as_of_stamp(app.page)).to_contain_text("latest")

            new = _publish_from_the_command_line(url, tmp_path)
            assert new != before
            for name in ("a", "b"):
                app = pages[name]
                app.open("/timeline")  # the next page load: no restart, no cache to clear
                expect(as_of_stamp(app.page)).to_contain_text(f"({new}")
                expect(as_of_stamp(app.page)).to_contain_text("Published while serving")
                app.assert_clean()
            # Through the proxy, the next rerun of the open session (a page switch, no reload: the
            # proxy's per-address rate limit is for people, not for a test's many full page loads).
            app = pages["proxy"]
            sidebar_navigation(app.page).get_by_role("link", name="Changes").click()
            app.wait_ready()
            expect(as_of_stamp(app.page)).to_contain_text(f"({new}")
            app.assert_clean()

            # Only the page through the proxy stays open: which replica holds its session?
            for name in ("a", "b"):
                pages.pop(name).page.close()
            deadline = time.monotonic() + 20
            while True:
                sessions = {name: _active_sessions(d.base_url) for name, d in (("a", a), ("b", b))}
                if sum(sessions.values()) == 1:
                    break
                assert time.monotonic() < deadline, sessions
                time.sleep(0.2)  # closed tabs' sessions end a moment after their WebSocket closes
            serving, other = (a, b) if sessions["a"] else (b, a)
            os.killpg(serving.pid, signal.SIGKILL)  # mid-session, no goodbye

            app = pages["proxy"]
            app.console_errors.clear()  # what the open tab logged as its WebSocket dropped is the kill, not a defect
            app.open("/")
            expect(as_of_stamp(app.page)).to_contain_text(f"({new}")
            app.assert_clean()
            assert _active_sessions(other.base_url) >= 1
        finally:
            context.close()


def test_a_replica_says_the_store_is_unavailable_and_recovers_when_the_database_is_back(
        pg_server, serve, browser, browser_data_dir, monkeypatch):
    """The database stopped under a running replica: the page says so (no traceback, no stale data);
    started again, the same replica process serves the page at the next load."""
    from browsing import screenshot

    url = pg_server.new_database()
    copy_store(open_store(browser_data_dir), open_store(url))
    latest = open_store(url).versions()[-1].id
    monkeypatch.setenv("SEZ_STORE", url)
    with serve(browser_data_dir, "replica-db-down") as replica:
        context = browser.new_context()
        try:
            app = AppPage(context.new_page(), replica.base_url, server_log=replica.log_path).attach()
            app.open("/timeline")
            expect(as_of_stamp(app.page)).to_contain_text(f"({latest}")
            pg_server.stop()
            try:
                for path in ("/timeline", "/", "/data"):
                    app.page.goto(replica.base_url + path)
                    expect(app.page.get_by_text("The data store is unavailable right now")).to_be_visible(timeout=30_000)
                    expect(as_of_stamp(app.page)).to_have_count(0)
                    assert app.page.locator('[data-testid="stException"]').count() == 0
                    assert "postgresql://" not in app.page.inner_text("body")  # the address stays in the server log
                screenshot(app.page, "store-unavailable")
            finally:
                pg_server.start()
            app.console_errors.clear()
            app.open("/timeline")  # no restart: the replica reconnects by itself
            expect(as_of_stamp(app.page)).to_contain_text(f"({latest}")
            app.assert_clean()
        finally:
            context.close()
        replica.log.new_warnings()  # the log's notes on the lost connection are the test's doing
