"""Server-side guards that Streamlit's own configuration cannot express.

Streamlit accepts ``PUT /_stcore/upload_file/<session>/<file>`` from any live session that sends
its XSRF cookie, whether or not the page shows an uploader, and stores every file in memory until
the session ends; and any visitor's ``clear_cache`` WebSocket message empties every cache of the
process for everybody. ``install()`` (called by ``app.py`` on each run, effective once per
process) closes both:

- **uploads**: the runtime's uploaded-file manager refuses (HTTP 403) a file from a session
  without a signed-in data steward, and a file that would take the session over
  ``MAX_UPLOAD_FILES_PER_SESSION`` files or ``MAX_UPLOAD_BYTES_PER_SESSION`` bytes;
- **clear_cache**: the message is ignored. Every cache here is keyed by immutable version ids and
  content hashes, so nothing ever needs clearing from a browser.

Both hook into Streamlit internals (the ``Runtime`` singleton, ``MemoryUploadedFileManager``,
``AppSession``). If they are not where expected, the guard fails closed: uploads are refused
(``uploads_guarded()`` is False and the Data page says so) and the cause is logged once.

It also holds the process-wide limits on costly work (``costly()``, ``pack_slot()``, ``RenderBudget``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager

from sez_metrics.core import settings
from sez_metrics.steward import auth

LOGGER = logging.getLogger("sez_metrics.app.serverguard")

# Session-state keys of a sign-in: the steward name signed in with (password), when they signed in
# and when the Data page last ran for them (time.time()), and why an OIDC sign-in ended (kept until
# they sign out at the provider, whose cookie would otherwise sign them straight back in).
STEWARD_KEY = "steward_name"
SIGNED_IN_AT_KEY = "steward_signed_in_at"
LAST_SEEN_KEY = "steward_last_seen"
OIDC_ENDED_KEY = "steward_oidc_ended"


class _Status:
    """What ``install()`` achieved, once per process."""

    lock = threading.Lock()
    attempted = False
    uploads = False
    clear_cache = False


def session_status(state: Mapping, user: Mapping, secrets: Mapping, now: float | None = None) -> tuple[auth.Steward | None, str | None]:
    """The data steward signed in to a session (its state and ``st.user``), checked against the
    secrets and the sign-in time limits (``auth.session_end_reason``); with why the sign-in ended
    when it did. Reads the state, never changes it (the Data page does)."""
    now = time.time() if now is None else now
    mode = auth.sign_in_mode(secrets)
    if mode == "oidc":
        steward = auth.steward_from_oidc(user, secrets).steward
        if steward is None:
            return None, None
        if state.get(OIDC_ENDED_KEY):
            return None, str(state.get(OIDC_ENDED_KEY))
        issued = user.get("iat")  # when the provider signed them in: the absolute limit holds across reloads
        signed_in_at = issued if isinstance(issued, int | float) else state.get(SIGNED_IN_AT_KEY, now)
    else:
        name = state.get(STEWARD_KEY)
        if not (mode == "password" and name and name in auth.password_accounts(secrets)):
            return None, None
        steward = auth.Steward(name, "password", auth.display_names(secrets).get(name, ""))
        signed_in_at = state.get(SIGNED_IN_AT_KEY, now)
    ended = auth.session_end_reason(signed_in_at, state.get(LAST_SEEN_KEY, now), now)
    return (None, ended) if ended else (steward, None)


def session_steward(state: Mapping, user: Mapping, secrets: Mapping) -> auth.Steward | None:
    """The data steward signed in to a session, or None (``session_status`` without the reason).

    The one answer to "is this session a steward's": the Data page and the upload guard both ask it.
    """
    return session_status(state, user, secrets)[0]


# --- uploads ------------------------------------------------------------------------------------


class UploadRefused(Exception):
    """Raised by the guarded manager; turned into an HTTP 403 by the server (see ``_refusal``)."""


def _refusal(reason: str) -> Exception:
    try:  # the server answers a starlette HTTPException with its status code
        from starlette.exceptions import HTTPException
    except ImportError:  # pragma: no cover - another server: any exception still refuses the file
        return UploadRefused(reason)
    return HTTPException(status_code=403, detail=reason)


class _SessionView(Mapping):
    """Read-only ``Mapping`` over a live ``SessionState`` (user keys only)."""

    def __init__(self, state) -> None:
        self._state = state

    def __getitem__(self, key):
        if key not in self._state:
            raise KeyError(key)
        return self._state[key]

    def __iter__(self) -> Iterator:
        return iter(())

    def __len__(self) -> int:
        return 0


def _read_secrets() -> dict:
    import streamlit as st

    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no (valid) secrets file: nobody is a steward
        return {}


def _steward_of_session(session_id: str) -> auth.Steward | None:
    session = _server_runtime().get_app_session(session_id)
    if session is None:
        return None
    user = dict(getattr(session, "_user_info", None) or {})
    return session_steward(_SessionView(session.session_state), user, _read_secrets())


def _held(manager, session_id: str, replacing: str) -> tuple[int, int]:
    """Files and bytes the session holds (MemoryUploadedFileManager's storage), but the one replaced."""
    with manager._lock:
        files = dict(manager.file_storage.get(session_id) or {})
    files.pop(replacing, None)
    return len(files), sum(len(f.data) for f in files.values())


def check_upload(manager, session_id: str, file) -> str | None:
    """Why ``file`` may not be stored for ``session_id``, or None when it may."""
    try:
        steward = _steward_of_session(session_id)
        files, size = _held(manager, session_id, file.file_id)
    except Exception:  # internals moved or state unreadable: refuse rather than guess
        LOGGER.exception("upload guard: cannot check session %s; upload refused", session_id)
        return "uploads are refused: the server cannot check the sign-in"
    if steward is None:
        return "only a signed-in data steward can upload"
    if files + 1 > settings.MAX_UPLOAD_FILES_PER_SESSION:
        return f"this session already holds {files} uploaded files (limit {settings.MAX_UPLOAD_FILES_PER_SESSION}); remove some first"
    if size + len(file.data) > settings.MAX_UPLOAD_BYTES_PER_SESSION:
        return (f"this session's uploads would exceed {settings.MAX_UPLOAD_BYTES_PER_SESSION // 2**20} MB "
                "(remove some files first)")
    return None


_REFUSED_SESSIONS: OrderedDict[str, None] = OrderedDict()


def _log_refusal(session_id: str, reason: str) -> None:
    """Log the first refusal per session only: a flood must not flood the log too."""
    if session_id in _REFUSED_SESSIONS:
        return
    _REFUSED_SESSIONS[session_id] = None
    if len(_REFUSED_SESSIONS) > 1000:
        _REFUSED_SESSIONS.popitem(last=False)
    LOGGER.warning("upload refused for session %s: %s (further refusals not logged)", session_id, reason)


def _guarded_subclass(base: type) -> type:
    """``base`` (the runtime's uploaded-file manager class) with ``add_file`` checked first."""

    def add_file(self, session_id: str, file) -> None:
        reason = check_upload(self, session_id, file)
        if reason is not None:
            _log_refusal(session_id, reason)
            raise _refusal(reason)
        base.add_file(self, session_id, file)

    # Empty __slots__: the same instance layout, so the live manager's class can be swapped in place.
    return type(f"Guarded{base.__name__}", (base,), {"__slots__": (), "add_file": add_file, "sez_guarded": True})


def _server_runtime():
    """The runtime of a real server, or None (bare mode; AppTest runs scripts on a mock runtime)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    runtime = Runtime.instance()
    return runtime if type(runtime) is Runtime else None


def _guard_uploads() -> bool:
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    manager = _server_runtime().uploaded_file_mgr
    if getattr(manager, "sez_guarded", False):
        return True
    # The upload route holds this very object, so it is guarded in place or refuses everything.
    try:
        if type(manager) is not MemoryUploadedFileManager or not hasattr(manager, "file_storage"):
            raise TypeError(f"unexpected uploaded-file manager {type(manager)!r}")
        manager.__class__ = _guarded_subclass(MemoryUploadedFileManager)
    except Exception:
        LOGGER.exception("upload guard could not be installed; every upload is refused")
        manager.add_file = _refuse_all  # type: ignore[method-assign]
        return False
    return True


def _refuse_all(session_id: str, file) -> None:
    raise _refusal("uploads are switched off on this server")


# --- clear_cache --------------------------------------------------------------------------------


def _ignore_clear_cache(self) -> None:
    LOGGER.info("clear_cache request from session %s ignored (caches are keyed by immutable versions)", getattr(self, "id", "?"))


def _guard_clear_cache() -> bool:
    from streamlit.runtime.app_session import AppSession

    if not callable(getattr(AppSession, "_handle_clear_cache_request", None)):
        LOGGER.error("clear_cache guard: AppSession has no _handle_clear_cache_request; message handling changed")
        return False
    AppSession._handle_clear_cache_request = _ignore_clear_cache
    return True


def install() -> None:
    """Install the upload and clear_cache guards (once per process; cheap afterwards)."""
    if _Status.attempted:
        return
    with _Status.lock:
        if _Status.attempted or _server_runtime() is None:  # no server: no endpoint to guard
            return
        for name, guard in (("uploads", _guard_uploads), ("clear_cache", _guard_clear_cache)):
            try:
                setattr(_Status, name, guard())
            except Exception:  # log once; uploads stay refused (see uploads_guarded)
                LOGGER.exception("server guard %s could not be installed", name)
        _Status.attempted = True


def uploads_guarded() -> bool:
    """Whether uploads are safe to offer: the guard is in place, or there is no server (AppTest)."""
    return _Status.uploads or _server_runtime() is None


# --- costly work --------------------------------------------------------------------------------

_COSTLY = threading.BoundedSemaphore(settings.MAX_CONCURRENT_COSTLY)


@contextmanager
def costly() -> Iterator[None]:
    """Hold one of the process's ``MAX_CONCURRENT_COSTLY`` slots for a costly computation."""
    with _COSTLY:
        yield


_PACKS = threading.BoundedSemaphore(settings.MAX_CONCURRENT_PACKS)


@contextmanager
def pack_slot() -> Iterator[None]:
    """Hold one of the process's ``MAX_CONCURRENT_PACKS`` slots for building a briefing pack: packs
    queue behind each other, never in front of a page's own costly work (``costly()``)."""
    with _PACKS:
        yield


class RenderBudget:
    """At most ``limit`` distinct keys per ``window`` seconds; a key already granted stays granted.

    Presenter figures for a new zone selection cost a chromium render: past the budget they are
    drawn by the viewer's browser instead.
    """

    def __init__(self, limit: int, window: float = 3600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._granted: OrderedDict[Hashable, float] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: Hashable) -> bool:
        now = self._clock()
        with self._lock:
            while self._granted and next(iter(self._granted.values())) <= now - self.window:
                self._granted.popitem(last=False)
            if key in self._granted:
                return True
            if len(self._granted) >= self.limit:
                return False
            self._granted[key] = now
            return True


PRESENTER_RENDERS = RenderBudget(settings.MAX_PRESENTER_RENDERS_PER_HOUR)
