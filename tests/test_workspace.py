"""The steward's workspace as a service: upload checks, review (report + diff), role-checked publish."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from support.stores import MINI

from sez_metrics.core.dataset import dataset_from_files
from sez_metrics.core.settings import MAX_UPLOAD_BYTES
from sez_metrics.steward import workspace
from sez_metrics.steward.auth import Steward
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.publish import PublishRefused, publish

STEWARD_FIXTURES = MINI.parent / "steward"
AYESHA = Steward("ayesha", "password", "Ayesha Khan")
BILAL = Steward("bilal", "password", "Bilal Ahmed")


def fixture_bytes(case: str, name: str) -> bytes:
    return (STEWARD_FIXTURES / case / name).read_bytes()


def valid_upload(based_on: str | None = "v0002") -> workspace.Upload:
    return workspace.receive_upload([("status.csv", fixture_bytes("valid", "status.csv"))], based_on)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the store, to prove that nothing was written."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".publish.lock"}


# --- receiving files ----------------------------------------------------------------------------


def test_only_the_three_exact_file_names_are_accepted():
    upload = workspace.receive_upload([
        ("status.csv", b"zone_id\n"),
        ("Zones (1).csv", b"zone_id\n"),
        ("milestones.CSV", b"x\n"),
        ("../zones.csv", b"x\n"),
        ("zones.csv.exe", b"x\n"),
    ], "v0002")
    assert list(upload.files) == ["status.csv"]
    reasons = {r.name: r.reason for r in upload.rejected}
    assert set(reasons) == {"Zones (1).csv", "milestones.CSV", "../zones.csv", "zones.csv.exe"}
    assert "did you mean zones.csv?" in reasons["Zones (1).csv"]
    assert "did you mean milestones.csv?" in reasons["milestones.CSV"]
    assert upload.based_on == "v0002"


def test_empty_and_oversized_files_are_rejected_with_how_to_fix():
    upload = workspace.receive_upload([
        ("zones.csv", b"  \n"),
        ("status.csv", b"x" * (MAX_UPLOAD_BYTES + 1)),
    ], "v0002")
    assert upload.files == {}
    assert [(r.name, r.reason.split(";")[0]) for r in upload.rejected] == [
        ("zones.csv", "line 1: the file is empty"),
        ("status.csv", f"{MAX_UPLOAD_BYTES + 1:,} bytes: larger than the limit of {MAX_UPLOAD_BYTES // 2**20} MB"),
    ]
    assert "export the table again" in upload.rejected[0].reason and "split the update" in upload.rejected[1].reason


def test_a_file_uploaded_again_replaces_the_earlier_one_of_its_name():
    """A corrected file dropped after the first: the newest is taken, whether the first was good or bad."""
    upload = workspace.receive_upload([("milestones.csv", b"a\n"), ("status.csv", b" \n"),
                                       ("milestones.csv", b"b\n"), ("status.csv", b"fixed\n")], "v0002")
    assert upload.files == {"milestones.csv": b"b\n", "status.csv": b"fixed\n"}
    assert upload.rejected == () and upload.replaced == ("milestones.csv", "status.csv")


def test_upload_limit_matches_the_server_setting():
    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_UPLOAD_BYTES


def test_fingerprint_follows_names_and_contents_not_order():
    a = workspace.receive_upload([("zones.csv", b"1\n"), ("status.csv", b"2\n")], "v0001")
    b = workspace.receive_upload([("status.csv", b"2\n"), ("zones.csv", b"1\n")], "v0002")
    c = workspace.receive_upload([("status.csv", b"3\n"), ("zones.csv", b"1\n")], "v0002")
    assert a.fingerprint == b.fingerprint != c.fingerprint


# --- review -------------------------------------------------------------------------------------


def test_review_of_a_valid_change_summarises_it_against_the_latest(mini_store):
    review = workspace.review_upload(mini_store, valid_upload())
    assert review.report.ok and review.can_publish and not review.identical
    assert review.base.id == "v0002"
    assert review.carried_over == ("zones.csv", "milestones.csv")
    assert review.files["zones.csv"] == (mini_store / "versions" / "v0002" / "zones.csv").read_bytes()
    assert [item.text for item in review.diff.summary] == [
        "Mirpur: stage Identified → Land acquired",
        "Rashakai: electricity Interim supply → Connected (power 50 → 160 MW of 160 MW)",
        # Mirpur had no colonization while it had no land (the store's version leaves it empty); with
        # land acquired, the upload reports 0 %: a figure first reported, not a fall.
        "Mirpur: colonization now reported: 0 %",
        "Rashakai: colonization 35 → 41 % (+6 points)",
    ]
    cells = review.diff.cell_changes_frame()
    assert set(zip(cells["key"], cells["column"], strict=True)) == {
        ("mirpur", "stage"), ("rashakai", "electricity"), ("rashakai", "power_mw_available"), ("rashakai", "colonization_pct"),
        ("mirpur", "colonization_pct")}


def test_review_of_an_invalid_upload_reports_rows_and_cannot_publish(mini_store):
    upload = workspace.receive_upload([("status.csv", fixture_bytes("invalid", "status.csv"))], "v0002")
    review = workspace.review_upload(mini_store, upload)
    assert not review.can_publish and review.diff is None
    assert [(p.severity, p.file, p.line, p.column) for p in review.report.errors] == [
        ("error", "status.csv", 4, "stage"), ("error", "status.csv", 4, "colonization_pct")]


def test_identical_upload_has_nothing_to_publish(mini_store):
    same = (mini_store / "versions" / "v0002" / "status.csv").read_bytes()
    review = workspace.review_upload(mini_store, workspace.receive_upload([("status.csv", same)], "v0002"))
    assert review.report.ok and review.identical and not review.can_publish


def test_a_rejected_file_blocks_publishing_the_rest(mini_store):
    upload = workspace.receive_upload([("status.csv", fixture_bytes("valid", "status.csv")), ("Zones (1).csv", b"x")], "v0002")
    review = workspace.review_upload(mini_store, upload)
    assert review.report.ok and not review.can_publish


def test_dataset_built_in_memory_equals_the_stored_one(mini_store):
    store = VersionStore(mini_store)
    stored = store.load("v0002").dataset
    files = {n: (mini_store / "versions" / "v0002" / n).read_bytes() for n in ("zones.csv", "status.csv", "milestones.csv")}
    built = dataset_from_files(stored.info, files)
    for name in ("zones", "status", "milestones"):
        pd.testing.assert_frame_equal(built.table(name), stored.table(name))
    assert workspace.would_be_info(files).as_of == "2022-10-15"


def test_first_version_of_an_empty_store(tmp_path):
    root = tmp_path / "empty"
    files = [(n, (MINI / "v1" / n).read_bytes()) for n in ("zones.csv", "status.csv", "milestones.csv")]
    partial = workspace.review_upload(root, workspace.receive_upload(files[:1], None))
    assert not partial.can_publish
    assert {p.file for p in partial.report.errors} == {"status.csv", "milestones.csv"}
    review = workspace.review_upload(root, workspace.receive_upload(files, None))
    assert review.can_publish
    assert {i.kind for i in review.diff.summary} >= {"zone_added"}
    outcome = workspace.publish_as(AYESHA, root, review.files, based_on=None, note="first version")
    assert outcome.created and outcome.version.id == "v0001"
    assert VersionStore(root).verify() == []


# --- publishing: the role -----------------------------------------------------------------------


@pytest.mark.parametrize("user", [None, "ayesha", {"name": "ayesha"}])
def test_only_a_steward_can_publish(mini_store, user):
    review = workspace.review_upload(mini_store, valid_upload())
    before = snapshot(mini_store)
    with pytest.raises(workspace.PermissionDenied):
        workspace.publish_as(user, mini_store, review.files, based_on="v0002", note="not allowed")
    assert snapshot(mini_store) == before


def test_a_steward_publishes_and_the_version_verifies(mini_store):
    review = workspace.review_upload(mini_store, valid_upload())
    outcome = workspace.publish_as(AYESHA, mini_store, review.files, based_on="v0002", note="Mirpur land; Rashakai grid",
                                   label="Update before JCC-12", as_of="2022-10-20")
    assert outcome.created
    info = outcome.version
    assert (info.id, info.parent, info.author, info.label, info.as_of) == ("v0003", "v0002", "Ayesha Khan", "Update before JCC-12", "2022-10-20")
    store = VersionStore(mini_store)
    assert store.verify() == []
    loaded = store.load().dataset
    assert loaded.info.id == "v0003"
    assert loaded.status.set_index("zone_id").at["mirpur", "stage"] == "land_acquired"


# --- publishing: twice, and meanwhile -----------------------------------------------------------


def test_a_second_click_returns_the_first_version_and_makes_no_other(mini_store):
    review = workspace.review_upload(mini_store, valid_upload())
    first = workspace.publish_as(AYESHA, mini_store, review.files, based_on="v0002", note="once")
    second = workspace.publish_as(AYESHA, mini_store, review.files, based_on="v0002", note="once")
    assert first.created and not second.created
    assert second.version.id == first.version.id == "v0003"
    assert [v.id for v in VersionStore(mini_store).versions()] == ["v0001", "v0002", "v0003"]


def test_someone_else_publishing_meanwhile_is_named_and_nothing_is_lost(mini_store):
    mine = workspace.review_upload(mini_store, valid_upload())
    theirs = publish(mini_store, {"zones.csv": fixture_bytes("hostile", "zones.csv")}, author="bilal",
                     note="renamed Mirpur", label="Bilal's fix", based_on="v0002")
    before = snapshot(mini_store)
    with pytest.raises(workspace.PublishedMeanwhile) as caught:
        workspace.publish_as(AYESHA, mini_store, mine.files, based_on="v0002", note="mine")
    assert caught.value.latest.id == theirs.id == "v0003"
    assert re.search(r"bilal published v0003 “Bilal's fix”", str(caught.value))
    assert snapshot(mini_store) == before
    # the same upload, reviewed again against the new latest, publishes on top of it
    again = workspace.review_upload(mini_store, workspace.receive_upload(mine.upload.files.items(), "v0003"))
    assert again.can_publish and again.base.id == "v0003"
    outcome = workspace.publish_as(AYESHA, mini_store, again.files, based_on="v0003", note="mine, rebased")
    assert outcome.version.id == "v0004" and outcome.version.parent == "v0003"
    latest = VersionStore(mini_store).load().dataset
    assert latest.zones.set_index("zone_id").at["mirpur", "name"] == "<img src=x onerror=alert(1)>", "Bilal's change kept"
    assert latest.status.set_index("zone_id").at["mirpur", "stage"] == "land_acquired", "Ayesha's change applied"


def test_the_same_content_from_another_steward_is_not_mistaken_for_a_repeat(mini_store):
    review = workspace.review_upload(mini_store, valid_upload())
    workspace.publish_as(BILAL, mini_store, review.files, based_on="v0002", note="bilal was first")
    with pytest.raises(workspace.PublishedMeanwhile):
        workspace.publish_as(AYESHA, mini_store, review.files, based_on="v0002", note="ayesha too")


def test_an_update_of_an_empty_store_is_refused_once_someone_published(tmp_path):
    root = tmp_path / "store"
    files = {n: (MINI / "v1" / n).read_bytes() for n in ("zones.csv", "status.csv", "milestones.csv")}
    publish(root, files, author="bilal", note="first")
    with pytest.raises(workspace.PublishedMeanwhile):
        workspace.publish_as(AYESHA, root, files, based_on=None, note="also first")


def test_store_refusals_pass_through_with_their_report(mini_store):
    review = workspace.review_upload(mini_store, valid_upload())
    with pytest.raises(PublishRefused, match="note"):
        workspace.publish_as(AYESHA, mini_store, review.files, based_on="v0002", note="  ")
    # an as-of before a milestone's done date makes the version invalid: publish re-validates
    with pytest.raises(PublishRefused) as caught:
        workspace.publish_as(AYESHA, mini_store, review.files, based_on="v0002", note="early", as_of="2021-01-01")
    assert caught.value.report is not None and not caught.value.report.ok
    assert [v.id for v in VersionStore(mini_store).versions()] == ["v0001", "v0002"]
