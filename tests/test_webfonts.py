"""The web fonts the app serves for Chinese and Urdu: built from the Debian fonts into WOFF2 subsets
that hold every character the catalogues and the data use, keep the layout tables Urdu shaping
needs, stay a size a meeting-room network carries, and are declared per language with no URL
leaving the app."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from support.stores import SHIPPED

from sez_metrics.core import i18n
from sez_metrics.render import webfonts
from sez_metrics.render.fonts import NOTO_CJK_SC, NOTO_NASKH, NOTO_NASTALIQ, fonts_for
from sez_metrics.storage.folder import VersionStore

REPO = Path(__file__).parents[1]
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
# Upper bounds measured on the built files (GB 2312 ≈ 2.0 MB per CJK weight; Nastaliq ≈ 125 KB):
# a change that would make a page download much more fails here.
MAX_BYTES = {NOTO_CJK_SC: 2_400_000, NOTO_NASTALIQ: 200_000, NOTO_NASKH: 80_000}


@pytest.fixture(scope="module")
def built() -> list[webfonts.WebFace]:
    missing = [str(w.source) for w in webfonts.WEB_FACES if not w.source.is_file()]
    if missing:
        pytest.skip(f"Debian fonts not installed: {missing}")
    webfonts.build()
    return list(webfonts.WEB_FACES)


def _catalogue_text(code: str) -> str:
    with (REPO / "sez_metrics" / "locale" / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    strings = [m.string for m in catalog if m.id]
    return "".join(s if isinstance(s, str) else "".join(s) for s in strings)


def _shipped_names(code: str) -> str:
    zones = VersionStore(SHIPPED).load().dataset.zones
    return "".join(zones[f"name_{code}"].fillna("")) + "".join(zones[f"short_name_{code}"].fillna(""))


def _characters(font: TTFont) -> set[str]:
    return {chr(c) for c in font.getBestCmap()}


def test_every_served_file_is_a_woff2_subset_of_its_debian_face_within_its_size(built):
    for web in built:
        assert web.path.read_bytes()[:4] == b"wOF2", web.path
        font = TTFont(web.path)
        assert font["name"].getBestFamilyName().startswith(web.face.family.split(" CJK")[0]), web.path
        assert web.path.stat().st_size <= MAX_BYTES[web.face], (web.path, web.path.stat().st_size)
    assert (webfonts.FONT_DIR / "LICENSE-OFL.txt").read_text(encoding="utf-8").count("SIL Open Font License") >= 1


def test_the_chinese_font_holds_gb2312_and_every_character_of_the_catalogue_and_the_data(built):
    needed = set(HAN.findall(_catalogue_text("zh") + _shipped_names("zh")))
    gb = set(HAN.findall(webfonts.gb2312()))
    assert len(gb) == 6763  # the GB 2312 hanzi
    for web in webfonts.faces_of((NOTO_CJK_SC,)):
        have = _characters(TTFont(web.path))
        assert needed - have == set(), web.file_name
        assert gb - have == set(), web.file_name


def test_the_urdu_fonts_hold_every_letter_used_and_keep_their_shaping_tables(built):
    needed = set(ARABIC.findall(_catalogue_text("ur") + _shipped_names("ur")))
    assert {"ے", "ں", "ہ", "ی", "ک", "گ", "ٹ", "ڈ"} <= needed  # Urdu's own letters are in use
    for web in webfonts.faces_of((NOTO_NASTALIQ, NOTO_NASKH)):
        font = TTFont(web.path)
        assert needed - _characters(font) == set(), web.file_name
        features = {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}
        assert {"init", "medi", "fina"} <= features, (web.file_name, features)  # joining forms
        assert "GPOS" in font


def test_english_pages_declare_no_font_and_no_direction():
    assert webfonts.page_css("en", "ltr") == ""


@pytest.mark.parametrize("code", ["zh", "ur"])
def test_a_language_page_declares_its_served_fonts_families_and_line_height(built, code):
    css = webfonts.page_css(code, i18n.language(code).direction)
    fonts = fonts_for(code)
    faces = webfonts.faces_of(fonts.faces)
    assert faces and all(f'url("app/static/fonts/{w.file_name}")' in css for w in faces)
    assert css.count("@font-face") == len(faces)
    assert f"font-family: {fonts.css_families} !important" in css
    assert f"line-height: {fonts.line_height}" in css
    assert "http" not in css and "//" not in css.replace("/*", "")  # nothing from outside
    assert css.startswith("<style>") and css.endswith("</style>")


def test_urdu_pages_read_right_to_left_and_keep_charts_map_and_grids_left_to_right(built):
    css = webfonts.page_css("ur", "rtl")
    assert '[data-testid="stMain"], [data-testid="stSidebarContent"], [data-baseweb="popover"] { direction: rtl; }' in css
    keep = re.search(r"\n([^\n]*) \{ direction: ltr; \}", css).group(1)
    for part in ("stPlotlyChart", "stDeckGlJsonChart", "stDataFrame", 'input[type="number"]'):
        assert part in keep
    assert "unicode-bidi: plaintext" in css
    assert "direction: rtl" not in webfonts.page_css("zh", "ltr")


def test_a_font_not_built_is_not_declared(built, monkeypatch, tmp_path):
    monkeypatch.setattr(webfonts, "FONT_DIR", tmp_path)
    css = webfonts.page_css("zh", "ltr")
    assert "@font-face" not in css and "Noto Sans CJK SC" in css  # the installed font, if any, still named


def test_the_server_serves_the_static_folder():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert webfonts.FONT_DIR == REPO / "static" / "fonts"


def test_the_build_is_skipped_when_current_and_makes_a_missing_file_again(built, tmp_path, monkeypatch):
    # On a copy: the served folder stays whole for the tests and pages that read it meanwhile.
    import shutil

    copy = tmp_path / "fonts"
    shutil.copytree(webfonts.FONT_DIR, copy)
    monkeypatch.setattr(webfonts, "FONT_DIR", copy)
    monkeypatch.setattr(webfonts, "STAMP", copy / webfonts.STAMP.name)
    assert webfonts.is_current()
    assert webfonts.build() == []
    victim = webfonts.WEB_FACES[-1]  # Naskh bold: the quickest to make
    before = victim.path.read_bytes()
    victim.path.unlink()
    assert not webfonts.is_current()
    assert webfonts.build() == [victim.path]
    assert webfonts.is_current() and victim.path.read_bytes() == before  # the same bytes from the same sources
