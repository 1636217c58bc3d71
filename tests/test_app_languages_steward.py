"""The Changes and Data pages (the steward's workspace too) read entirely in Chinese and Urdu.

Every text the pages render — markdown, captions, alerts, widget labels, options, placeholders and
help, table headers and the words in table cells — holds no English word once the data (the
version's cells and the uploaded CSVs) and the names written alike in every language are taken out.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from support.pages import rendered_texts, run_page, walk
from support.stores import MINI
from support.translated import data_strings, untranslated

from sez_metrics.core import schema
from sez_metrics.core.text import md_escape
from sez_metrics.steward import passwords
from sez_metrics.storage.folder import VersionStore

APP = Path(__file__).parents[1] / "app.py"
STEWARD_FIXTURES = MINI.parent / "steward"
PASSWORD = "correct horse battery"
SCRIPTS = {"zh": re.compile(r"[\u4e00-\u9fff]"), "ur": re.compile(r"[\u0600-\u06ff]")}
LANGUAGES = ["zh", "ur"]

# Identifiers a steward types into the files, shown as they are: the tables' column names
# ("keyed by zone_id"), their file names and the version ids.
# ("keyed by zone_id"), their file names, the codes of their coded columns; and the names of files,
# folders, formats and programs the pages name as they are (the zip's folders, the password hash).
IDENTIFIERS = sorted({c for t in schema.TABLES.values() for c in t.column_names}
                     | {t.file_name for t in schema.TABLES.values()}
                     | {c.code for e in schema.ENUMERATIONS for c in e.codes}
                     | {"original/", "for-spreadsheets/", "manifest-entry.json", "SHA256SUMS", "column-guide.csv", "sha256",
                        "argon2", "Excel", "JCC-15"}, key=len, reverse=True)
STEWARD = ("ayesha", "Ayesha Khan")  # the account signed in with: data, like the version's authors


@pytest.fixture(scope="module")
def password_hash() -> str:
    return passwords.hash_password(PASSWORD)


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch):
    monkeypatch.setattr(passwords, "THROTTLE", passwords.SignInThrottle())


def main_area(at: AppTest) -> SimpleNamespace:
    """The page itself, without the sidebar (the language switch and the version picker are app/context's)."""
    return SimpleNamespace(_tree=at.main)


def widget_texts(at: AppTest) -> list[str]:
    """Labels, options, placeholders and help of every widget, and the help of download buttons."""
    texts = []
    for node in walk(at.main):
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", None) in ("markdown", "dataframe", "arrow_data_frame"):
            continue
        for attr in ("label", "placeholder", "help"):
            value = getattr(proto, attr, None)
            if isinstance(value, str) and value:
                texts.append(value)
        options = getattr(node, "options", None)
        if options:
            texts += [str(o) for o in options]
    return texts


def table_texts(at: AppTest) -> list[str]:
    """The headers and the text cells of every table on the page."""
    texts = []
    for frame in at.dataframe:
        value: pd.DataFrame = frame.value
        texts += [str(c) for c in value.columns]
        for column in value.columns:
            texts += [str(v) for v in value[column].dropna() if isinstance(v, str)]
    return texts


def store_frames(root: Path) -> list[pd.DataFrame]:
    """Every version's three tables, and the manifest's labels, notes and authors."""
    store = VersionStore(root)
    frames = []
    for info in store.versions():
        dataset = store.load(info.id).exact(info.id)
        frames += [dataset.zones, dataset.status, dataset.milestones]
        frames.append(pd.DataFrame([{"id": info.id, "label": info.label, "note": info.note, "author": info.author}]))
    return frames


def assert_translated(at: AppTest, lang: str, frames: list[pd.DataFrame]) -> None:
    assert not at.exception, [e.value for e in at.exception]
    texts = rendered_texts(main_area(at)) + widget_texts(at) + table_texts(at)
    data = data_strings(frames)
    # Data shown in markdown is escaped there ("JCC\-11"): take it out in both forms.
    data = sorted({*data, *(md_escape(v) for v in data), *IDENTIFIERS, *(md_escape(v) for v in IDENTIFIERS), *STEWARD}, key=len, reverse=True)
    left = untranslated(texts, data)
    assert not left, "untranslated:\n" + "\n".join(f"{words}: {text!r}" for text, words in left)
    assert any(SCRIPTS[lang].search(t) for t in texts), f"no {lang} script on the page"


# --- Changes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_changes_default_compare(mini_store, lang):
    at = run_page("changes", lang=lang)
    assert at.expander, "the summary by zone is shown"
    assert_translated(at, lang, store_frames(mini_store))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_changes_chosen_compare_backwards(mini_store, lang):
    at = run_page("changes", lang=lang, version="v0001", compare="v0002")
    assert at.expander
    assert_translated(at, lang, store_frames(mini_store))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_changes_same_version_and_first_version(mini_store, lang):
    at = run_page("changes", lang=lang, version="v0002", compare="v0002")
    assert_translated(at, lang, store_frames(mini_store))
    at = run_page("changes", lang=lang, version="v0001")
    assert_translated(at, lang, store_frames(mini_store))


# --- Data -------------------------------------------------------------------------------------


def data_page(lang: str, secrets: dict) -> AppTest:
    """The Data page in ``lang`` with the given secrets (always set: a developer's own never leak in)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.switch_page("pages/data.py")
    at.query_params["lang"] = lang
    return at.run()


def steward_secrets(password_hash: str) -> dict:
    return {"stewards": {"ayesha": {"password_hash": password_hash, "display_name": "Ayesha Khan"}}}


def signed_in(lang: str, password_hash: str) -> AppTest:
    at = data_page(lang, steward_secrets(password_hash))
    at.text_input(key="sign_in_name").set_value("ayesha")
    at.text_input(key="sign_in_password").set_value(PASSWORD)
    [submit] = [b for b in at.button if b.proto.is_form_submitter]
    at = submit.click().run()
    assert at.button(key="steward_sign_out"), "signed in"
    return at


def uploaded(at: AppTest, case: str) -> tuple[AppTest, pd.DataFrame]:
    path = STEWARD_FIXTURES / case / "status.csv"
    at.file_uploader[0].set_value([("status.csv", path.read_bytes(), "text/csv")])
    return at.run(), pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_data_history_downloads_and_sign_in(mini_store, password_hash, lang):
    at = data_page(lang, steward_secrets(password_hash))
    assert at.dataframe, "the version history is shown"
    assert_translated(at, lang, store_frames(mini_store))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_data_without_stewards(mini_store, lang):
    at = data_page(lang, {})
    assert_translated(at, lang, store_frames(mini_store))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_workspace_upload_with_problems(mini_store, password_hash, lang):
    at, upload = uploaded(signed_in(lang, password_hash), "invalid")
    assert any(b.proto.disabled for b in at.button if b.proto.is_form_submitter), "publishing is disabled"
    assert len(at.dataframe) >= 2, "the files and the problems are listed"
    assert_translated(at, lang, [*store_frames(mini_store), upload])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_workspace_clean_upload_previews_the_change(mini_store, password_hash, lang):
    at, upload = uploaded(signed_in(lang, password_hash), "valid")
    assert at.expander, "every changed cell is offered"
    assert_translated(at, lang, [*store_frames(mini_store), upload])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sign_in_refused_and_a_file_rejected(mini_store, password_hash, lang):
    at = data_page(lang, steward_secrets(password_hash))
    at.text_input(key="sign_in_name").set_value("ayesha")
    at.text_input(key="sign_in_password").set_value("wrong horse")
    [submit] = [b for b in at.button if b.proto.is_form_submitter]
    at = submit.click().run()
    assert at.error, "the refusal is shown"
    assert_translated(at, lang, store_frames(mini_store))
    at = signed_in(lang, password_hash)
    at.file_uploader[0].set_value([("Zones.csv", b"zone_id\n", "text/csv")])
    at = at.run()
    assert any(md_escape("Zones.csv") in e.value for e in at.error), "the rejected file is named"
    assert_translated(at, lang, [*store_frames(mini_store), pd.DataFrame({"file": ["Zones.csv"]})])
