"""The briefing pack's static map: markers filled with their stage colour, precision as rings (as on the dashboard)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sez_metrics.core import geo, palette, schema
from sez_metrics.render import static_map
from sez_metrics.storage.folder import VersionStore

SHIPPED = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def shipped():
    if not (SHIPPED / "manifest.json").exists():
        pytest.fail("the shipped dataset (data/manifest.json) is missing")
    return VersionStore(SHIPPED).load().dataset


def test_markers_are_filled_with_the_stage_colour_and_precision_is_rings(shipped):
    fig = static_map.zone_map_figure(shipped.zones, shipped.status, root=SHIPPED)
    stages = dict(zip(shipped.status["zone_id"], shipped.status["stage"], strict=True))
    by_name = {t.name: t for t in fig.data}
    for zone in shipped.zones.itertuples():
        stage = stages[zone.zone_id]
        trace = by_name[f"{schema.STAGE.symbol(stage)} {schema.STAGE.label(stage)}"]
        x, _ = geo.to_web_mercator(zone.longitude, zone.latitude)  # the axes are Web-Mercator metres
        assert trace.marker.color == palette.STAGE_COLOURS[stage] and any(abs(x - value) < 0.01 for value in trace.x)
    for code, rings in palette.PRECISION_RINGS_PX.items():
        ring_traces = [t for t in fig.data if t.legendgroup == "precision" and t.marker.symbol == "circle-open"
                       and t.name == static_map.PRECISION_LEGEND[code]]
        assert len(ring_traces) == len(rings), code  # none, one or two rings
        located = shipped.zones.loc[shipped.zones["location_precision"] == code]
        expected = sorted(round(float(x), 2) for x in geo.to_web_mercator(located["longitude"], located["latitude"])[0])
        for trace in ring_traces:
            assert sorted(round(float(x), 2) for x in trace.x) == expected
