"""Headline figures of a dataset version, and how they moved since another version.

Pure functions of ``Dataset`` objects (no streamlit): the Overview and Changes pages only render
what this module returns. Every figure knows which zones it rests on and which of those zones'
figures are only ``estimated`` or ``illustrative``, so a page can flag them wherever it shows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from sez_metrics.core import i18n, schema, vocabulary
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.i18n import N_, _

# The stages at which enterprises produce in a zone.
PRODUCING_STAGES = ("partly_operational", "operational")
# Web addresses in free text: a brief form drops them (a card has no room, and a markdown
# renderer would turn them into links even when escaped).
_URL = re.compile(r"(?:https?://|www\.)[^\s;,]+", re.IGNORECASE)
SOURCE_BRIEF_CHARS = 90


# --- formatting ---------------------------------------------------------------------------


# One wording of numbers and capacities everywhere (see ``vocabulary``).


def source_brief(source: str, limit: int = SOURCE_BRIEF_CHARS) -> str:
    """``source`` without web addresses, whitespace collapsed, cut to ``limit`` characters with "…"."""
    text = re.sub(r"\s+", " ", _URL.sub("", source or ""))
    text = re.sub(r"\s+([;,)])", r"\1", text).replace("()", "").strip(" ;,")
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ;,") + "…"


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def _is_flagged(confidence: object) -> bool:
    return str(confidence) in schema.FLAGGED_CONFIDENCE


# --- KPIs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpis:
    """The headline figures of one version.

    Sums and averages use the zones that report the figure (``*_reporting``); ``None`` means
    no zone reports it. ``flagged`` maps each figure's key to the zones among its basis whose
    status row is ``estimated`` or ``illustrative``.
    """

    version_id: str
    zones_tracked: int
    zones_with_status: int
    stage_counts: dict[str, int]
    producing: int
    gas_connected: int
    electricity_connected: int
    colonization_median: float | None
    colonization_mean: float | None
    colonization_reporting: int  # zones with land that report colonization: what the median and mean are taken over
    colonization_not_applicable: int  # zones without land yet (colonization cannot apply), left out
    colonization_bases: dict[str, int]  # colonization_basis code ("" unstated) → zones behind the aggregates
    enterprises: int | None
    enterprises_reporting: int
    investment_usd_m: float | None
    investment_reporting: int
    flagged: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def value(self, key: str) -> float | None:
        """The numeric value of the figure ``key`` (for deltas)."""
        value = getattr(self, key)
        return None if value is None else float(value)


def status_with_zones(dataset: Dataset) -> pd.DataFrame:
    """The status rows of zones listed in zones.csv, with the zone's names and priority flag."""
    # with the names' translations (name_zh, short_name_ur …) where the dataset has them
    translated = [c for c in dataset.zones.columns if c.startswith(("name_", "short_name_"))]
    zones = dataset.zones[["zone_id", "name", "short_name", "province", "priority", *translated]]
    return dataset.status.merge(zones, on="zone_id", how="inner")


def kpis(dataset: Dataset) -> Kpis:
    """Compute the headline figures of ``dataset``."""
    rows = status_with_zones(dataset)
    everyone = pd.Series(True, index=rows.index)

    def flagged_among(mask: pd.Series, figure: str) -> tuple[str, ...]:
        """Zones behind a figure whose own confidence of it (``vocabulary.provenance``) is flagged."""
        return tuple(rows.loc[mask & vocabulary.figure_confidences(rows, figure).map(_is_flagged), "zone_id"])

    colonization_all = vocabulary.colonization_series(rows["stage"], rows["colonization_pct"])
    colonization = colonization_all.dropna()
    not_applicable = int((~rows["stage"].map(vocabulary.colonization_applies)).sum())
    enterprises = rows["enterprises"].dropna()
    investment = rows["investment_usd_m"].dropna()
    stage_counts = {code: int((rows["stage"] == code).sum()) for code in schema.STAGE.values}
    return Kpis(
        version_id=dataset.info.id,
        zones_tracked=len(dataset.zones),
        zones_with_status=len(rows),
        stage_counts=stage_counts,
        producing=sum(stage_counts[c] for c in PRODUCING_STAGES),
        gas_connected=int((rows["gas"] == "connected").sum()),
        electricity_connected=int((rows["electricity"] == "connected").sum()),
        colonization_median=float(colonization.median()) if len(colonization) else None,
        colonization_mean=float(colonization.mean()) if len(colonization) else None,
        colonization_reporting=len(colonization),
        colonization_not_applicable=not_applicable,
        colonization_bases={str(k): int(v) for k, v in rows.loc[colonization_all.notna(), "colonization_basis"]
                            .fillna("").astype(str).value_counts().items()},
        enterprises=int(enterprises.sum()) if len(enterprises) else None,
        enterprises_reporting=len(enterprises),
        investment_usd_m=float(investment.sum()) if len(investment) else None,
        investment_reporting=len(investment),
        flagged={
            "zones_tracked": (),
            "producing": flagged_among(everyone, "stage"),
            "gas_connected": flagged_among(everyone, "gas"),
            "electricity_connected": flagged_among(everyone, "electricity"),
            "colonization_median": flagged_among(colonization_all.notna(), "colonization"),
            "colonization_mean": flagged_among(colonization_all.notna(), "colonization"),
            "enterprises": flagged_among(rows["enterprises"].notna(), "enterprises"),
            "investment_usd_m": flagged_among(rows["investment_usd_m"].notna(), "investment"),
        },
    )


def kpi_deltas(old: Kpis | None, new: Kpis) -> dict[str, float | None]:
    """Change of every numeric figure from ``old`` to ``new``; ``None`` where either side lacks it."""
    keys = [k for k in new.flagged]
    if old is None:
        return {k: None for k in keys}
    out: dict[str, float | None] = {}
    for key in keys:
        a, b = old.value(key), new.value(key)
        out[key] = None if a is None or b is None else b - a
    return out


@dataclass(frozen=True)
class KpiTile:
    """One headline figure as a page shows it: label, value and change, all as text."""

    key: str
    label: str
    value: str
    delta: str  # "+2", "-1.5 pts", "±0", or "—" when there is no earlier figure
    direction: str  # "up", "down", "flat" or "none" (no earlier figure)
    help: str
    basis: int  # zones the figure rests on
    flagged: int  # of those, zones whose figures are estimated or illustrative
    note: str = ""  # over what the figure is taken, e.g. "median of 5 zones with land"


def kpi_tiles(new: Kpis, old: Kpis | None) -> list[KpiTile]:
    """The Overview's KPI tiles for ``new``, each with its change since ``old`` (None: no earlier version)."""
    deltas = kpi_deltas(old, new)
    n = new.zones_with_status
    producing, producing_label = _count_of(new.producing, n, N_("Zones producing"))
    gas, gas_label = _count_of(new.gas_connected, n, N_("Gas connected"))
    power, power_label = _count_of(new.electricity_connected, n, N_("Power connected"))
    mixed = colonization_bases_text(new)
    with_land = vocabulary.zones_with_land_text(new.colonization_reporting)
    notes = {
        "colonization_median": _("median of {zones}{bases}").format(zones=with_land, bases=mixed),
        "colonization_mean": _("mean of {zones}{bases}").format(zones=with_land, bases=mixed),
    }
    colonization_over = colonization_aggregate_text(new)
    specs = [
        ("zones_tracked", _("Zones tracked"), vocabulary.number_text(new.zones_tracked), "", new.zones_tracked,
         _("Zones in the dataset (zones.csv).")),
        ("producing", producing_label, producing, "",
         n, _("Zones where at least one enterprise produces: stage Partly operational or Operational.")),
        ("gas_connected", gas_label, gas, "", n,
         _("Zones whose permanent gas connection is in place (an interim supply does not count).")),
        ("electricity_connected", power_label, power, "", n,
         _("Zones whose permanent electricity connection is energised (an interim feeder does not count).")),
        ("colonization_median", _("Median colonization"), _pct(new.colonization_median), "pts",
         new.colonization_reporting, _("Median share of saleable land or plots allotted to enterprises, {over}").format(over=colonization_over)),
        ("colonization_mean", _("Mean colonization"), _pct(new.colonization_mean), "pts",
         new.colonization_reporting, _("Mean share of saleable land or plots allotted to enterprises, {over}").format(over=colonization_over)),
        ("enterprises", _("Enterprises"), vocabulary.number_text(new.enterprises, 0), "", new.enterprises_reporting,
         _("Enterprises admitted, summed over the {reporting} of {zones} zones that report it.").format(
             reporting=new.enterprises_reporting, zones=n)),
        ("investment_usd_m", _("Investment, USD m"), vocabulary.number_text(new.investment_usd_m, 0), "", new.investment_reporting,
         _("Committed investment in USD million, summed over the {reporting} of {zones} zones that report it.").format(
             reporting=new.investment_reporting, zones=n)),
    ]
    tiles = []
    for key, label, value, unit, basis, help_text in specs:
        delta = deltas.get(key)
        tiles.append(KpiTile(key, label, value, *_delta_text(delta, unit, key), help_text, basis, len(new.flagged.get(key, ())),
                             notes.get(key, "")))
    return tiles


def colonization_bases_text(k: Kpis) -> str:
    """"" when the zones behind a colonization aggregate share one basis (or none is stated), else
    "; mixed bases: 3 of saleable area, 2 of plots, 1 not stated"."""
    stated = {code: n for code, n in k.colonization_bases.items() if code}
    if len(stated) <= 1 and (not stated or len(k.colonization_bases) == 1):
        return f" ({vocabulary.basis_label(next(iter(stated)))})" if stated else ""
    parts = [f"{i18n.number(n, 0)} {vocabulary.basis_label(code)}" for code, n in sorted(stated.items())]
    if k.colonization_bases.get(""):
        parts.append(_("{n} not stated").format(n=i18n.number(k.colonization_bases[""], 0)))
    return _("; mixed bases: {bases}").format(bases=", ".join(parts))


def colonization_aggregate_text(k: Kpis) -> str:
    """Over which zones a colonization median or mean is taken, and which are left out and why."""
    left_out = k.zones_with_status - k.colonization_reporting
    over = vocabulary.zones_with_land_text(k.colonization_reporting)
    not_reported = left_out - k.colonization_not_applicable
    without_land = _("{zones} without land yet (not applicable)").format(zones=vocabulary.zones_text(k.colonization_not_applicable))
    not_reporting = _("{zones} not reporting it").format(zones=vocabulary.zones_text(not_reported))
    if k.colonization_not_applicable and not_reported:
        return _("over the {zones} that report it; left out: {without_land} and {not_reporting}.").format(
            zones=over, without_land=without_land, not_reporting=not_reporting)
    if k.colonization_not_applicable or not_reported:
        return _("over the {zones} that report it; left out: {reason}.").format(
            zones=over, reason=without_land if k.colonization_not_applicable else not_reporting)
    return _("over the {zones} that report it.").format(zones=over)


# A tile's value shows about this many characters of large type before it is cut ("3783 of 5…").
TILE_VALUE_CHARS = 9


def _count_of(count: int, total: int, label: str) -> tuple[str, str]:
    """(value, label) of a count out of the zones: "2 of 9" in the value while it fits, else "3,783"
    with the total moved to the label ("Zones producing (of 5,000)")."""
    value = _("{count} of {total}").format(count=i18n.number(count, 0), total=i18n.number(total, 0))
    if len(value) <= TILE_VALUE_CHARS:
        return value, _(label)
    return i18n.number(count, 0), _("{label} (of {total})").format(label=_(label), total=i18n.number(total, 0))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{vocabulary.number_text(value)} %"


def _delta_text(delta: float | None, unit: str, key: str) -> tuple[str, str]:
    if delta is None:
        return "—", "none"
    decimals = 0 if key in ("enterprises", "investment_usd_m") else 1
    def with_unit(change: str) -> str:  # unit "pts": percentage points
        return _("{change} pts").format(change=change) if unit else change

    if round(delta, decimals) == 0:
        return with_unit("±0"), "flat"
    sign = "+" if delta > 0 else "-"
    return with_unit(f"{sign}{vocabulary.number_text(abs(delta), decimals)}"), "up" if delta > 0 else "down"


def flagged_footnote(dataset: Dataset) -> str:
    """ "2 of 9 zones' figures are estimated or illustrative", or "" when none are (plain text)."""
    rows = status_with_zones(dataset)
    flagged = rows["confidence"].map(_is_flagged)
    if not flagged.any():
        return ""
    kinds = sorted(set(rows.loc[flagged, "confidence"]), key=schema.CONFIDENCE.rank)
    words = _(" or ").join(schema.CONFIDENCE.label(k).lower() for k in kinds)
    return _("{flagged} of {zones} zones' figures are {which}").format(
        flagged=i18n.number(int(flagged.sum()), 0), zones=i18n.number(len(rows), 0), which=words)


def stale_zones(dataset: Dataset) -> list[str]:
    """Short names of the zones whose figures are older than the version's as-of date by more than
    ``settings.STALE_FIGURES_DAYS`` (zones.csv order)."""
    rows = status_with_zones(dataset)
    return [i18n.data_text(z, "short_name") for z in rows[vocabulary.stale_mask(rows, dataset.info.as_of)].to_dict("records")]


def stale_footnote(dataset: Dataset) -> str:
    """ "2 of 9 zones' figures are more than 30 days older than this round (as of 2025-09-15): A, B", or ""."""
    from sez_metrics.core import settings

    names = stale_zones(dataset)
    if not names:
        return ""
    shown = ", ".join(names[:12])
    if len(names) > 12:
        shown = _("{zones} and {n} more").format(zones=shown, n=i18n.number(len(names) - 12, 0))
    return _("{stale} of {zones} zones' figures are more than {days} days older than this round (as of {as_of}): {names}").format(
        stale=i18n.number(len(names), 0), zones=i18n.number(len(status_with_zones(dataset)), 0), days=settings.STALE_FIGURES_DAYS,
        as_of=dataset.info.as_of, names=shown)


# --- stages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageCount:
    """How many zones stand at one stage."""

    code: str
    label: str
    symbol: str
    count: int
    zones: tuple[str, ...]  # short names of the zones at this stage

    @property
    def display(self) -> str:
        return vocabulary.coded_text(schema.STAGE, self.code)


def stage_counts(dataset: Dataset) -> list[StageCount]:
    """Zones per stage, every stage in stage order (least advanced first), zeros included."""
    rows = status_with_zones(dataset)
    out = []
    for c in schema.STAGE.codes:
        names = tuple(i18n.data_text(z, "short_name") for z in rows[rows["stage"] == c.code].to_dict("records"))
        out.append(StageCount(c.code, schema.STAGE.label(c.code), c.symbol, len(names), names))
    return out


# --- every zone at a glance ---------------------------------------------------------------

# Column names are the page's words (translated where shown: ``_(column)``).
GRID_COLUMNS = [N_("Zone"), N_("Stage"), N_("Gas"), N_("Power"), N_("Colonization"), N_("Figures as of")]


def _labelled(enum: schema.Enumeration, code: object) -> str:
    return vocabulary.coded_text(enum, code) if _present(code) and str(code) else vocabulary.MISSING


def zone_grid(dataset: Dataset) -> pd.DataFrame:
    """Which zones stand where: one row per zone (stage order, most advanced first, then zones.csv
    order) with its stage, gas, power and colonization as symbol and words, and the date of its
    figures (with how much older than the round, when stale). Plain text: render with a table widget."""
    rows = status_with_zones(dataset)
    order = {zid: i for i, zid in enumerate(dataset.zones["zone_id"])}
    rank = {code: i for i, code in enumerate(schema.STAGE.values)}
    rows = rows.assign(_rank=rows["stage"].map(rank).fillna(-1), _order=rows["zone_id"].map(order))
    rows = rows.sort_values(["_rank", "_order"], ascending=[False, True], kind="stable")
    colonization = [
        # short words in a narrow column: the caption says what "not applicable" means
        f"{vocabulary.number_text(v)} %" if (v := vocabulary.colonization_value(st, pct)) is not None
        else _(vocabulary.NOT_APPLICABLE_SHORT) if not vocabulary.colonization_applies(st) else _(vocabulary.NOT_REPORTED)
        for st, pct in zip(rows["stage"], rows["colonization_pct"], strict=True)
    ]
    as_of = [
        ("" if pd.isna(d) else f"{d:%Y-%m-%d}") + (f" 🕰 {older}" if (older := vocabulary.older_text(d, dataset.info.as_of)) else "")
        for d in rows["as_of"]
    ]
    names = [i18n.data_text(z, "short_name") for z in rows.to_dict("records")]
    return pd.DataFrame(
        {
            "Zone": names,
            "Stage": [_labelled(schema.STAGE, c) for c in rows["stage"]],
            "Gas": [_labelled(schema.UTILITY_STAGE, c) for c in rows["gas"]],
            "Power": [_labelled(schema.UTILITY_STAGE, c) for c in rows["electricity"]],
            "Colonization": colonization,
            "Figures as of": as_of,
        },
        columns=GRID_COLUMNS,
    )


# --- zone cards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ZoneCard:
    """What the Overview shows for one zone (plain text; the page escapes it)."""

    zone_id: str
    name: str
    short_name: str
    province: str
    stage: str
    gas: str
    gas_capacity: str
    electricity: str
    power_capacity: str
    colonization_pct: float | None  # None when not applicable (no land yet) or not reported
    colonization_text: str  # "35 %", "not applicable (no land yet)", "not reported"
    enterprises: int | None
    confidence: str
    source: str
    as_of: str
    stale: str = ""  # "as of 2025-03 — 6 months older than this round", or "" (``vocabulary.stale_text``)

    @property
    def flagged(self) -> bool:
        return _is_flagged(self.confidence)


def _colonization_words(stage: str, pct: object) -> str:
    value = vocabulary.colonization_value(stage, pct)
    return vocabulary.colonization_missing_text(stage) if value is None else f"{vocabulary.number_text(value)} %"


def zone_cards(dataset: Dataset, priority_only: bool = True) -> list[ZoneCard]:
    """A card per zone (priority zones only by default), in the order of zones.csv."""
    rows = status_with_zones(dataset)
    order = {zid: i for i, zid in enumerate(dataset.zones["zone_id"])}
    rows = rows.assign(_order=rows["zone_id"].map(order)).sort_values("_order")
    if priority_only:
        rows = rows[rows["priority"]]
    cards = []
    for r, record in zip(rows.itertuples(index=False), rows.to_dict("records"), strict=True):
        cards.append(
            ZoneCard(
                zone_id=r.zone_id,
                name=i18n.data_text(record, "name"),
                short_name=i18n.data_text(record, "short_name"),
                province=r.province,
                stage=r.stage,
                gas=r.gas,
                gas_capacity=vocabulary.capacity_text(r.gas_mmcfd_available, r.gas_mmcfd_required, "MMCFD"),
                electricity=r.electricity,
                power_capacity=vocabulary.capacity_text(r.power_mw_available, r.power_mw_required, "MW"),
                colonization_pct=vocabulary.colonization_value(r.stage, r.colonization_pct),
                colonization_text=_colonization_words(r.stage, r.colonization_pct),
                enterprises=None if pd.isna(r.enterprises) else int(r.enterprises),
                confidence=r.confidence,
                source=r.source,
                as_of="" if pd.isna(r.as_of) else r.as_of.date().isoformat(),
                stale=vocabulary.stale_text(r.as_of, dataset.info.as_of),
            )
        )
    return cards
