"""The server guard's installation on a real Streamlit ``Runtime`` (not started: no sockets).

The browser suite attacks a running server (tests/browser/test_server_guards.py); here the parts
that a running server cannot show: that the guard fails closed when Streamlit's uploaded-file
manager is not the one it knows, and that the Data page's steward check is the guard's.
"""

from __future__ import annotations

import pytest
from starlette.exceptions import HTTPException
from streamlit.runtime import Runtime, RuntimeConfig
from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from sez_metrics.app import serverguard
from sez_metrics.steward import auth, passwords


class OtherUploadManager(MemoryUploadedFileManager):
    """What a future Streamlit might ship instead: a manager the guard does not know."""


@pytest.fixture
def runtime_with(monkeypatch, tmp_path):
    """A real (unstarted) Runtime around the given uploaded-file manager; guard state reset around it."""
    monkeypatch.setattr(serverguard._Status, "attempted", False)
    monkeypatch.setattr(serverguard._Status, "uploads", False)
    monkeypatch.setattr(serverguard._Status, "clear_cache", False)
    from streamlit.runtime.app_session import AppSession

    monkeypatch.setattr(AppSession, "_handle_clear_cache_request", AppSession._handle_clear_cache_request)
    def make(manager):
        script = tmp_path / "app.py"
        script.write_text("")
        runtime = Runtime(RuntimeConfig(
            script_path=str(script), media_file_storage=MemoryMediaFileStorage("/media"),
            uploaded_file_manager=manager, cache_storage_manager=MemoryCacheStorageManager(),
            is_hello=False, session_storage=MemorySessionStorage(ttl_seconds=1),
        ))
        return runtime

    yield make
    Runtime._instance = None


def _file(size: int = 10) -> UploadedFileRec:
    return UploadedFileRec(file_id="f1", name="zones.csv", type="text/csv", data=b"x" * size)


def test_on_the_known_manager_an_upload_from_an_unknown_session_is_refused_with_403(runtime_with):
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    runtime_with(manager)

    serverguard.install()

    assert serverguard.uploads_guarded()
    with pytest.raises(HTTPException) as refused:
        manager.add_file("no-such-session", _file())
    assert refused.value.status_code == 403
    assert manager.get_files("no-such-session", ["f1"]) == []


def test_on_an_unknown_manager_the_guard_fails_closed(runtime_with, caplog):
    manager = OtherUploadManager("/_stcore/upload_file")
    runtime_with(manager)

    serverguard.install()
    serverguard.install()  # once per process: the second call does nothing (and logs nothing)

    assert not serverguard.uploads_guarded(), "the Data page must not offer uploads"
    with pytest.raises(HTTPException) as refused:
        manager.add_file("any-session", _file())
    assert refused.value.status_code == 403
    assert [r.getMessage() for r in caplog.records].count("upload guard could not be installed; every upload is refused") == 1


def test_without_a_server_there_is_nothing_to_guard(monkeypatch):
    monkeypatch.setattr(serverguard._Status, "attempted", False)
    Runtime._instance = None

    serverguard.install()

    assert serverguard.uploads_guarded() and not serverguard._Status.attempted


def test_a_session_is_a_stewards_only_with_a_live_account():
    password_hash = passwords.hash_password("correct horse battery staple")
    secrets = {"stewards": {"ayesha": {"password_hash": password_hash}}}
    assert serverguard.session_steward({serverguard.STEWARD_KEY: "ayesha"}, {}, secrets) == auth.Steward("ayesha", "password")
    assert serverguard.session_steward({serverguard.STEWARD_KEY: "removed"}, {}, secrets) is None
    assert serverguard.session_steward({}, {}, secrets) is None
    assert serverguard.session_steward({serverguard.STEWARD_KEY: "ayesha"}, {}, {}) is None


def test_a_session_past_its_sign_in_limits_is_no_stewards_for_the_upload_guard_either():
    secrets = {"stewards": {"ayesha": {"password_hash": "$argon2id$v=19$m=65536,t=3,p=4$x$y", "display_name": "Ayesha Khan"}}}
    now = 1_000_000.0
    fresh = {serverguard.STEWARD_KEY: "ayesha", serverguard.SIGNED_IN_AT_KEY: now - 60, serverguard.LAST_SEEN_KEY: now - 60}
    steward, ended = serverguard.session_status(fresh, {}, secrets, now)
    assert steward == auth.Steward("ayesha", "password", "Ayesha Khan") and ended is None
    idle = {**fresh, serverguard.LAST_SEEN_KEY: now - auth.STEWARD_IDLE_MINUTES * 60}
    assert serverguard.session_status(idle, {}, secrets, now)[0] is None
    assert "without activity" in serverguard.session_status(idle, {}, secrets, now)[1]
    old = {**fresh, serverguard.SIGNED_IN_AT_KEY: now - auth.STEWARD_MAX_HOURS * 3600}
    assert serverguard.session_status(old, {}, secrets, now)[0] is None
    oidc = {"auth": {"redirect_uri": "x"}, "stewards_allowlist": {"emails": ["ayesha@example.org"]}}
    user = {"is_logged_in": True, "email": "ayesha@example.org", "email_verified": True}
    assert serverguard.session_status({}, user, oidc, now)[0] is not None
    assert serverguard.session_status({serverguard.OIDC_ENDED_KEY: "ended"}, user, oidc, now) == (None, "ended")
    assert serverguard.session_status({}, {**user, "iat": now - auth.STEWARD_MAX_HOURS * 3600}, oidc, now)[0] is None
