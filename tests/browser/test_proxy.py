"""The shipped nginx configuration (deploy/nginx/) in front of a real ``streamlit run app.py``.

A real Debian nginx runs ``deploy/nginx/sez-dashboard.conf`` as shipped, with only its ports,
certificate (self-signed, made here with openssl), log folder and include path rewritten into a
temporary folder. Checked: the security headers, framing refused by chromium, public metrics
hidden, the app and its WebSocket working through the proxy, uploads rate-limited, and refused
outright on a viewer-only replica.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from browsing import REPO, AppPage, expect
from stclient import Session, tls_context

pytestmark = pytest.mark.browser

DEPLOY = REPO / "deploy" / "nginx"
SITE = DEPLOY / "sez-dashboard.conf"
LOCATIONS = DEPLOY / "sez-dashboard-locations.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT_S = 20


@dataclass(frozen=True)
class Proxy:
    base_url: str  # https
    http_url: str  # plain http: redirects only
    folder: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


UPSTREAM_SERVERS = re.compile(r"(    server 127\.0\.0\.1:\d+ [^;]*;\n)+")


def _render(folder: Path, upstream: str | list[str], https_port: int, http_port: int, viewer_only: bool) -> Path:
    """The shipped site file with only its machine-specific values replaced (its replicas: ``upstream``,
    one address or several); the main nginx.conf."""
    cert, key = folder / "proxy.crt", folder / "proxy.key"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                           "-keyout", str(key), "-out", str(cert)], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    site = SITE.read_text()
    upstreams = [upstream] if isinstance(upstream, str) else upstream
    options = " max_fails=1 fail_timeout=10s;"
    assert UPSTREAM_SERVERS.search(site), f"{SITE.name} no longer lists its replicas as the test expects"
    site = UPSTREAM_SERVERS.sub("".join(f"    server {address}{options}\n" for address in upstreams), site, count=1)
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "/etc/ssl/certs/sez-dashboard.crt": str(cert),
        "/etc/ssl/private/sez-dashboard.key": str(key),
        "/var/log/nginx/": f"{folder}/",
        "/etc/nginx/sez-dashboard/": f"{folder}/",
        "set $sez_viewer_only 0;": f"set $sez_viewer_only {int(viewer_only)};",
    }
    for old, new in replacements.items():
        assert old in site, f"{SITE.name} no longer holds {old!r}: update the test's rendering"
        site = site.replace(old, new)
    (folder / SITE.name).write_text(site)
    shutil.copy(LOCATIONS, folder / LOCATIONS.name)
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # workers must reach the temporary folder
        + f"worker_processes 1;\nerror_log {folder}/error.log info;\npid {folder}/nginx.pid;\n"
        + "events { worker_connections 256; }\n"
        + f"http {{\n{temp}\n    access_log {folder}/default-access.log;\n    include {folder / SITE.name};\n}}\n"
    )
    return main


def _accepting(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


@contextlib.contextmanager
def _nginx(folder: Path, upstream_url: str | list[str], *, viewer_only: bool = False):
    if not Path(NGINX).exists():
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail("nginx is missing (apt-get install nginx)", pytrace=False)
        pytest.skip("nginx is missing (apt-get install nginx)")
    folder.mkdir(parents=True, exist_ok=True)
    https_port, http_port = _free_port(), _free_port()
    urls = [upstream_url] if isinstance(upstream_url, str) else upstream_url
    conf = _render(folder, [url.removeprefix("http://") for url in urls], https_port, http_port, viewer_only)
    checked = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(conf)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=(folder / "stderr.log").open("wb"), start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (_accepting(https_port) and _accepting(http_port)):
            assert process.poll() is None, (folder / "error.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)  # polling the port
        yield Proxy(f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", folder)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def proxy(dashboard, tmp_path_factory):
    """nginx with the shipped configuration in front of the session's dashboard."""
    with _nginx(tmp_path_factory.mktemp("nginx"), dashboard.base_url) as running:
        yield running


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls_context(url)), _NoRedirect())
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def test_the_proxy_sends_security_headers_on_every_answer(proxy):
    for path in ("/", "/_stcore/health", "/no-such-file.js", "/_stcore/metrics"):
        status, headers, _ = _get(proxy.base_url + path)
        assert status in (200, 404), (path, status)
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, (path, name, headers.get(name))
        assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), path
        assert headers.get("strict-transport-security", "").startswith("max-age="), path


def test_metrics_are_hidden_from_the_public_but_not_from_the_server_itself(proxy, dashboard):
    status, _, body = _get(proxy.base_url + "/_stcore/metrics")
    assert status == 404 and b"cache" not in body
    direct, _, _ = _get(dashboard.base_url + "/_stcore/metrics")
    assert direct == 200, "the operator still reads them on the server (127.0.0.1)"


def test_plain_http_is_redirected_to_https(proxy):
    status, headers, _ = _get(proxy.http_url + "/data?version=v0001")
    assert status == 301
    assert headers["location"].startswith("https://") and headers["location"].endswith("/data?version=v0001")


def test_the_app_and_its_websocket_work_through_the_proxy(proxy, browser):
    context = browser.new_context(ignore_https_errors=True)
    try:
        app = AppPage(context.new_page(), proxy.base_url).attach()
        websockets: list[str] = []
        app.page.on("websocket", lambda ws: websockets.append(ws.url))
        app.open("/")
        expect(app.page.get_by_role("heading", level=1).first).to_be_visible()
        app.assert_clean()
        assert any(url.startswith("wss://") and url.endswith("/_stcore/stream") for url in websockets), websockets
    finally:
        context.close()


def test_a_foreign_page_cannot_frame_the_dashboard(proxy, browser):
    context = browser.new_context(ignore_https_errors=True)
    try:
        page = context.new_page()
        page.set_content(f'<iframe id="victim" src="{proxy.base_url}/data" width="800" height="600"></iframe>')
        page.wait_for_timeout(3000)  # give the frame time to load, were it allowed to
        frame = page.frame_locator("#victim")
        assert frame.locator("text=Steward name").count() == 0
        assert frame.locator('[data-testid="stApp"]').count() == 0, "the app rendered inside a foreign frame"
    finally:
        context.close()


def test_uploads_through_the_proxy_are_rate_limited(proxy):
    session = Session(proxy.base_url)
    try:
        statuses = [session.upload(b"zone_id\nx\n") for _ in range(30)]
    finally:
        session.close()
    assert statuses[0] == 403, "an anonymous upload reaches the server, which refuses it"
    # A burst of 10 beyond the rate (20 a minute), then the proxy answers itself.
    assert statuses.count(429) >= 15, statuses
    assert set(statuses) == {403, 429}, statuses


def test_a_viewer_only_replica_refuses_every_upload_at_the_proxy(dashboard, tmp_path):
    with _nginx(tmp_path / "viewer-only", dashboard.base_url, viewer_only=True) as viewer_proxy:
        session = Session(viewer_proxy.base_url)
        try:
            status, body = session.upload_response(b"zone_id\nx\n")
        finally:
            session.close()
    assert status == 403
    assert "403 Forbidden" in body and "steward" not in body, "refused by nginx, before the server"


def test_upload_urls_are_logged_without_the_session_id(proxy):
    session = Session(proxy.base_url)
    try:
        session.upload(b"zone_id\nx\n")
    finally:
        session.close()
    log = (proxy.folder / "sez-dashboard.access.log").read_text()
    assert "/_stcore/upload_file/-" in log
    assert session.session_id not in log


def test_tls_is_on_with_a_modern_protocol(proxy):
    host, port = proxy.base_url.removeprefix("https://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw, tls_context(proxy.base_url).wrap_socket(raw) as tls:
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
