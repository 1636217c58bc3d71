"""The Data page when stewards meet: the preview in the CLI's words, merge, conflicts, reverts, dating, re-uploads."""

from __future__ import annotations

import pytest
from support.stores import MINI
from test_app_data import (
    STEWARD_FIXTURES,
    button,
    data_page,
    fixture_file,
    no_errors,
    password_hash,  # noqa: F401  (a fixture)
    publish_button,
    sign_in,
    steward_secrets,
    table,
    upload,
)
from test_publish import edit_cell

from sez_metrics.core.change_summary import format_summary
from sez_metrics.core.diff import diff_versions
from sez_metrics.core.text import md_escape
from sez_metrics.steward import passwords
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.publish import publish


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch):
    monkeypatch.setattr(passwords, "THROTTLE", passwords.SignInThrottle())


def plain(at) -> list[str]:
    return [str(t.value) for t in at.text]


def v2_status(store_root) -> bytes:
    return (store_root / "versions" / "v0002" / "status.csv").read_bytes()


def test_preview_uses_the_command_lines_words_and_names_the_new_id(mini_store, password_hash):  # noqa: F811
    at = upload(sign_in(data_page(steward_secrets(password_hash))), fixture_file("valid", "status.csv"))
    no_errors(at)
    store = VersionStore(mini_store)
    # What `publish --dry-run` prints for the same file: the same heading, items and counts.
    shown = []
    publish(mini_store, {"status.csv": (STEWARD_FIXTURES / "valid" / "status.csv").read_bytes()}, author="x", note="x",
            based_on="v0002", dry_run=True, preview=shown.append)
    lines = format_summary(shown[0].diff)
    assert lines[0].startswith("Changes from v0002 “Before JCC-11” (as of 2022-10-15) to v0003 ")
    page = plain(at)
    assert lines[-1] in page
    assert "publishing as v0003" in page
    assert any(lines[0].split(" to v0003")[0] in t for t in page)
    assert [v.id for v in store.versions()] == ["v0001", "v0002"]


def test_as_of_is_prefilled_and_the_label_placeholder_is_an_example(mini_store, password_hash):  # noqa: F811
    at = upload(sign_in(data_page(steward_secrets(password_hash))), fixture_file("valid", "status.csv"))
    (as_of,) = [d for d in at.date_input if d.label == "Data as of"]
    assert str(as_of.value) == "2022-10-15"
    label = at.text_input(key="ws_label")
    assert label.value == "" and label.placeholder.startswith("e.g. ")


def test_meanwhile_merge_keeps_both_stewards_changes(mini_store, password_hash):  # noqa: F811
    at = upload(sign_in(data_page(steward_secrets(password_hash))), fixture_file("valid", "status.csv"))
    publish(mini_store, {"status.csv": edit_cell(v2_status(mini_store), "aiic", "jobs", "100")}, author="bilal",
            note="AIIC jobs", based_on="v0002")
    at.text_area(key="ws_note").set_value("mine")
    at = publish_button(at).click().run()
    at = button(at, "Merge my changes onto v0003").click().run()
    no_errors(at)
    assert any("your changes since v0002 applied on top of v0003" in i.value for i in at.info)
    assert "publishing as v0004" in plain(at)
    at.text_area(key="ws_note").set_value("mine, merged onto Bilal's")
    at = publish_button(at).click().run()
    no_errors(at)
    store = VersionStore(mini_store)
    latest = store.latest()
    assert (latest.id, latest.parent, latest.author) == ("v0004", "v0003", "Ayesha Khan")  # the display name, never the sign-in name
    status = store.load("v0004").dataset.status.set_index("zone_id")
    assert status.at["aiic", "jobs"] == 100  # Bilal's change survives
    assert status.at["mirpur", "stage"] == "land_acquired"  # ayesha's is in


def test_meanwhile_conflict_is_listed_and_nothing_can_be_published(mini_store, password_hash):  # noqa: F811
    at = upload(sign_in(data_page(steward_secrets(password_hash))), fixture_file("valid", "status.csv"))
    publish(mini_store, {"status.csv": edit_cell(v2_status(mini_store), "rashakai", "colonization_pct", "38")},
            author="bilal", note="Rashakai", based_on="v0002")
    at.text_area(key="ws_note").set_value("mine")
    at = publish_button(at).click().run()
    at = button(at, "Merge my changes onto v0003").click().run()
    assert any("1 conflicting cell(s)" in e.value for e in at.error)
    assert "rashakai colonization_pct: 41 → 38" in plain(at)
    assert publish_button(at).disabled
    assert VersionStore(mini_store).latest().id == "v0003"


def test_a_revert_needs_an_explicit_confirmation_and_is_recorded(mini_store, password_hash):  # noqa: F811
    """A file built from v0001 (with one edit) uploaded while v0002 is the latest undoes v0002's changes."""
    # Its rows re-dated to v0002's as_of (the milestones carried over from v0002 need that date).
    v1 = (MINI / "v1" / "status.csv").read_bytes().replace(b"2021-09-15", b"2022-10-15")
    stale = edit_cell(v1, "mirpur", "stage", "land_acquired")
    at = upload(sign_in(data_page(steward_secrets(password_hash))), ("status.csv", stale))
    no_errors(at)
    listed = "\n".join(plain(at))
    assert "Rashakai colonization_pct: your 20 would undo v0002's 20 → 35 by test, 2022-10-15" in listed
    assert any("would undo" in w.value and "v0001" in w.value for w in at.warning)
    at.text_area(key="ws_note").set_value("back to the JCC-10 figures")
    at = publish_button(at).click().run()
    assert any("I mean to undo these changes" in e.value for e in at.error)
    assert VersionStore(mini_store).latest().id == "v0002"
    at.checkbox(key="ws_allow_revert").check()
    at = publish_button(at).click().run()
    no_errors(at)
    latest = VersionStore(mini_store).latest()
    assert latest.id == "v0003"
    assert "[Revert allowed by the steward: " in latest.note and "Rashakai colonization_pct: your 20" in latest.note


def test_a_corrected_file_dropped_again_replaces_the_first(mini_store, password_hash):  # noqa: F811
    at = sign_in(data_page(steward_secrets(password_hash)))
    at = upload(at, fixture_file("invalid", "status.csv"), fixture_file("valid", "status.csv"))
    no_errors(at)
    assert any(md_escape("status.csv") + " was uploaded again: the newest one is used" in i.value for i in at.info)
    files = table(at, "received")
    assert list(files["file"]) == ["status.csv", "zones.csv", "milestones.csv"]
    assert list(files["errors"]) == [0, 0, 0]
    assert files["received"].iloc[1] == "carried over from v0002"
    assert not publish_button(at).disabled


def test_errors_say_how_to_fix_them(mini_store, password_hash):  # noqa: F811
    semicolons = (STEWARD_FIXTURES / "valid" / "status.csv").read_bytes().replace(b",", b";")
    at = upload(sign_in(data_page(steward_secrets(password_hash))), ("status.csv", semicolons))
    report = table(at, "severity")
    (message,) = [m for m in report["message"] if "not commas" in m]
    assert message.endswith('fix: save with the comma as field delimiter (Excel: "CSV UTF-8 (Comma delimited)"; '
                            'LibreOffice: Field delimiter ",")')
    at = upload(at, ("status.csv", b""))
    assert any(md_escape("line 1: the file is empty; export the table again") in e.value for e in at.error)


def test_the_same_content_as_the_latest_says_so_first(mini_store, password_hash):  # noqa: F811
    at = upload(sign_in(data_page(steward_secrets(password_hash))), ("status.csv", v2_status(mini_store)))
    no_errors(at)
    assert any(md_escape("this is the same as v0002 (your own publish?)") in i.value for i in at.info), [i.value for i in at.info]
    assert publish_button(at).disabled


def test_diff_of_the_stored_versions_matches(mini_store):
    """Guard for the preview test: the mini store's two versions differ (the fixture is what we think)."""
    store = VersionStore(mini_store)
    assert not diff_versions(store.load("v0001").dataset, store.load("v0002").dataset).is_empty


def test_one_row_dated_later_warns_about_milestones_overdue_by_the_date_alone(mini_store, password_hash):  # noqa: F811
    """The version takes the newest row's as_of: re-dating one zone moves it, and the 11th JCC, still
    planned for 2022-10-27, would count as overdue with nothing said."""
    redated = edit_cell(v2_status(mini_store), "mirpur", "as_of", "2022-12-01")
    at = upload(sign_in(data_page(steward_secrets(password_hash))), ("status.csv", redated))
    no_errors(at)
    (as_of,) = [d for d in at.date_input if d.label == "Data as of"]
    assert str(as_of.value) == "2022-12-01"
    report = table(at, "severity")
    (row,) = report[report["message"].str.contains("overdue-by-date") | report["message"].str.startswith('status is "planned"')].itertuples()
    assert row.severity == "warning" and row.file == "versions/v0002/milestones.csv (carried over)"
    assert "due_date 2022-10-27 has passed only because the version's date moved from 2022-10-15 to 2022-12-01" in row.message
