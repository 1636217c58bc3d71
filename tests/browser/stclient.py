"""A raw Streamlit client for attack tests: the XSRF cookie, a WebSocket session, uploads, BackMsgs.

It does what a hostile visitor's script does, without a browser: fetch the XSRF cookie, open
``/_stcore/stream`` with it (the token travels in the WebSocket subprotocol, as the frontend sends
it), run the app once to get a session id, then PUT files to ``/_stcore/upload_file/<session>/<id>``
or send any ``BackMsg``.
"""

from __future__ import annotations

import http.cookies
import ssl
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

XSRF_COOKIE = "_streamlit_xsrf"
CONNECT_TIMEOUT_S = 30


def tls_context(url: str) -> ssl.SSLContext | None:
    """For https test servers with a self-signed certificate: encrypted, not verified."""
    if not url.startswith(("https://", "wss://")):
        return None
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def xsrf_cookie(base_url: str) -> str:
    """The XSRF cookie value the server hands every visitor (on its health endpoint)."""
    with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=10, context=tls_context(base_url)) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            if XSRF_COOKIE in jar:
                return jar[XSRF_COOKIE].value
    raise AssertionError("the server set no XSRF cookie")




def rss_kb_tree(pid: int) -> int:
    """Resident memory (kB) of ``pid`` and its children (the server may start chromium for renders)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = status.read_text()
        except OSError:
            continue
        values = dict(line.split(":", 1) for line in fields.splitlines() if ":" in line)
        proc_pid = int(values["Pid"].strip())
        if proc_pid == pid or int(values["PPid"].strip()) == pid:
            total += int(values.get("VmRSS", "0 kB").split()[0])
    return total


class Session:
    """One WebSocket session of the app, kept alive (and drained) until ``close()``."""

    def __init__(self, base_url: str, query_string: str = "", *, origin: str | None = None) -> None:
        self.base_url = base_url
        self.cookie = xsrf_cookie(base_url)
        ws_url = base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = connect(
            ws_url,
            subprotocols=["streamlit", self.cookie],
            additional_headers={"Cookie": f"{XSRF_COOKIE}={self.cookie}", "Origin": origin or base_url},
            max_size=None,
            ssl=tls_context(ws_url),
            open_timeout=CONNECT_TIMEOUT_S,
        ).__enter__()  # closed by close()
        self.session_id: str | None = None
        self.messages: list[ForwardMsg] = []
        self._got_id = threading.Event()
        self._finished = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.rerun(query_string)
        if not self._got_id.wait(CONNECT_TIMEOUT_S):
            raise AssertionError("no new_session message from the server")

    def _drain(self) -> None:
        try:
            while True:
                frame = self.ws.recv()
                if isinstance(frame, str):
                    continue
                msg = ForwardMsg()
                msg.ParseFromString(frame)
                self.messages.append(msg)
                kind = msg.WhichOneof("type")
                if kind == "new_session":
                    self.session_id = msg.new_session.initialize.session_id
                    self._got_id.set()
                elif kind == "script_finished":
                    self._finished.set()
        except Exception:  # the connection closed: nothing more to read
            return

    def send(self, msg: BackMsg) -> None:
        self.ws.send(msg.SerializeToString())

    def rerun(self, query_string: str = "", page_name: str = "", timeout: float = 120) -> bool:
        """Run the app (a page load); True when the run finished within ``timeout``."""
        self._finished.clear()
        msg = BackMsg()
        msg.rerun_script.query_string = query_string
        msg.rerun_script.page_name = page_name
        self.send(msg)
        return self._finished.wait(timeout)

    def clear_cache(self) -> None:
        msg = BackMsg()
        msg.clear_cache = True
        self.send(msg)

    def upload(self, data: bytes, name: str = "zones.csv", file_id: str | None = None) -> int:
        """PUT one file as the frontend does; the HTTP status."""
        return self.upload_response(data, name, file_id)[0]

    def upload_response(self, data: bytes, name: str = "zones.csv", file_id: str | None = None) -> tuple[int, str]:
        """PUT one file as the frontend does; the HTTP status and the response body."""
        return put_file(self.base_url, self.session_id, file_id or str(uuid.uuid4()), data, name, self.cookie)

    def close(self) -> None:
        self.ws.close()
        self._reader.join(timeout=10)


def put_file(base_url: str, session_id: str, file_id: str, data: bytes, name: str, cookie: str) -> tuple[int, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        f"{base_url}/_stcore/upload_file/{session_id}/{file_id}",
        data=body,
        method="PUT",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": cookie,
            "Cookie": f"{XSRF_COOKIE}={cookie}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60, context=tls_context(base_url)) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
