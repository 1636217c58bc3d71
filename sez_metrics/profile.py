"""A zone's figures in words: capacities, colonization, the provenance table, and its history.

Pure functions over ``Dataset`` tables, shared by the zone profile page and the map's detail
card; numbers and capacities are formatted by ``metrics`` so a figure reads the same on every
page ("50 of 160 MW", "35 % (12 of 40 plots)").
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sez_metrics import schema
from sez_metrics.metrics import capacity_text, format_number
from sez_metrics.store import Dataset
from sez_metrics.timeline import confidence_text


def _known(value: object) -> bool:
    return value is not None and not pd.isna(value)


def _num(value: float) -> str:
    return format_number(value)


def plots_text(allotted: object, total: object) -> str:
    """ "12 of 40 plots allotted"; "" unless both counts are known."""
    if _known(allotted) and _known(total):
        return f"{int(allotted):,} of {int(total):,} plots allotted"
    return ""


def colonization_text(pct: float | None, allotted: object = None, total: object = None) -> str:
    """ "35 %" or "35 % (12 of 40 plots allotted)"; "not reported" when unknown."""
    if not _known(pct):
        return "not reported"
    plots = plots_text(allotted, total)
    return f"{_num(pct)} % ({plots})" if plots else f"{_num(pct)} %"


def enterprises_text(operating: object, total: object) -> str:
    """ "20 of 69 operating"; "" when neither is known."""
    if _known(operating) and _known(total):
        return f"{int(operating):,} of {int(total):,} operating"
    if _known(total):
        return f"{int(total):,} admitted (operating not reported)"
    if _known(operating):
        return f"{int(operating):,} operating"
    return ""


def stage_text(code: str) -> str:
    """Symbol and label of a zone stage, e.g. "⑤ Partly operational"."""
    return f"{schema.STAGE.symbol(code)} {schema.STAGE.label(code)}".strip()


def utility_text(code: str, available: float | None = None, required: float | None = None, unit: str = "") -> str:
    """Symbol, label and capacity of a utility, e.g. "◕ Interim supply · 50 of 160 MW"."""
    text = f"{schema.UTILITY_STAGE.symbol(code)} {schema.UTILITY_STAGE.label(code)}".strip()
    capacity = capacity_text(available, required, unit)
    return f"{text} · {capacity}" if capacity else text


def precision_text(code: str) -> str:
    """Symbol and label of a location precision, e.g. "◎ Approximate"."""
    return f"{schema.LOCATION_PRECISION.symbol(code)} {schema.LOCATION_PRECISION.label(code)}".strip()


def default_zone(zones: pd.DataFrame) -> str | None:
    """The zone shown when none is asked for: the first priority zone, else the first zone."""
    if zones.empty:
        return None
    priority = zones[zones["priority"]]
    return str((priority if len(priority) else zones)["zone_id"].iloc[0])


def zone_row(dataset: Dataset, zone_id: str) -> tuple[pd.Series | None, pd.Series | None]:
    """(zones row, status row) of ``zone_id`` in ``dataset``; None for what is missing."""
    zones = dataset.zones[dataset.zones["zone_id"] == zone_id]
    status = dataset.status[dataset.status["zone_id"] == zone_id]
    return (zones.iloc[0] if len(zones) else None), (status.iloc[0] if len(status) else None)


FIGURE_COLUMNS = ("Figure", "Value", "Confidence", "Source")
REFERENCE_SOURCE = "zones.csv (reference data)"


def zone_figures(zone: pd.Series, status: pd.Series | None) -> pd.DataFrame:
    """The table "Figure / Value / Confidence / Source" for one zone.

    Status figures carry the status row's confidence and source; reference data (developer,
    area, location) come from zones.csv, which has no per-row confidence ("—").
    """
    rows: list[tuple[str, str, str, str]] = []
    if status is not None:
        conf, source = confidence_text(status["confidence"]), str(status["source"])

        def add(figure: str, value: str) -> None:
            if value:
                rows.append((figure, value, conf, source))

        add("Stage", stage_text(status["stage"]))
        add("Gas", utility_text(status["gas"], status["gas_mmcfd_available"], status["gas_mmcfd_required"], "MMCFD"))
        add("Electricity", utility_text(status["electricity"], status["power_mw_available"], status["power_mw_required"], "MW"))
        add("Colonization", colonization_text(status["colonization_pct"], status["plots_allotted"], status["plots_total"]))
        add("Enterprises", enterprises_text(status["enterprises_operating"], status["enterprises"]))
        if _known(status["jobs"]):
            add("Jobs", f"{int(status['jobs']):,}")
        if _known(status["investment_usd_m"]):
            add("Investment", f"USD {_num(status['investment_usd_m'])} million")
        add("Figures as of", _date(status["as_of"]))
    ref = ("—", REFERENCE_SOURCE)
    for figure, value in (
        ("Developer", str(zone["developer"] or "")),
        ("Area", f"{_num(zone['area_acres'])} acres"),
        ("Province / district", ", ".join(v for v in (str(zone["province"]), str(zone["district"] or "")) if v)),
        ("Location precision", precision_text(zone["location_precision"])),
        ("Coordinates", f"{zone['latitude']:.3f} °N, {zone['longitude']:.3f} °E"),
        ("Programme", str(zone["programme"] or "")),
        ("Priority zone", "Yes" if zone["priority"] else "No"),
        ("Notified on", _date(zone["notified_on"])),
    ):
        if value:
            rows.append((figure, value, *ref))
    return pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))


def _date(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d") if _known(value) else ""


HISTORY_COLUMNS = (
    "version_id", "version_label", "version_as_of", "as_of", "stage", "gas", "electricity", "colonization_pct",
    "gas_mmcfd_available", "gas_mmcfd_required", "power_mw_available", "power_mw_required",
    "enterprises", "enterprises_operating", "confidence", "source",
)


def zone_history(datasets: Sequence[Dataset], zone_id: str) -> pd.DataFrame:
    """One row per version (oldest first) in which ``zone_id`` has a status row.

    ``as_of`` is the date the status row describes (the x axis of the history charts);
    ``version_*`` name the version it was published in.
    """
    rows = []
    for ds in datasets:
        hit = ds.status[ds.status["zone_id"] == zone_id]
        if hit.empty:
            continue
        row = hit.iloc[0]
        rows.append(
            {
                "version_id": ds.info.id,
                "version_label": ds.info.label,
                "version_as_of": pd.Timestamp(ds.info.as_of),
                **{c: row[c] for c in HISTORY_COLUMNS[3:]},
            }
        )
    frame = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    return frame.sort_values(["as_of", "version_id"], kind="stable").reset_index(drop=True)


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """``zone_history`` in words, newest first: the accessible twin of the history charts."""
    return pd.DataFrame(
        {
            "As of": history["as_of"].dt.strftime("%Y-%m-%d"),
            "Version": history["version_label"],
            "Stage": history["stage"].map(stage_text),
            "Gas": history["gas"].map(utility_text),
            "Electricity": history["electricity"].map(utility_text),
            "Colonization": history["colonization_pct"].map(colonization_text),
            "Confidence": history["confidence"].map(confidence_text),
        }
    ).iloc[::-1].reset_index(drop=True)
