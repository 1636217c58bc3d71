"""The hostile dataset: the mini store with markup and ``javascript:`` links wherever a steward
types text, values a markdown or HTML renderer would turn into tags or clickable links.

Rashakai's name and short name, a source, a milestone title and the version labels are hostile;
v2 keeps them, so pages that compare versions show them too.
"""

from __future__ import annotations

from pathlib import Path

from support.stores import variant_store

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_SHORT = "[x](javascript:alert(1))"  # 24 characters: a valid short_name
HOSTILE_SOURCE = "<script>alert(2)</script> **loud** [s](javascript:alert(2))"
HOSTILE_TITLE = "[m](javascript:alert(3)) <b>bold</b>"
HOSTILE_LABEL = "[v](javascript:alert(4)) <i>x</i>"
HOSTILE_ZONE = "rashakai"  # the zone whose names are hostile


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


HOSTILE_EDITS = {
    "zones.csv": [('"Rashakai Special Economic Zone, Nowshera",Rashakai', f"{_csv_cell(HOSTILE_NAME)},{_csv_cell(HOSTILE_SHORT)}")],
    "status.csv": [("cpecinfo 2022-04-27", _csv_cell(HOSTILE_SOURCE))],
    "milestones.csv": [("Gas pipeline 30 MMCFD", _csv_cell(HOSTILE_TITLE))],
}
HOSTILE_EDITS_V1 = {
    "zones.csv": HOSTILE_EDITS["zones.csv"],
    "milestones.csv": HOSTILE_EDITS["milestones.csv"],
}


def build_hostile_store(root: Path) -> Path:
    """The mini store with markup in a zone's names, a source, a milestone title and the version labels."""
    return variant_store(
        root,
        [("v1", HOSTILE_LABEL, "2021-09-15", HOSTILE_EDITS_V1), ("v2", HOSTILE_LABEL + " 2", "2022-10-15", HOSTILE_EDITS)],
    )
