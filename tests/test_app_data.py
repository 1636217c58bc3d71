"""The Data page in AppTest: history and downloads for everyone, the steward's upload → review → publish."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.hostile import HOSTILE_NAME, HOSTILE_SHORT
from support.stores import MINI

from sez_metrics.core.text import md_escape
from sez_metrics.render import export
from sez_metrics.steward import passwords, workspace
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.publish import publish

APP = Path(__file__).parents[1] / "app.py"
STEWARD_FIXTURES = MINI.parent / "steward"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def password_hash() -> str:
    return passwords.hash_password(PASSWORD)


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch):
    """The sign-in throttle is process-wide: give each test its own so failures do not leak between tests."""
    monkeypatch.setattr(passwords, "THROTTLE", passwords.SignInThrottle())


@pytest.fixture
def downloaded(monkeypatch):
    """Read the bytes behind a download button: AppTest keeps them in a per-run in-memory media store."""
    import streamlit.testing.v1.app_test as app_test_module

    stores = []

    class RecordingStorage(app_test_module.MemoryMediaFileStorage):
        def __init__(self, media_endpoint: str) -> None:
            super().__init__(media_endpoint)
            stores.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)

    def read(at: AppTest, label_part: str) -> bytes:
        url = next(d.proto.url for d in at.get("download_button") if label_part in d.proto.label)
        return stores[-1].get_file(url.rsplit("/", 1)[1]).content

    return read


def data_page(secrets: dict) -> AppTest:
    """The Data page with the given secrets (always set, so a developer's own secrets file never leaks in)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    return at.switch_page("pages/data.py").run()


def steward_secrets(password_hash: str, display_name: str | None = "Ayesha Khan") -> dict:
    entry = {"password_hash": password_hash}
    if display_name is not None:
        entry["display_name"] = display_name
    return {"stewards": {"ayesha": entry}}


def button(at: AppTest, label_part: str):
    matches = [b for b in at.button if label_part in b.label]
    assert matches, f"no button with {label_part!r} among {[b.label for b in at.button]}"
    return matches[0]


def sign_in(at: AppTest, name: str = "ayesha", password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in_name").set_value(name)
    at.text_input(key="sign_in_password").set_value(password)
    return button(at, "Sign in").click().run()


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, "text/csv") for name, data in files])
    return at.run()


def fixture_file(case: str, name: str) -> tuple[str, bytes]:
    return name, (STEWARD_FIXTURES / case / name).read_bytes()


def texts(at: AppTest) -> list[str]:
    """Every markdown-rendered string on the page (markdown, captions, alerts, headers)."""
    found = []
    for kind in ("markdown", "caption", "success", "info", "warning", "error", "title", "header", "subheader"):
        found += [str(e.value) for e in getattr(at, kind)]
    return found


# The payloads as markdown would read them: a tag or a link whose characters are not backslash-escaped.
LIVE_MARKUP = re.compile(r"(?<!\\)<img|(?<!\\)\]\(javascript")


def assert_no_live_markup(shown: list[str]) -> None:
    for text in shown:
        assert not LIVE_MARKUP.search(text), f"unescaped markup in {text!r}"


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def table(at: AppTest, column: str):
    """The first table shown with ``column`` (AppTest gives tables no key)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def publish_button(at: AppTest):
    return button(at, "Publish")


# --- everyone -----------------------------------------------------------------------------------


def test_viewer_sees_history_and_downloads_but_no_upload_or_publish(mini_store, password_hash):
    at = data_page(steward_secrets(password_hash))
    no_errors(at)
    history = table(at, "integrity")
    assert list(history["version"]) == ["v0002", "v0001"]
    assert list(history["integrity"]) == ["✓ intact", "✓ intact"]
    assert list(history["label"]) == ["Before JCC-11", "Before JCC-10"]
    assert {"as of", "published", "author", "note"} <= set(history.columns)
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["⬇️ Version history (CSV)", "📦 Download v0002 (zip)", "📄 Download empty templates (zip)"]
    assert len(at.file_uploader) == 0
    assert not [b for b in at.button if "Publish" in b.label]
    assert [t.label for t in at.text_input] == ["Steward name", "Password"]


def test_viewer_is_refused_by_the_service_whatever_the_page_shows(mini_store):
    files = {"status.csv": (STEWARD_FIXTURES / "valid" / "status.csv").read_bytes()}
    with pytest.raises(workspace.PermissionDenied):
        workspace.publish_as(None, mini_store, files, based_on="v0002", note="viewer")
    assert [v.id for v in VersionStore(mini_store).versions()] == ["v0001", "v0002"]


def test_damaged_version_is_marked_and_not_offered_for_download(mini_store, password_hash):
    path = mini_store / "versions" / "v0001" / "zones.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    at = data_page(steward_secrets(password_hash))
    history = table(at, "integrity")
    assert dict(zip(history["version"], history["integrity"], strict=True)) == {"v0002": "✓ intact", "v0001": "✗ damaged"}
    at.selectbox(key="download_version_v0002").set_value("v0001").run()
    assert any("v0001 failed its integrity check" in w for w in texts(at))
    assert not [d for d in at.get("download_button") if "zip" in d.proto.label and "v0001" in d.proto.label]


def test_damage_after_a_first_run_is_marked_on_the_next_run(mini_store, password_hash):
    at = data_page(steward_secrets(password_hash))
    assert list(table(at, "integrity")["integrity"]) == ["✓ intact", "✓ intact"]
    path = mini_store / "versions" / "v0001" / "status.csv"
    data = bytearray(path.read_bytes())
    data[60] ^= 0x01  # same size: only the sha256 tells
    path.write_bytes(bytes(data))
    at.run()
    history = table(at, "integrity")
    assert dict(zip(history["version"], history["integrity"], strict=True)) == {"v0002": "✓ intact", "v0001": "✗ damaged"}
    assert any("v0001" in t.value and "status.csv" in t.value for t in at.text)


def test_a_version_published_after_a_first_run_is_listed_on_the_next_run(mini_store, password_hash):
    at = data_page(steward_secrets(password_hash))
    publish(mini_store, {"status.csv": (STEWARD_FIXTURES / "valid" / "status.csv").read_bytes()}, author="bilal",
            note="meanwhile", label="Bilal's update", based_on="v0002")
    at.run()
    no_errors(at)
    history = table(at, "integrity")
    assert list(history["version"]) == ["v0003", "v0002", "v0001"]
    assert set(history["integrity"]) == {"✓ intact"}


def test_at_a_thousand_zones_the_page_lists_every_version_and_builds_no_zip_until_asked(scale_store, password_hash,
                                                                                      monkeypatch, downloaded):
    built = []
    real_zip, real_templates = export.version_zip, export.templates_zip
    monkeypatch.setattr(export, "version_zip", lambda store, vid: built.append(vid) or real_zip(store, vid))
    monkeypatch.setattr(export, "templates_zip", lambda: built.append("templates") or real_templates())
    at = data_page(steward_secrets(password_hash))
    no_errors(at)
    versions = [v.id for v in VersionStore(scale_store).versions()]
    history = table(at, "integrity")
    assert list(history["version"]) == versions[::-1] and set(history["integrity"]) == {"✓ intact"}
    assert f"📦 Download {versions[-1]} (zip)" in [d.proto.label for d in at.get("download_button")]
    at.run()
    assert built == [], "a version zip (or the templates) is built only when its button is clicked"
    assert len(downloaded(at, "Version history").decode("utf-8-sig").splitlines()) == len(versions) + 1


def test_without_stewards_the_page_says_how_to_add_one(mini_store):
    at = data_page({"stewards": {}})
    no_errors(at)
    assert any('add-steward NAME --display-name "FULL NAME" --password-stdin' in i.value for i in at.info)
    assert len(at.text_input) == 0 and len(at.file_uploader) == 0


def test_plain_text_passwords_in_the_secrets_are_refused_and_counted_not_named(mini_store):
    at = data_page({"stewards": {"mallory": {"password": "let me in please"}}})
    assert len(at.text_input) == 0 and len(at.file_uploader) == 0
    warning = next(w.value for w in at.warning if "password_hash" in w.value)
    assert warning.startswith("1 steward entry") and "mallory" not in warning


# --- signing in ---------------------------------------------------------------------------------


def test_wrong_password_and_unknown_steward_get_one_message(mini_store, password_hash):
    at = sign_in(data_page(steward_secrets(password_hash)), password="not the password")
    assert [e.value for e in at.error] == [passwords.SIGN_IN_FAILED]
    at = sign_in(at, name="mallory", password=PASSWORD)
    assert [e.value for e in at.error] == [passwords.SIGN_IN_FAILED]
    assert len(at.file_uploader) == 0


def test_repeated_failures_lock_the_form_for_a_while(mini_store, password_hash):
    at = data_page(steward_secrets(password_hash))
    for _ in range(passwords.THROTTLE.free_attempts):
        at = sign_in(at, password="not the password")
    at = sign_in(at)  # the right password, too soon
    assert "Too many failed sign-ins" in at.error[0].value
    assert len(at.file_uploader) == 0


def test_removing_a_steward_ends_their_session(mini_store, password_hash):
    at = sign_in(data_page(steward_secrets(password_hash)))
    assert len(at.file_uploader) == 1
    at.secrets["stewards"] = {}
    at.run()
    assert len(at.file_uploader) == 0


def test_an_idle_sign_in_ends_after_the_idle_limit(mini_store, password_hash):
    import time

    from sez_metrics.core import settings

    at = sign_in(data_page(steward_secrets(password_hash)))
    assert len(at.file_uploader) == 1
    at.session_state["steward_last_seen"] = time.time() - settings.STEWARD_IDLE_MINUTES * 60 - 1
    at.run()
    assert len(at.file_uploader) == 0
    assert any(f"after {settings.STEWARD_IDLE_MINUTES} minutes without activity" in i.value for i in at.info)
    assert [t.label for t in at.text_input] == ["Steward name", "Password"]
    at.run()
    assert len(at.file_uploader) == 0, "still signed out on the next run"


def test_an_active_sign_in_ends_after_the_absolute_limit(mini_store, password_hash):
    import time

    from sez_metrics.core import settings

    at = sign_in(data_page(steward_secrets(password_hash)))
    at.session_state["steward_signed_in_at"] = time.time() - settings.STEWARD_MAX_HOURS * 3600 - 1
    at.run()  # active a moment ago, but signed in too long ago
    assert len(at.file_uploader) == 0
    assert any(f"at most {settings.STEWARD_MAX_HOURS} hours" in i.value for i in at.info)
    at = sign_in(at)
    assert len(at.file_uploader) == 1, "signing in again starts a new sign-in"


def test_without_a_display_name_the_author_is_neutral_and_the_steward_is_told(mini_store, password_hash):
    at = sign_in(data_page(steward_secrets(password_hash, display_name=None)))
    assert any("no display name" in i.value and "Data steward" in i.value for i in at.info)
    at = upload(at, fixture_file("valid", "status.csv"))
    at.text_area(key="ws_note").set_value("legacy account")
    at = publish_button(at).click().run()
    no_errors(at)
    assert VersionStore(mini_store).latest().author == "Data steward"


# --- upload, review, publish --------------------------------------------------------------------


def test_steward_uploads_reviews_and_publishes_once(mini_store, password_hash):
    at = sign_in(data_page(steward_secrets(password_hash)))
    no_errors(at)
    assert any("Signed in as **ayesha**" in m for m in texts(at))
    at = upload(at, fixture_file("valid", "status.csv"))
    no_errors(at)
    shown = "\n".join(texts(at))
    assert "**Validation:** 0 error(s) · 0 warning(s)" in shown
    assert md_escape("stage Identified → Land acquired") in shown
    assert md_escape("colonization 35 → 41 % (+6 points)") in shown
    cells = table(at, "old")
    assert ("mirpur", "stage", "identified", "land_acquired") in set(zip(cells["key"], cells["column"], cells["old"], cells["new"], strict=True))
    assert not publish_button(at).disabled
    at.text_input(key="ws_label").set_value("Update before JCC-12")
    at.text_area(key="ws_note").set_value("Mirpur land acquired; Rashakai grid connected")
    at = publish_button(at).click().run()
    no_errors(at)

    store = VersionStore(mini_store)
    assert [v.id for v in store.versions()] == ["v0001", "v0002", "v0003"]
    assert store.verify() == []
    info = store.latest()
    assert (info.author, info.label, info.parent) == ("Ayesha Khan", "Update before JCC-12", "v0002"), \
        "the display name is the author: the sign-in name never reaches the public history"
    assert any("Published v0003" in s.value for s in at.success)
    assert "v0003" in at.caption[0].value, "the page now shows the new version"
    assert at.session_state["_version_picker"] == "v0003"
    assert not [b for b in at.button if "Publish" in b.label], "no second publish for the same update"
    at.run()  # a rerun (or a late second click) publishes nothing more
    assert [v.id for v in store.versions()] == ["v0001", "v0002", "v0003"]

    assert at.selectbox(key="download_version_v0003").value == "v0003", "downloads follow the new version"

    at = button(at, "Start a new update").click().run()
    assert len(at.file_uploader) == 1 and not at.file_uploader[0].value


def test_a_pinned_earlier_version_stays_pinned_after_publishing(mini_store, password_hash):
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in steward_secrets(password_hash).items():
        at.secrets[key] = value
    at.query_params["version"] = "v0001"
    at = sign_in(at.switch_page("pages/data.py").run())
    at = upload(at, fixture_file("valid", "status.csv"))
    at.text_area(key="ws_note").set_value("published while viewing v0001")
    at = publish_button(at).click().run()
    no_errors(at)
    assert VersionStore(mini_store).latest().id == "v0003"
    assert "v0001" in at.caption[0].value and at.query_params["version"] == "v0001"
    assert any("You are viewing the earlier version v0001" in s.value for s in at.success)


def test_sign_out_removes_the_workspace(mini_store, password_hash):
    at = upload(sign_in(data_page(steward_secrets(password_hash))), fixture_file("valid", "status.csv"))
    at = button(at, "Sign out").click().run()
    assert len(at.file_uploader) == 0 and [t.label for t in at.text_input] == ["Steward name", "Password"]
    assert "ws_review" not in at.session_state


def test_invalid_upload_shows_its_errors_and_writes_nothing(mini_store, password_hash):
    manifest = (mini_store / "manifest.json").read_bytes()
    at = upload(sign_in(data_page(steward_secrets(password_hash))), fixture_file("invalid", "status.csv"))
    assert "**Validation:** 2 error(s) · 0 warning(s)" in texts(at)
    report = table(at, "severity")
    assert list(zip(report["file"], report["line"], report["column"], strict=True)) == [
        ("status.csv", 4, "colonization_pct"), ("status.csv", 4, "stage")]
    assert set(report.columns) == {"severity", "file", "line", "column", "value", "message", "fix"}
    assert any("publishing is disabled" in e.value for e in at.error)
    assert publish_button(at).disabled
    assert (mini_store / "manifest.json").read_bytes() == manifest
    assert sorted(p.name for p in (mini_store / "versions").iterdir()) == ["v0001", "v0002"]


def test_a_wrongly_named_file_is_rejected_by_name(mini_store, password_hash):
    at = upload(sign_in(data_page(steward_secrets(password_hash))), ("Status (1).csv", b"zone_id\n"))
    assert any(md_escape("did you mean status.csv?") in e.value for e in at.error)
    assert publish_button(at).disabled


@pytest.mark.parametrize("name, hint", [
    ("update.zip", "unzip it and upload the CSV files inside"),
    ("status.exe", "a .exe file is not a CSV table"),
    ("status.csv ", "did you mean status.csv?"),  # a trailing space
    ("status\x00.csv", "did you mean status.csv?"),  # a NUL: Streamlit's own check raised here
    ("status.CSV", "did you mean status.csv?"),
    ("\u202evsc.sutats", "not a dataset file"),
    ("x" * 300 + ".csv", "not a dataset file"),
])
def test_odd_upload_names_get_the_apps_own_message_never_an_exception_box(mini_store, password_hash, name, hint):
    """The finding: .zip, .exe, a trailing space or a NUL raised a StreamlitAPIException box."""
    at = upload(sign_in(data_page(steward_secrets(password_hash))), (name, b"zone_id\n"))
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error if "“" in e.value[:3]]
    assert len(errors) == 1 and md_escape(hint) in errors[0], [e.value for e in at.error]
    assert "\x00" not in errors[0] and "\u202e" not in errors[0], "the name is shown escaped"
    assert "x" * 41 not in errors[0], "and shortened"
    assert publish_button(at).disabled


def test_hostile_zone_names_are_literal_text_everywhere(mini_store, password_hash):
    at = upload(sign_in(data_page(steward_secrets(password_hash))), fixture_file("hostile", "zones.csv"))
    no_errors(at)
    shown = texts(at)
    assert any(md_escape(HOSTILE_SHORT) in t for t in shown), "the zone appears in the summary, escaped"
    assert any(md_escape(HOSTILE_NAME) in t for t in shown)
    assert_no_live_markup(shown)
    cells = table(at, "old")
    assert HOSTILE_NAME in set(cells["new"]), "st.dataframe shows the raw value (as text)"
    at.text_input(key="ws_label").set_value(HOSTILE_SHORT)
    at.text_area(key="ws_note").set_value(HOSTILE_NAME)
    at = publish_button(at).click().run()
    no_errors(at)
    assert_no_live_markup(texts(at))
    history = table(at, "integrity")
    assert history.iloc[0]["label"] == HOSTILE_SHORT and history.iloc[0]["note"] == HOSTILE_NAME


def test_exported_change_table_neutralises_formula_cells(mini_store, password_hash, downloaded):
    at = upload(sign_in(data_page(steward_secrets(password_hash))), fixture_file("formula", "status.csv"))
    no_errors(at)
    rows = list(csv.DictReader(io.StringIO(downloaded(at, "Changed cells").decode("utf-8-sig"))))
    values = {(r["key"], r["column"]): r["new"] for r in rows}
    assert values == {("aiic", "source"): "'@SUM(A1)", ("aiic", "note"): '\'=HYPERLINK("http://example.invalid","x")'}
    shown = table(at, "old")
    assert set(shown["new"]) == {"@SUM(A1)", '=HYPERLINK("http://example.invalid","x")'}, "the screen shows the value itself"


def test_exported_history_neutralises_a_formula_like_note(mini_store, password_hash, downloaded):
    publish(mini_store, {"status.csv": (STEWARD_FIXTURES / "valid" / "status.csv").read_bytes()}, author="bilal",
            note="=HYPERLINK(\"http://example.invalid\")", label="-5", based_on="v0002")
    at = data_page(steward_secrets(password_hash))
    rows = list(csv.DictReader(io.StringIO(downloaded(at, "Version history").decode("utf-8-sig"))))
    assert rows[0]["note"] == "'=HYPERLINK(\"http://example.invalid\")"
    assert rows[0]["label"] == "-5", "a number-like text stays as it is"


def test_someone_else_publishing_meanwhile_keeps_the_upload_for_review(mini_store, password_hash):
    at = upload(sign_in(data_page(steward_secrets(password_hash))), fixture_file("valid", "status.csv"))
    publish(mini_store, {"zones.csv": (STEWARD_FIXTURES / "hostile" / "zones.csv").read_bytes()}, author="bilal",
            note="renamed", label="Bilal's fix", based_on="v0002")
    at.text_area(key="ws_note").set_value("mine")
    at = publish_button(at).click().run()
    no_errors(at)
    warning = next(w.value for w in at.warning if "While you were reviewing" in w.value)
    assert "bilal" in warning and "v0003" in warning and md_escape("Bilal's fix") in warning
    assert [v.id for v in VersionStore(mini_store).versions()] == ["v0001", "v0002", "v0003"]
    assert [f.name for f in at.file_uploader[0].value] == ["status.csv"], "the upload stays"

    at = button(at, "Merge my changes onto v0003").click().run()
    no_errors(at)
    assert any("against v0003" in s.value for s in at.subheader)
    at.text_area(key="ws_note").set_value("mine, on top of Bilal's")
    at = publish_button(at).click().run()
    no_errors(at)
    latest = VersionStore(mini_store).latest()
    assert (latest.id, latest.parent, latest.author) == ("v0004", "v0003", "Ayesha Khan")


def test_publishing_without_a_note_is_refused_with_a_message(mini_store, password_hash):
    at = upload(sign_in(data_page(steward_secrets(password_hash))), fixture_file("valid", "status.csv"))
    at = publish_button(at).click().run()
    assert any("Write a note" in e.value for e in at.error)
    assert VersionStore(mini_store).latest().id == "v0002"


# --- OIDC ---------------------------------------------------------------------------------------

OIDC_SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
             "client_id": "dashboard", "client_secret": "y", "server_metadata_url": "https://idp.invalid/.well-known"},
    "stewards_allowlist": {"emails": ["ayesha@example.org"]},
}


def test_oidc_steward_on_the_allowlist_gets_the_workspace(mini_store):
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in OIDC_SECRETS.items():
        at.secrets[key] = value
    at.user = {"is_logged_in": True, "email": "ayesha@EXAMPLE.org", "email_verified": True, "name": "Ayesha Khan"}
    at.switch_page("pages/data.py").run()
    no_errors(at)
    assert len(at.file_uploader) == 1
    assert any(md_escape("ayesha@example.org") in m and md_escape("Ayesha Khan") in m for m in texts(at))


@pytest.mark.parametrize("claims", [
    {"email": "ayesha@example.org"},  # no email_verified claim
    {"email": "ayesha@example.org", "email_verified": "true"},
    {"email": "Ayesha@example.org", "email_verified": True},  # the local part is compared exactly
    {"email": "\u0430yesha@example.org", "email_verified": True},  # Cyrillic а
])
def test_oidc_unverified_or_look_alike_addresses_get_no_workspace(mini_store, claims):
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in OIDC_SECRETS.items():
        at.secrets[key] = value
    at.user = {"is_logged_in": True, **claims}
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert len(at.file_uploader) == 0
    assert any("not as a steward" in w.value for w in at.warning)


def test_oidc_user_off_the_allowlist_is_told_and_gets_no_upload(mini_store):
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in OIDC_SECRETS.items():
        at.secrets[key] = value
    at.user = {"is_logged_in": True, "email": "mallory@example.org", "email_verified": True}
    at.switch_page("pages/data.py").run()
    assert any("not on the steward allowlist" in w.value for w in at.warning)
    assert len(at.file_uploader) == 0


def test_oidc_signed_out_sees_a_sign_in_button_and_no_password_form(mini_store):
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in OIDC_SECRETS.items():
        at.secrets[key] = value
    at.user = {"is_logged_in": False}
    at.switch_page("pages/data.py").run()
    assert button(at, "Sign in")
    assert len(at.text_input) == 0 and len(at.file_uploader) == 0


def test_oidc_sign_in_older_than_the_absolute_limit_gets_no_workspace(mini_store):
    import time

    from sez_metrics.core import settings

    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in OIDC_SECRETS.items():
        at.secrets[key] = value
    issued = int(time.time()) - settings.STEWARD_MAX_HOURS * 3600 - 5
    at.user = {"is_logged_in": True, "email": "ayesha@example.org", "email_verified": True, "iat": issued}
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert len(at.file_uploader) == 0
    assert any(f"at most {settings.STEWARD_MAX_HOURS} hours" in w.value for w in at.warning)
    assert [b.label for b in at.button if "Sign in again" in b.label]


def test_an_idle_oidc_sign_in_stays_ended_until_signed_out(mini_store):
    import time

    from sez_metrics.core import settings

    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in OIDC_SECRETS.items():
        at.secrets[key] = value
    at.user = {"is_logged_in": True, "email": "ayesha@example.org", "email_verified": True}  # no iat claim
    at.switch_page("pages/data.py").run()
    assert len(at.file_uploader) == 1
    at.session_state["steward_last_seen"] = time.time() - settings.STEWARD_IDLE_MINUTES * 60 - 1
    at.run()
    assert len(at.file_uploader) == 0
    assert any("without activity" in w.value for w in at.warning)
    at.run()
    assert len(at.file_uploader) == 0, "the provider's cookie alone does not sign them back in"
    at.user = {"is_logged_in": False}  # "Sign in again": signed out at the provider…
    at.run()
    at.user = {"is_logged_in": True, "email": "ayesha@example.org", "email_verified": True}  # …and back in
    at.run()
    assert len(at.file_uploader) == 1


def test_steward_publishes_through_the_data_page_into_a_database_store(mini_store, password_hash, pg_url, monkeypatch):
    """The Data page on SEZ_STORE=postgresql://…: upload, review, publish; the version is in the
    database (verified, the steward's display name as author) and the page shows it."""
    from sez_metrics.storage.store import open_store
    from sez_metrics.storage.store_copy import copy_store

    copy_store(VersionStore(mini_store), open_store(pg_url))
    monkeypatch.setenv("SEZ_STORE", pg_url)
    at = sign_in(data_page(steward_secrets(password_hash)))
    no_errors(at)
    assert any("✓ intact" in str(v) for v in table(at, "integrity")["integrity"])
    at = upload(at, fixture_file("valid", "status.csv"))
    no_errors(at)
    assert "**Validation:** 0 error(s) · 0 warning(s)" in "\n".join(texts(at))
    at.text_input(key="ws_label").set_value("Update before JCC-12")
    at.text_area(key="ws_note").set_value("Mirpur land acquired; Rashakai grid connected")
    at = publish_button(at).click().run()
    no_errors(at)
    store = open_store(pg_url)
    assert [v.id for v in store.versions()] == ["v0001", "v0002", "v0003"]
    assert store.verify() == []
    assert (store.latest().author, store.latest().label) == ("Ayesha Khan", "Update before JCC-12")
    assert [v.id for v in VersionStore(mini_store).versions()] == ["v0001", "v0002"], "nothing went to the folder"
    assert any("Published v0003" in s.value for s in at.success)
    assert "v0003" in at.caption[0].value
