"""Inputs that would cost the server minutes: a CSV of 626,000 columns, a record wider than any table.

The limits are named in ``sez_metrics.core.settings`` (``MAX_COLUMNS``); the timeouts here only detect a
hang (the file used to take 41-76 s of CPU and ~600 MB), they are not timing targets.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sez_metrics.app import serverguard
from sez_metrics.core import schema, settings
from sez_metrics.core.validate import validate_version

REPO = Path(__file__).resolve().parents[1]
VALID = REPO / "tests" / "fixtures" / "validation" / "valid"
HANG_TIMEOUT_S = 120
WIDE_COLUMNS = 626_000


def test_a_zones_csv_of_626k_columns_is_refused_at_once_by_the_cli(tmp_path):
    wide = tmp_path / "zones.csv"
    wide.write_bytes((",".join(f"c{i}" for i in range(WIDE_COLUMNS)) + "\n").encode())
    assert wide.stat().st_size > 4_000_000

    result = subprocess.run([sys.executable, "-m", "sez_metrics", "validate", str(wide)], cwd=REPO,
                            env={**os.environ, "SEZ_DATA_DIR": str(tmp_path / "store")},
                            capture_output=True, text=True, timeout=HANG_TIMEOUT_S)

    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(
        f"{wide}:1:: error too-many-columns: this record has {WIDE_COLUMNS:,} cells, more than the limit of "
        f"{settings.MAX_COLUMNS} columns (column {settings.MAX_COLUMNS + 1} onward); the file was not checked further → fix: "
    )
    assert "Traceback" not in result.stderr


def test_a_record_wider_than_the_limit_below_a_good_header_is_named_by_its_line():
    text = (VALID / "status.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows.insert(2, rows[1] + ["x"] * settings.MAX_COLUMNS)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)

    report = validate_version({"status.csv": out.getvalue().encode()})

    assert [(p.code, p.file, p.line) for p in report.errors] == [("too-many-columns", "status.csv", 3)]
    assert report.errors[0].fix and "delete the columns" in report.errors[0].fix


def test_every_table_fits_the_column_limit():
    assert max(len(table.column_names) for table in schema.TABLES.values()) < settings.MAX_COLUMNS


# --- presenter renders --------------------------------------------------------------------------


def _map_slide(at) -> tuple[int, int]:
    """(images on the slide, in-page Plotly figures) of a presenter run."""
    slides = [h.proto.body for h in at.get("html") if 'data-testid="sez-slide"' in h.proto.body]
    assert len(slides) == 1 and not at.exception, at.exception
    return slides[0].count('src="data:image/svg+xml;base64,'), len(at.get("plotly_chart"))


@pytest.mark.slow
def test_varying_presenter_zones_past_the_render_budget_draws_in_the_browser_instead(mini_store, monkeypatch):
    from support.pages import run_page

    monkeypatch.setattr(serverguard, "PRESENTER_RENDERS", serverguard.RenderBudget(2))

    assert _map_slide(run_page(present="1", slide="2", zones="rashakai")) == (1, 0)
    assert _map_slide(run_page(present="1", slide="2", zones="aiic")) == (1, 0)
    # A third selection within the hour: no chromium render, the figure is drawn by Plotly in the page.
    assert _map_slide(run_page(present="1", slide="2", zones="aiic,rashakai")) == (0, 1)
    # Selections already drawn stay served from the cache.
    assert _map_slide(run_page(present="1", slide="2", zones="rashakai")) == (1, 0)


def test_the_render_budget_counts_distinct_keys_per_window():
    now = [0.0]
    budget = serverguard.RenderBudget(2, window=60, clock=lambda: now[0])
    assert budget.allow("a") and budget.allow("b") and budget.allow("a")
    assert not budget.allow("c")
    now[0] = 61
    assert budget.allow("c")


def test_costly_work_runs_one_at_a_time():
    import threading
    import time

    running, peak, lock = [0], [0], threading.Lock()

    def work():
        with serverguard.costly():
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.05)  # hold the slot while the others try to take it
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert peak[0] == settings.MAX_CONCURRENT_COSTLY


def test_a_briefing_pack_and_a_page_s_costly_work_do_not_wait_for_each_other(mini_store):
    """A pack takes seconds; the costly work of a page (a version diff no one asked for yet) takes
    its own slot. While a page's costly work is under way, the real pack (``cached.briefing_pack``)
    is built; while a pack is being built, another session's overview renders, comparing two
    versions no page compared before. (Streamlit runs the pack's deferred download on a worker
    thread, so the server itself stays free.)"""
    import threading

    from support.pages import run_page

    from sez_metrics.app import cached
    from sez_metrics.core import vocabulary
    from sez_metrics.storage.folder import VersionStore

    latest = VersionStore(mini_store).versions()[-1].id
    request = cached.pack_request(latest, None, (), vocabulary.AS_OF, mini_store)
    made: list[bytes] = []
    with serverguard.costly():  # a page's costly work under way
        builder = threading.Thread(target=lambda: made.append(cached.briefing_pack(request, "html")), daemon=True)
        builder.start()
        builder.join(timeout=240)
        assert not builder.is_alive(), "the pack waited for the page's costly work"
    assert made and made[0].startswith(b"<!DOCTYPE html>")

    taken, done = threading.Event(), threading.Event()

    def pack_being_built() -> None:
        with serverguard.pack_slot():
            taken.set()
            done.wait(timeout=90)  # released when the page has rendered (or, if it waits for this, after 90 s)

    holder = threading.Thread(target=pack_being_built, daemon=True)
    holder.start()
    taken.wait(timeout=10)
    try:
        at = run_page()  # the overview's "what changed": the latest version against the one before
    finally:
        done.set()
        holder.join()
    assert [t.value for t in at.title] == ["📊 Overview"]
