"""The store in PostgreSQL: a real server (tests/support/pgserver.py), no mock.

``copy`` between folder and database keeps every version byte for byte; the commands give the same
output on either store; publishers racing in separate processes make exactly one version; a row
altered by hand is named by verify; a database that goes away is "unavailable" and is used again
as soon as it is back, without restarting anything.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from support.storekinds import store_env
from support.stores import SHIPPED
from test_publish import edit_cell, fixture_files
from test_publish_faults import start_publisher, status_file, wait_ready

from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.pgstore import PgStore, redact
from sez_metrics.storage.publish import PublishRefused, publish
from sez_metrics.storage.store import StoreError, StoreUnavailable, open_store

REPO = Path(__file__).parents[1]


def cli(*args: str, store: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sez_metrics", *args], cwd=REPO, env=store_env(store),
                          capture_output=True, text=True, timeout=300)


def folder_copy(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(SHIPPED, root, ignore=shutil.ignore_patterns(".publish.lock", "basemap"))
    return root


def same_tree(a: Path, b: Path) -> None:
    """The manifest and every version file are byte for byte the same."""
    assert (a / "manifest.json").read_bytes() == (b / "manifest.json").read_bytes()
    files = lambda root: {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "versions").rglob("*")) if p.is_file()}  # noqa: E731
    assert files(a) == files(b)


# --- copy ---------------------------------------------------------------------------------------


def test_copy_folder_to_database_and_back_is_byte_identical(pg_url, tmp_path):
    run = cli("copy", str(SHIPPED), pg_url, store=pg_url)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[:5] == [f"copying v000{i}: " + lines[i - 1].split(": ", 1)[1] for i in range(1, 6)]
    assert lines[-1] == f"ok: copied 5 version(s); {redact(pg_url)} holds 5 version(s), verified"
    back = tmp_path / "back"
    run = cli("copy", pg_url, str(back), store=pg_url)
    assert run.returncode == 0, run.stderr
    same_tree(SHIPPED, back)
    assert VersionStore(back).verify() == []
    # and folder to folder
    run = cli("copy", str(back), str(tmp_path / "again"), store=pg_url)
    assert run.returncode == 0, run.stderr
    same_tree(SHIPPED, tmp_path / "again")


def test_copy_again_adds_only_what_is_missing(pg_url, tmp_path):
    source = folder_copy(tmp_path)
    assert cli("copy", str(source), pg_url, store=pg_url).returncode == 0
    again = cli("copy", str(source), pg_url, store=pg_url)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [f"ok: nothing to copy; {redact(pg_url)} holds all 5 version(s) of {source}"]
    status = edit_cell((source / "versions" / "v0005" / "status.csv").read_bytes(), "bostan", "note", "one more round")
    publish(source, {"status.csv": status}, author="A", note="one more")
    more = cli("copy", str(source), pg_url, store=pg_url)
    assert more.returncode == 0, more.stderr
    assert more.stdout.splitlines()[0].startswith("copying v0006: ")
    assert len(more.stdout.splitlines()) == 2
    assert [v.entry_hash for v in open_store(pg_url).versions()] == [v.entry_hash for v in VersionStore(source).versions()]


def test_copy_into_a_diverged_destination_is_refused(pg_url, tmp_path):
    source = folder_copy(tmp_path)
    assert cli("copy", str(source), pg_url, store=pg_url).returncode == 0
    latest = (source / "versions" / "v0005" / "status.csv").read_bytes()
    publish(source, {"status.csv": edit_cell(latest, "bostan", "note", "ours")}, author="A", note="in the folder")
    publish(pg_url, {"status.csv": edit_cell(latest, "bostan", "note", "theirs")}, author="B", note="in the database")
    before = open_store(pg_url).fingerprint()
    run = cli("copy", str(source), pg_url, store=pg_url)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"refused: {redact(pg_url)} has diverged from {source}: its entry 6 (v0006) differs from the source's (v0006); "
        f"nothing was copied (copy into an empty store, or compare the two with versions); {redact(pg_url)} holds 6 version(s)"]
    assert open_store(pg_url).fingerprint() == before
    # The other way round too: the folder does not have the database's v0006.
    run = cli("copy", pg_url, str(source), store=pg_url)
    assert run.returncode == 1 and "has diverged" in run.stderr and "Traceback" not in run.stderr


def test_copy_of_a_damaged_source_is_refused_and_writes_nothing(pg_url, tmp_path):
    source = folder_copy(tmp_path)
    path = source / "versions" / "v0002" / "zones.csv"
    path.write_bytes(path.read_bytes().replace(b"a", b"b", 1))
    run = cli("copy", str(source), pg_url, store=pg_url)
    assert run.returncode == 1
    assert "refused: v0002 in" in run.stderr and "sha256 mismatch" in run.stderr
    assert run.stderr.strip().endswith("holds 0 version(s)")  # one transaction: v0001 was not kept either
    assert not open_store(pg_url).has_manifest()
    # Into a folder each version is its own publish: v0001 stays, and the message says so.
    run = cli("copy", str(source), str(tmp_path / "folder"), store=pg_url)
    assert run.returncode == 1 and run.stderr.strip().endswith("holds 1 version(s)"), run.stderr
    assert [v.id for v in VersionStore(tmp_path / "folder").versions()] == ["v0001"]


# --- the commands behave the same on either store -------------------------------------------------


@pytest.mark.slow
def test_commands_give_the_same_output_on_folder_and_database(pg_url, tmp_path):
    folder = folder_copy(tmp_path)
    assert cli("copy", str(folder), pg_url, store=pg_url).returncode == 0
    location = {str(folder): "STORE", redact(pg_url): "STORE"}

    def both(*args: str) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
        runs = cli(*args, store=folder), cli(*args, store=pg_url)
        outs = []
        for run in runs:
            text = run.stdout + "\n--stderr--\n" + run.stderr
            for where, name in location.items():
                text = text.replace(where, name)
            outs.append((run.returncode, text))
        assert outs[0] == outs[1], args
        return runs

    assert both("versions")[0].returncode == 0
    assert both("versions", "--json")[0].returncode == 0
    assert both("verify")[0].stdout == "ok: 5 version(s) intact in STORE\n".replace("STORE", str(folder))
    assert both("diff", "v0002", "v0004")[0].returncode == 0
    assert both("diff", "v0002", "v0099")[0].returncode == 2
    packs = [tmp_path / f"pack-{kind}.html" for kind in ("folder", "db")]
    for out, where in zip(packs, (folder, pg_url), strict=True):
        run = cli("briefing", "--compare", "v0002", "--out", str(out), store=where)
        assert run.returncode == 0, run.stderr
    # Same text and the same figures (an SVG's element ids are random, so embedded images are compared by count).
    texts = [re.sub(rb"base64,[A-Za-z0-9+/=]+", b"IMAGE", p.read_bytes()) for p in packs]
    assert texts[0] == texts[1] and texts[0].count(b"IMAGE") >= 1
    upload = tmp_path / "upload"
    upload.mkdir()
    latest = (folder / "versions" / "v0005" / "status.csv").read_bytes()
    (upload / "status.csv").write_bytes(edit_cell(latest, "bostan", "note", "checked on site"))
    publish_args = ("publish", "--author", "Amna", "--note", "site visit", "--as-of", "2025-09-20", str(upload / "status.csv"))
    assert both(*publish_args, "--dry-run")[0].returncode == 0
    runs = [cli(*publish_args, store=folder), cli(*publish_args, store=pg_url)]
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.splitlines()[-1] == "v0006"
    refused = both(*publish_args)  # the same again: identical content
    assert refused[0].returncode == 1
    db, fs = open_store(pg_url), VersionStore(folder)
    assert [v.files for v in db.versions()] == [v.files for v in fs.versions()]
    assert db.load().dataset.status.equals(fs.load().dataset.status)


# --- publishing ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_five_racing_publishers_make_exactly_one_version(pg_url, tmp_path):
    publish(pg_url, fixture_files("base"), author="A", note="base")
    barrier = tmp_path / "go"
    uploads = [status_file(tmp_path / f"s{i}", 100 + i) for i in range(5)]
    processes = [start_publisher(tmp_path / "unused", upload, "--based-on", "v0001", BARRIER=str(barrier), SEZ_STORE=pg_url)
                 for upload in uploads]
    for process in processes:
        wait_ready(process)
    barrier.touch()
    results = [(p.communicate(timeout=180), p.returncode) for p in processes]
    assert sorted(code for _, code in results) == [0, 1, 1, 1, 1], results
    store = open_store(pg_url)
    assert [v.id for v in store.versions()] == ["v0001", "v0002"]
    for (_out, err), code in results:
        if code:
            assert "refused: 1 conflicting cell(s)" in err and "bostan jobs: " in err
    (winner,) = [out for (out, _err), code in results if code == 0]
    files, _ = store.read_version_files(store.versions()[-1])
    assert "bostan jobs" not in winner and files["status.csv"] in {u.read_bytes() for u in uploads}
    assert store.verify() == []
    assert not (tmp_path / "unused").exists()  # nothing went to a folder


@pytest.mark.slow
def test_without_based_on_racing_publishers_each_publish_in_turn(pg_url, tmp_path):
    publish(pg_url, fixture_files("base"), author="A", note="base")
    barrier = tmp_path / "go"
    uploads = [status_file(tmp_path / f"s{i}", 200 + i) for i in range(3)]
    processes = [start_publisher(tmp_path / "unused", u, BARRIER=str(barrier), SEZ_STORE=pg_url) for u in uploads]
    for process in processes:
        wait_ready(process)
    barrier.touch()
    results = [(p.communicate(timeout=180), p.returncode) for p in processes]
    assert [code for _, code in results] == [0, 0, 0], results
    store = open_store(pg_url)
    versions = store.versions()
    assert [v.id for v in versions] == ["v0001", "v0002", "v0003", "v0004"]
    assert all(b.prev_hash == a.entry_hash and b.parent == a.id for a, b in zip(versions, versions[1:], strict=False))
    assert store.verify() == []


# --- integrity ------------------------------------------------------------------------------------


def test_rows_cannot_be_changed_through_sql(pg_server, pg_url):
    publish(pg_url, fixture_files("base"), author="A", note="base")
    for sql in ("UPDATE sez_files SET data = 'x'::bytea", "DELETE FROM sez_versions", "TRUNCATE sez_files CASCADE"):
        with pytest.raises(subprocess.CalledProcessError) as refused:
            pg_server.psql(pg_url, sql)
        assert "published versions are immutable" in refused.value.stderr
    assert open_store(pg_url).verify() == []


def test_a_row_altered_by_hand_is_named_by_verify_and_not_served(pg_server, pg_url):
    publish(pg_url, fixture_files("base"), author="A", note="base")
    publish(pg_url, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "10")}, author="A", note="jobs")
    store = open_store(pg_url)
    assert store.load().dataset.info.id == "v0002"  # read (and kept by nothing: the stamp follows the rows)
    stamp = store.fingerprint().version("v0002")
    # Same length, one digit changed: only the hash can tell.
    pg_server.psql(pg_url, "ALTER TABLE sez_files DISABLE TRIGGER sez_files_immutable; "
                           "UPDATE sez_files SET data = replace(encode(data, 'escape'), ',10,', ',90,')::bytea "
                           "WHERE version_id = 'v0002' AND name = 'status.csv'; "
                           "ALTER TABLE sez_files ENABLE TRIGGER sez_files_immutable")
    assert store.fingerprint().version("v0002") != stamp
    problems = store.verify()
    assert [p.format_line() for p in problems] == [
        "sez_files v0002/status.csv: v0002: sha256 mismatch: the file was altered after publishing"]
    result = store.load()
    assert result.dataset.info.id == "v0001" and result.fell_back
    run = cli("verify", store=pg_url)
    assert run.returncode == 1
    assert run.stdout.splitlines() == ["sez_files v0002/status.csv: v0002: sha256 mismatch: the file was altered after publishing"]
    with pytest.raises(PublishRefused, match="the latest version v0002 is damaged"):
        publish(pg_url, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "11")}, author="A", note="n")


def test_an_entry_altered_by_hand_breaks_the_chain(pg_server, pg_url):
    publish(pg_url, fixture_files("base"), author="A", note="base")
    publish(pg_url, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "10")}, author="A", note="jobs")
    pg_server.psql(pg_url, "ALTER TABLE sez_versions DISABLE TRIGGER sez_versions_immutable; "
                           "UPDATE sez_versions SET entry = replace(entry, '\"author\": \"A\"', '\"author\": \"Z\"') WHERE id = 'v0001'; "
                           "ALTER TABLE sez_versions ENABLE TRIGGER sez_versions_immutable")
    lines = [p.format_line() for p in open_store(pg_url).verify()]
    assert "manifest.json entry 1 (v0001): v0001: entry hash mismatch: the entry was edited after publishing" in lines
    with pytest.raises(PublishRefused, match="the manifest is damaged"):
        publish(pg_url, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "12")}, author="A", note="n")


def test_an_empty_database_holds_no_store(pg_url):
    store = open_store(pg_url)
    assert not store.has_manifest()
    with pytest.raises(StoreError, match="holds no published version"):
        store.versions()
    run = cli("versions", store=pg_url)
    assert run.returncode == 2 and run.stderr.startswith("error: ") and "Traceback" not in run.stderr


def _role(pg_server, pg_url: str, role: str, privileges: str) -> str:
    """A login role with ``privileges`` on the store's tables (as docs/deployment.md grants them);
    the URL that connects as it."""
    database = pg_url.rsplit("/", 1)[1]
    pg_server.psql(pg_url, f"DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN; "
                           f'GRANT CONNECT ON DATABASE "{database}" TO {role}; '
                           f"GRANT USAGE ON SCHEMA public TO {role}; "
                           f"GRANT {privileges} ON sez_versions, sez_files TO {role}")
    return pg_url.replace("://sez@", f"://{role}@")


def test_a_read_only_role_reads_and_cannot_publish(pg_server, pg_url):
    """The viewer replicas' role of docs/deployment.md: SELECT only."""
    publish(pg_url, fixture_files("base"), author="A", note="base")
    viewer = _role(pg_server, pg_url, "sez_viewer_t", "SELECT")
    assert open_store(viewer).verify() == []
    assert open_store(viewer).load().dataset.info.id == "v0001"
    with pytest.raises(PublishRefused, match="refused"):
        publish(viewer, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "3")}, author="A", note="n")
    assert [v.id for v in open_store(pg_url).versions()] == ["v0001"]


def test_the_publisher_role_adds_versions_and_cannot_change_them(pg_server, pg_url):
    """docs/deployment.md's publisher role: SELECT and INSERT; the owner's triggers stay on."""
    publish(pg_url, fixture_files("base"), author="A", note="base")
    publisher = _role(pg_server, pg_url, "sez_publisher_t", "SELECT, INSERT")
    info = publish(publisher, {"status.csv": edit_cell(fixture_files("base")["status.csv"], "bostan", "jobs", "3")},
                   author="A", note="n")
    assert info.id == "v0002" and open_store(pg_url).verify() == []
    for sql in ("ALTER TABLE sez_files DISABLE TRIGGER sez_files_immutable", "UPDATE sez_files SET data = data",
                "DELETE FROM sez_versions"):
        with pytest.raises(subprocess.CalledProcessError) as refused:
            pg_server.psql(publisher, sql)
        assert "must be owner" in refused.value.stderr or "permission denied" in refused.value.stderr, sql


# --- the database down and back -----------------------------------------------------------------


def test_database_down_is_unavailable_and_recovers_without_restart(pg_server, pg_url):
    """Commands and the app say the store is unavailable; once the server is back the same process
    reads again (its pooled connections were broken by the restart and are replaced)."""
    from support.pages import run_page

    publish(pg_url, fixture_files("base"), author="A", note="base")
    store = PgStore(pg_url)
    assert store.versions()[0].id == "v0001"  # a pooled connection now exists
    import os

    os.environ["SEZ_STORE"] = pg_url
    try:
        at = run_page("overview")
        assert not at.exception and not at.error
        pg_server.stop()
        try:
            with pytest.raises(StoreUnavailable, match="cannot be reached"):
                store.versions()
            run = cli("versions", store=pg_url)
            assert run.returncode == 2
            assert run.stderr.splitlines() == [f"error: the database {redact(pg_url)} cannot be reached: "
                                               + run.stderr.split("cannot be reached: ", 1)[1].strip()]
            for page in ("pages/overview.py", "pages/map.py", "pages/zone.py", "pages/timeline.py", "pages/changes.py", "pages/data.py"):
                at.switch_page(page).run()
                assert not at.exception, (page, [e.value for e in at.exception])
                texts = [e.value for e in at.error]
                assert any("The data store is unavailable" in t for t in texts), (page, texts)
                assert not any("postgresql://" in t or str(pg_server.port) in t for t in texts), texts
            presenter = run_page(None, present="1")
            assert any("The data store is unavailable" in e.value for e in presenter.error)
        finally:
            pg_server.start()
        assert [v.id for v in store.versions()] == ["v0001"]
        at.switch_page("pages/overview.py").run()
        assert not at.exception and not at.error
        assert any("Data as of" in c.value for c in at.caption)
    finally:
        del os.environ["SEZ_STORE"]


@pytest.mark.slow
def test_connection_refused_is_one_line_for_every_command(tmp_path):
    from support.pgserver import free_port

    url = f"postgresql://nobody:secret@127.0.0.1:{free_port()}/nothing"
    for args in (["versions"], ["verify"], ["diff", "v0001", "v0002"], ["copy", str(SHIPPED), url],
                 ["briefing", "--out", str(tmp_path / "x.html")]):
        run = cli(*args, store=url)
        assert run.returncode in (1, 2), (args, run.stderr)
        assert "Traceback" not in run.stderr and "secret" not in run.stderr + run.stdout, args
        assert re.search(r"cannot be reached", run.stderr), (args, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1, (args, run.stderr)


def test_versions_json_is_the_entries_on_both(pg_url, tmp_path):
    assert cli("copy", str(SHIPPED), pg_url, store=pg_url).returncode == 0
    listed = json.loads(cli("versions", "--json", store=pg_url).stdout)
    assert listed == json.loads((SHIPPED / "manifest.json").read_text())["versions"]
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM sez_files").fetchone()[0] == 15  # 5 shipped versions × 3 files
