"""One truth on every screen: the overdue count and each milestone's days late read the same on the
Overview, the Timeline (default), every zone profile, the presenter slides, both pack formats and
the command line — counted to the data's as-of date by default, to today when chosen.

Expected values come from the shipped data through ``vocabulary`` (row by row, ``is_overdue`` and
``days_late``), never written down: the shipped data may be corrected.
"""

from __future__ import annotations

import html as html_module
import io
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from support.pages import run_page

from sez_metrics.core import i18n, vocabulary
from sez_metrics.render.briefing import html as pack_html
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import pdf as pack_pdf
from sez_metrics.render.briefing import story as storyline
from sez_metrics.storage.folder import VersionStore

REPO = Path(__file__).parents[1]
PAGES = {"overview": None, "timeline": "timeline", "zone": "zone"}


def expected_overdue(root: Path, choice: str) -> tuple[vocabulary.Reference, dict[str, int], dict[str, str]]:
    """(reference, {milestone_id: days late}, {milestone_id: zone_id}) of the latest version, row by row."""
    dataset = VersionStore(root).load().dataset
    reference = vocabulary.resolve_reference(dataset.info.as_of, choice)
    late, zone_of = {}, {}
    for row in dataset.milestones.to_dict("records"):
        if vocabulary.is_overdue(row, reference.day):
            late[row["milestone_id"]] = vocabulary.days_late(row, reference.day)
            zone_of[row["milestone_id"]] = row["zone_id"] or ""
    return reference, late, zone_of


def _titles(root: Path) -> dict[str, str]:
    m = VersionStore(root).load().dataset.milestones
    return dict(zip(m["milestone_id"], m["title"], strict=True))


def _plain(text: str) -> str:
    return text.replace("\\", "")


def _days_by_title(frame: pd.DataFrame, days_column: str) -> list[tuple[str, int]]:
    """(title, days late) of every row, sorted (titles may repeat across zones)."""
    out = []
    for title, days in zip(frame["Milestone"], frame[days_column], strict=True):
        out.append((title, int(re.sub(r"[^\d]", "", str(days))) if not isinstance(days, (int, float)) else int(days)))
    return sorted(out)


@pytest.mark.slow
@pytest.mark.parametrize("choice", [vocabulary.AS_OF, vocabulary.TODAY])
def test_overdue_and_days_late_agree_on_every_page_slide_pack_and_command(shipped_copy, choice, tmp_path):
    reference, late, zone_of = expected_overdue(shipped_copy, choice)
    titles = _titles(shipped_copy)
    expected = sorted((titles[m], d) for m, d in late.items())
    params = {"to": "today"} if choice == vocabulary.TODAY else {}

    # Overview: the heading's count and the table's days late, worded "N days late".
    at = run_page(None, **params)
    assert not at.exception
    assert any(s.value == f"Overdue milestones ({len(late)})" for s in at.subheader)
    if late:
        table = next(t.value for t in [*at.table, *at.dataframe] if "Days late" in t.value.columns and "Due" in t.value.columns)
        assert _days_by_title(table, "Days late") == expected
        assert reference.name in _plain(" ".join(c.value for c in at.caption))

    # Timeline (default filters): the Overdue tile and the slippage table's overdue rows.
    at = run_page("timeline", **params)
    assert not at.exception
    tile = next(m for m in at.metric if "Overdue" in m.label)
    assert tile.value == f"{len(late):,}"
    table = at.table[0].value
    rows = table[table["Slip"].str.startswith("⚠ Overdue")]
    assert _days_by_title(rows, "Days late") == expected

    # Zone profile: each zone's overdue items, with the same days late.
    for zone_id in sorted({z for z in zone_of.values() if z}):
        at = run_page("zone", zone=zone_id, **params)
        assert not at.exception
        table = next(t.value for t in at.table if "Slip" in t.value.columns)
        rows = table[table["Slip"].str.startswith("⚠ Overdue")]
        mine = sorted((titles[m], d) for m, d in late.items() if zone_of[m] == zone_id)
        assert _days_by_title(rows, "Days late") == mine, zone_id

    # Presenter mode: the overview slide's count; each zone slide's "Overdue by N days".
    at = run_page(present="1", slide="1", **params)
    body = next(h.proto.body for h in at.get("html") if 'data-testid="sez-slide"' in h.proto.body)
    if late:
        when = f"today ({i18n.date_text('en', reference.day)})" if choice == vocabulary.TODAY else \
            f"at the data's as-of date ({i18n.date_text('en', reference.day)})"
        assert f"⚠ {len(late)} milestone{'s' if len(late) != 1 else ''} overdue {when}" in re.sub(r'<span class="sez-v" dir="auto">([^<]*)</span>', r"\1", body).replace("&#x27;", "'")
    else:
        assert "No milestone overdue" in body

    # Both pack formats, made by the real briefing, and the command line's pack.
    inputs = pack_files.load_pack_inputs(shipped_copy)
    story = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history, reference=choice)
    assert {m.milestone_id: m.days_late for m in story.overdue} == late
    html = pack_html.render_html(story, pack_images.BriefingImages())
    pdf = pack_pdf.render_pdf(story, pack_images.BriefingImages())
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    # The PDF's overview lists the first OVERDUE_ROWS_PDF (then "… and N more"); the HTML lists all.
    for text, shown in ((html.replace("&#x27;", "'"), story.overdue), (re.sub(r"\s+", " ", pdf_text), story.overdue[:pack_pdf.OVERDUE_ROWS_PDF])):
        if late:
            assert f"Overdue milestones at {reference.name} ({len(late)})" in text
        for m in shown:
            assert f"Overdue by {vocabulary.days_text(late[m.milestone_id])}" in text
    out = tmp_path / "pack.html"
    env = dict(os.environ, SEZ_DATA_DIR=str(shipped_copy))
    done = subprocess.run([sys.executable, "-m", "sez_metrics", "briefing", "--to", choice, "--out", str(out)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    if late:
        assert f"Overdue milestones at {reference.name} ({len(late)})" in out.read_text(encoding="utf-8").replace("&#x27;", "'")


def _tile_lines(tiles) -> list[str]:
    """Every tile's printed lines in order: label, value, change, flag (the last two when present)."""
    return [line for t in tiles for line in (t.label, t.value, t.delta_text, t.flag_text) if line]


def test_headline_tiles_read_the_same_in_the_pdf_the_html_and_the_slides(shipped_copy):
    """The tile wording (label, value, change since the compared version, estimated flag) is the
    story's, and the three renderings print exactly those strings, in the same order."""
    from sez_metrics.render import present

    inputs = pack_files.load_pack_inputs(shipped_copy)
    story = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history)
    tiles = story.tiles
    assert len(tiles) == 8
    # The shipped data compares with an earlier round and has estimated figures: every kind of line shows.
    assert all(t.delta_text.endswith(f" since {inputs.compare.info.label}") for t in tiles)
    assert any(t.flag_text.startswith("⚠ estimated: ") for t in tiles)
    expected = _tile_lines(tiles)

    # The PDF's tiles have no room for a version's label: it names the compared version once, above
    # them, and each tile prints the same change figure alone.
    assert all(t.delta_text == f"{t.delta} since {inputs.compare.info.label}" for t in tiles)
    pdf_expected = [story.compare_text] + [line for t in tiles for line in (t.label, t.value, t.delta, t.flag_text) if line]
    pdf = pack_pdf.render_pdf(story, pack_images.BriefingImages())
    overview = PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
    printed = overview.split("Programme overview", 1)[1].split("Zones by stage:", 1)[0]
    assert [line.strip() for line in printed.splitlines() if line.strip()] == pdf_expected

    def tile_texts(markup: str, start: str, end: str, classes: str) -> list[str]:
        block = markup.split(start, 1)[1].split(end, 1)[0]
        return [html_module.unescape(t) for t in re.findall(rf'<div class="(?:{classes})">(.*?)</div>', block) if t]

    page = pack_html.render_html(story, pack_images.BriefingImages())
    assert tile_texts(page, '<div class="tiles">', "</section>", "label|value|delta|flag") == expected
    slide = present.overview_html(story)
    assert tile_texts(slide, '<div class="sez-tiles">', '<p class="sez-line">', "sez-tile-label|sez-tile-value|sez-tile-delta|sez-flag") == expected


def test_the_diff_command_counts_newly_overdue_days_at_the_as_of_date(shipped_copy):
    """``diff`` says how many days late at the newer version's as-of date, as the pages do."""
    store = VersionStore(shipped_copy)
    versions = store.versions()
    old, new = versions[-2], versions[-1]
    env = dict(os.environ, SEZ_DATA_DIR=str(shipped_copy))
    done = subprocess.run([sys.executable, "-m", "sez_metrics", "diff", old.id, new.id], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    new_ds, old_ds = store.load(new.id).dataset, store.load(old.id).dataset
    olds = {r["milestone_id"]: r for r in old_ds.milestones.to_dict("records")}
    for row in new_ds.milestones.to_dict("records"):
        moves = vocabulary.movements(olds.get(row["milestone_id"]), row, old.as_of, new.as_of)
        if any(m.code == vocabulary.NEWLY_OVERDUE for m in moves):
            days = vocabulary.days_late(row, new.as_of)
            assert f"“{row['title']}” now overdue (due {row['due_date']:%Y-%m-%d}, {vocabulary.days_text(days)} late at " \
                   f"the data's as-of date {new.as_of})" in done.stdout
    assert not re.search(r"-\d+ days", done.stdout), "no negative lateness"


def test_no_negative_lateness_in_the_words():
    assert vocabulary.lateness_text(-16) == "16 days early"
    assert vocabulary.lateness_text(16) == "16 days late"
    assert vocabulary.lateness_text(1) == "1 day late"
    assert vocabulary.lateness_text(0) == "on time"


def test_the_row_rule_and_the_column_rule_agree(shipped_copy):
    """``is_overdue``/``days_late`` (one row) and ``overdue_mask``/``days_late_series`` (a frame) are one rule."""
    m = VersionStore(shipped_copy).load().dataset.milestones
    for day in ("2020-01-01", "2025-09-15", date.today().isoformat()):
        rows = m.to_dict("records")
        assert vocabulary.overdue_mask(m, day).tolist() == [vocabulary.is_overdue(r, day) for r in rows]
        series = vocabulary.days_late_series(m, day)
        assert [None if pd.isna(v) else int(v) for v in series] == [vocabulary.days_late(r, day) for r in rows]


def test_movements_are_codes_and_a_closed_milestone_never_slips():
    old = {"status": "cancelled", "due_date": "2024-01-01", "done_date": None}
    new = {"status": "cancelled", "due_date": "2024-06-01", "done_date": None}
    assert vocabulary.movements(old, new, "2024-01-01", "2025-01-01") == []
    done = vocabulary.movements({"status": "in_progress", "due_date": "2024-02-01", "done_date": None},
                                {"status": "done", "due_date": "2024-01-16", "done_date": "2024-01-16"}, "2024-01-01", "2024-03-01")
    assert done == [vocabulary.Movement(vocabulary.COMPLETED_EARLY, -16)]
    slipped = vocabulary.movements({"status": "planned", "due_date": "2024-02-01", "done_date": None},
                                   {"status": "delayed", "due_date": "2024-03-01", "done_date": None}, "2024-01-01", "2024-04-01")
    assert [m.code for m in slipped] == [vocabulary.SLIPPED, vocabulary.NEWLY_OVERDUE]
    assert slipped[1].days == 31


def test_reference_choice_reads_the_url():
    assert vocabulary.reference_choice(None) == vocabulary.AS_OF
    assert vocabulary.reference_choice("asof") == vocabulary.AS_OF  # old links
    assert vocabulary.reference_choice("today") == vocabulary.TODAY
    ref = vocabulary.resolve_reference("2025-09-15")
    assert ref.phrase() == "days late at the data's as-of date 2025-09-15"
