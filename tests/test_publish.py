"""Publish: a new immutable version from a steward's files, or a clear refusal with nothing written."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.storekinds import STORE_KINDS, new_location, store_env, store_snapshot

from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.folder_publish import ORPHAN_RECORD_NAME
from sez_metrics.storage.publish import PublishRefused, next_version_id, publish
from sez_metrics.storage.store import Store, open_store

REPO = Path(__file__).parents[1]
STORE_FIXTURES = Path(__file__).parent / "fixtures" / "store"


def fixture_files(folder: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((STORE_FIXTURES / folder).glob("*.csv"))}


def edit_cell(data: bytes, key: str, column: str, value: str) -> bytes:
    """``data`` (a CSV) with one cell changed, rewritten by the csv module."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert any(r[next(iter(r))] == key for r in rows), key
    for row in rows:
        if row[next(iter(row))] == key:
            row[column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (but the lock) with its bytes: 'nothing written' means equal snapshots."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".publish.lock"}


@pytest.fixture
def folder_store(tmp_path, monkeypatch) -> VersionStore:
    """A store with v0001 (base) published through publish itself, set as SEZ_DATA_DIR."""
    root = tmp_path / "data"
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    monkeypatch.delenv("SEZ_STORE", raising=False)
    publish(root, fixture_files("base"), author="Test Steward", note="first version", label="Base")
    return VersionStore(root)


@pytest.fixture(params=STORE_KINDS)
def store(request, tmp_path, monkeypatch) -> Store:
    """v0001 (base) published through publish itself into a folder or a database, set as SEZ_STORE:
    the tests of this part hold for both kinds of store."""
    location = new_location(request.param, tmp_path, request)
    monkeypatch.setenv("SEZ_STORE", location)
    publish(location, fixture_files("base"), author="Test Steward", note="first version", label="Base")
    return open_store(location)


def run_cli(*args: str, data: Path | str) -> subprocess.CompletedProcess:
    """``python -m sez_metrics ARGS`` on the store ``data`` (a folder or a postgresql:// URL)."""
    return subprocess.run([sys.executable, "-m", "sez_metrics", *args], cwd=REPO, env=store_env(data), capture_output=True,
                          text=True, timeout=120)


# --- success ----------------------------------------------------------------------------------


def test_first_publish_writes_a_verified_version(store):
    (info,) = store.versions()
    assert (info.id, info.label, info.as_of, info.author, info.parent, info.prev_hash) == ("v0001", "Base", "2024-06-30", "Test Steward", None, None)
    assert store.verify() == []
    files, problems = store.read_version_files(info)
    assert problems == [] and files == fixture_files("base")


def test_first_publish_leaves_nothing_but_the_version_folder(folder_store):
    assert sorted(p.name for p in folder_store.versions_dir.iterdir()) == ["v0001"]  # no temp, no pending record
    assert (folder_store.versions_dir / "v0001" / "status.csv").read_bytes() == fixture_files("base")["status.csv"]


def test_tables_not_given_are_carried_over(store):
    status = edit_cell(fixture_files("base")["status.csv"], "dhabeji", "stage", "partly_operational")
    info = publish(store.address, {"status.csv": status}, author="Test Steward", note="Dhabeji now produces", based_on="v0001")
    assert info.id == "v0002" and info.parent == "v0001" and info.label == "Update of 2024-06-30"
    first, second = store.versions()
    assert second.prev_hash == first.entry_hash
    assert second.files["zones.csv"] == first.files["zones.csv"]
    assert second.files["status.csv"] != first.files["status.csv"]
    assert store.load("v0002").dataset.status.set_index("zone_id").at["dhabeji", "stage"] == "partly_operational"
    assert store.verify() == []


def test_published_files_are_readable_by_other_accounts(folder_store):
    """The dashboard may run as another user than the steward: no owner-only files."""
    assert os.stat(folder_store.manifest_path).st_mode & 0o044 == 0o044
    assert os.stat(folder_store.versions_dir / "v0001").st_mode & 0o055 == 0o055


def test_next_version_id():
    assert next_version_id([]) == "v0001"
    assert next_version_id(["v0001", "v0009"]) == "v0010"
    assert next_version_id(["v9999"]) == "v10000"


def test_cli_last_line_is_the_new_id(store, tmp_path):
    status = tmp_path / "status.csv"
    status.write_bytes(edit_cell(fixture_files("base")["status.csv"], "bostan", "colonization_pct", "12"))
    run = run_cli("publish", "--author", "Amna", "--note", "Bostan allotments", "--label", "Before JCC-14",
                  "--based-on", "v0001", str(status), data=store.address)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "v0002"
    listed = run_cli("versions", data=store.address)
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["v0001", "v0002"]
    assert "Before JCC-14" in listed.stdout.splitlines()[-1]


# --- refusals: nothing written ----------------------------------------------------------------


def test_stale_based_on_changing_the_same_cell_is_a_conflict(store):
    publish(store.address, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "colonization_pct", "7")},
            author="A", note="first update", based_on="v0001")
    before = store_snapshot(store)
    late = edit_cell(fixture_files("base")["status.csv"], "bostan", "colonization_pct", "9")
    with pytest.raises(PublishRefused, match="1 conflicting cell") as refused:
        publish(store.address, {"status.csv": late}, author="B", note="second update", based_on="v0001")
    assert refused.value.details == ["bostan colonization_pct: 9 → 7"]
    assert store_snapshot(store) == before


def test_identical_content_is_refused(store):
    before = store_snapshot(store)
    with pytest.raises(PublishRefused, match=r"this is the same as v0001 \(your own publish\?\): the content is identical "
                                             "to the latest version, “Base” published by Test Steward"):
        publish(store.address, fixture_files("base"), author="A", note="again")
    assert store_snapshot(store) == before


def test_formatting_only_change_is_refused(store):
    """Same values spelled differently (10 → 10.0, CRLF line ends) is no new version."""
    status = fixture_files("base")["status.csv"].replace(b",10,160,", b",10.0,160,").replace(b"\n", b"\r\n")
    before = store_snapshot(store)
    with pytest.raises(PublishRefused, match="only their formatting differs"):
        publish(store.address, {"status.csv": status}, author="A", note="reformatted")
    assert store_snapshot(store) == before


def test_invalid_update_is_refused_with_its_report(store):
    status = edit_cell(fixture_files("base")["status.csv"], "dhabeji", "stage", "finished")
    before = store_snapshot(store)
    with pytest.raises(PublishRefused) as refused:
        publish(store.address, {"status.csv": status}, author="A", note="typo", names={"status.csv": "upload/status.csv"})
    report = refused.value.report
    assert report is not None and not report.ok
    assert [(p.file, p.line, p.column) for p in report.errors] == [("upload/status.csv", 2, "stage")]
    assert store_snapshot(store) == before


def test_cli_invalid_prints_report_and_exits_1(store, tmp_path):
    status = tmp_path / "status.csv"
    status.write_bytes(edit_cell(fixture_files("base")["status.csv"], "dhabeji", "colonization_pct", "140"))
    before = store_snapshot(store)
    run = run_cli("publish", "--author", "A", "--note", "n", str(status), data=store.address)
    assert run.returncode == 1
    assert run.stdout.startswith(f"{status}:2:colonization_pct: error ")
    assert run.stderr.strip().splitlines()[-1] == "refused: the update has 1 error(s); nothing was published"
    assert "Traceback" not in run.stderr
    assert store_snapshot(store) == before


@pytest.mark.parametrize("name", ["../status.csv", "versions/v0001/status.csv", "/etc/passwd", "Status.CSV", "status.csv/", "notes.txt"])
def test_file_names_that_are_not_the_three_tables_are_refused(store, name):
    before = store_snapshot(store)
    with pytest.raises(PublishRefused, match="is not a dataset file name"):
        publish(store.address, {name: fixture_files("base")["status.csv"]}, author="A", note="n")
    assert store_snapshot(store) == before


@pytest.mark.parametrize("based_on", ["../v0001", "v0001/../../x", "..", "", "latest"])
def test_ids_that_are_not_version_ids_are_refused(store, based_on):
    with pytest.raises(PublishRefused, match="is not a version id"):
        publish(store.address, {"status.csv": b"x"}, author="A", note="n", based_on=based_on)


def test_based_on_an_unknown_version_is_refused(store):
    with pytest.raises(PublishRefused, match="v0007, which is not a version of this store"):
        publish(store.address, {"status.csv": b"x"}, author="A", note="n", based_on="v0007")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("author", "  ", "an author is required"),
    ("note", "", "a note saying what changed is required"),
    ("author", "Amna\nKhan", "must be one line"),
    ("label", "JCC-15\u2028v0009  2025-01-01  forged", r"must be one line: it contains U\+2028 LINE SEPARATOR at character 7"),
    ("author", "Ayesha\u200b", r"U\+200B ZERO WIDTH SPACE at character 7"),
    ("label", "JCC\x1b[31m", "control character"),
    ("label", "x" * 121, "at most 120"),
    ("note", "fine \u202etxt.exe", "control character"),
])
def test_metadata_is_checked(store, field, value, message):
    kwargs = {"author": "A", "note": "n", "label": "", field: value}
    with pytest.raises(PublishRefused, match=message):
        publish(store.address, {"status.csv": b"x"}, **kwargs)


def test_urdu_author_and_multiline_note_are_kept(store):
    status = edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "5")
    info = publish(store.address, {"status.csv": status}, author="  عائشہ\u200cخان ", note="line one\nline two")
    assert (info.author, info.note) == ("عائشہ\u200cخان", "line one\nline two")
    assert store.versions()[-1].author == "عائشہ\u200cخان"


def test_as_of_is_recorded_and_checked(store):
    status = edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "5")
    with pytest.raises(PublishRefused) as refused:
        publish(store.address, {"status.csv": status}, author="A", note="n", as_of="30/06/2024")
    assert [p.code for p in refused.value.report.errors] == ["invalid-as-of"]
    info = publish(store.address, {"status.csv": status}, author="A", note="n", as_of=" 2024-07-01 ")
    assert info.as_of == "2024-07-01" and info.label == "Update of 2024-07-01"


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_first_version_needs_all_three_files(kind, tmp_path, request):
    location = new_location(kind, tmp_path, request)
    with pytest.raises(PublishRefused, match="the first version needs all three files; missing: zones.csv, milestones.csv"):
        publish(location, {"status.csv": fixture_files("base")["status.csv"]}, author="A", note="n")
    assert not open_store(location).has_manifest()


def test_cli_same_table_twice_is_refused(store, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "status.csv").write_bytes(fixture_files("base")["status.csv"])
    run = run_cli("publish", "--author", "A", "--note", "n", str(tmp_path / "a" / "status.csv"),
                  str(STORE_FIXTURES / "base" / "status.csv"), data=store.address)
    assert run.returncode == 1
    assert "status.csv given twice" in run.stderr


# --- a damaged or interrupted store -----------------------------------------------------------


def test_stale_temp_folder_and_manifest_temp_are_tidied(folder_store):
    stale = folder_store.versions_dir / ".tmp-v0002-abc123"
    stale.mkdir()
    (stale / "status.csv").write_bytes(b"half a fi")
    (folder_store.root / ".manifest.json.x1y2.tmp").write_bytes(b'{"format": 1, "vers')
    assert folder_store.verify() == []  # never visible as a version
    publish(folder_store.root, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "40")}, author="A", note="n")
    assert not stale.exists() and not (folder_store.root / ".manifest.json.x1y2.tmp").exists()
    assert [v.id for v in folder_store.versions()] == ["v0001", "v0002"]


def test_orphan_of_an_interrupted_publish_is_set_aside_not_deleted(folder_store):
    """A crash between the folder rename and the manifest write leaves v0002 unlisted with its
    pending record: verify reports it, and the next publish moves it aside and takes the id."""
    (folder_store.versions_dir / "v0002").mkdir()
    orphan_status = edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "1")
    (folder_store.versions_dir / "v0002" / "status.csv").write_bytes(orphan_status)
    folder_store.pending_record("v0002").write_text(json.dumps({"id": "v0002", "author": "crashed"}))
    problems = folder_store.verify()
    assert [(p.version_id, p.where) for p in problems] == [("v0002", str(folder_store.versions_dir / "v0002"))]
    assert "a publish was interrupted" in problems[0].message
    info = publish(folder_store.root, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "2")},
                   author="A", note="n", based_on="v0001")
    assert info.id == "v0002"
    assert folder_store.verify() == []
    (aside,) = folder_store.versions_dir.glob(".orphaned-v0002-*")
    assert (aside / "status.csv").read_bytes() == orphan_status
    assert json.loads((aside / ORPHAN_RECORD_NAME).read_text())["author"] == "crashed"
    assert not folder_store.pending_record("v0002").exists()


def test_unexplained_unlisted_folder_blocks_publish(folder_store):
    """No pending record: its manifest entry was probably deleted; a person must decide."""
    (folder_store.versions_dir / "v0002").mkdir()
    before = snapshot(folder_store.root)
    with pytest.raises(PublishRefused, match="versions/v0002 is not in the manifest and no interrupted publish explains it"):
        publish(folder_store.root, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "2")}, author="A", note="n")
    assert snapshot(folder_store.root) == before


def test_missing_manifest_blocks_publish(folder_store):
    folder_store.manifest_path.unlink()
    with pytest.raises(PublishRefused, match="manifest.json is missing but versions/ holds 1 version folder"):
        publish(folder_store.root, fixture_files("next"), author="A", note="n")
    assert sorted(p.name for p in folder_store.versions_dir.iterdir()) == ["v0001"]


def test_damaged_latest_version_blocks_publish(folder_store):
    path = folder_store.versions_dir / "v0001" / "zones.csv"
    path.write_bytes(path.read_bytes().replace(b"1530", b"1531"))
    with pytest.raises(PublishRefused, match="the latest version v0001 is damaged .*zones.csv: v0001: sha256 mismatch"):
        publish(folder_store.root, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "2")}, author="A", note="n")
    assert [v.id for v in folder_store.versions()] == ["v0001"]


def test_broken_chain_blocks_publish(folder_store):
    publish(folder_store.root, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "2")}, author="A", note="n")
    doc = json.loads(folder_store.manifest_path.read_text())
    doc["versions"][0]["author"] = "Someone Else"
    folder_store.manifest_path.write_text(json.dumps(doc))
    with pytest.raises(PublishRefused, match=r"the manifest is damaged \(manifest.json entry 1 \(v0001\): v0001: entry hash mismatch"):
        publish(folder_store.root, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "3")}, author="A", note="n")
    assert [v["id"] for v in json.loads(folder_store.manifest_path.read_text())["versions"]] == ["v0001", "v0002"]
