"""The PDF's fonts: each language's faces (``fonts.fonts_for``) registered with fpdf2, shaped by
HarfBuzz for Chinese and Urdu, and text widths measured a word at a time.

- English is set in DejaVu Sans without shaping (Latin needs none).
- Chinese in Noto Sans CJK SC (its face in the ``.ttc`` collection); DejaVu Sans draws what it
  lacks (symbols).
- Urdu in Noto Naskh Arabic (the table's fallback face for Urdu), shaped by HarfBuzz
  (``uharfbuzz``): its letters join and take their contextual forms, and its paragraphs run right
  to left. Not in Nastaliq: fpdf2 writes the text layer of Nastaliq's many positioned glyph parts
  wrongly (copying or searching the PDF gives stray letters), while Naskh's text reads back exactly.
  The HTML pack and the pictures, drawn by a browser, are in Nastaliq. An English phrase in an
  Urdu text is set in the Latin face whole, its spaces and digits included, as the browser sets it
  (``pdfruns``).
- fpdf2 measures a line again after every character it adds (shaping it again, with shaping on),
  which costs seconds. Shaping does not cross a space, so a text's width is the sum of its words'
  widths and its spaces': each word is measured once and remembered for the process.
- fpdf2 cuts each embedded face down to the glyphs the document uses when it writes the file
  (seconds for a CJK face). A pack of the same data uses the same glyphs every time, so the cut
  face's bytes are remembered for the process, per face and glyph set (``_MemoFont``).

Every speed-up that replaces a piece of fpdf2's internals (here and in ``pdflines``) is registered
with ``speed_up`` and applied only when the installed fpdf2 is the pinned one (``FPDF_PINNED``,
requirements.txt): another version gets plain fpdf2, slower but right. ``plain_fpdf()`` turns them
off for a while (the test that the speed-ups do not change a byte of the PDF).
"""

from __future__ import annotations

import contextlib
import copy
import threading
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import fpdf
from fontTools import subset as ftsubset
from fontTools.ttLib import TTFont
from fpdf import FPDF, line_break
from fpdf import output as fpdf_output
from fpdf.fonts import TTFFont

from sez_metrics.core import i18n
from sez_metrics.render.fonts import NOTO_NASKH, Face, fonts_for

# The families fpdf2 knows the faces by: "pack0" the language's first choice, the others its fallbacks.
FAMILY = "pack0"
# The languages whose script needs HarfBuzz: Urdu's letters join and change form by position. Han
# characters have no contextual forms, and Chinese text set without shaping prints the same glyphs
# at a quarter of the cost (and extracts as a run of characters, not one glyph at a time).
SHAPED = frozenset({"ur"})
# The fpdf2 version whose internals the speed-ups replace (requirements.txt pins it).
FPDF_PINNED = "2.8.9"
_WIDTH_MEMO_LIMIT = 200_000
_widths: dict[tuple, tuple[int, float]] = {}


_speed_ups: list[tuple[object, str, object, object]] = []  # (owner, name, fpdf2's own, the faster one)
_speeding = False


def speed_ups_apply() -> bool:
    """Whether the speed-ups may replace fpdf2's internals: only on the pinned fpdf2."""
    return fpdf.FPDF_VERSION == FPDF_PINNED


def speed_up(owner: object, name: str, faster: object) -> None:
    """Register ``faster`` to stand in for ``owner.name`` (applied at once on the pinned fpdf2)."""
    _speed_ups.append((owner, name, getattr(owner, name), faster))
    if _speeding:
        setattr(owner, name, faster)


def _set_speed_ups(on: bool) -> None:
    global _speeding
    _speeding = on and speed_ups_apply()
    for owner, name, own, faster in _speed_ups:
        setattr(owner, name, faster if _speeding else own)


def apply_speed_ups() -> bool:
    """Put the speed-ups in place if the installed fpdf2 is the pinned one, else fpdf2's own code;
    returns whether they are in place (done on import)."""
    _set_speed_ups(True)
    return _speeding


def speeding() -> bool:
    """Whether the speed-ups are in place now."""
    return _speeding


@contextlib.contextmanager
def plain_fpdf():
    """fpdf2 without any speed-up while the block runs (not thread-safe: for tests and benchmarks)."""
    before = _speeding
    _set_speed_ups(False)
    try:
        yield
    finally:
        _set_speed_ups(before)



class _WordMeasuredFont(TTFFont):
    """A TrueType/OpenType font whose shaped width is the sum of its words' (remembered) widths."""

    __slots__ = ()

    def get_text_width(self, text, font_size_pt, text_shaping_params):
        if not text_shaping_params:
            return super().get_text_width(text, font_size_pt, text_shaping_params)
        if font_size_pt > self.biggest_size_pt:
            self.biggest_size_pt = font_size_pt
        params = text_shaping_params or {}
        context = (str(self.ttffile), self.collection_font_number, font_size_pt, bool(text_shaping_params),
                   params.get("direction"), params.get("fragment_direction"), params.get("script"), params.get("language"))
        if len(_widths) > _WIDTH_MEMO_LIMIT:
            _widths.clear()
        total = 0.0
        words = text.split(" ")
        for word in [*words, *([" "] * (len(words) - 1))]:
            if not word:
                continue
            key = (*context, word)
            found = _widths.get(key)
            if found is None:
                found = _widths[key] = super().get_text_width(word, font_size_pt, text_shaping_params)
            total += found[1]
        return len(text), total

    def shape_text(self, text, font_size_pt, text_shaping_params):
        """fpdf2's ``shape_text`` with HarfBuzz's glyphs and positions for a text remembered for the
        process (labels and names repeat on every page); only the document's glyph subset is new."""
        if not text:
            return []
        key = (str(self.ttffile), self.collection_font_number, text, font_size_pt, repr(text_shaping_params))
        plan = _shapes.get(key)
        if plan is None:
            plan = self._shaping_plan(text, font_size_pt, text_shaping_params)
            if len(_shapes) > _WIDTH_MEMO_LIMIT:
                _shapes.clear()
            _shapes[key] = plan
        out = []
        for codepoint, unicode, name, width, position in plan:
            glyph = self.subset.get_glyph(glyph=codepoint, unicode=unicode, glyph_name=name, glyph_width=width)
            if glyph is not None:
                out.append({"mapped_char": self.subset.pick_glyph(glyph), **position})
        return out

    def _shaping_plan(self, text, font_size_pt, text_shaping_params) -> tuple:
        """What fpdf2's ``shape_text`` computes before it touches the subset, glyph by glyph."""
        from bisect import bisect_left

        infos, positions = self.perform_harfbuzz_shaping(text, font_size_pt, text_shaping_params)
        clusters = sorted(int(info.cluster) for info in infos)
        by_cluster: dict[int, list[int]] = {}
        for i in range(len(text)):
            pos = bisect_left(clusters, i)
            cluster = clusters[0] if pos == 0 else clusters[pos - 1] if pos == len(clusters) or clusters[pos] != i else clusters[pos]
            by_cluster.setdefault(cluster, []).append(i)
        hmtx = self.ttfont["hmtx"].metrics
        plan = []
        for seq, info in enumerate(infos):
            unicode = tuple(ord(text[i]) for i in by_cluster.pop(info.cluster, ()))
            name = self.ttfont.getGlyphName(info.codepoint)
            width = round(self.scale * hmtx[name][0])
            at = positions[seq]
            plan.append((info.codepoint, unicode, name, width, {
                "x_advance": at.x_advance, "y_advance": at.y_advance, "x_offset": at.x_offset, "y_offset": at.y_offset,
                "force_positioning": width != at.x_advance or at.x_offset != 0 or at.y_offset != 0 or at.y_advance != 0}))
        return tuple(plan)


_shapes: dict[tuple, tuple] = {}


def _line_width(self) -> float:
    """fpdf2's ``CurrentLine.width`` (the sum of its fragments' widths) remembered per fragment and
    length: a fragment grown by one character adds that character's width (text set without shaping
    is measured character by character anyway); a shaped one is measured again, word by word."""
    known = self.__dict__.setdefault("_known_widths", {})
    width = 0.0
    for i, fragment in enumerate(self.fragments):
        length = len(fragment.characters)
        key = (id(fragment), length, i > 0)
        found = known.get(key)
        if found is None:
            before = known.get((id(fragment), length - 1, i > 0)) if length > 1 else None
            if before is not None and not fragment.char_spacing and fragment.font_stretching == 100 and (
                    not fragment.text_shaping_parameters or isinstance(fragment.font, _WordMeasuredFont)):
                found = before + _growth(fragment)
            else:
                found = fragment.get_width(initial_cs=i > 0)
            known[key] = found
        width += found
    return width


speed_up(line_break.CurrentLine, "width", property(_line_width))


def _growth(fragment: line_break.Fragment) -> float:
    """How much wider ``fragment`` got by its last character: that character's width, or, shaped,
    the last word's width now less its width before (a shaped text is measured word by word)."""
    chars = fragment.characters
    last = chars[-1]
    if not fragment.text_shaping_parameters or last == " ":
        return fragment.get_width(chars=last)
    start = len(chars) - 1
    while start > 0 and chars[start - 1] != " ":
        start -= 1
    word = "".join(chars[start:])
    return fragment.get_width(chars=word) - (fragment.get_width(chars=word[:-1]) if len(word) > 1 else 0.0)

_NOT_FAST = frozenset(line_break.BREAKING_SPACE_SYMBOLS_STR.replace(" ", "") + "".join(
    (line_break.NEWLINE, line_break.FORM_FEED, line_break.SOFT_HYPHEN, line_break.NBSP)))
_slow_get_line = line_break.MultiLineBreak.get_line


def _rest_on_one_line(self: line_break.MultiLineBreak):
    """The rest of the text as one line when it holds no break and fits; else ``None``. Most table
    cells and labels fit on their line, and fpdf2 would measure them a character at a time."""
    if self.skip_leading_spaces or self.fragment_index >= len(self.fragments):
        return None
    rest = []
    for n, fragment in enumerate(self.fragments[self.fragment_index:]):
        if type(fragment) is not line_break.Fragment or fragment.char_spacing or fragment.font_stretching != 100:
            return None
        chars = fragment.characters[self.character_index:] if n == 0 else fragment.characters
        if chars:
            if not _NOT_FAST.isdisjoint(chars):
                return None
            rest.append((fragment, chars))
    if not rest:
        return None
    font_height = max(fragment.font_size for fragment, _ in rest)
    max_width = self.get_width(font_height)
    line = line_break.CurrentLine(max_width=max_width, print_sh=self.print_sh,
                                  indent=self.first_line_indent if self._is_first_line else 0)
    room = max_width - sum(float(m) for m in self.margins) - (self.first_line_indent if self._is_first_line else 0)
    for fragment, chars in rest:
        last = line.fragments[-1] if line.fragments else None
        if last is not None and fragment.has_same_style(last) and fragment.link == last.link:
            last.characters.extend(chars)
        else:
            line.fragments.append(fragment.clone(characters=list(chars), link=fragment.link))
        line.number_of_spaces += chars.count(" ")
    if line_break.FloatTolerance.greater_than(line.width, room):
        return None
    line.height = font_height * self.line_height
    self.fragment_index, self.character_index = len(self.fragments), 0
    self.idx_last_forced_break = None
    self._is_first_line = False
    return line.manual_break(line_break.Align.L if self.align == line_break.Align.J else self.align)


def _get_line(self: line_break.MultiLineBreak):
    return _rest_on_one_line(self) or _slow_get_line(self)


speed_up(line_break.MultiLineBreak, "get_line", _get_line)


def pdf_faces(code: str) -> tuple[Face, ...]:
    """The faces the PDF sets language ``code`` in, first choice first (Urdu: Naskh, see above)."""
    faces = fonts_for(code).faces
    if code == "ur":
        faces = (NOTO_NASKH, *(f for f in faces if f not in (NOTO_NASKH,) and "Nastaliq" not in f.family))
    return faces


def line_height(code: str) -> float:
    """The PDF's line height for language ``code``, in mm per pt of type (Naskh's marks need a taller line)."""
    return {"ur": 0.62, "zh": 0.53}.get(code, 0.5)


@lru_cache(maxsize=8)
def glyphs_of(code: str) -> frozenset[int]:
    """Every character some face of language ``code`` can draw."""
    out: set[int] = set()
    for face in pdf_faces(code):
        out |= set(TTFont(face.regular, fontNumber=face.collection_index, lazy=True).getBestCmap())
    return frozenset(out)


_SUBSET_MEMO_LIMIT = 32
_subsets: dict[tuple, _CutFace] = {}
_subsets_lock = threading.Lock()


class _CutFace:
    """A face cut down to one glyph set, as fpdf2 reads it back: glyph ids, file bytes, CFF bytes."""

    __slots__ = ("cff", "font_bytes", "ids")

    def __init__(self, ids: dict[str, int], font_bytes: bytes, cff: bytes | None):
        self.ids, self.font_bytes, self.cff = ids, font_bytes, cff

    def compile(self, _font) -> bytes:  # stands in for the cut face's "CFF " table
        return self.cff


class _MemoFont(TTFont):
    """A document's fontTools face whose cut to a glyph set is remembered for the process: when the
    same face was already cut to the same glyphs, fpdf2's subsetting, glyph-id look-ups and saving
    read the remembered result instead of doing the work again."""

    def __init__(self, path: Path, index: int):
        super().__init__(path, recalcTimestamp=False, fontNumber=index, lazy=True)
        self.face_key = (str(path), index)
        self.memo_key: tuple | None = None
        self.cut: _CutFace | None = None

    def getGlyphID(self, glyphName):
        return self.cut.ids[glyphName] if self.cut is not None else super().getGlyphID(glyphName)

    def __contains__(self, tag):
        return (tag == "CFF " and self.cut.cff is not None) if self.cut is not None else super().__contains__(tag)

    def __getitem__(self, tag):
        if self.cut is not None and tag == "CFF ":
            return self.cut
        return super().__getitem__(tag)

    def save(self, file, reorderTables=True):
        if self.cut is not None:
            file.write(self.cut.font_bytes)
            return
        if self.memo_key is None:
            super().save(file, reorderTables)
            return
        out = BytesIO()
        super().save(out, reorderTables)
        file.write(out.getvalue())
        cff = super().__getitem__("CFF ").compile(self) if super().__contains__("CFF ") else None
        cut = _CutFace({name: i for i, name in enumerate(self.getGlyphOrder())}, out.getvalue(), cff)
        with _subsets_lock:
            if len(_subsets) >= _SUBSET_MEMO_LIMIT:
                _subsets.clear()
            _subsets[self.memo_key] = cut
        self.cut = cut


class _MemoSubsetter(ftsubset.Subsetter):
    """fpdf2's subsetter, skipped for a face (``_MemoFont``) already cut to the same glyphs."""

    def populate(self, glyphs=(), **kwargs):
        self._memo_glyphs = frozenset(glyphs)
        super().populate(glyphs=glyphs, **kwargs)

    def subset(self, font):
        if isinstance(font, _MemoFont):
            font.memo_key = (font.face_key, self._memo_glyphs, repr(vars(self.options)))
            with _subsets_lock:
                font.cut = _subsets.get(font.memo_key)
            if font.cut is not None:
                return
        super().subset(font)


class _MemoSubsetModule:
    """``fontTools.subset`` as fpdf2's writer sees it, with the remembering subsetter."""

    Options = ftsubset.Options
    Subsetter = _MemoSubsetter


speed_up(fpdf_output, "ftsubset", _MemoSubsetModule)


_prototypes: dict[tuple, TTFFont] = {}
_prototypes_lock = threading.Lock()


def _add_font(pdf: FPDF, fontkey: str, style: str, path: Path, index: int) -> None:
    """``pdf.add_font`` with the font's metrics read once per process: reading the character widths
    of a CJK face (65,000 glyphs) takes longer than setting a page. Each document gets its own
    copy with its own glyph subset and its own fontTools font (fpdf2 cuts that one down in place
    when it writes the file)."""
    from fpdf.fonts import SubsetMap

    if not speeding():
        pdf.add_font(fontkey.removesuffix(style) if style else fontkey, style, path, collection_font_number=index)
        return
    key = (str(path), index, style)
    with _prototypes_lock:
        prototype = _prototypes.get(key)
        if prototype is None:
            prototype = _prototypes[key] = TTFFont(pdf, path, fontkey, style, collection_font_number=index)
    font = copy.copy(prototype)
    font.i = len(pdf.fonts) + 1
    font.fontkey = fontkey
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font.ttfont = _MemoFont(path, index)
    font.subset = SubsetMap(font)
    pdf.fonts[fontkey] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")


def set_up(pdf: FPDF, code: str) -> str:
    """Register language ``code``'s faces (regular and bold) with ``pdf`` and turn on shaping where
    the script needs it; returns the family to ``set_font`` with."""
    faces = pdf_faces(code)
    for i, face in enumerate(faces):
        for style, path in (("", face.regular), ("B", face.bold)):
            _add_font(pdf, f"pack{i}{style}", style, path, face.collection_index)
    if len(faces) > 1:
        pdf.set_fallback_fonts([f"pack{i}" for i in range(1, len(faces))], exact_match=False)
    if code in SHAPED:
        pdf.set_text_shaping(True, direction=i18n.language(code).direction)
    for font in pdf.fonts.values() if speeding() else ():
        if type(font) is TTFFont:
            font.__class__ = _WordMeasuredFont
    return FAMILY


def missing_fonts(code: str) -> list[str]:
    """The font files language ``code`` needs that this machine lacks."""
    return [str(p) for face in pdf_faces(code) for p in (face.regular, face.bold) if not p.is_file()]


apply_speed_ups()
