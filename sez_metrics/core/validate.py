"""Validating a dataset version: every problem at once, as data.

``validate_version`` checks each submitted CSV on its own (``sez_metrics.core.cell_rules``), then the
rules within each record (``sez_metrics.core.row_rules``), and here the rules across records and
tables, against the province polygons (``sez_metrics.core.geo``), against the version's reporting
date and against the previous version. Every problem code, with its group, severity, message and
fix, is listed once in ``sez_metrics.core.problems``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from sez_metrics.core import chars, geo, schema, settings
from sez_metrics.core.cell_rules import DATE_RE, CheckedTable, check_table, closest, did_you_mean, isin
from sez_metrics.core.csvio import Finding
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.i18n import _
from sez_metrics.core.problems import ProblemCode, make_problem, quote
from sez_metrics.core.report import Report
from sez_metrics.core.row_rules import check_milestone_rules, check_provenance, check_status_rules


def _check_look_alike_names(zones: CheckedTable, previous: Dataset | None) -> None:
    """Warn on a zone name that reads as another zone's name but is spelt with other letters
    (a Cyrillic "а" in "Rаshakai SEZ"): it would put a second, fake "Rashakai SEZ" on the map."""
    known: dict[str, tuple[str, str]] = {}  # skeleton → (zone_id, name)
    ids = zones.typed["zone_id"]
    for column in ("name", "short_name"):
        names = zones.typed.get(column)
        if names is None:
            continue
        for zone_id, name in zip(ids, names, strict=True):
            if isinstance(name, str) and isinstance(zone_id, str) and name.isascii():
                known.setdefault(chars.skeleton(name), (zone_id, name))
        if previous is not None and column in previous.zones.columns:
            for zone_id, name in zip(previous.zones["zone_id"], previous.zones[column], strict=True):
                if isinstance(name, str) and name.isascii():
                    known.setdefault(chars.skeleton(name), (str(zone_id), name))
    for column in ("name", "short_name"):
        names = zones.typed.get(column)
        if names is None:
            continue
        for i, name in enumerate(names):
            if not isinstance(name, str) or name.isascii():
                continue
            match = known.get(chars.skeleton(name))
            if match is None or match[1] == name:
                continue
            zones.findings.append(Finding(ProblemCode.LOOK_ALIKE_NAME, int(zones.lines[i]), column, name, {
                "other_zone": match[0], "other_name": quote(match[1]),
                "characters": ", ".join(chars.look_alike_characters(name)[:3]) or _("other letters"),
            }))



def _check_dating(status: CheckedTable | None, milestones: CheckedTable | None, version_as_of: pd.Timestamp,
                  explicit: bool, previous: Dataset | None) -> None:
    """Warnings when the version's date alone changes what the figures say: a given as_of later than
    every figure's (old figures would read as current), and milestones still planned that turn
    overdue only because the date moved (beyond the figures' date, or past the previous version's
    as_of while their row is unchanged)."""
    since, unchanged_only = None, False
    if explicit and status is not None and status.readable and status.typed["as_of"].notna().any():
        newest = status.typed["as_of"].max()
        if version_as_of > newest:
            since = newest
            status.findings.append(Finding(ProblemCode.AS_OF_AFTER_ROWS, 0, "as_of", "", {
                "day": version_as_of.date().isoformat(), "newest": newest.date().isoformat(),
                "days": (version_as_of - newest).days}))
    if since is None and previous is not None and len(previous.milestones):
        before = pd.to_datetime(previous.info.as_of, format="%Y-%m-%d", errors="coerce")
        if pd.notna(before) and version_as_of > before:
            since, unchanged_only = before, True
    if since is None or milestones is None or not milestones.readable:
        return
    t = milestones.typed
    open_ = t["status"].isin(["planned", "in_progress"]).to_numpy() & t["done_date"].isna().to_numpy()
    moved = open_ & (t["due_date"] >= since).to_numpy() & (t["due_date"] < version_as_of).to_numpy()
    if unchanged_only:  # a milestone the steward edited in this round was looked at: no warning
        old = previous.milestones.drop_duplicates("milestone_id").set_index("milestone_id")
        ids = t["milestone_id"]
        same_due = (ids.map(old["due_date"]) == t["due_date"]).fillna(False).to_numpy(dtype=bool)
        same_status = (ids.map(old["status"]) == t["status"]).fillna(False).to_numpy(dtype=bool)
        moved &= same_due & same_status
    for i in np.flatnonzero(moved):
        milestones.findings.append(Finding(ProblemCode.OVERDUE_BY_DATE, int(milestones.lines[i]), "status", milestones.raw["status"].iat[i], {
            "due_date": milestones.raw["due_date"].iat[i], "as_of": version_as_of.date().isoformat(),
            "since": since.date().isoformat()}))



def _check_zone_refs(checked: CheckedTable, zone_ids: set[str], zones_source: str) -> None:
    ids = checked.typed["zone_id"]
    unknown = ids.notna().to_numpy() & ~isin(ids, zone_ids)
    for i in np.flatnonzero(unknown):
        value = ids.iat[i]
        checked.findings.append(Finding(ProblemCode.UNKNOWN_ZONE, int(checked.lines[i]), "zone_id", value,
                                        {"zones_source": zones_source, "suggestion": did_you_mean(closest(value, zone_ids))}))


def _check_geography(zones: CheckedTable) -> None:
    t = zones.typed
    usable = (t["latitude"].notna() & t["longitude"].notna() & t["province"].notna()).to_numpy()
    rows = np.flatnonzero(usable)
    if not len(rows):
        return
    try:
        mismatches = geo.province_mismatches(t["latitude"].to_numpy()[rows], t["longitude"].to_numpy()[rows],
                                             t["province"].to_numpy()[rows], geo.basemap_path())
    except geo.BasemapError as exc:
        zones.findings.append(Finding(ProblemCode.GEO_UNAVAILABLE, 0, params={"reason": str(exc)}))
        return
    precision = t["location_precision"]
    for m in mismatches:
        i = rows[m.index]
        stated = precision.iat[i] if pd.notna(precision.iat[i]) else None
        # An unknown precision gets the tightest tolerance: the point is taken at its word.
        tolerance = settings.LOCATION_TOLERANCE_KM.get(stated, min(settings.LOCATION_TOLERANCE_KM.values()))
        if m.distance_km <= tolerance:
            continue
        where = _("in {province}").format(province=m.found) if m.found else _("in no province polygon")
        zones.findings.append(Finding(ProblemCode.POINT_OUTSIDE_PROVINCE, int(zones.lines[i]), "province", m.declared,
                                      {"lat": zones.raw["latitude"].iat[i], "lon": zones.raw["longitude"].iat[i],
                                       "where": where, "distance": _distance_text(m.distance_km),
                                       "precision": stated or "unknown", "tolerance": _distance_text(tolerance)}))


def _distance_text(km: float) -> str:
    """A geodesic distance as a location message gives it: metres below 1 km, else km to 0.1."""
    return f"{km * 1000:.0f} m" if km < 1 else f"{km:,.1f} km"


def _check_against_previous(checked: dict[str, CheckedTable], previous: Dataset) -> None:
    """Warnings for stages that moved backwards and zones that disappeared since ``previous``."""
    prev_id = previous.info.id
    status = checked.get("status")
    if status is not None and status.readable and len(previous.status):
        before = previous.status.drop_duplicates("zone_id").set_index("zone_id")
        ids = status.typed["zone_id"]
        for name in ("stage", "gas", "electricity"):
            enumeration = status.table.column(name).enum
            rank = {code: r for r, code in enumerate(enumeration.values)}
            now = status.typed[name].map(rank)
            old_codes = ids.map(before[name])
            old = old_codes.map(rank)
            for i in np.flatnonzero((now < old).to_numpy()):
                status.findings.append(Finding(ProblemCode.STAGE_REGRESSED, int(status.lines[i]), name, status.raw[name].iat[i],
                                               {"old": old_codes.iat[i], "previous": prev_id}))
    zones = checked.get("zones")
    if zones is not None and zones.readable and len(previous.zones):
        kept = set(zones.raw["zone_id"])
        for zone_id in previous.zones["zone_id"]:
            if zone_id not in kept:
                zones.findings.append(Finding(ProblemCode.ZONE_REMOVED, 0, "zone_id", zone_id, {"previous": prev_id}))


def reporting_date(as_of: str | None, status: CheckedTable | None) -> tuple[pd.Timestamp | None, Finding | None]:
    """The version's reporting date: the given one, else the latest status as_of."""
    if as_of is not None:
        parsed = pd.to_datetime(as_of.strip(), format="%Y-%m-%d", errors="coerce") if re.fullmatch(DATE_RE, as_of.strip()) else pd.NaT
        if pd.isna(parsed):
            return None, Finding(ProblemCode.INVALID_AS_OF, 0, "as_of", as_of)
        return parsed, None
    if status is not None and status.readable and status.typed["as_of"].notna().any():
        return status.typed["as_of"].max(), None
    return None, None


def validate_version(
    files: Mapping[str, bytes],
    *,
    as_of: str | None = None,
    previous: Dataset | None = None,
    reference_zones: pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
) -> Report:
    """Validate the tables of one version; every problem found, none hidden behind another.

    ``files`` maps file names (zones.csv, status.csv, milestones.csv; any subset) to their bytes;
    ``names`` maps a file name to the path shown in messages. ``as_of`` is the version's
    reporting date (default: the latest as_of in status.csv; without status.csv, today).
    ``previous`` (a ``Dataset``) enables the warnings about stages moving backwards and zones
    removed. ``reference_zones`` (a frame with a ``zone_id`` column) is used for zone_id existence
    when zones.csv is not among ``files``.
    """
    names = dict(names or {})
    report = Report()
    checked: dict[str, CheckedTable] = {}
    for file_name, data in files.items():
        table = schema.TABLE_BY_FILE.get(file_name)
        if table is None:
            raise ValueError(f"{file_name!r} is not a dataset file name ({', '.join(schema.TABLE_BY_FILE)})")
        checked[table.name] = check_table(data, table, names.get(file_name, file_name))
    zones, status, milestones = (checked.get(n) for n in ("zones", "status", "milestones"))

    version_as_of, as_of_problem = reporting_date(as_of, status)
    if as_of_problem is not None:
        report.add(make_problem(as_of_problem, schema.STATUS, "as_of"))
    if status is not None and status.readable:
        check_status_rules(status, version_as_of if as_of is not None else None)
    if version_as_of is not None:
        _check_dating(status, milestones, version_as_of, as_of is not None, previous)
    check_provenance(status, milestones, version_as_of)
    if milestones is not None and milestones.readable:
        if version_as_of is None:
            today = pd.Timestamp(date.today())
            check_milestone_rules(milestones, today, f"today ({today.date().isoformat()})")
        else:
            check_milestone_rules(milestones, version_as_of, _("the version's as_of ({day})").format(day=version_as_of.date().isoformat()))

    zone_ids, zones_source = None, ""
    if zones is not None:
        if zones.readable:
            zone_ids = set(zones.typed["zone_id"].dropna())
            zones_source = zones.file
            _check_geography(zones)
    elif reference_zones is not None:
        zone_ids = set(reference_zones["zone_id"].dropna().astype(str))
        zones_source = names.get("zones.csv", _("the published zones.csv"))
    for referring in (status, milestones):
        if referring is None or not referring.readable:
            continue
        if zone_ids is not None:
            _check_zone_refs(referring, zone_ids, zones_source)
        elif zones is None:
            referring.findings.append(Finding(ProblemCode.ZONES_UNCHECKED, 0, "zone_id", params={"reason": _("no zones.csv and no published version to compare with")}))
    if zones is not None and zones.readable and status is not None and status.readable:
        with_status = set(status.typed["zone_id"].dropna())
        missing = zones.typed["zone_id"].notna().to_numpy() & ~isin(zones.typed["zone_id"], with_status)
        zones.cell_findings(missing, ProblemCode.MISSING_STATUS, "zone_id")
    if zones is not None and zones.readable:
        _check_look_alike_names(zones, previous)
    if previous is not None:
        _check_against_previous(checked, previous)

    for c in checked.values():
        report.extend(make_problem(f, c.table, c.file) for f in c.findings)
    return report


