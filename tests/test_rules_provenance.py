"""Provenance warnings: what a round's sources could have known, and how sure its figures say they are.

A round "as of D" may only use what was public on D (``source-after-as-of``); a figure whose note
says it is estimated is not official or reported (``note-says-estimated``); a done_date equal to its
source's publication date is likely the report's date, not the event's (``done-date-is-source-date``).
"""

from __future__ import annotations

from pathlib import Path

from sez_metrics.core.row_rules import source_dates
from sez_metrics.core.validate import validate_version

PROVENANCE = Path(__file__).parent / "fixtures" / "validation" / "provenance"


def _report(**files: bytes):
    return validate_version({f"{name}.csv": data for name, data in files.items()}, as_of="2022-10-15")


def _found(report, code):
    return [(p.line, p.column) for p in report.problems if p.code == code]


def test_a_source_published_after_the_rows_as_of_is_a_warning_naming_the_date():
    report = _report(status=(PROVENANCE / "status.csv").read_bytes())

    assert _found(report, "source-after-as-of") == [(3, "source")]
    [warning] = [p for p in report.problems if p.code == "source-after-as-of"]
    assert warning.severity == "warning" and report.ok
    assert "the source cites 2025-04-16, after the row's as-of 2022-10-15" in warning.message
    assert "move the fact to the first round dated on or after 2025-04-16" in warning.fix


def test_a_milestone_source_published_after_the_versions_as_of_is_a_warning():
    report = _report(milestones=(PROVENANCE / "milestones.csv").read_bytes())

    assert _found(report, "source-after-as-of") == [(2, "source")]
    [warning] = [p for p in report.problems if p.code == "source-after-as-of"]
    assert "the source cites 2022-11-22, after the version's as-of 2022-10-15" in warning.message


def test_an_official_or_reported_row_whose_note_says_estimated_is_a_warning():
    report = _report(status=(PROVENANCE / "status.csv").read_bytes())

    assert _found(report, "note-says-estimated") == [(4, "confidence"), (5, "confidence")]
    aiic, bostan = (p for p in report.problems if p.code == "note-says-estimated")
    assert aiic.message == 'confidence is "reported" but the note says the row holds an estimate ("ESTIMATED")'
    assert '("estimate")' in bostan.message and '"official"' in bostan.message


def test_a_done_date_equal_to_the_sources_date_is_a_warning_unless_same_day_or_estimated():
    report = _report(milestones=(PROVENANCE / "milestones.csv").read_bytes())

    # psm-land (official) and dhabeji-lease (reported); not bostan-gas-approval (estimated), not
    # aiic-groundbreaking (reported the same day), not jcc-10 (held the day before its report)
    assert _found(report, "done-date-is-source-date") == [(4, "done_date"), (5, "done_date")]
    psm = next(p for p in report.problems if p.code == "done-date-is-source-date")
    assert 'done_date "2017-12-06" is the publication date of the source, confidence official' in psm.message
    assert "reported the same day" in psm.fix


def test_source_dates_are_the_real_iso_dates_written_in_a_source():
    assert source_dates("nation 2024-03-11 (WealthPK) https://www.nation.com.pk/11-Mar-2024/x") == ["2024-03-11"]
    assert source_dates("urdupoint 2021-07-16 https://x/2021-07-16-y; dawn 2023-06-29") == ["2021-07-16", "2023-06-29"]
    assert source_dates("a 2099-13-45 typo; 12022-01-011; thefrontierpost (undated 2021)") == []

