"""The slides' text measure with the real fonts: widths shaped in each language's faces, lines broken
as chromium breaks them (the browser test ``test_present_languages`` holds the slides to the screen)."""

from __future__ import annotations

import pytest

from sez_metrics.render import fonts, textmeasure

pytestmark = pytest.mark.skipif(bool(fonts.missing_files()), reason="the Debian font packages are not installed")

CHINESE = "“Land acquisition (expected to take two years)”现已逾期（到期日 2024年12月31日，截至数据日期 2025年9月15日 逾期 258 天）"
URDU = "سنگِ میل “Foundation stone laid by the PM” شامل کیا گیا (17 جولائی، 2023 کو مکمل)"


def test_english_is_measured_in_dejavu_sans():
    from fontTools.ttLib import TTFont

    # As wide as the font's own advance for "x" says (DejaVu Sans, no kerning between x and x); bold is wider.
    font = TTFont(fonts.DEJAVU.regular)
    advance = font["hmtx"][font.getBestCmap()[ord("x")]][0] / font["head"].unitsPerEm
    assert textmeasure.width("x" * 10, 20, "en") == pytest.approx(10 * 20 * advance, rel=1e-3)
    assert textmeasure.width("Milestone timeline", 20, "en", bold=True) > textmeasure.width("Milestone timeline", 20, "en")
    assert textmeasure.width("abc", 40, "en") == pytest.approx(2 * textmeasure.width("abc", 20, "en"))


def test_each_character_takes_the_face_the_browser_gives_it():
    # Chinese: the CJK face for the characters and, in its unicode-range, ASCII; DejaVu Sans for an arrow.
    assert textmeasure.face_of("中", "zh") == fonts.NOTO_CJK_SC
    assert textmeasure.face_of("a", "zh") == fonts.NOTO_CJK_SC
    assert textmeasure.face_of("→", "zh") == fonts.DEJAVU
    # Urdu: Nastaliq for the letters, DejaVu Sans for Latin letters and the space between words.
    assert textmeasure.face_of("ک", "ur") == fonts.NOTO_NASTALIQ
    assert textmeasure.face_of("a", "ur") == fonts.DEJAVU
    assert textmeasure.face_of(" ", "ur") == fonts.DEJAVU


def test_a_chinese_character_is_one_em_and_two_punctuation_marks_share_one():
    assert textmeasure.width("进展表来源", 20, "zh") == pytest.approx(100)
    # ”： side by side: chromium trims half an em between them (text-spacing-trim).
    assert textmeasure.width("”：", 20, "zh") == pytest.approx(30)


def test_chinese_breaks_between_characters_and_not_before_closing_punctuation():
    wide = textmeasure.lines(CHINESE, 600, 20, "zh")
    narrow = textmeasure.lines(CHINESE, 300, 20, "zh")
    assert len(narrow) > len(wide) >= 2
    assert "".join(narrow).replace(" ", "") == CHINESE.replace(" ", "")
    assert all(textmeasure.width(line, 20, "zh") <= 300 for line in narrow)
    assert all(line[0] not in "，。、）：；！？”" for line in wide + narrow)
    # A break between two Chinese characters, not only at spaces.
    cjk = lambda ch: "\u4e00" <= ch <= "\u9fff"  # noqa: E731
    assert any(cjk(a[-1]) and cjk(b[0]) for a, b in zip(wide + narrow, (wide + narrow)[1:], strict=False))


def test_latin_words_stay_whole():
    text = "Concession agreement KPEZDMC-CRBC signed for the zone's development"
    lines = textmeasure.lines(text, 200, 20, "en")
    assert len(lines) > 1
    assert " ".join(lines) == text
    assert all(textmeasure.width(line, 20, "en") <= 200 for line in lines)


def test_urdu_is_shaped_and_wraps_at_spaces():
    width = textmeasure.width(URDU, 20, "ur")
    assert width > 0
    # Shaped, not counted: Nastaliq joins the letters; the word is narrower than its letters apart.
    word = "تاخیر"
    assert textmeasure.width(word, 20, "ur") < sum(textmeasure.width(ch, 20, "ur") for ch in word)
    lines = textmeasure.lines(URDU, width / 2.5, 20, "ur")
    assert len(lines) >= 3
    assert " ".join(lines) == URDU


def test_a_line_is_as_tall_as_its_line_height():
    assert textmeasure.height(URDU, 10_000, 20, "ur", 2.0) == pytest.approx(40)
    assert textmeasure.height(CHINESE, 300, 20, "zh", 1.3) == pytest.approx(26 * len(textmeasure.lines(CHINESE, 300, 20, "zh")))
