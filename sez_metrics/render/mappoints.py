"""The zone map's records: one per zone, with its position, its marker's drawing and every figure in
words, for the layers, the tooltip (a plain-text template, never HTML) and the table under the map.

Each figure is worded with its own confidence (the figure's column, else the row's); a dense map's
compact tooltip has the zone, the colour's measure and the location only (the zone's card has
every figure): the browser parses and draws every marker's record.
"""

from __future__ import annotations

import pandas as pd

from sez_metrics.core import i18n, palette, vocabulary
from sez_metrics.core.i18n import N_, _
from sez_metrics.core.profile import (
    colonization_text,
    precision_text,
    stage_text,
    status_colonization_text,
    utility_text,
)
from sez_metrics.core.timeline import confidence_text
from sez_metrics.render.mapmarkers import Measure, is_dense, marker_drawing, marker_radius, measure_colour


def _value_text(measure: Measure, status: pd.Series | None) -> tuple[str, str]:
    """(short label suffix for the map label, words for the legend/tooltip)."""
    if status is None:
        return "?", _("no status reported")
    if measure.enum is None:
        pct = vocabulary.colonization_value(status["stage"], status["colonization_pct"])
        short = f"{pct:g} %" if pct is not None else (_("n/a") if not vocabulary.colonization_applies(status["stage"]) else "?")
        return short, colonization_text(status["colonization_pct"], stage=status["stage"])
    code = str(status[measure.column])
    return measure.enum.symbol(code), vocabulary.coded_text(measure.enum, code)


def _with_confidence(text: str, status: pd.Series, figure: str) -> str:
    """A figure's words with its own confidence: "◕ Interim supply · 5 of 40 MMCFD (◌ Estimated)"."""
    return f"{text} ({confidence_text(vocabulary.provenance(status, figure)[0])})"



def zone_points(zones: pd.DataFrame, status: pd.DataFrame, measure: Measure, as_of: str | None = None) -> list[dict]:
    """One record per zone for the marker, ring, label and tooltip layers (plain Python values).

    ``as_of``: the version's as-of date; figures older by more than ``settings.STALE_FIGURES_DAYS``
    carry ``stale_text`` ("as of 2025-03 — 6 months older than this round")."""
    # records, not iterrows: a Series per row cost ~1 s per 5,000 zones
    status_by_zone = {row["zone_id"]: row for row in status.to_dict("records")}
    max_area = float(zones["area_acres"].max()) if len(zones) else 0.0
    dense = is_dense(len(zones))
    records = []
    for z in zones.to_dict("records"):
        s = status_by_zone.get(z["zone_id"])
        precision = str(z["location_precision"])
        value = None if s is None else s[measure.column]
        if s is not None and measure.enum is None:  # colonization: no colour of a share where none applies
            value = vocabulary.colonization_value(s["stage"], value)
        colour = palette.hex_to_rgb(measure_colour(measure, value))
        radius = marker_radius(float(z["area_acres"]), max_area, dense)
        symbol, value_words = _value_text(measure, s)
        name, short_name = i18n.data_text(z, "name"), i18n.data_text(z, "short_name")
        if measure.enum is None:
            label = f"{short_name} · {symbol}"
        else:
            label = f"{symbol} {short_name}"
        records.append(
            {
                "zone_id": str(z["zone_id"]),
                "short_name": short_name,
                "name": name,
                "province": str(z["province"]),
                "lon": float(z["longitude"]),
                "lat": float(z["latitude"]),
                "precision": precision,
                "precision_text": precision_text(precision),
                "area_text": _("{area} acres").format(area=vocabulary.number_text(float(z["area_acres"]), 0)),
                "measure_text": value_words,
                # each figure with its own confidence (the figure's column, else the row's)
                "stage_text": _with_confidence(stage_text(s["stage"]), s, "stage") if s is not None else _(vocabulary.NOT_REPORTED),
                "gas_text": _with_confidence(utility_text(s["gas"], s["gas_mmcfd_available"], s["gas_mmcfd_required"], "MMCFD"), s, "gas")
                if s is not None else _(vocabulary.NOT_REPORTED),
                "electricity_text": _with_confidence(utility_text(s["electricity"], s["power_mw_available"], s["power_mw_required"], "MW"),
                                                     s, "electricity") if s is not None else _(vocabulary.NOT_REPORTED),
                "colonization_text": _with_confidence(status_colonization_text(s), s, "colonization") if s is not None
                else _(vocabulary.NOT_REPORTED),
                "confidence_text": confidence_text(s["confidence"]) if s is not None else "—",
                "stale_text": vocabulary.stale_text(s["as_of"], as_of) if s is not None and as_of else "",
                "label": label,
                # the compact tooltip's words, one field (a dense map's JSON carries it for every zone)
                "tip": f"{name}\n{z['province']}\n" + _("{measure}: {value}\nLocation: {location}").format(
                    measure=_(measure.label), value=value_words, location=precision_text(precision)),
                **marker_drawing(precision, colour, radius, dense),
            }
        )
    return records


def tooltip_text(compact: bool = False) -> dict[str, str]:
    """The zone tooltip: a plain-text template (pydeck ``tooltip={"text": …}``, never ``html``).

    ``compact``: the zone, the colour's measure and the location only, for maps of many zones;
    every figure of a zone is one click away (its card), and the words of all figures of
    thousands of zones would make most of the map's weight in the browser.
    """
    # pydeck fills the {fields}: the translations keep them as they are
    text = (_("{tip}\nClick the zone for all its figures") if compact else
            _("{name}\n{province}\nStage: {stage_text}\nGas: {gas_text}\nElectricity: {electricity_text}\n"
              "Colonization: {colonization_text}\nArea: {area_text}\nLocation: {precision_text}\nConfidence: {confidence_text}\n{stale_text}"))
    return {"text": text, "style": {"fontSize": "15px", "maxWidth": "420px", "whiteSpace": "pre-line"}}


def zone_table(points: list[dict], measure: Measure) -> pd.DataFrame:
    """The accessible table under the map: every zone and its figures in words, the measure shown first.
    Column names stay English (the CSV download's header); the page shows each as ``_(column)``."""
    columns = {
        N_("Zone"): "short_name", N_("Province"): "province", N_("Stage"): "stage_text", N_("Gas"): "gas_text",
        N_("Electricity"): "electricity_text", N_("Colonization"): "colonization_text", N_("Area"): "area_text",
        N_("Location"): "precision_text", N_("Confidence"): "confidence_text", "zone_id": "zone_id",
    }
    order = ["Zone", measure.label] + [c for c in columns if c not in ("Zone", measure.label)]
    return pd.DataFrame({c: [p[columns[c]] for p in points] for c in order})
