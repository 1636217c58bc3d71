"""The data dictionary is generated from the schema and must never go stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sez_metrics.core import dictionary, schema
from sez_metrics.core.problems import CATALOGUE

REPO = Path(__file__).resolve().parents[1]


def test_committed_dictionary_matches_the_schema():
    committed = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")

    assert committed == dictionary.render(), "docs/data-dictionary.md is stale: run python -m sez_metrics.core.dictionary"


def test_every_column_code_and_problem_is_documented():
    text = dictionary.render()

    for table in schema.TABLES.values():
        assert f"## {table.file_name}" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
    for enumeration in schema.ENUMERATIONS:
        assert f"### {enumeration.name}" in text
        for code in enumeration.codes:
            assert f"| `{code.code}` | {code.label} | {code.symbol} | {code.definition} |" in text
    for code in CATALOGUE:
        assert f"| `{code}` |" in text


def test_rules_are_written_out():
    text = dictionary.render()

    assert "| `latitude` | number | yes | 23.5 – 37.2 | °N |" in text
    assert "| `area_acres` | number | yes | > 0 | acres |" in text
    assert "| `short_name` | text | yes | at most 24 characters |" in text
    assert "| `stage` | code | yes | one of [stage](#stage) |" in text


def test_module_rewrites_the_file_and_check_detects_staleness(tmp_path, monkeypatch):
    target = tmp_path / "docs" / "data-dictionary.md"
    monkeypatch.setattr(dictionary, "DICTIONARY_PATH", target)

    assert dictionary.main(["--check"]) == 1
    assert dictionary.main([]) == 0
    assert target.read_text(encoding="utf-8") == dictionary.render()
    assert dictionary.main(["--check"]) == 0
    target.write_text("# edited by hand\n", encoding="utf-8")
    assert dictionary.main(["--check"]) == 1


def test_check_runs_as_a_command():
    result = subprocess.run([sys.executable, "-m", "sez_metrics.core.dictionary", "--check"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
