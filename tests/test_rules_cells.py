"""Cell rules: types, ranges, enumerations, required values, identifiers, lengths, unique keys."""

from __future__ import annotations

from pathlib import Path

from sez_metrics.core import csvio, schema, settings
from sez_metrics.core.validate import validate_version

FIXTURES = Path(__file__).parent / "fixtures" / "validation"
CELLS = FIXTURES / "cells"
VALID_ZONES = csvio.read_table((FIXTURES / "valid" / "zones.csv").read_bytes(), schema.ZONES).frame


def validate(name: str, file_name: str):
    reference = None if file_name == "zones.csv" else VALID_ZONES
    return validate_version({file_name: (CELLS / name).read_bytes()}, reference_zones=reference)


def found(report) -> list[tuple[str, int, str]]:
    return [(p.code, p.line, p.column) for p in report.sorted()]


def test_wrong_types_in_zones_are_reported_cell_by_cell():
    report = validate("types_zones.csv", "zones.csv")

    assert found(report) == [
        ("type-error", 2, "latitude"),
        ("decimal-comma", 3, "area_acres"),
        ("type-error", 4, "priority"),
        ("type-error", 5, "notified_on"),
        ("type-error", 6, "notified_on"),
    ]
    messages = [p.message for p in report.sorted()]
    assert messages[0] == '"34.1N" is not a number'
    assert messages[3] == '"22/06/2023" is not a date in YYYY-MM-DD form'
    assert messages[4] == '"2023-02-30" is not a real calendar date'


def test_integers_and_numbers_are_not_coerced():
    report = validate("types_status.csv", "status.csv")

    assert found(report) == [("type-error", 2, "plots_total"), ("type-error", 3, "jobs"), ("type-error", 4, "colonization_pct")]
    assert report.sorted()[0].message == '"200.5" is not a whole number'
    assert "without units, %" in report.sorted()[2].fix


def test_values_out_of_range_name_the_bounds():
    zones = validate("ranges_zones.csv", "zones.csv")
    status = validate("ranges_status.csv", "status.csv")

    assert found(zones) == [("out-of-range", 2, "latitude"), ("out-of-range", 3, "longitude"), ("out-of-range", 4, "area_acres")]
    assert "between 23.5 and 37.2" in zones.sorted()[0].message
    assert "greater than 0" in zones.sorted()[2].message  # area must be > 0, not ≥ 0
    assert found(status) == [("out-of-range", 2, "colonization_pct"), ("out-of-range", 3, "jobs"), ("out-of-range", 4, "power_mw_required")]


def test_a_non_numeric_cell_does_not_hide_the_range_errors_of_its_column():
    report = validate("no_masking.csv", "status.csv")

    assert found(report) == [
        ("type-error", 2, "colonization_pct"),
        ("out-of-range", 3, "colonization_pct"),
        ("out-of-range", 4, "colonization_pct"),
    ]


def test_enumeration_errors_suggest_the_closest_code_and_list_the_valid_ones():
    report = validate("enum.csv", "status.csv")

    assert found(report) == [("enum-error", 2, "stage"), ("enum-error", 3, "gas"), ("enum-error", 4, "confidence")]
    stage, gas, confidence = report.sorted()
    assert 'did you mean "operational"' in stage.message
    assert "valid codes: identified, land_acquired, notified, under_development, partly_operational, operational" in stage.message
    assert gas.value == "Connected"  # spaces around the cell were stripped, case was not changed
    assert 'did you mean "connected"' in gas.message
    assert "did you mean" not in confidence.message
    assert "official, reported, estimated, illustrative" in confidence.fix


def test_required_cells_left_empty():
    report = validate("required.csv", "zones.csv")

    assert found(report) == [("required", 2, "name"), ("required", 3, "province")]
    assert "Full official name" in report.sorted()[0].fix


def test_identifiers_must_match_the_slug_pattern():
    report = validate("slug.csv", "zones.csv")

    assert found(report) == [("slug-error", 2, "zone_id"), ("slug-error", 3, "zone_id")]
    assert '"rashakai_sez"' in report.sorted()[0].fix


def test_short_name_longer_than_the_map_label_limit():
    report = validate("short_name.csv", "zones.csv")

    assert found(report) == [("too-long", 4, "short_name")]
    assert f"at most {schema.SHORT_NAME_MAX}" in report.problems[0].message


def test_duplicate_key_names_the_first_occurrence():
    report = validate("duplicate_key.csv", "zones.csv")

    assert found(report) == [("duplicate-key", 4, "zone_id")]
    assert "first at line 2" in report.problems[0].message


def test_giant_cell_is_reported():
    data = (FIXTURES / "valid" / "zones.csv").read_bytes().replace(b"FIEDMC", b"x" * (settings.MAX_CELL_CHARS + 1))

    report = validate_version({"zones.csv": data})

    assert found(report) == [("cell-too-long", 4, "developer")]


# --- deceptive text: hidden characters and look-alike names ----------------------------------------


def _zones_with(edits: dict[tuple[int, str], str]) -> bytes:
    """The valid zones.csv with cells replaced: ``(row index, column) → value``."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO((FIXTURES / "valid" / "zones.csv").read_text(encoding="utf-8"))))
    for (index, column), value in edits.items():
        rows[index][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_hidden_characters_in_cells_are_errors_named_by_code_point():
    report = validate_version({"zones.csv": _zones_with({
        (0, "short_name"): "Rashakai \u202eZES",  # displays as "Rashakai SEZ"
        (1, "developer"): "\x1b[2JSindh company",  # clears a terminal
        (2, "district"): "Lahore\u200b",
        (2, "name"): "one\u2028two",
        (0, "developer"): "\ufeffBOM inside",
        (1, "district"): "x\u2066y\u2069",
        (2, "developer"): "C1 \x9b31m",
    })})
    hidden = [p for p in report.sorted() if p.code == "hidden-character"]
    assert [(p.line, p.column, p.severity) for p in hidden] == [
        (2, "developer", "error"), (2, "short_name", "error"), (3, "developer", "error"), (3, "district", "error"),
        (4, "developer", "error"), (4, "district", "error"), (4, "name", "error"),
    ]
    messages = {(p.line, p.column): p.message for p in hidden}
    assert "U+202E RIGHT-TO-LEFT OVERRIDE at character 10" in messages[2, "short_name"]
    assert messages[2, "short_name"].startswith('"Rashakai \\u202eZES" contains'), "the value is shown escaped"
    assert "U+FEFF ZERO WIDTH NO-BREAK SPACE at character 1" in messages[2, "developer"]
    assert "U+001B ESCAPE at character 1" in messages[3, "developer"]
    assert "U+2066 LEFT-TO-RIGHT ISOLATE at character 2 (and 1 more)" in messages[3, "district"]
    assert "U+009B CONTROL SEQUENCE INTRODUCER" in messages[4, "developer"]
    assert "U+200B ZERO WIDTH SPACE at character 7" in messages[4, "district"]
    assert "U+2028 LINE SEPARATOR" in messages[4, "name"]
    assert all("remove it" in p.fix for p in hidden)
    assert not report.ok
    assert all(p.format_line().isprintable() for p in report.problems), "one printable line per problem"


def test_urdu_joiners_line_breaks_and_emoji_are_not_hidden_characters():
    report = validate_version({"zones.csv": _zones_with({
        (0, "developer"): "نوشہ\u200cرہ ڈویلپمنٹ",
        (1, "developer"): "line one\nline two",
        (2, "developer"): "🏭 👩\u200d🔧 team",
    })})
    assert [p.code for p in report.problems if p.code == "hidden-character"] == []


def test_a_cyrillic_look_alike_of_another_zones_name_is_a_warning():
    report = validate_version({"zones.csv": _zones_with({
        (1, "name"): "R\u0430shakai Special Economic Zone, Nowshera",  # Cyrillic а: reads as zone 0's name
        (1, "short_name"): "R\u0430shakai",
    })})
    alike = [p for p in report.sorted() if p.code == "look-alike-name"]
    assert [(p.line, p.column, p.severity) for p in alike] == [(3, "name", "warning"), (3, "short_name", "warning")]
    assert "looks like rashakai's name \"Rashakai\"" in alike[1].message
    assert "U+0430 CYRILLIC SMALL LETTER A" in alike[1].message


def test_a_look_alike_of_a_published_zone_name_is_a_warning(mini_store):
    from sez_metrics.storage.folder import VersionStore

    previous = VersionStore(mini_store).load().dataset
    name = previous.zones["short_name"].iloc[0]
    fake = name.replace("a", "\u0430", 1) if "a" in name else "\u0391" + name[1:]
    zones = _zones_with({(0, "short_name"): fake})
    report = validate_version({"zones.csv": zones}, previous=previous)
    assert [p.code for p in report.problems if p.code == "look-alike-name"] == ["look-alike-name"]


def test_distinct_names_in_other_scripts_are_not_look_alikes():
    report = validate_version({"zones.csv": _zones_with({(1, "name"): "رشکئی خصوصی اقتصادی زون"})})
    assert not [p for p in report.problems if p.code == "look-alike-name"]
