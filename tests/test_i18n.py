"""The languages: the registry, the catalogues on disk, the glossary, numbers and dates per locale,
and the fonts Chinese and Urdu text needs."""

import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sez_metrics.core import i18n, schema, vocabulary

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "update-catalogues.py"
TEMPLATE = REPO / "sez_metrics" / "locale" / "messages.pot"


def _catalogue(path: Path):
    with path.open("rb") as po:
        return read_po(po, abort_invalid=True)


def _glossary_ids() -> list[str | tuple[str, str]]:
    """Every message id of the template: glossary terms and the texts marked in the code (a plural
    is its (singular, plural) pair)."""
    return [message.id for message in _catalogue(TEMPLATE) if message.id]


def _forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _placeholders(text: str) -> set[str]:
    """The ``{name}`` fields a text's ``.format`` fills (``{{`` is a literal brace)."""
    import string

    return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None}


def _arabic_script(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufdff"
               or "\ufe70" <= ch <= "\ufeff" for ch in text)


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def test_the_glossary_holds_every_label_and_fixed_word():
    ids = set(_glossary_ids())
    labels = {code.label for enum in schema.ENUMERATIONS if enum is not schema.PROVINCE for code in enum.codes}
    words = {vocabulary.PROGRAMME, vocabulary.NOT_APPLICABLE, vocabulary.NOT_APPLICABLE_SHORT, vocabulary.NOT_REPORTED}
    assert labels | words <= ids, sorted((labels | words) - ids)
    assert "Partly operational" in ids and "Colonization" in ids


@pytest.mark.parametrize("code", i18n.TRANSLATED)
def test_every_glossary_term_has_a_draft_translation(code):
    catalog = _catalogue(i18n.catalogue_path(code))
    untranslated = [msgid for msgid in _glossary_ids()
                    if catalog.get(msgid) is None or not all(f.strip() for f in _forms(catalog.get(msgid)))]
    assert untranslated == [], f"{code}: no translation for {untranslated}"
    undrafted = [m.id for m in catalog if m.id and i18n.DRAFT_NOTE not in m.user_comments]
    assert undrafted == [], f"{code}: entries not marked as draft translations: {undrafted}"
    assert [m.id for m in catalog if m.id and m.fuzzy] == []


@pytest.mark.parametrize("code", i18n.TRANSLATED)
def test_every_translation_fills_the_same_placeholders(code):
    """A translation that dropped or renamed a ``{field}`` would fail when the page formats it."""
    catalog = _catalogue(i18n.catalogue_path(code))
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(_placeholders(i) for i in ids))
        for form in _forms(message):
            if form and _placeholders(form) != wanted:
                wrong.append((ids[0], form))
    assert wrong == [], f"{code}: placeholders differ from the English: {wrong}"


def test_translations_are_in_their_own_script():
    for msgid in _glossary_ids():
        if isinstance(msgid, tuple):
            msgid = msgid[0]
        zh, ur = i18n.gettext("zh", msgid), i18n.gettext("ur", msgid)
        assert _cjk(zh) and not _arabic_script(zh), (msgid, zh)
        assert _arabic_script(ur) and not _cjk(ur), (msgid, ur)


def test_the_catalogues_and_the_glossary_are_up_to_date():
    run = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_the_check_fails_on_a_catalogue_out_of_date(tmp_path):
    """--check is not vacuous: a copy of the repo's locale with one translation edited is caught."""
    script = (f"import sys, runpy; sys.argv = ['update-catalogues.py', '--check']\n"
              f"from sez_metrics.core import i18n\n"
              f"i18n.LOCALE_DIR = __import__('pathlib').Path({str(tmp_path)!r})\n"
              f"sys.path.insert(0, {str(REPO)!r}); runpy.run_path({str(SCRIPT)!r}, run_name='__main__')\n")
    shutil.copytree(REPO / "sez_metrics" / "locale", tmp_path, dirs_exist_ok=True)
    po = tmp_path / "zh" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text().replace('msgstr "部分投入运营"', 'msgstr "部分运营"'))
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "glossary.md is out of date" in run.stderr


def test_gettext_gives_each_language_its_stage_label():
    label = schema.STAGE.label("partly_operational")
    assert i18n.gettext("en", label) == "Partly operational"
    assert i18n.gettext("zh", label) == "部分投入运营"
    assert i18n.gettext("ur", label) == "جزوی طور پر فعال"
    assert i18n.gettext("zh", "a message not in the catalogue") == "a message not in the catalogue"
    assert i18n.translations("zh") is i18n.translations("zh")  # compiled once per language


def test_the_registry():
    assert list(i18n.LANGUAGES) == ["en", "zh", "ur"]
    assert (i18n.language("zh").name, i18n.language("zh").direction) == ("中文", "ltr")
    assert (i18n.language("ur").name, i18n.language("ur").direction, i18n.language("ur").locale) == ("اردو", "rtl", "ur_PK")


@pytest.mark.parametrize("bad", ["fr", "", "ZH", None])
def test_an_unknown_language_is_a_clear_error(bad):
    with pytest.raises(ValueError, match=r"unknown language .*: use one of en, zh, ur"):
        i18n.language(bad)
    with pytest.raises(ValueError, match="use one of en, zh, ur"):
        i18n.gettext(bad, "Done")


def test_numbers_per_locale():
    # CLDR groups by thousands in all three; Urdu in Pakistan (ur_PK) writes Western digits
    # ("latn" is its default numbering system; Eastern Arabic-Indic digits are ur_IN's), with "."
    # and "," as in English and no bidi mark before the minus sign.
    for code in i18n.LANGUAGES:
        assert i18n.number_text(code, 1234567.891) == "1,234,567.9"
        assert i18n.number_text(code, -1234.56, 2) == "-1,234.56"
        assert i18n.number_text(code, 2000.0) == "2,000"  # trailing zeros dropped
        assert i18n.number_text(code, 0.5, 0) == "0"  # half to even, as Babel rounds
        assert i18n.number_text(code, -0.04) == "0"
        assert i18n.number_text(code, None) == vocabulary.MISSING
        assert i18n.number_text(code, float("nan")) == vocabulary.MISSING


def test_dates_per_locale():
    day = date(2026, 3, 5)
    assert i18n.date_text("en", day) == "Mar 5, 2026"
    assert i18n.date_text("zh", day) == "2026年3月5日"
    assert i18n.date_text("ur", day) == "5 مارچ، 2026"  # Urdu month name, Arabic comma (U+060C)
    assert "\u060c" in i18n.date_text("ur", day)
    assert i18n.date_text("en", day, "long") == "March 5, 2026"
    assert i18n.date_text("zh", datetime(2026, 3, 5, 23, 59)) == "2026年3月5日"
    assert i18n.date_text("ur", None) == vocabulary.MISSING


FONTS = {
    "Noto Sans CJK": "NotoSansCJK-Regular.ttc",
    "Noto Naskh Arabic": "NotoNaskhArabic-Regular.ttf",
    "Noto Nastaliq Urdu": "NotoNastaliqUrdu-Regular.ttf",
}


@pytest.mark.parametrize("family", FONTS)
def test_the_fonts_for_chinese_and_urdu_are_installed(family):
    found = list(Path("/usr/share/fonts").rglob(FONTS[family]))
    if not found and os.environ.get("CI") != "true":
        pytest.skip(f"{FONTS[family]} not installed (apt-get install fonts-noto-cjk fonts-noto-core)")
    assert found, f"{family}: {FONTS[family]} missing under /usr/share/fonts"
    assert found[0].stat().st_size > 100_000
