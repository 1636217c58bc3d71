"""The three-way cell merge and the revert finder on real CSVs (the fixture store's tables)."""

from __future__ import annotations

import csv
import io

from test_publish import edit_cell, fixture_files

from sez_metrics.core import merge, schema
from sez_metrics.core.dataset import VersionInfo, dataset_from_files
from sez_metrics.core.stored_csv import parse_csv_bytes


def info(vid: str, author: str = "A") -> VersionInfo:
    return VersionInfo(id=vid, label=vid, as_of="2024-06-30", published_at="2026-01-01T00:00:00+00:00", author=author,
                       note="", parent=None, files={}, prev_hash=None, entry_hash="")


def dataset(files: dict[str, bytes], vid: str = "x", author: str = "A"):
    return dataset_from_files(info(vid, author), files)


def with_status(files: dict[str, bytes], status: bytes) -> dict[str, bytes]:
    return {**files, "status.csv": status}


def drop_row(data: bytes, key: str) -> bytes:
    lines = data.decode().splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith(key + ",")).encode()


BASE = fixture_files("base")
MILESTONE = "mirpur-road,mirpur,Access road,milestone,infrastructure,,2025-12-31,,planned,fixture,reported\n"


def test_edits_on_different_cells_merge_and_keep_both():
    theirs = with_status(BASE, edit_cell(BASE["status.csv"], "dhabeji", "jobs", "50"))
    yours = with_status(BASE, edit_cell(BASE["status.csv"], "dhabeji", "enterprises", "6"))
    result = merge.three_way(dataset(BASE), dataset(theirs), dataset(yours), theirs, yours)
    assert result.ok and result.origin["status.csv"] == "merged" and result.origin["zones.csv"] == "theirs"
    merged = parse_csv_bytes(result.files["status.csv"], schema.STATUS)
    row = merged.set_index("zone_id").loc["dhabeji"]
    assert (row["jobs"], row["enterprises"]) == ("50", "6")
    # The merged file is a well-formed CSV in the schema's column order, one row per zone.
    rows = list(csv.reader(io.StringIO(result.files["status.csv"].decode())))
    assert rows[0] == list(csv.reader(io.StringIO(BASE["status.csv"].decode())))[0]
    assert [r[0] for r in rows[1:]] == ["dhabeji", "bostan", "mirpur"]


def test_the_same_change_on_both_sides_is_no_conflict_and_typed_equal():
    theirs = with_status(BASE, edit_cell(BASE["status.csv"], "bostan", "jobs", "7"))
    yours = with_status(BASE, edit_cell(BASE["status.csv"], "bostan", "jobs", "7.0"))
    result = merge.three_way(dataset(BASE), dataset(theirs), dataset(yours), theirs, yours)
    assert result.ok


def test_different_changes_of_one_cell_conflict_yours_then_theirs():
    theirs = with_status(BASE, edit_cell(BASE["status.csv"], "bostan", "jobs", "7"))
    yours = with_status(BASE, edit_cell(BASE["status.csv"], "bostan", "jobs", "9"))
    result = merge.three_way(dataset(BASE), dataset(theirs), dataset(yours), theirs, yours)
    assert [c.text() for c in result.conflicts] == ["bostan jobs: 9 → 7"] and result.files == {}


def test_rows_added_on_each_side_are_both_kept():
    theirs = {**BASE, "milestones.csv": BASE["milestones.csv"] + MILESTONE.encode()}
    yours = {**BASE, "milestones.csv": BASE["milestones.csv"] + MILESTONE.replace("mirpur-road", "mirpur-wall").encode()}
    result = merge.three_way(dataset(BASE), dataset(theirs), dataset(yours), theirs, yours)
    assert result.ok
    ids = [r[0] for r in csv.reader(io.StringIO(result.files["milestones.csv"].decode()))][1:]
    assert ids[-2:] == ["mirpur-road", "mirpur-wall"]


def test_a_row_removed_by_you_and_changed_by_them_conflicts():
    theirs = with_status(BASE, edit_cell(BASE["status.csv"], "mirpur", "jobs", "3"))
    base_ms = BASE["milestones.csv"]
    first_id = base_ms.decode().splitlines()[1].split(",")[0]
    theirs_ms = {**theirs, "milestones.csv": edit_cell(base_ms, first_id, "source", "changed")}
    yours_ms = {**BASE, "milestones.csv": drop_row(base_ms, first_id)}
    result = merge.three_way(dataset(BASE), dataset(theirs_ms), dataset(yours_ms), theirs_ms, yours_ms)
    assert [c.text() for c in result.conflicts] == [f"{first_id} (row) (milestones): removed → changed source"]


def test_a_row_removed_by_you_and_untouched_by_them_is_removed():
    first_id = BASE["milestones.csv"].decode().splitlines()[1].split(",")[0]
    theirs = with_status(BASE, edit_cell(BASE["status.csv"], "mirpur", "jobs", "3"))
    yours = {**BASE, "milestones.csv": drop_row(BASE["milestones.csv"], first_id)}
    result = merge.three_way(dataset(BASE), dataset(theirs), dataset(yours), theirs, yours)
    assert result.ok and result.origin["milestones.csv"] == "yours"
    assert first_id.encode() + b"," not in result.files["milestones.csv"]


def test_find_reverts_finds_the_base_by_comparison_not_by_what_is_claimed():
    v1 = BASE
    v2 = with_status(v1, edit_cell(v1["status.csv"], "bostan", "jobs", "40"))
    v3 = with_status(v2, edit_cell(v2["status.csv"], "dhabeji", "colonization_pct", "15"))
    history = [info("v0001"), info("v0002"), info("v0003", author="Amna")]
    sets = {"v0001": v1, "v0002": v2, "v0003": v3}
    loaded = {vid: dataset(files, vid, author=h.author) for (vid, files), h in zip(sets.items(), history, strict=True)}
    stale = with_status(v2, edit_cell(v2["status.csv"], "mirpur", "enterprises", "3"))
    check = merge.find_reverts(history, loaded.__getitem__, dataset(stale))
    assert check.derived_from == "v0002"
    assert [r.text({"dhabeji": "Dhabeji"}) for r in check.reverts] == [
        "Dhabeji colonization_pct: your 10 would undo v0003's 10 → 15 by Amna, 2026-01-01"]
    fresh = with_status(v3, edit_cell(v3["status.csv"], "mirpur", "enterprises", "3"))
    assert merge.find_reverts(history, loaded.__getitem__, dataset(fresh)).reverts == []
