"""The zone dataset's schema: tables, columns, enumerations, labels and definitions.

This is the single source of truth read by the validator, the dashboard and the generated
data dictionary (``docs/data-dictionary.md``). Change a column here and every consumer follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sez_metrics.core.i18n import N_, _

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,39}$"
# Pakistan's bounding box in decimal degrees (latitude, longitude).
LAT_RANGE = (23.5, 37.2)
LON_RANGE = (60.8, 77.9)
SHORT_NAME_MAX = 24


@dataclass(frozen=True)
class Script:
    """A writing system a text column must be written in: how people call it, and the prefixes of the
    Unicode character names of its letters ("CJK UNIFIED IDEOGRAPH-62C9" is a Chinese character)."""

    name: str
    letter_names: tuple[str, ...]
    example: str


HAN = Script(N_("Chinese characters"), ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"), "拉沙卡伊特别经济区")
ARABIC = Script(N_("Urdu (Arabic script)"), ("ARABIC",), "رشکئی خصوصی اقتصادی زون")
# Zone names per language: the ``<column>_<code>`` siblings ``i18n.data_text`` shows in that language.
NAME_SCRIPTS: dict[str, Script] = {"zh": HAN, "ur": ARABIC}


@dataclass(frozen=True)
class Code:
    """One value of an enumeration: its stored code, human label, symbol and definition."""

    code: str
    label: str
    definition: str
    symbol: str = ""


@dataclass(frozen=True)
class Enumeration:
    """A closed list of codes; ``ordered`` enumerations rank progress (earlier = less advanced)."""

    name: str
    codes: tuple[Code, ...]
    ordered: bool = False

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes)

    def label(self, code: str) -> str:
        """The code's label in the current language (``i18n``); an unknown code as it is."""
        for c in self.codes:
            if c.code == code:
                return _(c.label)
        return code

    def symbol(self, code: str) -> str:
        for c in self.codes:
            if c.code == code:
                return c.symbol
        return ""

    def rank(self, code: str) -> int:
        """Position of ``code`` in an ordered enumeration (0 = least advanced)."""
        return self.values.index(code)


PROVINCE = Enumeration(
    "province",
    (
        Code("Punjab", "Punjab", "Province of Punjab."),
        Code("Sindh", "Sindh", "Province of Sindh."),
        Code("Khyber Pakhtunkhwa", "Khyber Pakhtunkhwa", "Province of Khyber Pakhtunkhwa, including the former FATA merged in 2018."),
        Code("Balochistan", "Balochistan", "Province of Balochistan."),
        Code("Gilgit-Baltistan", "Gilgit-Baltistan", "Administrative territory of Gilgit-Baltistan."),
        Code("Azad Jammu and Kashmir", "Azad Jammu and Kashmir", "Administrative territory of Azad Jammu and Kashmir."),
        Code("Islamabad Capital Territory", "Islamabad Capital Territory", "The federal capital territory."),
    ),
)

LOCATION_PRECISION = Enumeration(
    "location_precision",
    (
        Code("site", "Surveyed site", "The point lies on the zone's own land, taken from a survey or site plan.", "◉"),
        Code("approximate", "Approximate", "The point is near the zone (interchange, village) but not surveyed; error of a few km.", "◎"),
        Code("town", "Nearest town", "Only the nearest town is known; the zone may lie 10–20 km away.", "○"),
    ),
    ordered=True,
)

STAGE = Enumeration(
    "stage",
    (
        Code("identified", "Identified", "Site named in a plan or JCC list; no land secured yet.", "①"),
        Code("land_acquired", "Land acquired", "Land is in the possession of the zone authority or developer.", "②"),
        Code("notified", "Notified", "SEZ status granted by the Board of Approvals and notified in the gazette under the SEZ Act 2012.", "③"),
        Code("under_development", "Under development", "On-site works (roads, boundary, utilities) are under way; no enterprise produces yet.", "④"),
        Code("partly_operational", "Partly operational", "At least one enterprise produces while development of the zone continues.", "⑤"),
        Code("operational", "Operational", "Development of the zone is complete and enterprises produce.", "⑥"),
    ),
    ordered=True,
)

UTILITY_STAGE = Enumeration(
    "utility_stage",
    (
        Code("not_started", "Not started", "No approved scheme to bring this utility to the zone.", "✗"),
        Code("approved", "Approved", "PC-1 or scheme approved and funded; construction not begun.", "◔"),
        Code("under_construction", "Under construction", "The line, pipeline or grid station is being built.", "◑"),
        Code("interim", "Interim supply", "A temporary or partial supply (e.g. an 11 kV feeder, a small spur) serves the zone while the full connection is built.", "◕"),
        Code("connected", "Connected", "The permanent connection is energised / gasified at the zone's zero point.", "✓"),
    ),
    ordered=True,
)

CONFIDENCE = Enumeration(
    "confidence",
    (
        Code("official", "Official", "Stated in an official document: gazette, PC-1, parliamentary reply, JCC minutes.", "●"),
        Code("reported", "Reported", "Reported by the press or an official's public statement, not yet in an official document.", "◐"),
        Code("estimated", "Estimated", "Estimated by the data steward from partial or dated information.", "◌"),
        Code("illustrative", "Illustrative", "A placeholder to show the dashboard working; not a real figure.", "⚠"),
    ),
    ordered=True,
)

COLONIZATION_BASIS = Enumeration(
    "colonization_basis",
    (
        Code("gross_area", "of gross area", "colonization_pct is the share of the zone's gross area allotted."),
        Code("saleable_area", "of saleable area", "colonization_pct is the share of the saleable (net) area allotted."),
        Code("plots", "of plots", "colonization_pct is the share of plots allotted."),
    ),
)

MILESTONE_KIND = Enumeration(
    "kind",
    (
        Code("milestone", "Milestone", "A dated event for a zone: notification, groundbreaking, energisation."),
        Code("phase", "Phase", "A period of work with a start date and a committed end date."),
        Code("meeting", "Meeting / agreement", "A programme event: a JCC session, an MoU or agreement signing."),
    ),
)

MILESTONE_CATEGORY = Enumeration(
    "category",
    (
        Code("governance", "Governance", "Approvals, notifications, agreements and meetings."),
        Code("land", "Land", "Acquisition, possession and lease of the zone's land."),
        Code("infrastructure", "Infrastructure", "Roads, boundary walls, internal works."),
        Code("gas", "Gas", "Gas pipelines and supply to the zone."),
        Code("electricity", "Electricity", "Grid stations, feeders and transmission lines."),
        Code("water", "Water", "Water supply and treatment."),
        Code("colonization", "Colonization", "Allotment of plots and enterprises starting production."),
        Code("other", "Other", "Anything else."),
    ),
)

MILESTONE_STATUS = Enumeration(
    "status",
    (
        Code("planned", "Planned", "Not started; the committed date is in the future or not yet reached.", "○"),
        Code("in_progress", "In progress", "Work has started and is not finished.", "◑"),
        Code("done", "Done", "Happened; done_date holds the actual date.", "✓"),
        Code("delayed", "Delayed", "The committed date has passed, or is officially expected to be missed.", "⚠"),
        Code("cancelled", "Cancelled", "Dropped from the programme.", "✗"),
    ),
)

BOOLEAN_TRUE = ("true",)
BOOLEAN_FALSE = ("false",)


@dataclass(frozen=True)
class Column:
    """A column of a table: its type, whether required, and its constraints."""

    name: str
    type: str  # "slug", "text", "enum", "number", "integer", "date", "boolean"
    description: str
    required: bool = False
    enum: Enumeration | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    max_length: int | None = None
    unit: str = ""
    optional_header: bool = False  # files may leave the column out altogether (read as empty)
    script: Script | None = None  # letters must be of this script (Latin letters allowed: "SEZ", "M-4")


@dataclass(frozen=True)
class Table:
    """One of the dataset's CSV files."""

    name: str
    file_name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


ZONES = Table(
    "zones",
    "zones.csv",
    "One row per zone: reference data that rarely changes.",
    (
        Column("zone_id", "slug", "Stable identifier, lower-case letters, digits, `_` and `-` (2–40 characters).", required=True),
        Column("name", "text", "Full official name of the zone.", required=True),
        Column("short_name", "text", "Short name for map labels and slides.", required=True, max_length=SHORT_NAME_MAX),
        Column("province", "enum", "Province or territory the zone lies in.", required=True, enum=PROVINCE),
        Column("district", "text", "District the zone lies in."),
        Column("latitude", "number", "Latitude of the zone's point, decimal degrees north.", required=True, minimum=LAT_RANGE[0], maximum=LAT_RANGE[1], unit="°N"),
        Column("longitude", "number", "Longitude of the zone's point, decimal degrees east.", required=True, minimum=LON_RANGE[0], maximum=LON_RANGE[1], unit="°E"),
        Column("location_precision", "enum", "How sure the point is; the map draws approximate points differently.", required=True, enum=LOCATION_PRECISION),
        Column("area_acres", "number", "Gross area of the zone.", required=True, minimum=0, exclusive_minimum=True, unit="acres"),
        Column("developer", "text", "Developer or operating company."),
        Column("programme", "text", "Programme the zone belongs to, e.g. CPEC."),
        Column("priority", "boolean", "`true` for the zones the 2022 Framework Agreement prioritises.", required=True),
        Column("notified_on", "date", "Date SEZ status was notified, if it has been."),
        *(column for code, script in NAME_SCRIPTS.items() for column in (
            Column(f"name_{code}", "text", f"The zone's name in {script.name}, shown on {code} pages instead of `name` "
                   "(empty: `name`). The official name where one exists, else a translation; `name_{code}_source` says which.".replace("{code}", code),
                   optional_header=True, script=script),
            Column(f"short_name_{code}", "text", f"Short name in {script.name} for map labels and slides (empty: `short_name`).",
                   max_length=SHORT_NAME_MAX, optional_header=True, script=script),
            Column(f"name_{code}_source", "text", f"Where `name_{code}` comes from: the document or outlet, its date and URL "
                   "for an official or established name, or `translation` and who made it (needs review by a native "
                   "speaker before official use).", optional_header=True),
        )),
    ),
    key=("zone_id",),
)

# The status figures that may carry their own confidence and source (``<figure>_confidence``,
# ``<figure>_source``): (column prefix, words). Empty cells fall back to the row's.
PROVENANCE_FIGURES = (
    ("stage", "stage"),
    ("gas", "gas"),
    ("electricity", "electricity"),
    ("colonization", "colonization"),
    ("enterprises", "enterprises"),
    ("jobs", "jobs"),
    ("investment", "investment"),
)

STATUS = Table(
    "status",
    "status.csv",
    "One row per zone: where it stands as of the version's reporting date.",
    (
        Column("zone_id", "slug", "The zone (must exist in zones.csv); once per file.", required=True),
        Column("as_of", "date", "Date the figures describe.", required=True),
        Column("stage", "enum", "Development stage of the zone.", required=True, enum=STAGE),
        Column("gas", "enum", "Stage of the zone's gas connection.", required=True, enum=UTILITY_STAGE),
        Column("gas_mmcfd_available", "number", "Gas supply available at the zone now.", minimum=0, unit="MMCFD"),
        Column("gas_mmcfd_required", "number", "Gas supply the zone needs when fully developed.", minimum=0, unit="MMCFD"),
        Column("electricity", "enum", "Stage of the zone's electricity connection.", required=True, enum=UTILITY_STAGE),
        Column("power_mw_available", "number", "Electric power available at the zone now.", minimum=0, unit="MW"),
        Column("power_mw_required", "number", "Electric power the zone needs when fully developed.", minimum=0, unit="MW"),
        Column("colonization_pct", "number", "Share of saleable land or plots allotted to enterprises. Empty when not reported; "
               "at stage `identified` (no land yet) it does not apply and is left empty.", minimum=0, maximum=100, unit="%"),
        Column("plots_total", "integer", "Saleable plots in the zone.", minimum=0),
        Column("plots_allotted", "integer", "Plots allotted to enterprises (≤ plots_total).", minimum=0),
        Column("enterprises", "integer", "Enterprises (zone enterprises) admitted to the zone.", minimum=0),
        Column("enterprises_operating", "integer", "Enterprises producing (≤ enterprises).", minimum=0),
        Column("jobs", "integer", "Direct jobs in the zone.", minimum=0),
        Column("investment_usd_m", "number", "Committed investment.", minimum=0, unit="USD million"),
        Column("confidence", "enum", "How official the row's figures are; shown wherever they are shown.", required=True, enum=CONFIDENCE),
        Column("source", "text", "Where the figures come from: document, meeting minutes, URL.", required=True),
        Column("note", "text", "Free-text remark."),
        Column("colonization_basis", "enum", "What colonization_pct is a share of; shown beside the figure. Empty: not said.",
               enum=COLONIZATION_BASIS, optional_header=True),
        *(column for figure, what in PROVENANCE_FIGURES for column in (
            Column(f"{figure}_confidence", "enum", f"How official the {what} figure is, when it differs from the row's "
                   "`confidence` (empty: the row's).", enum=CONFIDENCE, optional_header=True),
            Column(f"{figure}_source", "text", f"Where the {what} figure comes from, when not the row's `source` "
                   "(empty: the row's).", optional_header=True),
        )),
    ),
    key=("zone_id",),
)

MILESTONES = Table(
    "milestones",
    "milestones.csv",
    "One row per milestone, phase or programme event.",
    (
        Column("milestone_id", "slug", "Stable identifier of the milestone, unique.", required=True),
        Column("zone_id", "slug", "The zone, or empty for programme-level events (JCC meetings, agreements)."),
        Column("title", "text", "What the milestone is.", required=True),
        Column("kind", "enum", "Milestone, phase or meeting.", required=True, enum=MILESTONE_KIND),
        Column("category", "enum", "Area of work.", required=True, enum=MILESTONE_CATEGORY),
        Column("start_date", "date", "Start of a phase (phases only)."),
        Column("due_date", "date", "The committed date; for done events, the date it happened.", required=True),
        Column("done_date", "date", "Actual date, empty if not done; never after the version's as_of."),
        Column("status", "enum", "Progress; `done` if and only if done_date is given.", required=True, enum=MILESTONE_STATUS),
        Column("source", "text", "Where the dates come from.", required=True),
        Column("confidence", "enum", "How official the dates are.", required=True, enum=CONFIDENCE),
    ),
    key=("milestone_id",),
)

TABLES: dict[str, Table] = {t.name: t for t in (ZONES, STATUS, MILESTONES)}
TABLE_BY_FILE: dict[str, Table] = {t.file_name: t for t in TABLES.values()}
ENUMERATIONS: tuple[Enumeration, ...] = (
    PROVINCE,
    LOCATION_PRECISION,
    STAGE,
    UTILITY_STAGE,
    CONFIDENCE,
    COLONIZATION_BASIS,
    MILESTONE_KIND,
    MILESTONE_CATEGORY,
    MILESTONE_STATUS,
)
# Confidence levels that must be flagged wherever a figure is shown.
FLAGGED_CONFIDENCE = ("estimated", "illustrative")
