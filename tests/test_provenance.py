"""Provenance per figure: a status row's ``confidence``/``source`` are defaults; ``<figure>_confidence``
and ``<figure>_source`` override them for one figure, and ``colonization_basis`` says what colonization
is a share of. A row with colonization ``official`` and gas ``estimated`` reads so on the zone profile,
the map card and tooltip, the presenter slide and both pack formats; files without the columns stay valid."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest
from pypdf import PdfReader
from support.pages import rendered_texts, run_page
from support.stores import MINI, build_store

from sez_metrics.core import profile, schema
from sez_metrics.core.validate import validate_version
from sez_metrics.render.briefing import html as pack_html
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import pdf as pack_pdf
from sez_metrics.render.briefing import story as storyline
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.store import VERSION_FILES

OWN = {"colonization_confidence": "official", "colonization_source": "CPEC Authority briefing, Aug 2022",
       "gas_confidence": "estimated", "colonization_basis": "saleable_area"}


def _with_columns(folder, zone_id: str, values: dict[str, str]) -> None:
    """Add ``values``' columns to status.csv (empty for other rows)."""
    path = folder / "status.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    names = list(rows[0]) + [c for c in values if c not in rows[0]]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**{c: "" for c in names}, **row, **(values if row["zone_id"] == zone_id else {})})
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    """The mini store; in its latest version Rashakai (row: reported) has colonization official, gas estimated."""
    v2 = tmp_path / "v2"
    shutil.copytree(MINI / "v2", v2)
    _with_columns(v2, "rashakai", OWN)
    root = build_store(tmp_path / "store", [(MINI / "v1", "Before JCC-10", "2021-09-15"), (v2, "Before JCC-11", "2022-10-15")])
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


def test_the_columns_validate_and_files_without_them_stay_valid(own_store):
    files = {name: (own_store / "versions" / "v0002" / name).read_bytes() for name in VERSION_FILES}
    assert validate_version(files, as_of="2022-10-15").errors == []
    plain = {name: (MINI / "v2" / name).read_bytes() for name in VERSION_FILES}
    assert validate_version(plain, as_of="2022-10-15").errors == []
    bad = dict(files, **{"status.csv": files["status.csv"].replace(b"estimated,", b"guessed,", 1)})
    errors = validate_version(bad, as_of="2022-10-15").errors
    assert any(p.column == "gas_confidence" for p in errors), [p.format_line() for p in errors]
    # a source without a value of its own is fine: it only names where the row's figure comes from
    names = {c.name for c in schema.STATUS.columns}
    assert {f"{f}_{k}" for f, _ in schema.PROVENANCE_FIGURES for k in ("confidence", "source")} | {"colonization_basis"} <= names


def test_zone_profile_shows_each_figures_own_confidence(own_store):
    dataset = VersionStore(own_store).load().dataset
    zone, status = profile.zone_row(dataset, "rashakai")
    table = profile.zone_figures(zone, status).set_index("Figure")
    assert table.loc["Colonization", "Confidence"] == "● Official"
    assert table.loc["Colonization", "Source"] == OWN["colonization_source"]
    assert table.loc["Colonization", "Value"].startswith("35 % of saleable area")
    assert table.loc["Gas", "Confidence"] == "◌ Estimated"
    assert table.loc["Stage", "Confidence"] == "◐ Reported"  # the row's
    assert table.loc["Gas", "Source"] == status["source"]
    at = run_page("zone", zone="rashakai")
    assert not at.exception
    shown = next(t.value for t in at.table if "Figure" in t.value.columns).set_index("Figure")
    assert shown.loc["Colonization", "Confidence"] == "● Official" and shown.loc["Gas", "Confidence"] == "◌ Estimated"


def test_map_card_and_tooltip(own_store):
    at = run_page("map", zone="rashakai")
    assert not at.exception
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    point = next(p for p in next(layer for layer in spec["layers"] if layer["id"] == "zones")["data"] if p["zone_id"] == "rashakai")
    assert point["gas_text"].endswith("(◌ Estimated)") and point["colonization_text"].endswith("(● Official)")
    assert "of saleable area" in point["colonization_text"]
    text = " ".join(rendered_texts(at)).replace("\\", "")
    assert "(◌ Estimated)" in text and "(● Official)" in text


def test_slide_and_both_packs(own_store):
    inputs = pack_files.load_pack_inputs(own_store)
    story = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history)
    facts = {f.label: f.value for f in next(z for z in story.zones if z.zone_id == "rashakai").status}
    assert facts["Gas"].endswith("(◌ Estimated)") and facts["Colonization"].endswith("(● Official)")
    assert facts["Stage"].endswith("(◐ Reported)") and "of saleable area" in facts["Colonization"]
    html = pack_html.render_html(story, pack_images.BriefingImages())
    pdf = pack_pdf.render_pdf(story, pack_images.BriefingImages())
    pdf_text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    for text in (html, pdf_text):
        assert facts["Gas"] in text and "(● Official)" in text
    assert OWN["colonization_source"] in html  # the appendix names the figure's own source
    at = run_page(present="1", slide="3")  # the first zone slide: Rashakai
    body = next(h.proto.body for h in at.get("html") if 'data-testid="sez-slide"' in h.proto.body)
    assert "Rashakai" in body and "(◌ Estimated)" in body and "(● Official)" in body


def test_aggregates_over_mixed_bases_say_so(own_store):
    from sez_metrics.core import metrics

    k = metrics.kpis(VersionStore(own_store).load().dataset)
    note = next(t.note for t in metrics.kpi_tiles(k, None) if t.key == "colonization_median")
    assert note == "median of 2 zones with land; mixed bases: 1 of saleable area, 1 not stated"


def test_a_headline_figure_is_flagged_by_its_own_confidence(own_store):
    from sez_metrics.core import metrics

    k = metrics.kpis(VersionStore(own_store).load().dataset)
    assert "rashakai" in k.flagged["gas_connected"]  # its gas figure is estimated, though its row is reported
    assert "rashakai" not in k.flagged["producing"]
