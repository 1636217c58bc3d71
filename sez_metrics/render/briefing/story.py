"""The briefing's storyline: what a pack (and the presenter's deck) says, as plain data.

``build_briefing`` pins one dataset version and compares it with an earlier one: headline tiles
(with their wording: label, value, change and flag, printed the same by the PDF, the HTML and the
slides), zones by stage, overdue milestones, one ``ZoneBrief`` per zone (priority zones first),
the programme's own milestones, the changes by zone and the appendix of sources. Every string here
is plain text: renderers escape it for their markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from sez_metrics.core import metrics, schema, timeline, vocabulary
from sez_metrics.core.change_summary import ChangeItem
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.diff import VersionDiff, diff_versions

PACK_TITLE = "CPEC Special Economic Zones — progress briefing"
NO_VALUE = "—"
# Change items less important than this (diff.IMPORTANCE: source/note/detail edits) are only
# counted on a zone's page; the change summary section lists them all.
MINOR_CHANGE_IMPORTANCE = 11


class BriefingError(Exception):
    """The pack cannot be made; the message says why. ``damaged``: the pinned or compared version
    fails its integrity check (the store is at fault, not the request: an unknown version, a wrong
    file name, a missing folder or font)."""

    def __init__(self, message: str, *, damaged: bool = False):
        super().__init__(message)
        self.damaged = damaged


# --- the storyline --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One labelled value of a zone, as text (escape before using as markup)."""

    label: str
    value: str


@dataclass(frozen=True)
class MilestoneLine:
    """A milestone as the pack shows it, with its slippage at the pack's reference date."""

    milestone_id: str
    zone_id: str
    title: str
    kind: str
    category: str
    due: str
    done: str
    status: str
    slip: str  # "⚠ Overdue by 120 days", "✓ Done on time" …
    late: bool
    rescheduled: str  # "+180 days since Before JCC-10", or ""
    confidence: str
    source: str
    state: str = ""  # the slip state code (``timeline.SLIP_STATES``): "overdue", "cancelled" …
    days_late: int | None = None  # at the reference date (``vocabulary.days_late``); None when cancelled


@dataclass(frozen=True)
class ZoneBrief:
    """One zone's section: who and where, where it stands, its milestones and its changes."""

    zone_id: str
    name: str
    short_name: str
    priority: bool
    stage: str  # code; "" when the version has no status row for the zone
    profile: tuple[Fact, ...]
    status: tuple[Fact, ...]
    confidence: str  # code
    source: str
    status_as_of: str
    note: str
    milestones: tuple[MilestoneLine, ...]
    changes: tuple[str, ...]  # what a reader needs: stage, utilities, figures, dates, confidence
    minor_changes: int = 0  # edits of sources, notes and other details, counted only (listed in the change summary)
    stale: str = ""  # "6 months older than this round" (``vocabulary.older_text``), or ""

    def status_heading(self, version_as_of: str) -> str:
        """"Status as of 2025-03-31", with "— 6 months older than this round" when the figures are stale."""
        return f"Status as of {self.status_as_of or version_as_of}" + (f" — {self.stale}" if self.stale else "")

    @property
    def heading(self) -> str:
        symbol = schema.STAGE.symbol(self.stage) if self.stage else ""
        return f"{symbol} {self.name}".strip()

    @property
    def flagged(self) -> bool:
        return self.confidence in schema.FLAGGED_CONFIDENCE


@dataclass(frozen=True)
class HeadlineTile:
    """One headline figure of the pack with its wording: what the PDF, the HTML and the slides print."""

    figure: metrics.KpiTile
    compare_label: str | None  # the compared version's label; None: nothing to compare with

    @property
    def label(self) -> str:
        return self.figure.label

    @property
    def value(self) -> str:
        return self.figure.value

    @property
    def help(self) -> str:
        return self.figure.help

    @property
    def delta_text(self) -> str:
        """"+2 since Before JCC-13", or "" when there is nothing to compare with."""
        if self.compare_label is None or self.figure.direction == "none":
            return ""
        return f"{self.figure.delta} since {self.compare_label}"

    @property
    def flag_text(self) -> str:
        """"⚠ estimated: 3 of 7 zones" when some of the zones behind the figure are estimated, else ""."""
        if not self.figure.flagged:
            return ""
        return f"⚠ estimated: {self.figure.flagged:,} of {self.figure.basis:,} zones"


@dataclass(frozen=True)
class SourceLine:
    """One row of the appendix: what is shown, for which zone, how sure, and where it comes from."""

    subject: str
    zone: str
    as_of: str
    confidence: str  # code
    source: str


@dataclass
class Briefing:
    """The whole storyline of one pack, pinned to ``info`` and compared with ``compare``."""

    info: VersionInfo
    compare: VersionInfo | None
    generated_on: date
    tiles: list[HeadlineTile]
    stages: list[metrics.StageCount]
    flagged_note: str
    overdue: list[MilestoneLine]
    zones: list[ZoneBrief]
    programme_events: list[MilestoneLine]
    changes: list[tuple[str, list[ChangeItem]]] | None  # by zone, most important first; None: nothing to compare with
    sources: list[SourceLine]
    dataset: Dataset = field(repr=False)
    title: str = PACK_TITLE
    reference: vocabulary.Reference | None = None  # the date days late are counted to (default: the as-of date)

    def __post_init__(self) -> None:
        if self.reference is None:
            self.reference = vocabulary.resolve_reference(self.info.as_of, vocabulary.AS_OF)

    @property
    def stamp(self) -> str:
        """The "as of" line printed on every page and slide."""
        return f"Data as of {self.info.as_of} · version {self.info.label} ({self.info.id})"

    @property
    def compare_text(self) -> str:
        if self.compare is None:
            return "No earlier version to compare with."
        return f"Changes since {self.compare.label} ({self.compare.id}, as of {self.compare.as_of})"


def labelled(enum: schema.Enumeration, code: object) -> str:
    """A code as "symbol Label" (plain text); "—" when empty."""
    if code is None or (isinstance(code, float) and pd.isna(code)) or code == "":
        return NO_VALUE
    return vocabulary.coded_text(enum, code)


def _date_text(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).date().isoformat()


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def zone_order(dataset: Dataset, chosen: list[str] | None = None) -> list[str]:
    """Zone ids in briefing order: priority zones first, each group in zones.csv order.

    With ``chosen``, exactly those known zones in the order given (unknown ids are dropped).
    """
    known = list(dataset.zones["zone_id"])
    if chosen:
        seen: list[str] = []
        for zone_id in chosen:
            if zone_id in known and zone_id not in seen:
                seen.append(zone_id)
        return seen
    priority = dict(zip(dataset.zones["zone_id"], dataset.zones["priority"], strict=True))
    return [z for z in known if priority[z]] + [z for z in known if not priority[z]]


def _milestone_lines(dataset: Dataset, frame: pd.DataFrame, baseline: pd.DataFrame | None, reference: vocabulary.Reference) -> list[MilestoneLine]:
    if frame.empty:
        return []
    assessed = timeline.assess(frame, reference.day)
    lines = []
    for r in assessed.sort_values(["due_date", "milestone_id"], kind="stable").itertuples(index=False):
        rescheduled = ""
        if baseline is not None and r.milestone_id in baseline.index and not pd.isna(r.due_date):
            days = (r.due_date - baseline.loc[r.milestone_id, "first_due"]).days
            if days:
                rescheduled = f"{days:+,} days since {baseline.loc[r.milestone_id, 'first_version']}"
        lines.append(
            MilestoneLine(
                milestone_id=r.milestone_id,
                zone_id=_text(r.zone_id),
                title=_text(r.title),
                kind=schema.MILESTONE_KIND.label(r.kind),
                category=schema.MILESTONE_CATEGORY.label(r.category),
                due=_date_text(r.due_date),
                done=_date_text(r.done_date),
                status=labelled(schema.MILESTONE_STATUS, r.status),
                slip=r.slip_text,
                late=bool(r.late),
                rescheduled=rescheduled,
                confidence=r.confidence,
                source=_text(r.source),
                state=r.slip,
                days_late=None if pd.isna(r.days_late) else int(r.days_late),
            )
        )
    return lines


def _zone_brief(dataset: Dataset, zone: pd.Series, status: pd.Series | None, milestones: list[MilestoneLine], changes: list[ChangeItem]) -> ZoneBrief:
    fmt = vocabulary.number_text
    major = tuple(i.detail for i in changes if i.importance < MINOR_CHANGE_IMPORTANCE)
    minor = sum(1 for i in changes if i.importance >= MINOR_CHANGE_IMPORTANCE)
    district = _text(zone["district"])
    profile = [
        Fact("Province", f"{zone['province']}" + (f" · {district} district" if district else "")),
        Fact("Developer", _text(zone["developer"]) or NO_VALUE),
        Fact("Area", f"{fmt(zone['area_acres'], 0)} acres"),
        Fact("Programme", _text(zone["programme"]) or NO_VALUE),
        Fact("Priority zone", "Yes" if zone["priority"] else "No"),
        Fact("Notified", _date_text(zone["notified_on"]) or "Not yet notified"),
        Fact("Location", f"{labelled(schema.LOCATION_PRECISION, zone['location_precision'])} "
                         f"({fmt(zone['latitude'], 3)} N, {fmt(zone['longitude'], 3)} E)"),
    ]
    if status is None:
        return ZoneBrief(zone["zone_id"], zone["name"], zone["short_name"], bool(zone["priority"]), "", tuple(profile),
                         (Fact("Status", "No status reported in this version"),), "", "", "", "", tuple(milestones), major, minor)
    plots = ""
    if not pd.isna(status["plots_total"]):
        allotted = NO_VALUE if pd.isna(status["plots_allotted"]) else fmt(status["plots_allotted"], 0)
        plots = f" · {allotted} of {fmt(status['plots_total'], 0)} plots allotted"
    enterprises = NO_VALUE
    if not pd.isna(status["enterprises"]):
        enterprises = f"{fmt(status['enterprises'], 0)} admitted"
        if not pd.isna(status["enterprises_operating"]):
            enterprises += f", {fmt(status['enterprises_operating'], 0)} operating"

    def utility(stage_column: str, available: str, required: str, unit: str) -> str:
        capacity = vocabulary.capacity_text(status[available], status[required], unit)
        return labelled(schema.UTILITY_STAGE, status[stage_column]) + (f" · {capacity}" if capacity else "")

    basis = vocabulary.basis_label(status.get("colonization_basis"))

    def own(figure: str, value: str) -> str:
        """The figure with its own confidence (its column, else the row's): "… (◌ Estimated)"."""
        return f"{value} ({labelled(schema.CONFIDENCE, vocabulary.provenance(status, figure)[0])})" if value != NO_VALUE else value

    facts = [
        Fact("Stage", own("stage", labelled(schema.STAGE, status["stage"]))),
        Fact("Gas", own("gas", utility("gas", "gas_mmcfd_available", "gas_mmcfd_required", "MMCFD"))),
        Fact("Electricity", own("electricity", utility("electricity", "power_mw_available", "power_mw_required", "MW"))),
        Fact("Colonization", own("colonization", f"{fmt(status['colonization_pct'])} %{' ' + basis if basis else ''}{plots}")
             if vocabulary.colonization_value(status["stage"], status["colonization_pct"]) is not None
             else vocabulary.colonization_missing_text(status["stage"])),
        Fact("Enterprises", own("enterprises", enterprises)),
        Fact("Jobs", own("jobs", fmt(status["jobs"], 0))),
        Fact("Investment", NO_VALUE if pd.isna(status["investment_usd_m"])
             else own("investment", f"USD {fmt(status['investment_usd_m'])} million")),
        Fact("Confidence", labelled(schema.CONFIDENCE, status["confidence"])),  # the row's: each figure's own is beside it
    ]
    return ZoneBrief(
        zone_id=zone["zone_id"], name=zone["name"], short_name=zone["short_name"], priority=bool(zone["priority"]),
        stage=status["stage"], profile=tuple(profile), status=tuple(facts), confidence=status["confidence"],
        source=_text(status["source"]), status_as_of=_date_text(status["as_of"]), note=_text(status["note"]),
        milestones=tuple(milestones), changes=major, minor_changes=minor,
        stale=vocabulary.older_text(status["as_of"], dataset.info.as_of),
    )


def build_briefing(
    dataset: Dataset,
    compare: Dataset | None = None,
    *,
    history: list[Dataset] | None = None,
    zone_ids: list[str] | None = None,
    generated_on: date | None = None,
    diff: VersionDiff | None = None,
    reference: str = vocabulary.AS_OF,
) -> Briefing:
    """The storyline of a pack for ``dataset``, with changes since ``compare`` (None: none shown).

    ``history``: every version up to ``dataset`` (oldest first) to measure how far each milestone's
    committed date moved since it was first published; ``zone_ids``: which zones, in which order
    (default: priority zones first); ``diff``: a ready ``diff_versions(compare, dataset)``;
    ``reference``: count days late to the version's as-of date (``vocabulary.AS_OF``, default) or to
    the generation date (``vocabulary.TODAY``).
    """
    generated_on = generated_on or date.today()
    ref = vocabulary.resolve_reference(dataset.info.as_of, reference, generated_on)
    if compare is not None and diff is None:
        diff = diff_versions(compare, dataset)
    baseline = None
    if history:
        baseline = timeline.first_commitments([(d.info.label, d.milestones) for d in history])
    kpis_now = metrics.kpis(dataset)
    tiles = metrics.kpi_tiles(kpis_now, metrics.kpis(compare) if compare is not None else None)
    compare_label = compare.info.label if compare is not None else None
    by_zone = diff.summary_by_zone() if diff is not None else {}
    zones = dataset.zones.set_index("zone_id", drop=False)
    status = dataset.status.set_index("zone_id", drop=False)
    milestones = dataset.milestones
    zone_of = milestones["zone_id"].fillna("")

    briefs = []
    for zone_id in zone_order(dataset, zone_ids):
        lines = _milestone_lines(dataset, milestones[zone_of == zone_id], baseline, ref)
        changes = by_zone.get(zone_id, [])
        row = status.loc[zone_id] if zone_id in status.index else None
        briefs.append(_zone_brief(dataset, zones.loc[zone_id], row, lines, changes))
    programme = _milestone_lines(dataset, milestones[zone_of == ""], baseline, ref)
    every_line = [m for b in briefs for m in b.milestones] + programme
    overdue = sorted((m for m in every_line if m.state == "overdue"), key=lambda m: m.due)

    changes = None
    if diff is not None:
        changes = [(items[0].zone_name, list(items)) for items in by_zone.values()]
    names = dict(zip(dataset.zones["zone_id"], dataset.zones["short_name"], strict=True))
    # The zone's figures grouped by their own confidence and source (most rows: one group, the row's).
    sources = []
    for b in briefs:
        if not b.stage:
            continue
        groups: dict[tuple[str, str], list[str]] = {}
        for figure in vocabulary.FIGURES:
            groups.setdefault(vocabulary.provenance(status.loc[b.zone_id], figure), []).append(figure)
        for (confidence, source), figures_of in groups.items():
            sources.append(SourceLine(", ".join(figures_of).capitalize(), b.short_name, b.status_as_of, confidence, source))
    # Milestones sharing a zone, a source and a confidence level share one appendix row.
    grouped: dict[tuple[str, str, str], list[MilestoneLine]] = {}
    for m in every_line:
        grouped.setdefault((m.zone_id, m.confidence, m.source), []).append(m)
    for (zone_id, confidence, source), group in grouped.items():
        label = "Milestone" if len(group) == 1 else f"{len(group)} milestones"
        dates = group[0].due if len(group) == 1 else f"{min(m.due for m in group)} to {max(m.due for m in group)}"
        sources.append(SourceLine(f"{label}: " + "; ".join(m.title for m in group),
                                  names.get(zone_id, zone_id) if zone_id else vocabulary.PROGRAMME, dates, confidence, source))
    return Briefing(
        info=dataset.info,
        compare=compare.info if compare is not None else None,
        generated_on=generated_on,
        tiles=[HeadlineTile(t, compare_label) for t in tiles],
        stages=metrics.stage_counts(dataset),
        flagged_note=metrics.flagged_footnote(dataset),
        overdue=overdue,
        zones=briefs,
        programme_events=programme,
        changes=changes,
        sources=sources,
        dataset=dataset,
        reference=ref,
    )
