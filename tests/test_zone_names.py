"""Zone names in Chinese and Urdu: optional columns of zones.csv, checked for their script and length,
each name with where it comes from, and shown by ``i18n.data_text`` on the pages of its language."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.stores import SHIPPED

from sez_metrics.core import i18n, schema
from sez_metrics.storage.folder import VersionStore

REPO = Path(__file__).parents[1]
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
URL_AND_DATE = re.compile(r"https?://\S+")


@pytest.fixture(scope="module")
def zones():
    return VersionStore(SHIPPED).load().dataset.zones


def test_the_schema_has_optional_name_columns_per_language():
    for code, script in schema.NAME_SCRIPTS.items():
        for column in (f"name_{code}", f"short_name_{code}", f"name_{code}_source"):
            assert schema.ZONES.column(column).optional_header and not schema.ZONES.column(column).required
        assert schema.ZONES.column(f"name_{code}").script is script
        assert schema.ZONES.column(f"short_name_{code}").max_length == schema.SHORT_NAME_MAX
    assert set(schema.NAME_SCRIPTS) == set(i18n.LANGUAGES) - {i18n.SOURCE_LANGUAGE}


def test_every_shipped_zone_has_its_chinese_and_urdu_names_each_cited_or_marked_a_translation(zones):
    assert len(zones) == 9
    for _, zone in zones.iterrows():
        for code, pattern in (("zh", HAN), ("ur", ARABIC)):
            name, short, source = zone[f"name_{code}"], zone[f"short_name_{code}"], zone[f"name_{code}_source"]
            assert pattern.search(name) and pattern.search(short), (zone["zone_id"], code)
            assert len(short) <= schema.SHORT_NAME_MAX
            translated = bool(re.search(r"translat(ion|ed)", source))
            if translated:
                assert "review by a native speaker" in source, (zone["zone_id"], code, source)
            else:  # an official or established name: a findable citation with its date
                assert URL_AND_DATE.search(source) and re.search(r"\d{4}-\d\d-\d\d", source), (zone["zone_id"], source)
    cited = {(z, c) for _, row in zones.iterrows() for z, c in ((row["zone_id"], "zh"), (row["zone_id"], "ur"))
             if not re.search(r"translat(ion|ed)", row[f"name_{c}_source"])}
    assert cited == {("rashakai", "zh"), ("rashakai", "ur"), ("dhabeji", "ur"), ("aiic", "ur")}


def test_data_text_shows_the_name_of_the_language_and_english_otherwise(zones):
    rashakai = zones.set_index("zone_id").loc["rashakai"].to_dict()
    with i18n.use_language("zh"):
        assert i18n.data_text(rashakai, "name") == "拉沙卡伊特别经济区"
        assert i18n.data_text(rashakai, "short_name") == "拉沙卡伊特区"
    with i18n.use_language("ur"):
        assert i18n.data_text(rashakai, "name") == "رشکئی خصوصی اقتصادی زون"
    with i18n.use_language("en"):
        assert i18n.data_text(rashakai, "name") == "Rashakai Special Economic Zone"
    older = VersionStore(SHIPPED).load("v0004").dataset.zones.set_index("zone_id").loc["rashakai"].to_dict()
    with i18n.use_language("zh"):  # a version without the columns shows the English name
        assert i18n.data_text(older, "name") == "Rashakai Special Economic Zone"


def test_the_names_came_in_a_new_version_and_changed_nothing_else():
    store = VersionStore(SHIPPED)
    latest = store.latest()
    assert (latest.id, latest.parent, latest.label) == ("v0005", "v0004", "Zone names in Chinese and Urdu")
    old, new = store.load("v0004").dataset, store.load("v0005").dataset
    assert old.status.equals(new.status) and old.milestones.equals(new.milestones)
    added = [c for c in new.zones.columns if not old.zones[c].equals(new.zones[c])]
    assert sorted(added) == sorted(f"{p}_{c}{s}" for c in ("zh", "ur") for p, s in (("name", ""), ("short_name", ""), ("name", "_source")))


def _zones_file(tmp_path: Path, **cells: str) -> Path:
    """The shipped latest zones.csv with cells of Rashakai's row (line 2) replaced."""
    rows = list(csv.DictReader(io.StringIO((SHIPPED / "versions" / "v0005" / "zones.csv").read_text(encoding="utf-8"))))
    rows[0].update(cells)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "zones.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sez_metrics", "validate", str(path)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_the_shipped_names_are_valid(tmp_path):
    run = _validate(_zones_file(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "wrong-script" not in run.stdout


@pytest.mark.parametrize(("column", "value", "says"), [
    ("name_zh", "Rashakai SEZ", "is not written in Chinese characters"),
    ("name_zh", "拉沙卡伊 رشکئی", "contains 'ر' (U+0631 ARABIC LETTER REH), a letter of another script"),
    ("name_ur", "拉沙卡伊特别经济区", "a letter of another script"),
    ("short_name_ur", "Rashakai", "is not written in Urdu (Arabic script)"),
    ("name_ur", "Рашакай", "CYRILLIC CAPITAL LETTER ER"),
])
def test_a_name_in_the_wrong_script_is_refused_with_its_line_column_and_a_fix(tmp_path, column, value, says):
    path = _zones_file(tmp_path, **{column: value})
    before = path.read_bytes()
    run = _validate(path)
    assert run.returncode == 1
    (line,) = [line for line in run.stdout.splitlines() if " wrong-script: " in line]
    assert line.startswith(f"{path}:2:{column}: error wrong-script: ") and says in line
    assert "→ fix: write the name in" in line and f"or leave {column} empty to show the English name" in line
    assert "Traceback" not in run.stdout + run.stderr and path.read_bytes() == before


def test_latin_acronyms_are_allowed_in_a_name_and_a_long_short_name_is_refused(tmp_path):
    run = _validate(_zones_file(tmp_path, name_zh="拉沙卡伊SEZ（M-1）", short_name_zh="拉" * 25))
    assert run.returncode == 1
    assert ":2:short_name_zh: error too-long: " in run.stdout and "allows at most 24" in run.stdout
    assert ":2:name_zh:" not in run.stdout


def test_hidden_characters_in_a_name_are_refused_and_urdu_joiners_are_not(tmp_path):
    run = _validate(_zones_file(tmp_path, name_ur="رشکئی\u202eزون"))
    assert run.returncode == 1 and ":2:name_ur: error hidden-character: " in run.stdout
    run = _validate(_zones_file(tmp_path, name_ur="رشکئی\u200cزون"))  # a zero-width non-joiner is Urdu spelling
    assert run.returncode == 0, run.stdout
