"""The rules within one record: figures against each other, a milestone's dates against its status,
and what a row's sources could have known and how sure it says it is."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date

import numpy as np
import pandas as pd

from sez_metrics.core import settings, vocabulary
from sez_metrics.core.cell_rules import CheckedTable
from sez_metrics.core.csvio import Finding
from sez_metrics.core.problems import ProblemCode


def _check_not_more(checked: CheckedTable, part: str, whole: str) -> None:
    t = checked.typed
    over = (t[part] > t[whole]).to_numpy()
    raw = checked.raw
    for i in np.flatnonzero(over):
        checked.findings.append(Finding(ProblemCode.EXCEEDS_TOTAL, int(checked.lines[i]), part, raw[part].iat[i],
                                        {"other": whole, "other_value": raw[whole].iat[i]}))


def check_status_rules(checked: CheckedTable, as_of: pd.Timestamp | None) -> None:
    t = checked.typed
    _check_not_more(checked, "plots_allotted", "plots_total")
    _check_not_more(checked, "enterprises_operating", "enterprises")
    total, allotted, pct = t["plots_total"], t["plots_allotted"], t["colonization_pct"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = 100.0 * allotted / total.where(total > 0)
    # allotted > total is already an error; a ratio over 100 % would only repeat it
    off = (((ratio - pct).abs() > settings.COLONIZATION_TOLERANCE_PCT) & (allotted <= total)).to_numpy()
    for i in np.flatnonzero(off):
        checked.findings.append(Finding(ProblemCode.COLONIZATION_MISMATCH, int(checked.lines[i]), "colonization_pct",
                                        checked.raw["colonization_pct"].iat[i],
                                        {"allotted": int(allotted.iat[i]), "total": int(total.iat[i]),
                                         "ratio": float(ratio.iat[i]), "tolerance": settings.COLONIZATION_TOLERANCE_PCT}))
    without_land = (t["colonization_pct"].notna() & t["stage"].isin(vocabulary.STAGES_WITHOUT_LAND)).to_numpy()
    for i in np.flatnonzero(without_land):
        checked.findings.append(Finding(ProblemCode.COLONIZATION_WITHOUT_LAND, int(checked.lines[i]), "colonization_pct",
                                        checked.raw["colonization_pct"].iat[i], {"stage": str(t["stage"].iat[i])}))
    if as_of is not None:
        checked.cell_findings((t["as_of"] > as_of).to_numpy(), ProblemCode.AS_OF_AFTER_VERSION, "as_of", as_of=as_of.date().isoformat())


def check_milestone_rules(checked: CheckedTable, as_of: pd.Timestamp, as_of_label: str) -> None:
    t, raw = checked.typed, checked.raw
    status, kind = t["status"], t["kind"]
    has_done = (raw["done_date"] != "").to_numpy()
    has_start = (raw["start_date"] != "").to_numpy()
    checked.cell_findings((status == "done").to_numpy() & ~has_done, ProblemCode.DONE_WITHOUT_DATE, "done_date")
    not_done = (status.notna() & (status != "done")).to_numpy() & has_done
    for i in np.flatnonzero(not_done):
        checked.findings.append(Finding(ProblemCode.DATE_WITHOUT_DONE, int(checked.lines[i]), "status", raw["status"].iat[i],
                                        {"done_date": raw["done_date"].iat[i]}))
    checked.cell_findings((kind == "phase").to_numpy() & ~has_start, ProblemCode.PHASE_WITHOUT_START, "start_date")
    other_kind = (kind.notna() & (kind != "phase")).to_numpy() & has_start
    for i in np.flatnonzero(other_kind):
        checked.findings.append(Finding(ProblemCode.START_NOT_PHASE, int(checked.lines[i]), "start_date", raw["start_date"].iat[i],
                                        {"kind": kind.iat[i]}))
    for i in np.flatnonzero((t["start_date"] > t["due_date"]).to_numpy()):
        checked.findings.append(Finding(ProblemCode.START_AFTER_DUE, int(checked.lines[i]), "start_date", raw["start_date"].iat[i],
                                        {"due_date": raw["due_date"].iat[i]}))
    checked.cell_findings((t["done_date"] > as_of).to_numpy(), ProblemCode.DONE_AFTER_AS_OF, "done_date", as_of_label=as_of_label)


# An ISO date written in a source cell ("nation 2024-03-11 https://…"): the date it was published.
SOURCE_DATE = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d-])")
# A note saying that a figure of its row is estimated ("ESTIMATED:", "ESTIMATED colonization", "estimate").
NOTE_ESTIMATED = re.compile(r"\b(estimat\w*|illustrative)\b", re.IGNORECASE)
# The words that say a source reports an event on the day it happened.
SAME_DAY = re.compile(r"\bsame[- ]day\b", re.IGNORECASE)
# Confidence levels that claim a figure is taken from a document or report, not estimated.
SOURCED_CONFIDENCE = ("official", "reported")


def source_dates(text: str) -> list[str]:
    """The calendar dates (YYYY-MM-DD) written in a source cell, in order; impossible dates are skipped."""
    found = []
    for match in SOURCE_DATE.findall(text or ""):
        with suppress(ValueError):
            date.fromisoformat(match)
            found.append(match)
    return found


def check_provenance(status: CheckedTable | None, milestones: CheckedTable | None,
                      version_as_of: pd.Timestamp | None) -> None:
    """Warnings about what a row's sources could have known and how sure it says it is: a source
    published after the figures' date, an estimate marked official or reported, and a done_date that
    is only the source's publication date."""
    if status is not None and status.readable:
        raw, t = status.raw, status.typed
        for i in range(len(raw)):
            as_of = t["as_of"].iat[i]
            if pd.notna(as_of):
                _source_after(status, i, as_of, "row's")
            confidence = t["confidence"].iat[i]
            phrase = NOTE_ESTIMATED.search(raw["note"].iat[i]) if "note" in raw else None
            if confidence in SOURCED_CONFIDENCE and phrase:
                status.findings.append(Finding(ProblemCode.NOTE_SAYS_ESTIMATED, int(status.lines[i]), "confidence", confidence,
                                               {"phrase": phrase.group(0), "confidence": confidence}))
    if milestones is not None and milestones.readable:
        raw, t = milestones.raw, milestones.typed
        for i in range(len(raw)):
            if version_as_of is not None:
                _source_after(milestones, i, version_as_of, "version's")
            done, confidence, source = raw["done_date"].iat[i], t["confidence"].iat[i], raw["source"].iat[i]
            if (pd.notna(t["done_date"].iat[i]) and confidence in SOURCED_CONFIDENCE
                    and done in source_dates(source) and not SAME_DAY.search(source)):
                milestones.findings.append(Finding(ProblemCode.DONE_DATE_IS_SOURCE_DATE, int(milestones.lines[i]), "done_date",
                                                   done, {"confidence": confidence}))


def _source_after(checked: CheckedTable, i: int, as_of: pd.Timestamp, what: str) -> None:
    day = as_of.date().isoformat()
    later = [d for d in source_dates(checked.raw["source"].iat[i]) if d > day]
    if later:
        checked.findings.append(Finding(ProblemCode.SOURCE_AFTER_AS_OF, int(checked.lines[i]), "source", checked.raw["source"].iat[i],
                                        {"date": max(later), "as_of": day, "what": what}))


