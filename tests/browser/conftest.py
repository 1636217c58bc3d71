"""Browser-test fixtures: a real ``streamlit run`` server on a copy of the data, and Debian chromium.

One server and one browser serve the whole session; every test gets a fresh browser context (no
shared cookies or session state) whose console errors and non-local requests are recorded.
Without chromium or playwright the browser tests are skipped on a workstation and fail under CI.
"""

from __future__ import annotations

import atexit
import contextlib
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
from browsing import ARTIFACTS, REPO, SCREENSHOTS, AppPage, screenshot, stop_server
from support.stores import copy_shipped

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags chromium floods a closed network with refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
SERVER_START_TIMEOUT_S = 60


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -r requirements-dev.txt)"
    return None


@pytest.fixture(scope="session")
def browser_available() -> None:
    """Skip browser tests on a machine without chromium/playwright, but fail loudly under CI."""
    missing = _missing_browser()
    if missing and _under_ci():
        pytest.fail(f"browser tests cannot run: {missing}", pytrace=False)
    if missing:
        pytest.skip(f"browser tests skipped: {missing}")


@pytest.fixture(scope="session")
def browser_data_dir(tmp_path_factory) -> Path:
    """A copy of the shipped dataset (the tests fail if it is missing)."""
    return copy_shipped(tmp_path_factory.mktemp("browser") / "data")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _start_server(data_dir: Path, log_path: Path, extra_args: tuple[str, ...] = ()) -> tuple[subprocess.Popen, int]:
    env = dict(
        os.environ, SEZ_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false"
    )
    for _attempt in range(3):
        port = _free_port()
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            # no reruns triggered by files changing under a running test session
            "--server.fileWatcherType",
            "none",
            *extra_args,
            # the level in every line, so the suite can fail on warnings (ServerLog)
            "--logger.messageFormat",
            LOG_FORMAT,
        ]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        atexit.register(stop_server, process)
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline and process.poll() is None:
            if _healthy(port):
                return process, port
            time.sleep(0.1)  # polling the health endpoint
        stop_server(process)
        log_text = log_path.read_text(errors="replace")
        if f"Port {port} is already in use" not in log_text:
            break
    pytest.fail(
        f"streamlit did not start; last lines of {log_path}:\n" + "\n".join(log_text.splitlines()[-30:]), pytrace=False
    )


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A warning logged by Streamlit (or any logger) in LOG_FORMAT, or a Python warning ("FutureWarning: …").
WARNING_LINE = re.compile(r"^\d{4}-\d\d-\d\d [\d:.,]+ WARNING |\b[A-Z]\w*Warning: ")


@dataclass
class ServerLog:
    """The server's output, read on from where the last check stopped."""

    path: Path
    checked: int = 0

    def new_warnings(self) -> list[str]:
        """Warning lines logged since the last call."""
        data = self.path.read_bytes()
        text, self.checked = data[self.checked :].decode(errors="replace"), len(data)
        return [line for line in text.splitlines() if WARNING_LINE.search(line)]

    def fail_on_warnings(self, when: str) -> None:
        warnings = self.new_warnings()
        if warnings:
            pytest.fail(f"Streamlit logged warnings {when} (full log: {self.path}):\n" + "\n".join(warnings), pytrace=False)


@dataclass(frozen=True)
class Dashboard:
    """A running ``streamlit run app.py``: where to reach it and where it logs."""

    base_url: str
    log_path: Path
    pid: int = 0
    log: ServerLog | None = None


@contextlib.contextmanager
def _serving(data_dir, log_path, extra_args: tuple[str, ...] = ()):
    """A server on ``data_dir`` logging to ``log_path`` (emptied first), stopped on exit.

    Fails on any warning the server logged that no test's check has claimed yet (start-up included).
    """
    log_path.write_bytes(b"")
    process, port = _start_server(data_dir, log_path, extra_args)
    dashboard = Dashboard(f"http://127.0.0.1:{port}", log_path, process.pid, ServerLog(log_path))
    try:
        yield dashboard
        dashboard.log.fail_on_warnings("while serving")
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def dashboard(browser_available, browser_data_dir) -> Dashboard:
    """A running ``streamlit run app.py`` serving the copied dataset, stopped after the session."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(SCREENSHOTS / "failures", ignore_errors=True)  # only this session's failures
    with _serving(browser_data_dir, ARTIFACTS / "streamlit-server.log") as dashboard:
        yield dashboard


@pytest.fixture
def fresh_dashboard(browser_available, browser_data_dir) -> Dashboard:
    """A server of its own, just started: for what happens on the very first request."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with _serving(browser_data_dir, ARTIFACTS / "streamlit-fresh-server.log") as dashboard:
        yield dashboard


@pytest.fixture(scope="session")
def serve(browser_available):
    """Start another server: ``with serve(data_dir, "name", "--option", "value") as dashboard:``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return lambda data_dir, name, *extra_args: _serving(data_dir, ARTIFACTS / f"streamlit-{name}.log", tuple(extra_args))


@pytest.fixture(scope="session")
def browser(browser_available):
    """Debian chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def slides(browser_data_dir) -> int:
    """Presenter slides of the latest version: overview, map, one per zone, timeline, and the change slides."""
    from sez_metrics.render import present
    from sez_metrics.render.briefing import pack as pack_files
    from sez_metrics.render.briefing import story as storyline

    inputs = pack_files.load_pack_inputs(browser_data_dir)
    story = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history)
    return len(present.build_deck(story))


@pytest.fixture(scope="session")
def page_timings():
    """Seconds from navigation to ready/chart, per page, written to test-artifacts/page-timings.tsv."""
    rows: list[tuple[str, str, float]] = []
    yield rows
    if rows:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        lines = ["path\tevent\tseconds"] + [f"{path}\t{event}\t{seconds:.2f}" for path, event, seconds in rows]
        (ARTIFACTS / "page-timings.tsv").write_text("\n".join(lines) + "\n")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def app_page(request, browser, dashboard, page_timings):
    """A fresh browser context on the dashboard, recording console errors and non-local requests.

    On failure a screenshot of the page is saved under test-artifacts/screenshots/failures/.
    """
    yield from _app_page(request, browser, dashboard, page_timings)


@pytest.fixture
def fresh_app_page(request, browser, fresh_dashboard, page_timings):
    """Like ``app_page``, on a server nobody has visited yet."""
    yield from _app_page(request, browser, fresh_dashboard, page_timings)


def _app_page(request, browser, dashboard: Dashboard, page_timings):
    context = browser.new_context(viewport=dict(VIEWPORT))
    page = context.new_page()
    app = AppPage(page, dashboard.base_url, timings=page_timings, server_log=dashboard.log_path).attach()
    try:
        yield app
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            name = "failures/" + "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
            try:
                screenshot(page, name)
            except Exception as exc:  # the page may be gone; the test's own failure is what matters
                print(f"could not save a failure screenshot: {exc}")
        dashboard.log.fail_on_warnings("during this test")  # a deprecation or a widget misuse is a defect too
    finally:
        context.close()
