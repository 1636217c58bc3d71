"""The briefing pack in Chinese and Urdu, made by the command line as a person would make it.

PDF: the text read back (pypdf) holds the catalogue's Chinese and Urdu words, not boxes and not
Arabic presentation forms (what unshaped Urdu extracts as); the fonts are Noto, embedded; no text is
smaller than 8 pt; every chart spans the page's width at a size where its smallest labels print at
8 pt or more. HTML: ``lang`` and ``dir`` set, nothing fetched from anywhere, the fonts embedded as
``@font-face`` data that fontTools reads and that covers every character of the text.
"""

from __future__ import annotations

import base64
import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream
from support.stores import build_mini_store

from sez_metrics.core import i18n, schema
from sez_metrics.render import figures
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.static_map import missing_browser

REPO = Path(__file__).parents[1]
A4_LANDSCAPE_TEXT_WIDTH_PT = (297 - 14 - 14) * 72 / 25.4
# The smallest label a chart picture has (the timeline's date-line labels), in CSS pixels.
SMALLEST_CHART_LABEL_PX = figures.FONT_SIZE - 4
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return build_mini_store(tmp_path_factory.mktemp("languages") / "store")


def make(root: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SEZ_DATA_DIR=str(root))
    return subprocess.run([sys.executable, "-m", "sez_metrics", "briefing", *args, "--out", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def packs(root, tmp_path_factory) -> dict[str, Path]:
    """The pack of the mini store's latest version in zh and ur, PDF and HTML, made by the CLI."""
    out = tmp_path_factory.mktemp("packs")
    made = {}
    for code in ("zh", "ur"):
        for fmt in ("pdf", "html"):
            path = out / f"pack-{code}.{fmt}"
            result = make(root, path, "--lang", code)
            assert result.returncode == 0, result.stderr
            made[f"{code}.{fmt}"] = path
    return made


def words(code: str, *messages: str) -> list[str]:
    return [i18n.gettext(code, m) for m in messages]


def catalogue_words(code: str, root: Path) -> list[str]:
    """Texts the pack prints, in ``code`` as the catalogue has them: headings, and the stage label of
    the first zone of the store's latest version."""
    stage_code = pack_files.load_pack_inputs(root).dataset.status["stage"].iloc[0]
    with i18n.use_language(code):
        stage = schema.STAGE.label(stage_code)
    assert stage != schema.STAGE.label(stage_code), "the stage label has no translation"
    return [*words(code, "Programme overview", "Where the zones are", "Appendix: sources and confidence", "Milestones"), stage]


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


# --- PDF --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["zh", "ur"])
def test_pdf_text_reads_back_in_the_language(packs, root, code):
    text = pdf_text(packs[f"{code}.pdf"])
    # pypdf puts a space (or a NUL) between the glyphs of a CID font it cannot place; the characters and
    # their order are what count (PDFium, a viewer's engine, reads the same text without them).
    squeezed = re.sub(r"[\s\x00]+", "", text)
    for word in catalogue_words(code, root):
        assert re.sub(r"\s+", "", word) in squeezed, f"{word!r} not in the {code} PDF"
    assert "□" not in text, "a character the language's fonts lack"
    assert not PRESENTATION_FORMS.search(text), "Arabic presentation forms: Urdu printed unshaped"


def test_urdu_pdf_text_reads_back_as_whole_words(packs):
    # The shaped glyphs' text layer maps back to the letters in order: whole Urdu words, no stray characters.
    text = pdf_text(packs["ur.pdf"])
    heading = i18n.gettext("ur", "Programme overview")
    assert heading in text
    urdu_words = re.findall(r"[\u0600-\u06ff]+", text)
    assert urdu_words and all(len(w) < 30 for w in urdu_words)
    noise = "[\u00a0-\u00b6\u00b8-\u00ff]"  # Latin-1 letters and signs (not the "·" the pack separates items with)
    assert not re.search(f"[\u0600-\u06ff]{noise}|{noise}[\u0600-\u06ff]", text), "stray characters inside Urdu words"


@pytest.mark.parametrize("code", ["zh", "ur"])
def test_pdf_embeds_noto_fonts(packs, code):
    reader = PdfReader(packs[f"{code}.pdf"])
    embedded: set[str] = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
                embedded.add(str(font["/BaseFont"]).split("+", 1)[-1])
    wanted = {"zh": "NotoSansCJKSC", "ur": "NotoNaskhArabic"}[code]
    assert any(name.startswith(wanted) for name in embedded), embedded


def _page_operations(page) -> str:
    return page.get_contents().get_data().decode("latin-1")


@pytest.mark.parametrize("code", ["zh", "ur"])
def test_no_pdf_text_under_8_pt(packs, code):
    sizes = set()
    for page in PdfReader(packs[f"{code}.pdf"]).pages:
        sizes |= {float(s) for s in re.findall(r"/F\d+\s+([\d.]+)\s+Tf", _page_operations(page))}
    assert sizes and min(sizes) >= 8, sorted(sizes)


@pytest.mark.parametrize("code", ["en", "zh", "ur"])
def test_every_headline_tile_line_fits_its_tile(code):
    """The PDF's tiles print one line each of label, figure, change and flag: each fits the tile's
    width (a change "±0 since <the compared version's label>" ran under the next tile and hid its
    figure)."""
    from sez_metrics.render.briefing import pdf as pack_pdf
    from sez_metrics.render.briefing import story as storyline

    inputs = pack_files.load_pack_inputs(REPO / "data")
    with i18n.use_language(code):
        briefing = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history)
        pdf = pack_pdf.PackPdf(briefing, pack_images.BriefingImages())
        pdf.add_page()
        room = pack_pdf.tile_width(pdf) - 6
        too_wide = []
        for _, _, style, size, _, texts in pack_pdf.tile_lines(pdf):
            pdf.use(style, size)
            too_wide += [(text, round(pdf.get_string_width(pdf.safe(text)), 1)) for text in texts
                         if pdf.get_string_width(pdf.safe(text)) > room]
    assert any(t.delta for t in briefing.tiles) and any(t.flag_text for t in briefing.tiles)
    assert not too_wide, (round(room, 1), too_wide)


@pytest.mark.parametrize("code", ["en", "zh", "ur"])
def test_the_overview_ends_on_its_page(code):
    """The overview's overdue list, "… and N more" included, ends on the overview's page (it
    showed as many rows in Urdu's taller lines as in English, and its last line took a page of its
    own); the next page is the map's."""
    from sez_metrics.render.briefing import pdf as pack_pdf
    from sez_metrics.render.briefing import story as storyline

    inputs = pack_files.load_pack_inputs(REPO / "data")
    with i18n.use_language(code):
        briefing = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history)
        data = pack_pdf.render_pdf(briefing, pack_images.BriefingImages())
    assert len(briefing.overdue) > pack_pdf.OVERDUE_ROWS_PDF  # the list is cut, the "… and N more" line shows
    pages = [page.extract_text().replace("\x00", "") for page in PdfReader(io.BytesIO(data)).pages]  # (pypdf reads some CJK runs as UTF-16)
    assert i18n.gettext(code, "Programme overview") in pages[1]
    assert i18n.gettext(code, "Where the zones are") in pages[2]


def _line_sizes(page) -> list[set[float]]:
    """Each text object's (a line's) type sizes, as the PDF viewer draws them: the face set by
    ``Tf`` lasts to the ``Q`` of its ``q``, so a line that sets none is drawn in the page's."""
    size, saved, lines = None, [], []
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"q":
            saved.append(size)
        elif operator == b"Q":
            size = saved.pop()
        elif operator == b"Tf":
            size = float(operands[1])
        elif operator == b"BT":
            lines.append(set())
        elif operator in (b"Tj", b"TJ"):
            lines[-1].add(size)
    return lines


@pytest.mark.parametrize("code", ["zh", "ur"])
def test_every_pdf_line_prints_in_one_size(packs, code):
    """A line whose text starts in a fallback face (an English version label in an Urdu line)
    must not leave the next line drawn in an earlier line's size."""
    mixed = [(number, sorted(sizes)) for number, page in enumerate(PdfReader(packs[f"{code}.pdf"]).pages, start=1)
             for sizes in _line_sizes(page) if len(sizes) > 1]
    assert not mixed, mixed


@pytest.mark.skipif(missing_browser() is not None, reason="no chromium: the pack has no pictures")
@pytest.mark.parametrize("code", ["zh", "ur"])
def test_pdf_charts_span_the_page_with_labels_of_8_pt(packs, code):
    placed = 0
    for page in PdfReader(packs[f"{code}.pdf"]).pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for width_pt, name in re.findall(r"([\d.]+) 0 0 [\d.]+ [\d.]+ [\d.]+ cm\s*(/I\d+) Do", _page_operations(page)):
            pixels = xobjects[name].get_object()["/Width"]
            width_pt = float(width_pt)
            assert abs(width_pt - A4_LANDSCAPE_TEXT_WIDTH_PT) < 1, f"a chart {width_pt:.0f} pt wide on a {A4_LANDSCAPE_TEXT_WIDTH_PT:.0f} pt page"
            css_px = pixels / 2  # pictures are rendered at scale 2
            assert SMALLEST_CHART_LABEL_PX * width_pt / css_px >= 8
            placed += 1
    assert placed >= 2  # the map and the timeline (a tall timeline continues over more pages)


# --- HTML -------------------------------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.fetching: list[str] = []
        self.root: dict[str, str] = {}
        self._skip = False

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.root = dict(attrs)
        self._skip = tag in ("style", "script")
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action", "poster") and value and not value.startswith("data:"):
                self.fetching.append(value)

    def handle_endtag(self, tag):
        self._skip = False

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@pytest.mark.parametrize(("code", "direction"), [("zh", "ltr"), ("ur", "rtl")])
def test_html_pack_is_self_contained_in_its_language_with_its_fonts(packs, root, code, direction):
    page = packs[f"{code}.html"].read_text(encoding="utf-8")
    parsed = _Text()
    parsed.feed(page)
    assert parsed.root == {"lang": code, "dir": direction}
    assert parsed.fetching == []
    assert not re.search(r"https?://", re.sub(r"data:[^\"')]+", "", page.split("<body>", 1)[0])), "the head fetches something"
    text = "".join(parsed.text)
    for word in catalogue_words(code, root):
        assert word in text
    faces = re.findall(r"@font-face \{[^}]*url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", page)
    assert faces, "no embedded font"
    covered: set[int] = set()
    for data in faces:
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        assert font.flavor == "woff2"
        covered |= set(font.getBestCmap())
    missing = {c for c in text if not c.isspace() and ord(c) not in covered}
    assert not missing, f"characters no embedded font draws: {''.join(sorted(missing))!r}"


# --- command line and pictures ----------------------------------------------------------------------


def test_an_unknown_language_is_a_usage_error(root, tmp_path):
    result = make(root, tmp_path / "p.pdf", "--lang", "fr")
    assert result.returncode == 2
    assert "--lang: invalid choice: 'fr'" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("code", ["zh", "ur"])
def test_chart_text_is_set_in_the_language_fonts(code):
    from sez_metrics.render.fonts import fonts_for

    fig = pack_images.in_language_fonts(figures.go.Figure(), code)
    assert fig.layout.font.family == fonts_for(code).css_families
    assert fonts_for(code).primary.family in fig.layout.font.family


def test_the_app_keeps_one_pack_per_language(mini_store):
    """Presenter mode's storyline and download are cached per request: a Chinese reader and an English
    reader of the same version never share one."""
    from sez_metrics.app import cached
    from sez_metrics.storage.store import open_store

    versions = [v.id for v in open_store(mini_store).versions()]
    requests = {}
    for code in ("en", "zh"):
        with i18n.use_language(code):
            requests[code] = cached.pack_request(versions[-1], None, root=mini_store)
    assert requests["en"] != requests["zh"]
    assert [requests[c].lang for c in ("en", "zh")] == ["en", "zh"]
    story = {code: cached.briefing_story(requests[code]) for code in ("en", "zh")}
    assert (story["en"].language, story["zh"].language) == ("en", "zh")
    assert story["zh"].title != story["en"].title and re.search(r"[\u4e00-\u9fff]", story["zh"].title)
