"""A steward in a real chromium: sign in, upload through the file chooser, review, publish; server limits.

Runs its own ``streamlit run`` (not the shared session server): it publishes into its data folder
and needs a secrets file with a steward, made here with the real ``add-steward`` command and
passed with ``--secrets.files`` so a developer's own ``.streamlit/secrets.toml`` never applies.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from browsing import ARTIFACTS, REPO, AppPage, as_of_stamp, expect, screenshot, stop_server, wait_ready
from support.stores import copy_shipped

from sez_metrics.storage.folder import VersionStore

STEWARD = "browser-steward"
STEWARD_DISPLAY = "Browser Steward (test)"
PASSWORD = "correct horse battery staple"
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
VIEWPORT = {"width": 1440, "height": 1000}
START_TIMEOUT_S = 60
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'


@dataclass(frozen=True)
class StewardServer:
    base_url: str
    data_dir: Path
    log_path: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def steward_server(browser_available, tmp_path_factory) -> StewardServer:
    """``streamlit run app.py`` on its own copy of the data, with one steward made by ``add-steward``."""
    root = tmp_path_factory.mktemp("steward")
    data_dir = copy_shipped(root / "data")
    secrets = root / "secrets.toml"
    made = subprocess.run([sys.executable, "-m", "sez_metrics", "add-steward", STEWARD, "--display-name", STEWARD_DISPLAY,
                           "--password-stdin", "--secrets", str(secrets)],
                          input=PASSWORD + "\n", text=True, capture_output=True, cwd=REPO, timeout=60)
    assert made.returncode == 0, made.stderr
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "streamlit-steward-server.log"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", "--secrets.files", str(secrets)]
    env = dict(os.environ, SEZ_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("streamlit did not start:\n" + log_path.read_text(errors="replace")[-3000:], pytrace=False)
            time.sleep(0.1)  # polling the health endpoint
        yield StewardServer(base_url, data_dir, log_path)
    finally:
        stop_server(process)


@pytest.fixture
def steward_page(browser, steward_server):
    context = browser.new_context(viewport=dict(VIEWPORT))
    page = context.new_page()
    app = AppPage(page, steward_server.base_url, server_log=steward_server.log_path).attach()
    try:
        yield app
    finally:
        context.close()


def sign_in(app: AppPage) -> None:
    page = app.page
    app.open("/data")
    page.get_by_role("textbox", name="Steward name").fill(STEWARD)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {STEWARD}")).to_be_visible()
    wait_ready(page, server_log=app.server_log)


def hostile_zones_csv(data_dir: Path, target: Path) -> tuple[Path, str]:
    """The latest zones.csv with its first zone renamed to an HTML payload; returns (file, zone_id)."""
    latest = VersionStore(data_dir).latest()
    text = (data_dir / "versions" / latest.id / "zones.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    rows[0]["name"] = HOSTILE_NAME
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target.mkdir(parents=True, exist_ok=True)
    path = target / "zones.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, rows[0]["zone_id"]


@pytest.mark.browser
def test_steward_signs_in_uploads_through_the_file_chooser_and_publishes_once(steward_page, steward_server, tmp_path):
    page = steward_page.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    store = VersionStore(steward_server.data_dir)
    before = [v.id for v in store.versions()]
    zones_csv, _zone_id = hostile_zones_csv(steward_server.data_dir, tmp_path / "upload")

    sign_in(steward_page)
    page.locator(UPLOAD_INPUT).set_input_files(str(zones_csv))
    expect(page.get_by_text("Validation:")).to_be_visible(timeout=60_000)
    wait_ready(page, server_log=steward_page.server_log)
    expect(page.get_by_text("0 error(s)")).to_be_visible()
    expect(page.get_by_text(f"What this update changes (against {before[-1]})")).to_be_visible()
    # The payload is shown as text in the change summary, and nothing ran.
    expect(page.get_by_test_id("stMarkdownContainer").filter(has_text=HOSTILE_NAME).first).to_be_visible()
    assert page.locator('img[src="x"]').count() == 0
    screenshot(page, "steward-review")

    page.get_by_role("textbox", name="Label").fill("Browser test update")
    page.get_by_role("textbox", name="Note: what changed and why").fill("Renamed a zone to check escaping")
    page.get_by_role("button", name=re.compile("Publish")).dblclick()  # an impatient double click
    expect(page.get_by_text(re.compile(r"Published v\d{4}"))).to_be_visible(timeout=60_000)
    wait_ready(page, server_log=steward_page.server_log)

    after = [v.id for v in store.versions()]
    assert after[:-1] == before and len(after) == len(before) + 1, "exactly one new version"
    new = store.latest()
    assert (new.author, new.label, new.parent) == (STEWARD_DISPLAY, "Browser test update", before[-1]), \
        "the display name is the author; the sign-in name stays private"
    assert store.verify() == []
    expect(as_of_stamp(page)).to_contain_text(new.id)
    expect(page.get_by_role("button", name=re.compile("Publish"))).to_have_count(0)
    history = page.get_by_test_id("stDataFrame").first
    expect(history).to_contain_text(new.id)
    assert not dialogs, f"a script ran: {dialogs}"
    screenshot(page, "steward-published")
    steward_page.assert_clean()


@pytest.mark.browser
def test_odd_upload_names_get_the_apps_own_message_through_the_file_chooser(steward_page):
    """The finding: names ending in .zip or .exe, or with a trailing space, raised Streamlit's
    StreamlitAPIException box. Through the real chooser and upload path they get the app's message."""
    page = steward_page.page
    sign_in(steward_page)
    odd = [("update.zip", "unzip it and upload the CSV files inside"), ("status.exe", "a .exe file is not a CSV table"),
           ("status.csv ", "did you mean status.csv?")]
    page.locator(UPLOAD_INPUT).set_input_files(
        [{"name": name, "mimeType": "application/octet-stream", "buffer": b"zone_id\n"} for name, _ in odd])
    for _name, hint in odd:
        expect(page.get_by_test_id("stAlertContentError").filter(has_text=hint)).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name=re.compile("Publish"))).to_be_disabled()  # the run got to its end
    # (not wait_ready: it fails on any error box, and these three are the app's own, wanted ones)
    assert page.get_by_test_id("stException").count() == 0, "no exception box"
    assert "StreamlitAPIException" not in page.content()
    screenshot(page, "steward-odd-upload-names")


@pytest.mark.browser
def test_server_enforces_the_upload_limit_and_xsrf(steward_page, steward_server, tmp_path):
    page = steward_page.page
    latest = VersionStore(steward_server.data_dir).latest()
    small = tmp_path / "status.csv"  # the latest status.csv itself: valid, nothing to publish
    shutil.copy(steward_server.data_dir / "versions" / latest.id / "status.csv", small)
    puts: list[tuple[str, dict]] = []
    page.on("request", lambda r: puts.append((r.url, r.headers)) if r.method == "PUT" and "/upload_file/" in r.url else None)
    sign_in(steward_page)
    page.locator(UPLOAD_INPUT).set_input_files(str(small))
    expect(page.get_by_text("Validation:")).to_be_visible(timeout=60_000)
    url, headers = puts[0]
    token = headers["x-xsrftoken"]
    oversized = {"file": {"name": "status.csv", "mimeType": "text/csv", "buffer": b"x" * (6 * 2**20)}}
    # The server itself refuses, whatever a client does: too large (413), no XSRF token (403).
    assert page.request.put(url, multipart=oversized, headers={"X-Xsrftoken": token}).status == 413
    tiny = {"file": {"name": "status.csv", "mimeType": "text/csv", "buffer": small.read_bytes()}}
    assert page.request.put(url, multipart=tiny).status == 403
    assert page.request.put(url, multipart=tiny, headers={"X-Xsrftoken": token}).status == 204, "the token is what counts"

    # The uploader refuses an oversized file before sending it; the page never receives it.
    big = tmp_path / "big" / "milestones.csv"
    big.parent.mkdir()
    big.write_bytes(b"x" * (6 * 2**20))
    page.locator(UPLOAD_INPUT).set_input_files(str(big))  # added to the status.csv already there
    expect(page.get_by_text("File must be 5.0MB or smaller.")).to_be_visible()
    wait_ready(page, server_log=steward_page.server_log)
    expect(page.get_by_text("Carried over unchanged from the latest version: zones.csv, milestones.csv")).to_be_visible()


@pytest.mark.browser
def test_server_settings_are_effective():
    """Streamlit reads .streamlit/config.toml from the repository: the values the server runs with."""
    shown = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=REPO, capture_output=True, text=True,
                           timeout=60).stdout
    for setting in ('showErrorDetails = "none"', "maxUploadSize = 5", "enableXsrfProtection = true", "disableDataExport = true"):
        assert re.search(rf"^{re.escape(setting)}$", shown, re.MULTILINE), f"{setting} is not in effect"
