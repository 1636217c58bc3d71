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

from sez_metrics.core import i18n, metrics, schema, timeline, vocabulary
from sez_metrics.core.change_summary import ChangeItem
from sez_metrics.core.dataset import Dataset, VersionInfo
from sez_metrics.core.diff import VersionDiff, diff_versions
from sez_metrics.core.i18n import N_, _, ngettext

PACK_TITLE = N_("CPEC Special Economic Zones — progress briefing")
NO_VALUE = "—"
# Change items less important than this (diff.IMPORTANCE: source/note/detail edits) are only
# counted on a zone's page; the change summary section lists them all.
MINOR_CHANGE_IMPORTANCE = 11
# The zone figures (``vocabulary.FIGURES``) as the appendix names them.
FIGURE_NAMES = {"stage": N_("stage"), "gas": N_("gas"), "electricity": N_("electricity"), "colonization": N_("colonization"),
                "enterprises": N_("enterprises"), "jobs": N_("jobs"), "investment": N_("investment")}


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
        when = self.status_as_of or version_as_of
        if self.stale:
            return _("Status as of {date} — {older}").format(date=when, older=self.stale)
        return _("Status as of {date}").format(date=when)

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
        return _("{delta} since {version}").format(delta=self.figure.delta, version=self.compare_label)

    @property
    def delta(self) -> str:
        """The change alone ("+2"), for a layout that names the compared version once
        (``Briefing.compare_text``); "" when there is nothing to compare with."""
        return self.figure.delta if self.delta_text else ""

    @property
    def flag_text(self) -> str:
        """"⚠ estimated: 3 of 7 zones" when some of the zones behind the figure are estimated, else ""."""
        if not self.figure.flagged:
            return ""
        return _("⚠ estimated: {flagged} of {basis} zones").format(flagged=i18n.number(self.figure.flagged, 0),
                                                                  basis=i18n.number(self.figure.basis, 0))


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
    title: str = ""  # the pack's title in the language it was built in (default: PACK_TITLE translated)
    reference: vocabulary.Reference | None = None  # the date days late are counted to (default: the as-of date)
    language: str = ""  # the i18n code the storyline's words are in (default: the current language)

    def __post_init__(self) -> None:
        if self.reference is None:
            self.reference = vocabulary.resolve_reference(self.info.as_of, vocabulary.AS_OF)
        if not self.title:
            self.title = _(PACK_TITLE)
        if not self.language:
            self.language = i18n.current().code

    @property
    def stamp(self) -> str:
        """The "as of" line printed on every page and slide."""
        return _("Data as of {date} · version {label} ({id})").format(date=self.info.as_of, label=self.info.label, id=self.info.id)

    @property
    def compare_text(self) -> str:
        if self.compare is None:
            return _("No earlier version to compare with.")
        return _("Changes since {label} ({id}, as of {date})").format(label=self.compare.label, id=self.compare.id, date=self.compare.as_of)


def labelled(enum: schema.Enumeration, code: object) -> str:
    """A code as "symbol Label" (plain text); "—" when empty."""
    if code is None or (isinstance(code, float) and pd.isna(code)) or code == "":
        return NO_VALUE
    return vocabulary.coded_text(enum, code)


def _date_text(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).date().isoformat()


def _number(value: object, decimals: int = 1) -> str:
    """A figure in the current language's digits and grouping; "—" when missing (NA included)."""
    return i18n.MISSING if value is None or pd.isna(value) else i18n.number(value, decimals)


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
                rescheduled = _("{days} days since {version}").format(days=("+" if days > 0 else "") + i18n.number(days, 0),
                                                                      version=baseline.loc[r.milestone_id, "first_version"])
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
    fmt = _number
    major = tuple(i.in_language() for i in changes if i.importance < MINOR_CHANGE_IMPORTANCE)
    minor = sum(1 for i in changes if i.importance >= MINOR_CHANGE_IMPORTANCE)
    district = _text(zone["district"])
    profile = [
        Fact(_("Province"), _("{province} · {district} district").format(province=zone["province"], district=district)
             if district else str(zone["province"])),
        Fact(_("Developer"), _text(zone["developer"]) or NO_VALUE),
        Fact(_("Area"), _("{area} acres").format(area=fmt(zone["area_acres"], 0))),
        Fact(_("Programme"), _text(zone["programme"]) or NO_VALUE),
        Fact(_("Priority zone"), _("Yes") if zone["priority"] else _("No")),
        Fact(_("Notified"), _date_text(zone["notified_on"]) or _("Not yet notified")),
        Fact(_("Location"), _("{precision} ({lat} N, {lon} E)").format(precision=labelled(schema.LOCATION_PRECISION, zone["location_precision"]),
                                                                     lat=fmt(zone["latitude"], 3), lon=fmt(zone["longitude"], 3))),
    ]
    if status is None:
        return ZoneBrief(zone["zone_id"], i18n.data_text(zone, "name"), i18n.data_text(zone, "short_name"), bool(zone["priority"]), "",
                         tuple(profile), (Fact(_("Status"), _("No status reported in this version")),), "", "", "", "",
                         tuple(milestones), major, minor)
    plots = ""
    if not pd.isna(status["plots_total"]):
        allotted = NO_VALUE if pd.isna(status["plots_allotted"]) else fmt(status["plots_allotted"], 0)
        plots = " · " + _("{allotted} of {total} plots allotted").format(allotted=allotted, total=fmt(status["plots_total"], 0))
    enterprises = NO_VALUE
    if not pd.isna(status["enterprises"]):
        enterprises = _("{admitted} admitted").format(admitted=fmt(status["enterprises"], 0))
        if not pd.isna(status["enterprises_operating"]):
            enterprises = _("{admitted} admitted, {operating} operating").format(admitted=fmt(status["enterprises"], 0),
                                                                                 operating=fmt(status["enterprises_operating"], 0))

    def utility(stage_column: str, available: str, required: str, unit: str) -> str:
        capacity = vocabulary.capacity_text(status[available], status[required], unit)
        return labelled(schema.UTILITY_STAGE, status[stage_column]) + (f" · {capacity}" if capacity else "")

    basis = vocabulary.basis_label(status.get("colonization_basis"))

    def own(figure: str, value: str) -> str:
        """The figure with its own confidence (its column, else the row's): "… (◌ Estimated)"."""
        return f"{value} ({labelled(schema.CONFIDENCE, vocabulary.provenance(status, figure)[0])})" if value != NO_VALUE else value

    facts = [
        Fact(_("Stage"), own("stage", labelled(schema.STAGE, status["stage"]))),
        Fact(_("Gas"), own("gas", utility("gas", "gas_mmcfd_available", "gas_mmcfd_required", "MMCFD"))),
        Fact(_("Electricity"), own("electricity", utility("electricity", "power_mw_available", "power_mw_required", "MW"))),
        Fact(_("Colonization"), own("colonization", f"{fmt(status['colonization_pct'])} %" + (f" {basis}" if basis else "") + plots)
             if vocabulary.colonization_value(status["stage"], status["colonization_pct"]) is not None
             else vocabulary.colonization_missing_text(status["stage"])),
        Fact(_("Enterprises"), own("enterprises", enterprises)),
        Fact(_("Jobs"), own("jobs", fmt(status["jobs"], 0))),
        Fact(_("Investment"), NO_VALUE if pd.isna(status["investment_usd_m"])
             else own("investment", _("USD {amount} million").format(amount=fmt(status["investment_usd_m"])))),
        Fact(_("Confidence"), labelled(schema.CONFIDENCE, status["confidence"])),  # the row's: each figure's own is beside it
    ]
    return ZoneBrief(
        zone_id=zone["zone_id"], name=i18n.data_text(zone, "name"), short_name=i18n.data_text(zone, "short_name"), priority=bool(zone["priority"]),
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
        changes = [(items[0].zone_label(), list(items)) for items in by_zone.values()]
    names = {row["zone_id"]: i18n.data_text(row, "short_name") for row in dataset.zones.to_dict("records")}
    # The zone's figures grouped by their own confidence and source (most rows: one group, the row's).
    sources = []
    for b in briefs:
        if not b.stage:
            continue
        groups: dict[tuple[str, str], list[str]] = {}
        for figure in vocabulary.FIGURES:
            groups.setdefault(vocabulary.provenance(status.loc[b.zone_id], figure), []).append(figure)
        for (confidence, source), figures_of in groups.items():
            subject = ", ".join(_(FIGURE_NAMES[f]) for f in figures_of)
            sources.append(SourceLine(subject[:1].upper() + subject[1:], b.short_name, b.status_as_of, confidence, source))
    # Milestones sharing a zone, a source and a confidence level share one appendix row.
    grouped: dict[tuple[str, str, str], list[MilestoneLine]] = {}
    for m in every_line:
        grouped.setdefault((m.zone_id, m.confidence, m.source), []).append(m)
    for (zone_id, confidence, source), group in grouped.items():
        titles = "; ".join(m.title for m in group)
        if len(group) == 1:
            subject, dates = _("Milestone: {titles}").format(titles=titles), group[0].due
        else:
            subject = ngettext("{n} milestone: {titles}", "{n} milestones: {titles}", len(group)).format(n=len(group), titles=titles)
            dates = _("{first} to {last}").format(first=min(m.due for m in group), last=max(m.due for m in group))
        sources.append(SourceLine(subject,
                                  names.get(zone_id, zone_id) if zone_id else _(vocabulary.PROGRAMME), dates, confidence, source))
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
