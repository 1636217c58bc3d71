"""Web fonts the app serves itself (``static/fonts/``), subset from the Debian font files of ``fonts``.

Browsers cannot load a ``.ttc`` collection in ``@font-face``, and the full Noto CJK face is about
16 MB, so the setup (``scripts/setup.sh``) builds WOFF2 files once with fontTools:

- Noto Sans CJK SC (the collection's Simplified Chinese font): the 7,445 characters of GB 2312
  (every common Simplified Chinese character and CJK punctuation), ASCII, and every character the
  message catalogues and the shipped data hold, so a translation added later still renders.
- Noto Nastaliq Urdu and Noto Naskh Arabic: every Arabic-script character the fonts have, with all
  their OpenType layout features (the joining forms and Nastaliq's stacking need them).

``python -m sez_metrics.render.webfonts`` builds what is missing or stale (``--check`` only reports).
The files are not in the repository; ``static/fonts/LICENSE-OFL.txt`` is copied beside them (the
Noto fonts are under the SIL Open Font License 1.1).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from sez_metrics.core import settings
from sez_metrics.render.fonts import NOTO_CJK_SC, NOTO_NASKH, NOTO_NASTALIQ, Face

STATIC_DIR = settings.REPO_ROOT / "static"
FONT_DIR = STATIC_DIR / "fonts"
# The URL the app serves ``static/`` under (``server.enableStaticServing``), relative to the page.
STATIC_URL = "app/static/fonts"
STAMP = FONT_DIR / "built.json"
LICENCE_SOURCES = (Path("/usr/share/doc/fonts-noto-cjk/copyright"), Path("/usr/share/doc/fonts-noto-core/copyright"))
BUILD_VERSION = 2  # bump when the character sets or options change


def parse_unicode_range(css_range: str) -> tuple[tuple[int, int], ...]:
    """A CSS ``unicode-range`` ("U+0600-06FF, U+00B7") as (first, last) code points."""
    spans = []
    for part in css_range.split(","):
        low, _, high = part.strip().upper().removeprefix("U+").partition("-")
        spans.append((int(low, 16), int(high or low, 16)))
    return tuple(spans)


@dataclass(frozen=True)
class WebFace:
    """One served font file: the family and weight it declares, its source, and what it keeps."""

    face: Face
    weight: int
    file_name: str
    unicode_range: str  # CSS unicode-range: the browser fetches the file only for these characters

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """``unicode_range`` as (first, last) code points."""
        return parse_unicode_range(self.unicode_range)

    @property
    def source(self) -> Path:
        return self.face.bold if self.weight >= 600 else self.face.regular

    @property
    def path(self) -> Path:
        return FONT_DIR / self.file_name

    @property
    def url(self) -> str:
        return f"{STATIC_URL}/{self.file_name}"


CJK_RANGE = "U+0020-007E, U+00B7, U+2014-2026, U+3000-303F, U+3400-4DBF, U+4E00-9FFF, U+FF00-FFEF"
ARABIC_RANGE = "U+0600-06FF, U+0750-077F, U+08A0-08FF, U+FB50-FDFF, U+FE70-FEFF, U+200C-200F"
WEB_FACES: tuple[WebFace, ...] = (
    WebFace(NOTO_CJK_SC, 400, "NotoSansCJKsc-Regular.subset.woff2", CJK_RANGE),
    WebFace(NOTO_CJK_SC, 700, "NotoSansCJKsc-Bold.subset.woff2", CJK_RANGE),
    WebFace(NOTO_NASTALIQ, 400, "NotoNastaliqUrdu-Regular.subset.woff2", ARABIC_RANGE),
    WebFace(NOTO_NASTALIQ, 700, "NotoNastaliqUrdu-Bold.subset.woff2", ARABIC_RANGE),
    WebFace(NOTO_NASKH, 400, "NotoNaskhArabic-Regular.subset.woff2", ARABIC_RANGE),
    WebFace(NOTO_NASKH, 700, "NotoNaskhArabic-Bold.subset.woff2", ARABIC_RANGE),
)


def faces_of(families: tuple[Face, ...]) -> list[WebFace]:
    """The served files of the given faces (a language's ``LanguageFonts.faces``)."""
    return [w for w in WEB_FACES if w.face in families]


def gb2312() -> str:
    """Every character of GB 2312 (the national standard set of Simplified Chinese)."""
    chars = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def _project_text() -> str:
    """The text of the message catalogues and the shipped data (their characters must render)."""
    parts = [p.read_text(encoding="utf-8") for p in (settings.REPO_ROOT / "sez_metrics" / "locale").rglob("*.po")]
    parts += [p.read_text(encoding="utf-8") for p in (settings.REPO_ROOT / "data" / "versions").rglob("*.csv")]
    return "".join(parts)


def cjk_text() -> str:
    ascii_ = "".join(chr(c) for c in range(0x20, 0x7F))
    extra = "·—–‘’“”…、。〈〉《》「」『』【】〔〕！（），．：；？～￥"
    wanted = set(gb2312() + ascii_ + extra)
    wanted |= {ch for ch in _project_text() if re.match(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]", ch)}
    return "".join(sorted(wanted))


def _fingerprint() -> str:
    sources = sorted({str(w.source) for w in WEB_FACES})
    facts = [BUILD_VERSION, [(s, Path(s).stat().st_size if Path(s).exists() else None) for s in sources],
             hashlib.sha256(cjk_text().encode()).hexdigest()]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def missing() -> list[WebFace]:
    """Served files that are not built."""
    return [w for w in WEB_FACES if not w.path.is_file()]


def _stamped_fingerprint() -> str | None:
    try:
        return json.loads(STAMP.read_text())["fingerprint"]
    except (OSError, ValueError, KeyError):
        return None


def is_current() -> bool:
    return not missing() and _stamped_fingerprint() == _fingerprint()


def _subset(web: WebFace) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # the head table keeps the source's dates: the same sources always give the same bytes
    font = TTFont(web.source, fontNumber=web.face.collection_index, lazy=False, recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # joining, ligatures, Nastaliq's stacking, vertical forms
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False  # screens hint themselves; halves the CJK file
    subsetter = subset.Subsetter(options)
    if web.face is NOTO_CJK_SC:
        subsetter.populate(text=cjk_text())
    else:  # the whole face: every Arabic-script character it maps
        subsetter.populate(unicodes=list(font.getBestCmap()))
    subsetter.subset(font)
    tmp = web.path.with_suffix(".tmp")
    font.flavor = "woff2"
    font.save(tmp)
    tmp.replace(web.path)


def build(force: bool = False) -> list[Path]:
    """Build the served fonts that are missing or stale (all of them when a source font, the
    character sets or the options changed); return the files written."""
    fingerprint = _fingerprint()
    if force or _stamped_fingerprint() != fingerprint:
        todo = list(WEB_FACES)
    else:
        todo = missing()
    if not todo:
        return []
    absent = sorted({w.source for w in todo if not w.source.is_file()})
    if absent:
        raise FileNotFoundError("font files missing (install fonts-noto-cjk and fonts-noto-core): "
                                + ", ".join(map(str, absent)))
    FONT_DIR.mkdir(parents=True, exist_ok=True)
    for web in todo:
        _subset(web)
    licences = [p.read_text(encoding="utf-8") for p in LICENCE_SOURCES if p.is_file()]
    (FONT_DIR / "LICENSE-OFL.txt").write_text(
        "The fonts in this folder are subsets of Google's Noto fonts as packaged by Debian\n"
        "(fonts-noto-cjk, fonts-noto-core), under the SIL Open Font License 1.1:\n\n"
        + "\n\n".join(licences), encoding="utf-8")
    STAMP.write_text(json.dumps({"fingerprint": fingerprint,
                                 "files": {w.file_name: w.path.stat().st_size for w in WEB_FACES}}, indent=1))
    return [w.path for w in todo]


# Where the language's fonts and direction apply: the page, the sidebar, and what Streamlit draws
# in overlays (select box menus, tooltips). Icons keep their icon font, code its monospace face.
TEXT_SCOPE = ('[data-testid="stAppViewContainer"]', '[data-testid="stSidebar"]', '[data-baseweb="popover"]',
              '[data-testid="stTooltipContent"]')
NOT_ICON = ':not([data-testid="stIconMaterial"]):not(code):not(pre):not(kbd):not(code *)'
OWN_DIRECTION = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "label", '[data-testid="stMetricValue"]',
                 '[data-testid="stMetricLabel"]', '[data-testid="stMetricDelta"]', '[data-baseweb="select"] div')
METRIC_VALUE_REM = 1.875  # a tile's figure in a translated page (Streamlit's own: 2.25rem)
# The parts of a figure tile (``st.metric``) and the elements inside them.
METRIC_PARTS = tuple(f'[data-testid="{part}"]{inner}' for part in ("stMetricLabel", "stMetricValue", "stMetricDelta", "stMetricDeltaDescription")
                     for inner in ("", " *"))
# Inside right-to-left pages these keep left-to-right: charts, the map, data grids, numbers typed
# in inputs, code. Their numbers, ISO dates and axes read as in any other language.
KEEP_LTR = ('[data-testid="stPlotlyChart"]', '[data-testid="stDeckGlJsonChart"]', '[data-testid="stDataFrame"]',
            '[data-testid="stVegaLiteChart"]', 'input[type="number"]', '[data-testid="stDateInput"] input',
            '[data-testid="stCode"]', 'pre', 'code')


def font_face_css(code: str) -> str:
    """``@font-face`` rules of the served files of language ``code`` that are built (none for English)."""
    from sez_metrics.render.fonts import fonts_for

    rules = []
    for web in faces_of(fonts_for(code).faces):
        if web.path.is_file():
            rules.append(f'@font-face {{ font-family: "{web.face.family}"; src: url("{web.url}") format("woff2"); '
                         f"font-weight: {web.weight}; font-style: normal; font-display: swap; "
                         f"unicode-range: {web.unicode_range}; }}")
    return "\n".join(rules)


def page_css(code: str, direction: str) -> str:
    """The stylesheet a page in language ``code`` needs: its served fonts, its font families and line
    height, and for a right-to-left language the reading direction of the page and the sidebar.
    Fixed text from the font table, no data in it. Empty for English (the theme's own font)."""
    from sez_metrics.render.fonts import fonts_for

    if code == "en":
        return ""
    fonts = fonts_for(code)
    text = ", ".join(f"{scope} *{NOT_ICON}" for scope in TEXT_SCOPE)
    rules = [font_face_css(code),
             f"{text} {{ font-family: {fonts.css_families} !important; }}",
             f'[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], '
             f'[data-testid="stHeading"], [data-testid="stSidebarNav"] {{ line-height: {fonts.line_height}; }}',
             # A tile's label, figure and comparison wrap rather than end in "…": translated words
             # run longer than the English ones the tiles were sized by.
             f"{', '.join(METRIC_PARTS)} {{ white-space: normal !important; overflow: visible !important; "
             f"text-overflow: clip !important; overflow-wrap: anywhere; }}",
             # A figure with its "of 9" ("2（共9）") on one line in a tile a quarter of the page wide.
             f'[data-testid="stMetricValue"] {{ font-size: {METRIC_VALUE_REM}rem; }}']
    if direction == "rtl":
        # The page's own blocks, not the frame around them: the sidebar stays where Streamlit puts it.
        blocks = '[data-testid="stMain"], [data-testid="stSidebarContent"], [data-baseweb="popover"]'
        rules += [f"{blocks} {{ direction: rtl; }}",
                  # Each paragraph, label and cell reads in its own text's direction (an Urdu sentence
                  # from the right, a version id, a date or a text not yet translated from the left)
                  # and starts on that side; Streamlit's own left alignment would pin Urdu to the left.
                  f":is({blocks}) :is({', '.join(OWN_DIRECTION)}) {{ unicode-bidi: plaintext; text-align: start !important; }}",
                  f":is({blocks}) :is(td, th) {{ unicode-bidi: plaintext; }}",
                  f"{', '.join(KEEP_LTR)} {{ direction: ltr; }}"]
    return "<style>\n" + "\n".join(r for r in rules if r) + "\n</style>"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sez_metrics.render.webfonts", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not build; exit 1 when the fonts are missing or stale")
    parser.add_argument("--force", action="store_true", help="build even when the fonts are current")
    args = parser.parse_args(argv)
    if args.check:
        current = is_current()
        print(f"{FONT_DIR}: {'up to date' if current else 'missing or stale'}")
        return 0 if current else 1
    try:
        written = build(force=args.force)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"built {path.relative_to(settings.REPO_ROOT)} ({path.stat().st_size / 1024:,.0f} KiB)")
    if not written:
        print(f"{FONT_DIR.relative_to(settings.REPO_ROOT)}: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
