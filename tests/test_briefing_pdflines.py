"""The PDF's speed-ups (``pdflines``, ``pdffonts``) change nothing but the time: the same bytes with
and without them, and plain fpdf2 on any fpdf2 but the pinned one.

The slow test builds the shipped data's pack in English, Chinese and Urdu with plain fpdf2, then twice
with the speed-ups (the first fills the process's memos, the second reads them), creation date fixed
by ``generated_on``, and compares the bytes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import fpdf
import pytest
from fpdf import fpdf as fpdf_module
from fpdf import line_break

from sez_metrics.core import i18n
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import pdffonts, pdflines, pdfruns

GENERATED = date(2026, 1, 15)
URDU = "راشکئی خصوصی اقتصادی زون، نوشہرہ: 50 میں سے 160 میگاواٹ بجلی (2022-10-15) — تخمینہ، SSGC 9 km gas line (v0005)"


class _Document(pdfruns.FaceRules, fpdf.FPDF):
    """A document with the pack's rules on faces."""


def _small_document(code: str, text: str) -> bytes:
    """A page with a wrapped paragraph, a table of wrapping cells and a heading, set twice over."""
    pdf = _Document(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(datetime(2026, 1, 15, tzinfo=UTC))
    family = pdffonts.set_up(pdf, code)
    for _ in range(2):
        pdf.add_page()
        pdf.set_font(family, "B", 16)
        pdf.cell(0, 8, text[:30], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 9)
        pdf.multi_cell(120, 5, " ".join([text] * 4), align="R" if code == "ur" else "L", new_x="LMARGIN", new_y="NEXT")
        with pdf.table(col_widths=(3, 1, 2), line_height=4.5, padding=0.8) as table:
            for n in range(4):
                row = table.row()
                for cell in (text * (n + 1), f"{n} ·", text[: 12 * (n + 1)]):
                    row.cell(cell)
    return bytes(pdf.output())


@pytest.mark.parametrize(("code", "text"), [("en", "Rashakai Special Economic Zone, Nowshera: 50 of 160 MW (estimated) "),
                                            ("zh", "拉沙凯经济特区，瑙谢拉：160 兆瓦中的 50 兆瓦（估计） "), ("ur", URDU + " ")],
                         ids=["en", "zh", "ur"])
def test_a_document_is_the_same_with_and_without_the_speed_ups(code, text):
    if pdffonts.missing_fonts(code):
        pytest.skip(f"fonts missing: {pdffonts.missing_fonts(code)}")
    assert pdffonts.speeding(), "the speed-ups are off on the pinned fpdf2"
    with pdffonts.plain_fpdf():
        assert fpdf_module.MultiLineBreak is line_break.MultiLineBreak
        plain = _small_document(code, text)
    pdflines.forget()
    first, again = _small_document(code, text), _small_document(code, text)
    assert first == plain
    assert again == plain


def test_another_fpdf2_gets_plain_fpdf2(monkeypatch):
    own_break = pdflines._LineBreak.__mro__[1]
    monkeypatch.setattr(fpdf, "FPDF_VERSION", "2.8.10")
    try:
        assert pdffonts.apply_speed_ups() is False
        assert fpdf_module.MultiLineBreak is own_break
        assert line_break.MultiLineBreak.get_line is not pdffonts._get_line
        assert fpdf_module.FPDF._preload_bidirectional_text is pdflines._own_bidi
    finally:
        monkeypatch.undo()
        assert pdffonts.apply_speed_ups() is True
    assert fpdf_module.MultiLineBreak is pdflines._LineBreak


@pytest.mark.slow
@pytest.mark.parametrize("code", ["en", "zh", "ur"])
def test_the_shipped_pack_is_the_same_with_and_without_the_speed_ups(shipped_copy, code):
    inputs = pack_files.load_pack_inputs(shipped_copy)
    with pdffonts.plain_fpdf():
        plain, _, images = pack_files.make_pack(inputs, "pdf", lang=code, generated_on=GENERATED)
    pdflines.forget()
    fast = [pack_files.make_pack(inputs, "pdf", lang=code, generated_on=GENERATED)[0] for _ in range(2)]
    assert i18n.current().code == i18n.SOURCE_LANGUAGE
    assert len(plain) > 100_000, images.problems
    assert fast[0] == plain, "the speed-ups changed the PDF"
    assert fast[1] == plain, "the remembered styling or lines changed the PDF"


def test_an_urdu_table_sets_latin_only_cells_in_the_latin_face():
    """Urdu words stay in the Urdu face (Naskh), also beside a Latin word; a cell with no Urdu
    letter (an English source, a date) is set in the face that draws Latin, as one run."""
    first, latin = pdffonts.FAMILY, "pack1"  # the language's own face (Naskh for Urdu), its Latin fallback
    assert pdffonts.pdf_faces("ur")[1].family == "DejaVu Sans"
    assert pdfruns.family_for("اعتماد کی سطح", "ur") == first
    assert pdfruns.family_for("v0004 کے بعد سے", "ur") == first
    assert pdfruns.family_for("urdupoint 2025-09-11 https://www.urdupoint.com/en/", "ur") == latin
    assert pdfruns.family_for("2025-09-15 · 24.7 % — “SSGC 9 km gas line”", "ur") == latin
    assert pdfruns.family_for("Land acquisition", "en") == first  # unshaped languages: one family
    assert pdfruns.family_for("土地 Land", "zh") == first


def _runs(code: str, text: str) -> list[tuple[str, str]]:
    """``text`` as the pack's PDF splits it into runs (direction, then face): (characters, face)."""
    pdf = _Document()
    pdf.set_font(pdffonts.set_up(pdf, code), "", 11)
    return [(f.string, f.font.fontkey) for f in pdf._preload_bidirectional_text(text, False)]


def test_an_english_phrase_in_an_urdu_line_is_one_run_in_the_latin_face():
    """fpdf2 takes the spaces and digits of "Zone names in Chinese and Urdu (v0005)" from the Urdu
    face (Naskh has them) and the words from the Latin one: a run per word. Set whole in the Latin
    face it is one run, as the browser sets it; the Urdu words keep theirs, and a date's digits
    between hyphens the Urdu face lacks stay in one face."""
    if pdffonts.missing_fonts("ur"):
        pytest.skip(f"fonts missing: {pdffonts.missing_fonts('ur')}")
    runs = _runs("ur", "ورژن: Zone names in Chinese and Urdu (v0005)")
    assert ("Zone names in Chinese and Urdu (v0005)", "pack1") in runs, runs
    assert [face for text, face in runs if "ورژن" in text] == ["pack0"], runs
    assert len(runs) == 2, runs
    date = _runs("ur", "ڈیٹا بتاریخ 2025-09-15")
    assert {face for text, face in date if text.strip().isdigit()} == {"pack0"}, date
    assert len(_runs("ur", "ڈیٹا بتاریخ اور ماخذ")) == 1


def test_an_english_text_in_the_urdu_pack_reads_left_to_right():
    """A text without an Urdu letter (an English milestone title) is a left-to-right paragraph in
    the right-to-left pack: "5 MW temporary power supply" starts with its 5. Urdu text, also with
    an English phrase in it, stays right to left."""
    if pdffonts.missing_fonts("ur"):
        pytest.skip(f"fonts missing: {pdffonts.missing_fonts('ur')}")
    pdf = _Document()
    pdf.set_font(pdffonts.set_up(pdf, "ur"), "", 11)
    pdf.add_page()
    english = pdf.multi_cell(120, 5, "5 MW temporary power supply", dry_run=True, output="LINES")
    assert english == ["5 MW temporary power supply"]
    for text, direction in (("5 MW temporary power supply", "LTR"), ("ورژن: Zone names (v0005)", "RTL"), ("2025-09-15", "LTR")):
        fragments = pdf._preload_bidirectional_text(text, False)
        assert {f.paragraph_direction.value for f in fragments} == {direction}, text
    assert pdf.text_shaping["direction"].value == "RTL"
