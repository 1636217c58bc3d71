"""Unknown, not applicable and zero are different values: a zone at stage "identified" (no land yet)
with a blank colonization reads "not applicable" on every page, slide and pack, is never drawn at 0,
and is left out of the colonization median and mean, which say over how many zones they are taken."""

from __future__ import annotations

import json
import re

import pytest
from support.pages import rendered_texts, run_page
from support.stores import variant_store

from sez_metrics.core import metrics, vocabulary
from sez_metrics.render.briefing import html as pack_html
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import story as storyline
from sez_metrics.storage.folder import VersionStore

NA = vocabulary.NOT_APPLICABLE


@pytest.fixture
def na_store(tmp_path, monkeypatch):
    """The mini store (Mirpur: identified, colonization blank); in its latest version Mirpur is a priority zone."""
    root = variant_store(tmp_path / "store", [
        ("v1", "Before JCC-10", "2021-09-15", {}),
        ("v2", "Before JCC-11", "2022-10-15", {
            "zones.csv": [("Govt of AJK,CPEC,false", "Govt of AJK,CPEC,true")],
        }),
    ])
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


def _plain(texts) -> str:
    return " ".join(texts).replace("\\", "")


def test_kpis_leave_out_the_zone_without_land(na_store):
    dataset = VersionStore(na_store).load().dataset
    k = metrics.kpis(dataset)
    with_land = dataset.status[dataset.status["stage"] != "identified"]["colonization_pct"].dropna()
    assert k.colonization_median == pytest.approx(with_land.median())
    assert k.colonization_reporting == len(with_land) and k.colonization_not_applicable == 1


def test_overview_card_and_tiles(na_store):
    at = run_page()
    assert not at.exception
    text = _plain(rendered_texts(at))
    assert f"Colonization:** {NA}" in text
    assert not any("Mirpur" in str(getattr(p, "text", "")) for p in at.get("progress"))  # no bar, no 0 %
    assert not any("Colonization 0 %" in str(getattr(p.proto, "text", "")) for p in at.get("progress"))
    assert "median of 2 zones with land" in text
    tile = next(m for m in at.metric if m.label == "Median colonization")
    dataset = VersionStore(na_store).load().dataset
    expected = dataset.status[dataset.status["stage"] != "identified"]["colonization_pct"].median()
    assert tile.value == f"{vocabulary.number_text(expected)} %"
    help_text = next(t.help for t in metrics.kpi_tiles(metrics.kpis(dataset), None) if t.key == "colonization_median")
    assert "over the 2 zones with land that report it; left out: 1 zone without land yet (not applicable)" in help_text


def test_zone_profile(na_store):
    at = run_page("zone", zone="mirpur")
    assert not at.exception
    assert NA in _plain(rendered_texts(at))
    figures = next(t.value for t in at.table if "Figure" in t.value.columns)
    assert figures.set_index("Figure").loc["Colonization", "Value"] == NA


def test_map_label_tooltip_and_card(na_store):
    at = run_page("map", measure="colonization", zone="mirpur")
    assert not at.exception
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    zones = next(layer for layer in spec["layers"] if layer["id"] == "zones")["data"]
    mirpur = next(p for p in zones if p["zone_id"] == "mirpur")
    assert mirpur["colonization_text"] == f"{NA} (⚠ Illustrative)"  # with the figure's confidence
    labels = next(layer for layer in spec["layers"] if layer["id"] == "zone-labels")["data"]
    assert [p["label"] for p in labels if "Mirpur" in p["label"]] == ["Mirpur · n/a"]
    assert NA in _plain(rendered_texts(at)) or any(NA in str(t.value.to_numpy()) for t in [*at.table, *at.dataframe])


def test_presenter_slide_and_packs(na_store):
    inputs = pack_files.load_pack_inputs(na_store)
    story = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history)
    zone = next(z for z in story.zones if z.zone_id == "mirpur")
    assert dict((f.label, f.value) for f in zone.status)["Colonization"] == NA
    html = pack_html.render_html(story, pack_images.BriefingImages())
    assert NA in html
    number = next(i for i, z in enumerate(story.zones) if z.zone_id == "mirpur")
    at = run_page(present="1", slide=str(3 + number))  # overview, map, then the zones
    body = next(h.proto.body for h in at.get("html") if 'data-testid="sez-slide"' in h.proto.body)
    assert "Mirpur" in body and NA in body
    assert not re.search(r"Colonization</dt>\s*<dd>\s*0 %", body)


def test_the_validator_warns_of_colonization_without_land():
    from support.stores import MINI

    from sez_metrics.core.validate import validate_version
    from sez_metrics.storage.store import VERSION_FILES

    files = {name: (MINI / "v2" / name).read_bytes() for name in VERSION_FILES}
    files["status.csv"] = files["status.csv"].replace(b"identified,not_started,,,not_started,,,,", b"identified,not_started,,,not_started,,,0,")
    report = validate_version(files, as_of="2022-10-15")
    (warning,) = [p for p in report.warnings if p.code == "colonization-without-land"]
    assert warning.line == 4 and warning.column == "colonization_pct" and "stage is identified" in warning.message
    assert report.errors == []


def test_overview_grid_says_which_zones(na_store):
    at = run_page()
    grid = next(d.value for d in at.dataframe if "Colonization" in d.value.columns and "Power" in d.value.columns)
    dataset = VersionStore(na_store).load().dataset
    assert sorted(grid["Zone"]) == sorted(dataset.zones["short_name"])
    row = grid.set_index("Zone").loc["Mirpur"]
    assert row["Stage"] == "① Identified" and row["Colonization"] == "not applicable" and row["Gas"] == "✗ Not started"
    # most advanced first
    ranks = [s.split(" ", 1)[0] for s in grid["Stage"]]
    assert ranks == sorted(ranks, reverse=True)
