"""Two stewards on one store: nobody's published change is undone silently, whatever --based-on says.

The stores are real (published through publish itself); the CLI runs as a real process.
"""

from __future__ import annotations

import pytest
from test_publish import edit_cell, fixture_files, run_cli, snapshot

from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.publish import PublishRefused, publish


@pytest.fixture
def two_rounds(tmp_path, monkeypatch) -> VersionStore:
    """v0001 (base), v0002 (Bostan jobs 40): B's files are built from v0002, then A publishes v0003."""
    root = tmp_path / "data"
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    base = fixture_files("base")
    publish(root, base, author="Data desk", note="first version", label="Base")
    publish(root, {"status.csv": edit_cell(base["status.csv"], "bostan", "jobs", "40")}, author="Data desk", note="jobs")
    return VersionStore(root)


def version_status(store: VersionStore, vid: str) -> bytes:
    return (store.versions_dir / vid / "status.csv").read_bytes()


def cell(store: VersionStore, vid: str, key: str, column: str):
    return store.load(vid).dataset.status.set_index("zone_id").at[key, column]


@pytest.fixture
def a_published(two_rounds, tmp_path):
    """Steward A publishes v0003: Dhabeji colonization 10 → 15. B's file (from v0002) edits Mirpur."""
    store = two_rounds
    a = edit_cell(version_status(store, "v0002"), "dhabeji", "colonization_pct", "15")
    publish(store.root, {"status.csv": a}, author="Amna", note="Dhabeji allotments", based_on="v0002")
    b_file = tmp_path / "b" / "status.csv"
    b_file.parent.mkdir()
    b_file.write_bytes(edit_cell(version_status(store, "v0002"), "mirpur", "enterprises", "3"))
    return store, b_file


def b_publish(store, b_file, *extra):
    return run_cli("publish", "--author", "Bilal", "--note", "Mirpur enterprises", *extra, str(b_file), data=store.root)


def test_b_claiming_the_latest_base_is_refused_naming_a_cell(a_published):
    """The issue's sequence: B resubmits the v0002-built file as based on v0003 — refused, A's cell named."""
    store, b_file = a_published
    before = snapshot(store.root)
    run = b_publish(store, b_file, "--based-on", "v0003")
    assert run.returncode == 1, run.stdout
    err = run.stderr
    assert "Dhabeji colonization_pct: your 10 would undo v0003's 10 → 15 by Amna, 20" in err
    assert "refused: your update would undo 1 change(s) published after v0002, the version your file matches best" in err
    # It says what to run next: the merge from the version the file was built from, or --allow-revert.
    assert "--based-on v0002" in err and "--allow-revert" in err
    assert snapshot(store.root) == before


def test_b_without_based_on_is_refused_too(a_published):
    store, b_file = a_published
    run = b_publish(store, b_file)
    assert run.returncode == 1
    assert "Dhabeji colonization_pct: your 10 would undo v0003's 10 → 15 by Amna" in run.stderr
    assert [v.id for v in store.versions()] == ["v0001", "v0002", "v0003"]


def test_b_with_the_true_base_merges_and_keeps_both_edits(a_published):
    store, b_file = a_published
    run = b_publish(store, b_file, "--based-on", "v0002")
    assert run.returncode == 0, run.stderr
    out = run.stdout.splitlines()
    assert out[-1] == "v0004"
    assert "Merging: your changes since v0002 applied on top of v0003." in out
    # The preview is the diff's own summary against the latest, then the new id, before writing.
    assert out.index("publishing as v0004") > out.index("  - enterprises 0 → 3 (+3)")
    assert "Dhabeji" not in out  # A's change is already published: not part of this one
    assert cell(store, "v0004", "dhabeji", "colonization_pct") == 15  # A's change survives
    assert cell(store, "v0004", "mirpur", "enterprises") == 3  # B's change is in
    assert store.versions()[-1].parent == "v0003"
    assert "[Merged: the changes made since v0002 applied on top of v0003.]" in store.versions()[-1].note
    assert store.verify() == []


def test_conflicting_cell_is_refused_and_named(a_published, tmp_path):
    store, _ = a_published
    conflicting = tmp_path / "c" / "status.csv"
    conflicting.parent.mkdir()
    conflicting.write_bytes(edit_cell(version_status(store, "v0002"), "dhabeji", "colonization_pct", "12"))
    before = snapshot(store.root)
    run = run_cli("publish", "--author", "Bilal", "--note", "n", "--based-on", "v0002", str(conflicting), data=store.root)
    assert run.returncode == 1
    assert "  dhabeji colonization_pct: 12 → 15" in run.stderr.splitlines()
    assert "refused: 1 conflicting cell(s)" in run.stderr
    assert "--based-on v0003" in run.stderr  # what to run next
    assert snapshot(store.root) == before


def test_allowed_revert_publishes_and_the_note_records_it(a_published):
    store, b_file = a_published
    run = b_publish(store, b_file, "--based-on", "v0003", "--allow-revert")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "v0004"
    assert any(line.startswith("revert allowed: Dhabeji colonization_pct: your 10 would undo v0003's 10 → 15 by Amna")
               for line in run.stdout.splitlines())
    note = store.versions()[-1].note
    assert note.startswith("Mirpur enterprises\n\n[Revert allowed by the steward: Dhabeji colonization_pct: your 10 would undo v0003's")
    assert cell(store, "v0004", "dhabeji", "colonization_pct") == 10


def test_dry_run_shows_the_change_and_the_id_and_writes_nothing(two_rounds, tmp_path):
    store = two_rounds
    edited = tmp_path / "status.csv"
    edited.write_bytes(edit_cell(version_status(store, "v0002"), "bostan", "enterprises", "4"))
    before = snapshot(store.root)
    run = run_cli("publish", "--author", "A", "--note", "n", "--based-on", "v0002", "--dry-run", str(edited), data=store.root)
    assert run.returncode == 0, run.stderr
    out = run.stdout.splitlines()
    assert out[0].startswith("Changes from v0002 “Update of 2024-06-30” (as of 2024-06-30) to v0003 ")
    assert "  - enterprises 2 → 4 (+2)" in out
    assert out[-2:] == ["would publish as v0003", "dry run: nothing was written; publishing would create v0003"]
    assert snapshot(store.root) == before


def test_a_deliberate_change_on_the_latest_is_no_revert(a_published, tmp_path):
    """Built from the latest, a new value (not an old one) publishes without --allow-revert."""
    store, _ = a_published
    edited = tmp_path / "status.csv"
    edited.write_bytes(edit_cell(version_status(store, "v0003"), "dhabeji", "colonization_pct", "20"))
    info = publish(store.root, {"status.csv": edited.read_bytes()}, author="A", note="n", based_on="v0003")
    assert info.id == "v0004"


def test_a_removed_row_that_a_later_version_added_is_a_revert(two_rounds):
    store = two_rounds
    milestones = (store.versions_dir / "v0002" / "milestones.csv").read_bytes()
    added = milestones + b"mirpur-road,mirpur,Access road,milestone,infrastructure,,2025-12-31,,planned,fixture,reported\n"
    publish(store.root, {"milestones.csv": added}, author="Amna", note="road", based_on="v0002")
    before = snapshot(store.root)
    stale_status = edit_cell(version_status(store, "v0002"), "mirpur", "jobs", "7")
    with pytest.raises(PublishRefused) as refused:
        publish(store.root, {"milestones.csv": milestones, "status.csv": stale_status}, author="B", note="n", based_on="v0003")
    assert refused.value.kind == "revert"
    assert refused.value.details == ["mirpur-road (row): your file lacks this row, which would undo v0003's addition of it by Amna, "
                                     f"{store.versions()[-1].published_at[:10]}"]
    assert snapshot(store.root) == before
    # From the true base, the row Amna added stays and B's edit is merged.
    info = publish(store.root, {"milestones.csv": milestones, "status.csv": stale_status}, author="B", note="n", based_on="v0002")
    merged = store.load(info.id).dataset
    assert "mirpur-road" in set(merged.milestones["milestone_id"])
    assert merged.status.set_index("zone_id").at["mirpur", "jobs"] == 7


def test_publishing_the_same_file_twice_says_it_is_the_same(a_published, tmp_path):
    store, _ = a_published
    again = tmp_path / "again.csv"
    run = run_cli("publish", "--author", "Amna", "--note", "n", "--based-on", "v0002",
                  str(store.versions_dir / "v0003" / "status.csv"), data=store.root)
    assert run.returncode == 1
    assert "refused: nothing to publish: this is the same as v0003 (your own publish?)" in run.stderr
    assert not again.exists()


def test_publish_accepts_a_folder_and_says_how_to_name_files(two_rounds, tmp_path):
    store = two_rounds
    folder = tmp_path / "my-update"
    folder.mkdir()
    (folder / "status.csv").write_bytes(edit_cell(version_status(store, "v0002"), "bostan", "enterprises", "4"))
    run = run_cli("publish", "--author", "A", "--note", "n", "--based-on", "v0002", str(folder), data=store.root)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "v0003"
    empty = tmp_path / "empty"
    empty.mkdir()
    run = run_cli("publish", "--author", "A", "--note", "n", str(empty), data=store.root)
    assert run.returncode == 2
    assert f"{empty}: error: the folder holds none of zones.csv, status.csv, milestones.csv" in run.stderr
    assert f"{empty}/*.csv" in run.stderr


def test_version_as_of_after_every_row_warns(two_rounds, tmp_path):
    store = two_rounds
    milestones = (store.versions_dir / "v0002" / "milestones.csv").read_bytes()
    planned = milestones + b"mirpur-road,mirpur,Access road,milestone,infrastructure,,2025-01-31,,planned,fixture,reported\n"
    edited = tmp_path / "milestones.csv"
    edited.write_bytes(planned)
    run = run_cli("publish", "--author", "A", "--note", "n", "--as-of", "2025-06-30", "--dry-run", str(edited), data=store.root)
    assert run.returncode == 0, run.stderr
    assert ("versions/v0002/status.csv (carried over):0:as_of: warning as-of-after-rows: the version's as_of 2025-06-30 is later than every row's as_of "
            "(the newest is 2024-06-30): the dashboard would present figures of 2024-06-30 as of 2025-06-30") in run.stdout
    line = next(i for i, text in enumerate(planned.decode().splitlines(), start=1) if text.startswith("mirpur-road,"))
    assert f'{edited}:{line}:status: warning overdue-by-date: status is "planned" and due_date 2025-01-31' in run.stdout
    # Without --as-of the version is dated by its newest row: no warning.
    run = run_cli("publish", "--author", "A", "--note", "n", "--dry-run", str(edited), data=store.root)
    assert "as-of-after-rows" not in run.stdout and "overdue-by-date" not in run.stdout


def test_a_later_row_date_warns_about_planned_milestones_that_turn_overdue(two_rounds, tmp_path):
    """No --as-of: the version is dated by its newest row, one re-dated row moves it past a planned milestone."""
    store = two_rounds
    folder = tmp_path / "redated"
    folder.mkdir()
    (folder / "status.csv").write_bytes(edit_cell(version_status(store, "v0002"), "mirpur", "as_of", "2025-02-01"))
    run = run_cli("publish", "--author", "A", "--note", "n", "--dry-run", str(folder), data=store.root)
    assert run.returncode == 0, run.stderr
    warned = [line for line in run.stdout.splitlines() if " warning overdue-by-date: " in line]
    assert warned and all("has passed only because the version's date moved from 2024-06-30 to 2025-02-01" in w for w in warned)
    assert all(w.startswith("versions/v0002/milestones.csv (carried over):") for w in warned)
