"""Folder store vs PostgreSQL store at scale: load + verify of the latest version, and every page's
first view and warm rerun (AppTest), on the same versions; then the Data page alone as the first
page of a fresh process (its full verify reads every version). Prints numbers; asserts nothing.

    .venv/bin/python -m benchmarks.stores --zones 5000 --versions 40
    .venv/bin/python -m benchmarks.stores --folder /tmp/sez-5000 --data-alone 3   # the Data page only

The database store's replicas share sealed verdicts when ``SEZ_VERDICT_KEY`` is set (a random one
is set for the run when it is not): the measures say whether a run had verdicts in the database.

Builds the synthetic store (``python -m sez_metrics synth``) once into ``benchmarks/.cache/`` unless
``--folder`` names one already built, starts a throw-away PostgreSQL cluster (Debian's binaries, as the tests do:
tests/support/pgserver.py), copies the folder into it (``copy``), and measures both the same way, one
store at a time, the page runs each in a process of its own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def _median(work, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_store(location: str, repeats: int) -> dict:
    """Load (verified) of the latest version, a verify of that version's files, and the per-rerun
    store queries a page makes (the versions list and the store's fingerprint)."""
    from sez_metrics.storage import verdicts
    from sez_metrics.storage.store import open_store

    store = open_store(location)
    versions = store.versions()
    latest = versions[-1]
    store.load()  # untimed: the first load pays for fresh memory
    load = _median(lambda: store.load(), repeats)
    verify_latest = _median(lambda: store.read_version_files(latest), repeats)
    listing = _median(lambda: (store.versions(), store.fingerprint()), repeats)
    verdicts.forget_all()  # a full verify of a fresh process: every file read and hashed
    verify_all = _median(lambda: store.verify(), 1)
    verify_again = _median(lambda: store.verify(), repeats)  # every file found intact with the stamp it still has
    return {"versions": len(versions), "latest": latest.id, "bytes": sum(r.bytes for r in latest.files.values()),
            "load_latest_s": load, "verify_latest_s": verify_latest, "list_and_stamp_s": listing,
            "verify_all_s": verify_all, "verify_all_again_s": verify_again}


def bench_pages(location: str, repeats: int, pages: str | None = None) -> dict:
    """Every page in one fresh process (or only ``pages``, e.g. "data": the Data page as the first
    page a fresh server shows, with nothing read before it)."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.pages", "--data", location, "--repeats", str(repeats),
                           *(["--pages", pages] if pages else [])],
                          cwd=REPO, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-3:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def data_alone_rounds(results: dict, folder: str, url: str, args) -> None:
    """The Data page as the first page of a fresh process, ``args.data_alone`` rounds; each round
    visits the folder store, then the database store twice: with no verdict in the database (as
    on the first replica to start, or ten minutes after the last check: ``sez_verdicts`` emptied)
    and then with the verdicts the first visit left there (a replica started after another one has
    checked the store). Medians and ratios to the folder."""
    import os

    import psycopg

    rounds: dict[str, list[float]] = {"folder": [], "postgres_no_verdicts": [], "postgres_shared_verdicts": []}

    def visit(kind: str, location: str) -> None:
        found = bench_pages(location, args.repeats, "data")
        if "data" not in found or found["data"]["errors"]:
            raise SystemExit(f"{kind}: {found}")
        rounds[kind].append(found["data"]["first_s"])

    for _ in range(args.data_alone):
        visit("folder", folder)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("TRUNCATE sez_verdicts")
        visit("postgres_no_verdicts", url)
        visit("postgres_shared_verdicts", url)
    results["data_alone_first_s"] = rounds
    results["load_average"] = os.getloadavg()
    print(json.dumps(results, indent=2))
    f = statistics.median(rounds["folder"])
    print(f"\ndata page, first page of a fresh process (medians of {args.data_alone}): folder {f:.3f} s")
    for kind in ("postgres_no_verdicts", "postgres_shared_verdicts"):
        d = statistics.median(rounds[kind])
        print(f"  {kind:26} {d:.3f} s, ratio {d / f:.2f}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=5000)
    parser.add_argument("--versions", type=int, default=40)
    parser.add_argument("--folder", type=Path, help="an already built store folder to use")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument("--database-first", action="store_true", help="measure the database store first (order effects)")
    parser.add_argument("--data-alone", type=int, metavar="ROUNDS",
                        help="measure only the Data page as the first page of a fresh process, ROUNDS rounds of "
                             "folder, database without shared verdicts, database with them; report the medians")
    args = parser.parse_args()

    from support.pgserver import PgServer, require_postgres

    from sez_metrics.storage.store import open_store
    from sez_metrics.storage.store_copy import copy_store

    folder = args.folder
    if folder is None:
        folder = REPO / "benchmarks" / ".cache" / f"stores-z{args.zones}-v{args.versions}"
        if not (folder / "manifest.json").exists():
            folder.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, "-m", "sez_metrics", "synth", "--zones", str(args.zones),
                            "--versions", str(args.versions), "--out", str(folder)], cwd=REPO, check=True)
    import os
    import secrets

    from sez_metrics.storage import verdicts

    # The replicas' key that seals the verdicts they share (docs/deployment.md); one per run.
    os.environ.setdefault(verdicts.VERDICT_KEY_ENV, secrets.token_hex(32))
    server = PgServer(require_postgres())
    server.start()
    try:
        url = server.new_database()
        started = time.perf_counter()
        copy_store(open_store(folder), open_store(url))
        copy_s = time.perf_counter() - started
        results = {"folder": str(folder), "copy_folder_to_database_s": copy_s, "stores": {}}
        if args.data_alone:
            return data_alone_rounds(results, str(folder), url, args)
        order = [("folder", str(folder)), ("postgres", url)]
        for kind, location in (order[::-1] if args.database_first else order):
            results["stores"][kind] = {"store": bench_store(location, args.repeats),
                                       "pages": bench_pages(location, args.repeats),
                                       "data_alone": bench_pages(location, args.repeats, "data")}
    finally:
        server.destroy()
    print(json.dumps(results, indent=2))
    folder_pages, db_pages = results["stores"]["folder"]["pages"], results["stores"]["postgres"]["pages"]
    print(f"\n{'page':10} {'first folder':>13} {'first db':>10} {'ratio':>6} {'warm folder':>12} {'warm db':>9} {'ratio':>6}")
    for page, f in folder_pages.items():
        if page == "error" or page not in db_pages:
            continue
        d = db_pages[page]
        print(f"{page:10} {f['first_s']:13.3f} {d['first_s']:10.3f} {d['first_s'] / f['first_s']:6.2f} "
              f"{f['warm_s']:12.3f} {d['warm_s']:9.3f} {d['warm_s'] / f['warm_s']:6.2f}")
    f, d = results["stores"]["folder"]["data_alone"], results["stores"]["postgres"]["data_alone"]
    if "data" in f and "data" in d:
        print(f"{'data alone':10} {f['data']['first_s']:13.3f} {d['data']['first_s']:10.3f} {d['data']['first_s'] / f['data']['first_s']:6.2f} "
              f"{f['data']['warm_s']:12.3f} {d['data']['warm_s']:9.3f} {d['data']['warm_s'] / f['data']['warm_s']:6.2f}")
    for key in ("load_latest_s", "verify_latest_s", "list_and_stamp_s", "verify_all_s", "verify_all_again_s"):
        f, d = results["stores"]["folder"]["store"][key], results["stores"]["postgres"]["store"][key]
        print(f"{key:18} folder {f:8.3f}  db {d:8.3f}  ratio {d / f:5.2f}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
