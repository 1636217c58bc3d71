"""Map labels: width estimation and placement, on their own and on the shipped data as both maps draw it
(the dashboard's deck at its 1440 × 900 size, the briefing pack's static map)."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest

from sez_metrics.core import geo
from sez_metrics.render import mapbasemap, maplabels, maplayers, mapmarkers, mappoints, mapview, static_map
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.storage.folder import VersionStore

SHIPPED = Path(__file__).resolve().parents[1] / "data"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
STYLE = maplabels.LabelStyle(15)


@pytest.fixture(scope="module")
def shipped():
    if not (SHIPPED / "manifest.json").exists():
        pytest.fail("the shipped dataset (data/manifest.json) is missing")
    return VersionStore(SHIPPED).load().dataset


def _assert_apart_and_inside(boxes: dict[str, maplabels.Box], width: float, height: float) -> None:
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        assert not maplabels.intersects(box_a, box_b), f"labels of {a} and {b} overlap: {box_a} {box_b}"
    for zone, (left, top, right, bottom) in boxes.items():
        assert left >= 0 and top >= 0 and right <= width and bottom <= height, f"label of {zone} leaves the view: {(left, top, right, bottom)}"


# --- width ----------------------------------------------------------------------------------------


def _font_or_skip(name: str):
    from PIL import ImageFont

    path = DEJAVU / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing (apt-get install fonts-dejavu-core)")
        pytest.skip(f"{path} is missing")
    return ImageFont.truetype(str(path), 15)


@pytest.mark.parametrize(("font_file", "bold"), [("DejaVuSans-Bold.ttf", True), ("DejaVuSans.ttf", False)])
def test_width_estimate_is_the_fonts_own_width(shipped, font_file, bold):
    """The estimate is the width the maps' font draws, never less (kerning only narrows a line), for
    every label of the shipped data."""
    font = _font_or_skip(font_file)
    texts = {p["label"] for code in mapmarkers.MEASURES for p in mappoints.zone_points(shipped.zones, shipped.status, mapmarkers.MEASURES[code])}
    texts |= {"Khyber Pakhtunkhwa", "Gilgit-Baltistan", "AJK", "ICT"}
    for text in texts:
        drawn = font.getlength(text)
        assert drawn - 0.1 <= maplabels.text_width_px(text, 15, bold=bold) <= drawn * 1.03 + 1, text  # table in 1/1000 em


def test_unknown_characters_count_one_em_and_lines_take_the_widest():
    assert maplabels.text_width_px("漢字", 20) == 40
    assert maplabels.text_width_px("ab\nabcd", 10) == maplabels.text_width_px("abcd", 10)
    assert STYLE.size("a\nb")[1] == pytest.approx(2 * maplabels.LINE_HEIGHT_EM * 15 + 2)


# --- placement ------------------------------------------------------------------------------------


def test_crowded_markers_get_labels_that_do_not_overlap():
    markers = [maplabels.Marker(200 + 6 * i, 150 + 4 * i, 10, f"Zone number {i}") for i in range(6)]
    spots = maplabels.place_labels(markers, 600, 400, STYLE)
    assert all(spots)
    _assert_apart_and_inside({str(i): s.box for i, s in enumerate(spots)}, 600, 400)
    assert any(s.leader for s in spots)  # the later ones had to stand further out
    assert maplabels.place_labels(markers, 600, 400, STYLE) == spots  # deterministic


def test_a_label_at_the_edge_turns_inwards():
    right, bottom = maplabels.place_labels(
        [maplabels.Marker(590, 200, 8, "Moqpondass SEZ"), maplabels.Marker(300, 395, 8, "Dhabeji SEZ")], 600, 400, STYLE)
    assert right.anchor == "end" and right.box[2] <= 600
    assert bottom.box[3] <= 400


def test_a_label_that_fits_nowhere_is_left_out_and_a_marker_without_text_is_an_obstacle():
    first, second = maplabels.place_labels([maplabels.Marker(50, 10, 5, "A long zone name"), maplabels.Marker(50, 10, 5, "x")], 60, 20, STYLE)
    assert first is None and second is None
    labelled, obstacle = maplabels.place_labels([maplabels.Marker(100, 100, 5, "Name"), maplabels.Marker(130, 100, 20, None)], 400, 400, STYLE)
    assert obstacle is None
    assert labelled.anchor != "start"  # the right-hand spot would cover the unlabelled marker


def test_earlier_markers_get_the_best_spot():
    a, b = maplabels.Marker(100, 100, 8, "First"), maplabels.Marker(100, 100, 8, "Second")
    first, second = maplabels.place_labels([a, b], 400, 400, STYLE)
    assert (first.anchor, first.baseline) == ("start", "center")  # the first slot: to the right
    assert (second.anchor, second.baseline) != ("start", "center")


# --- the shipped data, as the dashboard draws it --------------------------------------------------


def _deck_label_boxes(spec: dict) -> dict[str, maplabels.Box]:
    """The zone labels' boxes as the deck draws them: each label's point projected into the initial
    view (at the map's 1440 × 900 size), moved by its pixel offset, the box hung by anchor and baseline."""
    view = spec["initialViewState"]
    scale = 2 ** view["zoom"]
    cx, cy = (c * scale for c in mapview.world_xy(view["longitude"], view["latitude"]))
    left, top = cx - mapview.VIEW_WIDTH_PX / 2, cy - mapview.VIEW_HEIGHT_PX / 2
    labels = next(layer for layer in spec["layers"] if layer["id"] == maplayers.LAYER_ZONE_LABELS)["data"]
    boxes = {}
    for label in labels:
        x, y = (c * scale for c in mapview.world_xy(label["lon"], label["lat"]))
        dx, dy = label["label_offset"]
        boxes[label["zone_id"]] = maplayers.LABEL_STYLE.box(x - left + dx, y - top + dy, label["label"], label["label_anchor"], label["label_baseline"])
    return boxes


@pytest.mark.parametrize("measure", list(mapmarkers.MEASURES))
def test_dashboard_labels_of_the_shipped_data_neither_overlap_nor_leave_the_view(shipped, measure):
    """Every zone of the shipped data is labelled, whichever zone is selected, with no two labels
    overlapping and none cut by the edge of the initial view."""
    basemap = mapbasemap.load_basemap(geo.basemap_path(SHIPPED))
    points = mappoints.zone_points(shipped.zones, shipped.status, mapmarkers.MEASURES[measure])
    for selected in [None, *shipped.zones["zone_id"]]:
        spec = json.loads(maplayers.build_deck(points, basemap=basemap, selected_zone=selected).to_json())
        boxes = _deck_label_boxes(spec)
        assert set(boxes) == set(shipped.zones["zone_id"]), selected
        _assert_apart_and_inside(boxes, mapview.VIEW_WIDTH_PX, mapview.VIEW_HEIGHT_PX)


def test_every_version_of_the_shipped_data_is_labelled_cleanly():
    store = VersionStore(SHIPPED)
    basemap = mapbasemap.load_basemap(geo.basemap_path(SHIPPED))
    for info in store.versions():
        ds = store.load(info.id).dataset
        points = mappoints.zone_points(ds.zones, ds.status, mapmarkers.MEASURES[mapmarkers.DEFAULT_MEASURE])
        boxes = _deck_label_boxes(json.loads(maplayers.build_deck(points, basemap=basemap).to_json()))
        assert set(boxes) == set(ds.zones["zone_id"]), info.id
        _assert_apart_and_inside(boxes, mapview.VIEW_WIDTH_PX, mapview.VIEW_HEIGHT_PX)


# --- the shipped data, as the briefing pack's map draws it ----------------------------------------


def _static_label_boxes(fig) -> tuple[dict[str, maplabels.Box], float, float]:
    """The zone labels' boxes as the figure lays them out, in plot-area pixels (y down)."""
    layout = fig.layout
    width = layout.width - layout.margin.l - layout.margin.r
    height = layout.height - layout.margin.t - layout.margin.b
    (lon0, lon1), (lat0, lat1) = layout.xaxis.range, layout.yaxis.range
    boxes = {}
    for note in layout.annotations:
        if not (note.name or "").startswith("zone-label:"):
            continue
        x = (note.x - lon0) / (lon1 - lon0) * width
        y = (lat1 - note.y) / (lat1 - lat0) * height
        if note.showarrow:
            cx, cy = x + note.ax, y + note.ay
        else:
            cx, cy = x + (note.xshift or 0), y - (note.yshift or 0)
        assert (note.xanchor, note.yanchor) == ("center", "middle")
        boxes[note.name.removeprefix("zone-label:")] = static_map.LABEL_STYLE.box(cx, cy, note.text)
    return boxes, width, height


def test_pack_map_labels_of_the_shipped_data_neither_overlap_nor_leave_the_map(shipped):
    width, height = pack_images.MAP_SIZE_PX
    fig = static_map.zone_map_figure(shipped.zones, shipped.status, width=width, height=height, root=SHIPPED, credit=False)
    boxes, plot_w, plot_h = _static_label_boxes(fig)
    assert set(boxes) == set(shipped.zones["zone_id"])
    _assert_apart_and_inside(boxes, plot_w, plot_h)

