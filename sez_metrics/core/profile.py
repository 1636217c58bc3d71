"""A zone's figures in words: capacities, colonization, the provenance table, and its history.

Pure functions over ``Dataset`` tables, shared by the zone profile page and the map's detail
card; numbers and capacities are formatted by ``metrics`` so a figure reads the same on every
page ("50 of 160 MW", "35 % (12 of 40 plots)").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sez_metrics.core import i18n, schema, vocabulary
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.i18n import N_, _
from sez_metrics.core.stored_csv import read_csv_strings
from sez_metrics.core.timeline import confidence_text, first_commitments
from sez_metrics.core.typed import to_typed


def _known(value: object) -> bool:
    return value is not None and not pd.isna(value)


def _num(value: float) -> str:
    return vocabulary.number_text(value)


def plots_text(allotted: object, total: object) -> str:
    """ "12 of 40 plots allotted"; "" unless both counts are known."""
    if _known(allotted) and _known(total):
        return _("{allotted} of {total} plots allotted").format(allotted=i18n.number(int(allotted), 0), total=i18n.number(int(total), 0))
    return ""


def colonization_text(pct: float | None, allotted: object = None, total: object = None, stage: object = None,
                      basis: object = None) -> str:
    """ "35 %", "35 % of saleable area" (its ``colonization_basis``) or "35 % (12 of 40 plots
    allotted)"; "not applicable (no land yet)" at a stage before land is acquired (whatever the
    figure says); "not reported" when unknown."""
    if stage is not None and not vocabulary.colonization_applies(stage):
        return _(vocabulary.NOT_APPLICABLE)
    if not _known(pct):
        return _(vocabulary.NOT_REPORTED)
    plots = plots_text(allotted, total)
    basis_words = vocabulary.basis_label(basis)
    value = f"{_num(pct)} % {basis_words}" if basis_words else f"{_num(pct)} %"
    return f"{value} ({plots})" if plots else value


def status_colonization_text(status: pd.Series) -> str:
    """``colonization_text`` of a status row: figure, basis, plots, or why there is none."""
    return colonization_text(status["colonization_pct"], status["plots_allotted"], status["plots_total"], status["stage"],
                             status.get("colonization_basis"))


def enterprises_text(operating: object, total: object) -> str:
    """ "20 of 69 operating"; "" when neither is known."""
    if _known(operating) and _known(total):
        return _("{operating} of {total} operating").format(operating=i18n.number(int(operating), 0), total=i18n.number(int(total), 0))
    if _known(total):
        return _("{total} admitted (operating not reported)").format(total=i18n.number(int(total), 0))
    if _known(operating):
        return _("{operating} operating").format(operating=i18n.number(int(operating), 0))
    return ""


def stage_text(code: str) -> str:
    """Symbol and label of a zone stage, e.g. "⑤ Partly operational"."""
    return vocabulary.coded_text(schema.STAGE, code)


def utility_text(code: str, available: float | None = None, required: float | None = None, unit: str = "") -> str:
    """Symbol, label and capacity of a utility, e.g. "◕ Interim supply · 50 of 160 MW"."""
    text = vocabulary.coded_text(schema.UTILITY_STAGE, code)
    capacity = vocabulary.capacity_text(available, required, unit)
    return f"{text} · {capacity}" if capacity else text


def precision_text(code: str) -> str:
    """Symbol and label of a location precision, e.g. "◎ Approximate"."""
    return vocabulary.coded_text(schema.LOCATION_PRECISION, code)


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


# Column names are the page's words (shown as ``_(column)``).
FIGURE_COLUMNS = (N_("Figure"), N_("Value"), N_("Confidence"), N_("Source"))
REFERENCE_SOURCE = N_("zones.csv (reference data)")


def zone_figures(zone: pd.Series, status: pd.Series | None) -> pd.DataFrame:
    """The table "Figure / Value / Confidence / Source" for one zone.

    Status figures carry their own confidence and source (``vocabulary.provenance``: the figure's
    columns where given, else the row's); reference data (developer,
    area, location) come from zones.csv, which has no per-row confidence ("—").
    """
    rows: list[tuple[str, str, str, str]] = []
    if status is not None:
        def add(figure: str, value: str, provenance: str | None = None) -> None:
            """A figure with its own confidence and source (``provenance``: its name in
            ``vocabulary.FIGURES``), or the row's."""
            if value:
                code, source = vocabulary.provenance(status, provenance) if provenance else (status["confidence"], str(status["source"]))
                rows.append((figure, value, confidence_text(code), source))

        add(_("Stage"), stage_text(status["stage"]), "stage")
        add(_("Gas"), utility_text(status["gas"], status["gas_mmcfd_available"], status["gas_mmcfd_required"], "MMCFD"), "gas")
        add(_("Electricity"), utility_text(status["electricity"], status["power_mw_available"], status["power_mw_required"], "MW"), "electricity")
        add(_("Colonization"), status_colonization_text(status), "colonization")
        add(_("Enterprises"), enterprises_text(status["enterprises_operating"], status["enterprises"]), "enterprises")
        if _known(status["jobs"]):
            add(_("Jobs"), i18n.number(int(status["jobs"]), 0), "jobs")
        if _known(status["investment_usd_m"]):
            add(_("Investment"), _("USD {amount} million").format(amount=_num(status["investment_usd_m"])), "investment")
        add(_("Figures as of"), _date(status["as_of"]))
    ref = ("—", _(REFERENCE_SOURCE))
    for figure, value in (
        (_("Developer"), str(zone["developer"] or "")),
        (_("Area"), _("{area} acres").format(area=_num(zone["area_acres"]))),
        (_("Province / district"), ", ".join(v for v in (str(zone["province"]), str(zone["district"] or "")) if v)),
        (_("Location precision"), precision_text(zone["location_precision"])),
        (_("Coordinates"), f"{zone['latitude']:.3f} °N, {zone['longitude']:.3f} °E"),
        (_("Programme"), str(zone["programme"] or "")),
        (_("Priority zone"), _("Yes") if zone["priority"] else _("No")),
        (_("Notified on"), _date(zone["notified_on"])),
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


def _history_frame(rows: Iterable[tuple[VersionInfo, pd.Series]]) -> pd.DataFrame:
    records = [
        {
            "version_id": info.id,
            "version_label": info.label,
            "version_as_of": pd.Timestamp(info.as_of),
            **{c: row[c] for c in HISTORY_COLUMNS[3:]},
        }
        for info, row in rows
    ]
    frame = pd.DataFrame(records, columns=list(HISTORY_COLUMNS))
    return frame.sort_values(["as_of", "version_id"], kind="stable").reset_index(drop=True)


def zone_history(datasets: Sequence[Dataset], zone_id: str) -> pd.DataFrame:
    """One row per version (oldest first) in which ``zone_id`` has a status row.

    ``as_of`` is the date the status row describes (the x axis of the history charts);
    ``version_*`` name the version it was published in.
    """
    rows = []
    for ds in datasets:
        hit = ds.status[ds.status["zone_id"] == zone_id]
        if not hit.empty:
            rows.append((ds.info, hit.iloc[0]))
    return _history_frame(rows)


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """``zone_history`` in words, newest first: the accessible twin of the history charts."""
    return pd.DataFrame(
        {  # column names: the page's words, shown as _(column)
            N_("As of"): history["as_of"].dt.strftime("%Y-%m-%d"),
            N_("Version"): history["version_label"],
            "Stage": history["stage"].map(stage_text),
            "Gas": history["gas"].map(utility_text),
            "Electricity": history["electricity"].map(utility_text),
            "Colonization": [colonization_text(p, stage=st) for p, st in zip(history["colonization_pct"], history["stage"], strict=True)],
            "Confidence": history["confidence"].map(confidence_text),
        }
    ).iloc[::-1].reset_index(drop=True)


# --- a zone's history from a small extract of each version ----------------------------------------
# A zone's history reads one status row and a few committed dates from every version. Loading and
# typing whole versions for that costs ~0.3 s each at 5,000 zones (12 s for 40 versions); an
# extract keeps each version's status table as Arrow text and its milestones' ids and committed
# dates, and types only the rows a zone needs.

_DUE_TABLE = dataclasses.replace(
    schema.MILESTONES, columns=tuple(schema.MILESTONES.column(n) for n in ("milestone_id", "due_date"))
)
# Values made of these characters only are their own str.strip(): no Python pass is needed.
_SLUG_TEXT = re.compile(r"^[A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class HistoryExtract:
    """What a zone's history needs from one verified version (read-only once built).

    ``status`` is status.csv with every cell as text (as published); ``status_rows`` maps each
    zone id to its first row there; ``milestone_ids`` and ``due_dates`` are milestones.csv's ids
    (stripped) and committed dates (text), row for row.
    """

    info: VersionInfo
    status: pa.Table
    status_rows: dict[str, int]
    milestone_ids: pa.Array
    due_dates: pa.Array


def _stripped(column: pa.ChunkedArray) -> pa.Array:
    """The column's values with surrounding whitespace removed exactly as ``str.strip`` does."""
    array = column.combine_chunks()
    if pc.all(pc.match_substring_regex(array, _SLUG_TEXT.pattern)).as_py() is not False:
        return array
    return pa.array([value.strip() for value in array.to_pylist()], type=pa.string())


def history_extract(info: VersionInfo, files: dict[str, bytes]) -> HistoryExtract | None:
    """The extract of version ``info`` from its files (as ``Store.read_version_files`` returns them,
    size and sha256 checked), or None when a file is missing or cannot be parsed.

    The manifest's hash chain is not checked here: the caller checks it on every use, since an
    edit of an earlier entry breaks the chain without touching this version's files.
    """
    try:
        status = read_csv_strings(files["status.csv"], schema.STATUS, schema.STATUS.column_names)
        due = read_csv_strings(files["milestones.csv"], schema.MILESTONES, ("milestone_id", "due_date"))
    except (KeyError, pa.ArrowInvalid):
        return None
    rows: dict[str, int] = {}
    for index, zone_id in enumerate(_stripped(status["zone_id"]).to_pylist()):
        rows.setdefault(zone_id, index)
    return HistoryExtract(info, status, rows, _stripped(due["milestone_id"]), due["due_date"].combine_chunks())


def _typed_rows(table: schema.Table, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """``raw`` (text cells, a RangeIndex) typed per ``table`` without the rows whose cells do not
    convert, and the positions of those rows."""
    try:
        return to_typed(table, raw), []
    except ValueError:
        pass
    bad = []
    for position in range(len(raw)):
        try:
            to_typed(table, raw.iloc[position : position + 1].reset_index(drop=True))
        except ValueError:
            bad.append(position)
    return to_typed(table, raw.drop(index=bad).reset_index(drop=True)), bad


def history_from_extracts(extracts: Sequence[HistoryExtract], zone_id: str) -> tuple[pd.DataFrame, list[str]]:
    """``zone_history`` of ``zone_id`` over the extracts' versions, and the ids of versions whose
    row does not convert to its types (left out of the history)."""
    found = [x for x in extracts if zone_id in x.status_rows]
    if not found:
        return _history_frame([]), []
    raw = pa.concat_tables([x.status.slice(x.status_rows[zone_id], 1) for x in found]).to_pandas()
    typed, bad = _typed_rows(schema.STATUS, raw)
    left_out = set(bad)
    kept = [x.info for position, x in enumerate(found) if position not in left_out]
    rows = [(info, typed.iloc[position]) for position, info in enumerate(kept)]
    return _history_frame(rows), [found[position].info.id for position in bad]


# Up to this many milestone ids are looked up version by version; more in one pass over all rows.
_FEW_IDS = 1000


def _first_rows(values: pa.Array) -> np.ndarray:
    """The position of each distinct value's first row, in row order."""
    codes = pc.dictionary_encode(values).indices.to_numpy(zero_copy_only=False)
    first = np.empty(int(codes.max()) + 1 if len(codes) else 0, dtype=np.int64)
    rows = np.arange(len(codes))
    first[codes[::-1]] = rows[::-1]  # written last to first: each code keeps its first row
    return np.sort(first)


def first_commitments_from_extracts(
    extracts: Sequence[HistoryExtract], milestone_ids: Sequence[str]
) -> tuple[pd.DataFrame, list[str]]:
    """``timeline.first_commitments`` over the extracts' versions for ``milestone_ids`` only, and
    the ids of versions with a date among them that does not convert (that date is left out).

    Only each milestone's first row is typed: at 50,000 milestones × 40 versions that is 50,000
    rows, not 2 million. Whether a date converts depends on its text alone, so the distinct
    dates are checked first and the rows holding one that does not are left out beforehand.
    """
    if not extracts:
        return first_commitments([]), []
    wanted = pa.array(list(milestone_ids), type=pa.string())
    if len(wanted) <= _FEW_IDS:  # a zone's milestones: a small set looked up in each version
        masks = [pc.is_in(x.milestone_ids, value_set=wanted) for x in extracts]
        all_ids = pa.concat_arrays([x.milestone_ids.filter(m) for x, m in zip(extracts, masks, strict=True)])
        all_dates = pa.concat_arrays([x.due_dates.filter(m) for x, m in zip(extracts, masks, strict=True)])
        all_versions = np.repeat(np.arange(len(extracts)), [pc.sum(m).as_py() or 0 for m in masks])
    else:  # every milestone: one pass over every version's rows (2 million at 5,000 zones × 40 versions)
        all_ids = pa.concat_arrays([x.milestone_ids for x in extracts])
        all_dates = pa.concat_arrays([x.due_dates for x in extracts])
        all_versions = np.repeat(np.arange(len(extracts)), [len(x.milestone_ids) for x in extracts])
        keep = pc.is_in(all_ids, value_set=wanted)
        all_ids, all_dates, all_versions = all_ids.filter(keep), all_dates.filter(keep), all_versions[keep.to_numpy(zero_copy_only=False)]
    if not len(all_ids):
        return first_commitments([]), []
    distinct = pc.unique(all_dates)
    _, bad = _typed_rows(_DUE_TABLE, pd.DataFrame({"milestone_id": [""] * len(distinct), "due_date": distinct.to_pylist()}))
    unreadable: list[str] = []
    if bad:
        refused = pc.is_in(all_dates, value_set=distinct.take(pa.array(bad))).to_numpy(zero_copy_only=False)
        unreadable = sorted({extracts[v].info.id for v in np.unique(all_versions[refused])})
        kept = pa.array(~refused)
        all_ids, all_dates, all_versions = all_ids.filter(kept), all_dates.filter(kept), all_versions[~refused]
    first = _first_rows(all_ids)
    raw = pa.table({"milestone_id": all_ids.take(first), "due_date": all_dates.take(first)}).to_pandas()
    typed, _ = _typed_rows(_DUE_TABLE, raw)
    of_version = pd.Series(all_versions[first], index=typed.index)
    history = [(extracts[v].info.label, group) for v, group in typed.groupby(of_version, sort=True)]
    return first_commitments(history), unreadable
