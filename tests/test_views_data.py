"""The Data page's view model, without Streamlit: the version history, and the review of a real
upload (its files, report, the change it makes and what stands in the way of publishing)."""

from __future__ import annotations

from support.stores import MINI

from sez_metrics.steward import workspace
from sez_metrics.storage.folder import VersionStore
from sez_metrics.views import data as view

STEWARD_FIXTURES = MINI.parent / "steward"


def review_of(root, case: str, based_on: str | None = "v0002") -> workspace.Review:
    upload = workspace.receive_upload([("status.csv", (STEWARD_FIXTURES / case / "status.csv").read_bytes())], based_on)
    return workspace.review_upload(root, upload)


def test_history_lists_newest_first_and_marks_damaged_versions(mini_store):
    store = VersionStore(mini_store)
    versions = store.versions()
    history = view.history_table(versions, {"v0001": ["versions/v0001/status.csv: sha256 differs"]})
    assert list(history["version"]) == ["v0002", "v0001"]
    assert list(history["integrity"]) == ["✓ intact", "✗ damaged"]
    assert list(history.columns) == ["integrity", "version", "label", "as of", "published", "author", "note"]
    assert history.iloc[0]["label"] == versions[-1].label
    ids, labels = view.version_options(versions)
    assert ids == ["v0002", "v0001"]
    assert labels["v0002"] == f"v0002 · {versions[-1].label} · {versions[-1].as_of}"


def test_problems_are_grouped_by_the_version_they_name(mini_store):
    store = VersionStore(mini_store)
    target = mini_store / "versions" / "v0001" / "status.csv"
    target.write_bytes(target.read_bytes() + b"\n")
    problems = store.verify()
    by_version = view.problems_by_version(problems)
    assert set(by_version) == {"v0001"}
    assert all("status.csv" in line for line in by_version["v0001"])
    assert by_version["v0001"] == [p.format_line() for p in problems]


def test_a_valid_update_previews_its_change_and_the_id_it_gets(mini_store):
    review = review_of(mini_store, "valid")
    assert view.publish_blocker(review) is None
    preview = view.change_preview(review)
    assert preview.title == "🔁 What this update changes (against v0002)"
    assert preview.carried_over == "Carried over unchanged from the latest version: zones.csv, milestones.csv"
    assert preview.merged == "" and not preview.layout_only
    assert preview.heading.startswith("Changes from v0002")
    assert preview.new_id == "v0003"
    assert preview.zones[0].splitlines()[0] == "**Mirpur**"
    assert "- stage Identified → Land acquired" in preview.zones[0]
    assert preview.counts.startswith(f"{len(review.diff.cell_changes)} cell change(s)")
    assert len(preview.cells) == len(review.diff.cell_changes)
    stage = preview.cells[(preview.cells["key"] == "mirpur") & (preview.cells["column"] == "stage")].iloc[0]
    assert (stage["old"], stage["new"]) == ("identified", "land_acquired")


def test_the_files_table_counts_each_files_own_problems(mini_store):
    review = review_of(mini_store, "invalid")
    seen = []
    files = view.files_table(review, lambda name, data: seen.append((name, len(data))) or "09:30:00")
    assert seen == [("status.csv", len(review.upload.files["status.csv"]))]
    rows = files.set_index("file")
    assert rows.loc["status.csv", "errors"] == len(review.report.errors) == 2
    assert rows.loc["status.csv", "received"] == "09:30:00"
    assert rows.loc["zones.csv", "received"] == "carried over from v0002"
    assert rows.loc["zones.csv", "errors"] == 0
    assert rows.loc["milestones.csv", "bytes"] == len(review.files["milestones.csv"])


def test_errors_block_publishing_and_the_report_says_how_to_fix(mini_store):
    review = review_of(mini_store, "invalid")
    kind, message = view.publish_blocker(review)
    assert kind == "error" and message.startswith("🚫 2 error(s): publishing is disabled.")
    assert view.report_counts(review.report) == "**Validation:** 2 error(s) · 0 warning(s)"
    frame = view.report_frame(review.report)
    assert list(frame.columns) == list(view.REPORT_SHOWN)
    stage = frame[frame["column"] == "stage"].iloc[0]
    assert stage["value"] == "opertional" and stage["line"] == 4
    assert stage["message"].endswith(" → fix: " + stage["fix"])  # the fix is in the message too
    assert view.change_preview(review).new_id == ""


def test_report_values_show_control_characters_rather_than_obey_them():
    from sez_metrics.core.report import Problem, Report

    report = Report([Problem("error", "bad-code", "status", "status.csv", 3, "stage", "ab\u202ecd", "bad", "fix it")])
    frame = view.report_frame(report)
    assert "\u202e" not in frame.iloc[0]["value"] and "202e" in frame.iloc[0]["value"].lower()


def test_an_identical_upload_is_told_and_not_publishable(mini_store):
    status = (mini_store / "versions" / "v0002" / "status.csv").read_bytes()
    review = workspace.review_upload(mini_store, workspace.receive_upload([("status.csv", status)], "v0002"))
    kind, message = view.publish_blocker(review)
    assert kind == "info" and message.startswith("ℹ️ ")
    assert view.change_preview(review).heading == ""


def test_conflicts_message_names_both_sides(mini_store):
    review = review_of(mini_store, "valid")
    message = view.conflicts_message(review)
    assert "your changes since v0002 and the latest version changed them differently" in message


def test_a_version_dated_after_its_rows_is_warned_about():
    assert view.dating_warning("2025-02-01", "2025-01-15").startswith("⚠️ The version is dated 2025-02-01, later than")
    assert "publish a correction dated 2025-01-15" in view.dating_warning("2025-02-01", "2025-01-15")
    assert view.dating_warning("2025-01-15", "2025-01-15") is None
    assert view.dating_warning("", "2025-01-15") is None
    assert view.dating_warning("2025-02-01", "") is None



def test_steward_texts_name_the_command_and_escape_what_they_quote(mini_store):
    from sez_metrics.steward.auth import DEFAULT_AUTHOR, Steward

    assert "add-steward NAME --display-name" in view.no_steward() and "secrets.toml" in view.no_steward()
    assert f"“{DEFAULT_AUTHOR}”" in view.no_display_name()
    assert view.broken_accounts({}) == ""
    assert view.broken_accounts({"stewards": {"a": {"password": "plain"}}}).startswith("1 steward entry in the secrets")
    assert view.broken_accounts({"stewards": {"a": {}, "b": {"password_hash": "x"}}}).startswith("2 steward entries")
    assert view.signed_in_as(Steward("ayesha_k", "password", "Ayesha *Khan*")) == (
        "Signed in as **ayesha\\_k** (data steward); what you publish is recorded as by **Ayesha \\*Khan\\***.")
    latest, earlier = VersionStore(mini_store).versions()[-1], VersionStore(mini_store).versions()[0]
    assert view.published_message(latest, latest).endswith("Every page now shows it.")
    assert "You are viewing the earlier version v0001" in view.published_message(latest, earlier)
    assert view.meanwhile_message(latest).startswith(f"⚠️ While you were reviewing, {latest.author} published **v0002")
