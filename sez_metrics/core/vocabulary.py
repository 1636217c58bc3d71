"""The rules every page, slide, pack and command reads a figure by: one definition each.

- **Milestone states.** ``OPEN_STATUSES`` can be late; ``CLOSED_STATUSES`` (done, cancelled) never.
- **Overdue** (``is_overdue``): due before the reference date, not done, not cancelled.
- **Days late** (``days_late``): counted from the committed date to the reference date for an
  open item, to the done date for a done one; lateness is never negative (``lateness_text`` says
  "16 days early" instead).
- **The reference date** (``Reference``): the shown version's as-of date unless today is chosen
  (URL parameter ``to=today``; absent, or the old ``to=asof``, means the as-of date). Every figure
  that depends on it names it (``Reference.phrase``).
- **Movements between two versions** (``movements``): what happened to one milestone, as codes
  (``MOVEMENT_CODES``), never display text; the diff, the Changes page's header and its tables all
  count with it.
- **Numbers and capacities** (``number_text``, ``capacity_text``).
- **Codes as people read them** (``coded_text``), **the programme-wide row's name** (``PROGRAMME``)
  and **each column's rule in words** (``column_rule``, ``bounds_text``). Pure: no streamlit, no files.
  Every text comes out in the current language (``i18n``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from sez_metrics.core import i18n
from sez_metrics.core.i18n import MISSING, _, ngettext

if TYPE_CHECKING:
    from sez_metrics.core.schema import Column, Enumeration

# --- milestone states ------------------------------------------------------------------------

OPEN_STATUSES = ("planned", "in_progress", "delayed")
CLOSED_STATUSES = ("done", "cancelled")


def _day(value: Any) -> pd.Timestamp | None:
    """``value`` (ISO text, date, Timestamp) as a day; None when missing or unreadable."""
    if value is None or value == "":
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    try:
        return pd.Timestamp(value).normalize()
    except (TypeError, ValueError):
        return None


def is_open(status: object) -> bool:
    return str(status) not in CLOSED_STATUSES


def is_overdue(m: Mapping[str, Any], reference: Any) -> bool:
    """Due before ``reference``, not done and not cancelled (a done date also closes it)."""
    ref, due = _day(reference), _day(m.get("due_date"))
    if ref is None or due is None:
        return False
    return due < ref and is_open(m.get("status")) and _day(m.get("done_date")) is None


def days_late(m: Mapping[str, Any], reference: Any) -> int | None:
    """Days from the committed date to the done date (done) or to ``reference`` (open); ``None``
    when cancelled or undated. Negative means early (a done item) or not yet due (an open one):
    show it with ``lateness_text``, never as a negative lateness."""
    due = _day(m.get("due_date"))
    status = str(m.get("status"))
    if due is None or status == "cancelled":
        return None
    if status == "done":
        done = _day(m.get("done_date")) or due
        return (done - due).days
    ref = _day(reference)
    return None if ref is None else (ref - due).days


def overdue_mask(milestones: pd.DataFrame, reference: Any) -> pd.Series:
    """``is_overdue`` for every row of a milestones frame at once (the same rule, column-wise)."""
    ref = _day(reference)
    if ref is None:
        return pd.Series(False, index=milestones.index)
    due = pd.to_datetime(milestones["due_date"])
    return (due < ref) & ~milestones["status"].isin(CLOSED_STATUSES) & milestones["done_date"].isna()


def days_late_series(milestones: pd.DataFrame, reference: Any) -> pd.Series:
    """``days_late`` of every row of a milestones frame at once (Int64; <NA> for cancelled or undated)."""
    ref = _day(reference)
    due = pd.to_datetime(milestones["due_date"])
    done = pd.to_datetime(milestones["done_date"])
    status = milestones["status"]
    finished = done.where(done.notna(), due)
    open_days = (ref - due).dt.days if ref is not None else pd.Series(float("nan"), index=milestones.index)
    days = open_days.where(status != "done", (finished - due).dt.days).where(status != "cancelled")
    return days.astype("Int64")


def days_text(n: int) -> str:
    """"1 day", "16 days" (the count without its sign), in the current language."""
    n = abs(int(n))
    return ngettext("{n} day", "{n} days", n).format(n=i18n.number(n, 0))


def lateness_text(days: int | None) -> str:
    """"16 days late", "16 days early", "on time", or "" when unknown. Never a negative lateness."""
    if days is None or (isinstance(days, float) and math.isnan(days)) or days is pd.NA:
        return ""
    days = int(days)
    if days > 0:
        return _("{days} late").format(days=days_text(days))
    if days < 0:
        return _("{days} early").format(days=days_text(days))
    return _("on time")


def late_days_or_zero(days: int | None) -> int | None:
    """Lateness as a non-negative count for a "Days late" column (early and on time are 0)."""
    if days is None or days is pd.NA or (isinstance(days, float) and math.isnan(days)):
        return None
    return max(int(days), 0)


# --- the reference date ----------------------------------------------------------------------

TODAY = "today"
AS_OF = "asof"
REFERENCE_PARAM = "to"


def reference_choice(param: object) -> str:
    """The URL parameter ``to`` as a choice: ``today`` only when it says so; anything else
    (absent, the old ``asof``) is the as-of date."""
    return TODAY if str(param or "").strip().lower() == TODAY else AS_OF


@dataclass(frozen=True)
class Reference:
    """The date days late and overdue are counted to, and which date that is."""

    day: pd.Timestamp
    choice: str  # AS_OF or TODAY

    @property
    def iso(self) -> str:
        return f"{self.day:%Y-%m-%d}"

    @property
    def is_today(self) -> bool:
        return self.choice == TODAY

    @property
    def name(self) -> str:
        """"the data's as-of date 2025-09-15" or "today 2026-12-02" (in the current language)."""
        return (_("today {date}") if self.is_today else _("the data's as-of date {date}")).format(date=date_words(self.day))

    @property
    def line_label(self) -> str:
        """The label of the line a chart draws at the reference date."""
        return (_("Today {date}") if self.is_today else _("As of {date}")).format(date=date_words(self.day))

    def phrase(self) -> str:
        """"days late at the data's as-of date 2025-09-15" (or "… today 2026-12-02")."""
        return _("days late at {reference}").format(reference=self.name)


def date_words(value: Any) -> str:
    """A date in running text: YYYY-MM-DD in English, as the tables and the as-of stamp write it in every
    language; the language's own date otherwise (``i18n.date_of``: 2025年9月15日); "" when missing."""
    day = _day(value)
    return "" if day is None else f"{day:%Y-%m-%d}" if i18n.current().code == i18n.SOURCE_LANGUAGE else i18n.date_of(day.date())


def resolve_reference(as_of: Any, choice: str = AS_OF, today: Any = None) -> Reference:
    """The reference date: the version's ``as_of`` unless ``choice`` is today (then ``today``,
    default the current date). An unreadable as-of date falls back to today."""
    now = _day(today) if today is not None else pd.Timestamp(date.today())
    version_day = _day(as_of)
    if choice == TODAY or version_day is None:
        return Reference(now, TODAY)
    return Reference(version_day, AS_OF)


# --- movements between two versions ----------------------------------------------------------

COMPLETED_ON_TIME = "completed_on_time"
COMPLETED_LATE = "completed_late"
COMPLETED_EARLY = "completed_early"
SLIPPED = "slipped"
BROUGHT_FORWARD = "brought_forward"
NEWLY_OVERDUE = "newly_overdue"
CANCELLED = "cancelled"
ADDED = "added"
REMOVED = "removed"
COMPLETED = (COMPLETED_ON_TIME, COMPLETED_LATE, COMPLETED_EARLY)
# In the order a reader wants them: what got done, what slipped, what fell overdue.
MOVEMENT_CODES = (COMPLETED_LATE, COMPLETED_ON_TIME, COMPLETED_EARLY, SLIPPED, NEWLY_OVERDUE, BROUGHT_FORWARD,
                  CANCELLED, ADDED, REMOVED)


@dataclass(frozen=True)
class Movement:
    """One thing that happened to a milestone between two versions.

    ``days``: for a completion, done date minus the date committed in the old version (negative:
    early); for a slip or bring-forward, how far the due date moved; for newly overdue, days late at
    the new reference date.
    """

    code: str
    days: int | None = None


def movements(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, old_reference: Any, new_reference: Any) -> list[Movement]:
    """What happened to one milestone from ``old`` to ``new`` (rows as mappings; None: absent).

    Completed (on time / late / early against the date committed in ``old``) and cancelled exclude
    the rest; an open milestone may both slip (its due date moved later) and fall newly overdue
    (overdue at ``new_reference`` and not at ``old_reference``). A closed milestone never slips.
    """
    if new is None and old is None:
        return []
    if old is None:
        out = [Movement(ADDED)]
        if is_overdue(new, new_reference):
            out.append(Movement(NEWLY_OVERDUE, days_late(new, new_reference)))
        return out
    if new is None:
        return [Movement(REMOVED)]
    old_status, new_status = str(old.get("status")), str(new.get("status"))
    if new_status == "done" and old_status != "done":
        # A done event's due date may be reset to the day it happened: measure lateness against the
        # date committed in the old version (a done item without a done date: done on its due date).
        committed = _day(old.get("due_date"))
        done = _day(new.get("done_date")) or _day(new.get("due_date"))
        if committed is None or done is None:
            return [Movement(COMPLETED_ON_TIME, None)]
        late = (done - committed).days
        return [Movement(COMPLETED_LATE if late > 0 else COMPLETED_EARLY if late < 0 else COMPLETED_ON_TIME, late)]
    if new_status == "cancelled" and old_status != "cancelled":
        return [Movement(CANCELLED)]
    out: list[Movement] = []
    if is_open(new_status):
        before, after = _day(old.get("due_date")), _day(new.get("due_date"))
        if before is not None and after is not None and before != after:
            shift = (after - before).days
            out.append(Movement(SLIPPED if shift > 0 else BROUGHT_FORWARD, shift))
        if is_overdue(new, new_reference) and not is_overdue(old, old_reference):
            out.append(Movement(NEWLY_OVERDUE, days_late(new, new_reference)))
    return out


# --- numbers and capacities ------------------------------------------------------------------



def _present(value: object) -> bool:
    if value is None or value is pd.NA:
        return False
    try:
        return not pd.isna(value)
    except (TypeError, ValueError):
        return True


def number_text(value: Any, decimals: int = 1) -> str:
    """``value`` with at most ``decimals`` decimals, trailing zeros dropped, thousands separated;
    "—" when missing; "yes"/"no" for a flag; text as it is."""
    if not _present(value):
        return MISSING
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return pd.Timestamp(value).date().isoformat()
    if not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        return str(value)
    if i18n.current().code != i18n.SOURCE_LANGUAGE:  # the language's own digits and grouping
        return i18n.number(float(value), decimals)
    text = f"{float(value):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def capacity_text(available: Any, required: Any, unit: str) -> str:
    """A utility's capacity in words: "10 of 160 MW", "needs 600 MW (available not reported)",
    "10 MW available", or ""."""
    has_available, has_required = _present(available), _present(required)
    if has_available and has_required:
        return _("{available} of {required} {unit}").format(available=number_text(available), required=number_text(required), unit=unit)
    if has_required:
        # "— of 600 MW" read as a broken figure; say plainly what is known and what is not.
        return _("needs {required} {unit} (available not reported)").format(required=number_text(required), unit=unit)
    if has_available:
        return _("{available} {unit} available").format(available=number_text(available), unit=unit)
    return ""


def figure_change_text(name: str, old: Any, new: Any, unit: str = "", decimals: int = 2, quantity=None) -> str:
    """A reported figure's change in words that say what happened to the figure, not to the thing:
    "enterprises 240 → 259", "enterprises now reported: 259",
    "supply figure no longer reported (was 5 MMCFD)". ``quantity(value)`` words one value
    (default: the number and ``unit``)."""
    def words(value: Any) -> str:
        if quantity is not None:
            return quantity(value)
        return number_text(value, decimals) + (f" {unit}" if unit else "")

    if _present(old) and not _present(new):
        return _("{name} figure no longer reported (was {old})").format(name=name, old=words(old))
    if not _present(old) and _present(new):
        return _("{name} now reported: {new}").format(name=name, new=words(new))
    if quantity is not None:
        return f"{name} {words(old)} → {words(new)}"
    return f"{name} {number_text(old, decimals)} → {words(new)}"


# --- unknown, not applicable and zero ----------------------------------------------------------

# Stages at which a zone holds no land yet: colonization (a share of its land or plots) cannot apply.
STAGES_WITHOUT_LAND = ("identified",)
NOT_APPLICABLE_SHORT = "not applicable"  # where a narrow column's caption says why
NOT_APPLICABLE = f"{NOT_APPLICABLE_SHORT} (no land yet)"
NOT_REPORTED = "not reported"


def colonization_applies(stage: object) -> bool:
    """False at a stage before land is acquired: colonization is then "not applicable", not 0."""
    return str(stage) not in STAGES_WITHOUT_LAND


def colonization_value(stage: object, pct: Any) -> float | None:
    """The colonization figure to show, plot or aggregate: None when not applicable or not reported."""
    if not colonization_applies(stage) or not _present(pct):
        return None
    return float(pct)


def colonization_series(stage: pd.Series, pct: pd.Series) -> pd.Series:
    """``colonization_value`` column-wise: NaN where not applicable or not reported (never 0)."""
    return pd.to_numeric(pct, errors="coerce").where(~stage.astype(str).isin(STAGES_WITHOUT_LAND))


def colonization_missing_text(stage: object) -> str:
    """What a blank colonization means: "not applicable (no land yet)" or "not reported" (in the current language)."""
    return _(NOT_APPLICABLE) if not colonization_applies(stage) else _(NOT_REPORTED)


def zones_text(n: int) -> str:
    """"1 zone", "5 zones" (in the current language)."""
    return ngettext("{n} zone", "{n} zones", n).format(n=i18n.number(n, 0))


def zones_with_land_text(n: int) -> str:
    """"1 zone with land", "5 zones with land"."""
    return ngettext("{n} zone with land", "{n} zones with land", n).format(n=i18n.number(n, 0))


# --- provenance per figure ---------------------------------------------------------------------

# The figures of a status row that may carry their own confidence and source (schema.PROVENANCE_FIGURES).
FIGURES = ("stage", "gas", "electricity", "colonization", "enterprises", "jobs", "investment")


def _text(value: Any) -> str:
    return str(value).strip() if _present(value) else ""


def provenance(row: Mapping[str, Any], figure: str) -> tuple[str, str]:
    """(confidence code, source) of one figure of a status row: its own ``<figure>_confidence`` and
    ``<figure>_source`` where given, else the row's ``confidence`` and ``source``."""
    confidence = _text(row.get(f"{figure}_confidence")) or _text(row.get("confidence"))
    source = _text(row.get(f"{figure}_source")) or _text(row.get("source"))
    return confidence, source


def figure_confidences(status: pd.DataFrame, figure: str) -> pd.Series:
    """``provenance``'s confidence of ``figure`` for every row of a status frame."""
    own = status[f"{figure}_confidence"].fillna("").astype(str).str.strip() if f"{figure}_confidence" in status else None
    row = status["confidence"].astype(str)
    return row if own is None else own.where(own != "", row)


def basis_label(code: Any) -> str:
    """"of saleable area" for ``saleable_area``; "" when not said."""
    from sez_metrics.core import schema

    code = _text(code)
    return schema.COLONIZATION_BASIS.label(code) if code else ""


# --- staleness ---------------------------------------------------------------------------------


def staleness_days(row_as_of: Any, version_as_of: Any) -> int | None:
    """Days a zone's figures are older than their version's as-of date; None when either is unknown."""
    row, version = _day(row_as_of), _day(version_as_of)
    return None if row is None or version is None else (version - row).days


def is_stale(row_as_of: Any, version_as_of: Any) -> bool:
    """Older than the version's as-of date by more than ``settings.STALE_FIGURES_DAYS``."""
    from sez_metrics.core import settings

    days = staleness_days(row_as_of, version_as_of)
    return days is not None and days > settings.STALE_FIGURES_DAYS


def age_text(days: int) -> str:
    """"45 days", "6 months", "1 year 2 months"."""
    if days < 60:
        return days_text(days)
    months = round(days / 30.44)
    years, months = divmod(months, 12)
    year_words = ngettext("{n} year", "{n} years", years).format(n=years)
    month_words = ngettext("{n} month", "{n} months", months).format(n=months)
    return " ".join(words for words, count in ((year_words, years), (month_words, months)) if count)


def older_text(row_as_of: Any, version_as_of: Any) -> str:
    """"6 months older than this round" for stale figures, else ""."""
    if not is_stale(row_as_of, version_as_of):
        return ""
    return _("{age} older than this round").format(age=age_text(staleness_days(row_as_of, version_as_of)))


def stale_text(row_as_of: Any, version_as_of: Any) -> str:
    """"as of 2025-03 — 6 months older than this round" for stale figures, else ""."""
    older = older_text(row_as_of, version_as_of)
    return _("as of {month} — {older}").format(month=f"{_day(row_as_of):%Y-%m}", older=older) if older else ""


def stale_mask(status: pd.DataFrame, version_as_of: Any) -> pd.Series:
    """``is_stale`` for every row of a status frame."""
    from sez_metrics.core import settings

    version = _day(version_as_of)
    if version is None:
        return pd.Series(False, index=status.index)
    return (version - pd.to_datetime(status["as_of"])).dt.days > settings.STALE_FIGURES_DAYS


# --- codes, the programme, columns' rules ---------------------------------------------------------

# The name of what belongs to no one zone (programme-wide milestones, changes and timeline rows).
PROGRAMME = "Programme"


def coded_text(enum: Enumeration, code: Any) -> str:
    """A code as people read it, its symbol then its label ("⑤ Partly operational"); an unknown
    code is shown as itself."""
    code = str(code)
    return f"{enum.symbol(code)} {enum.label(code)}".strip()


def bounds_text(column: Column, style: str = "guide") -> str:
    """The range a number column allows, "" without bounds. ``style``: ``"guide"`` for a spreadsheet
    cell ("≥ 0; ≤ 100"), ``"range"`` for a document ("0 – 100", "> 0"), ``"sentence"`` to end a
    message ("between 0 and 100", "greater than 0", "0 or more", "100 or less")."""
    low, high = column.minimum, column.maximum
    above = None if low is None else f"{'>' if column.exclusive_minimum else '≥'} {low:g}"
    below = None if high is None else f"≤ {high:g}"
    if style == "guide":
        return "; ".join(p for p in (above, below) if p)
    if style == "range":
        return f"{low:g} – {high:g}" if above and below else above or below or ""
    if low is not None and high is not None:
        return _("between {low} and {high}").format(low=f"{low:g}", high=f"{high:g}")
    if low is not None:
        return (_("greater than {low}") if column.exclusive_minimum else _("{low} or more")).format(low=f"{low:g}")
    return "" if high is None else _("{high} or less").format(high=f"{high:g}")


def column_rule(column: Column, *, unique: bool = False, markdown: bool = False) -> str:
    """What a column's cells must be beyond their type, in words: the templates' column guide prints
    it ("unique in the file; lower-case letters, …", "≥ 0; ≤ 100"), and with ``markdown`` the data
    dictionary ("0 – 100", an enumeration as a link to its section); ``unique`` for a table's key."""
    parts = ["unique in the file"] if unique else []
    if column.type == "enum":
        name = column.enum.name
        parts.append(f"one of [{name}](#{name.lower().replace(' ', '-')})" if markdown else f"one of the {name} codes")
    elif column.type == "slug":
        parts.append("lower-case letters, digits, _ and -; 2–40 characters, starting with a letter or digit")
    elif column.type == "date":
        parts.append("YYYY-MM-DD")
    elif column.type == "boolean":
        parts.append("`true` or `false`" if markdown else "true or false")
    if bounds := bounds_text(column, "range" if markdown else "guide"):
        parts.append(bounds)
    if column.max_length is not None:
        parts.append(f"at most {column.max_length} characters")
    if column.script is not None:
        parts.append(f"written in {column.script.name} (Latin letters allowed for acronyms)")
    return "; ".join(parts)
