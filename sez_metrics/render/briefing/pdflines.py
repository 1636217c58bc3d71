"""Setting the PDF's text once: styling, bidi and line breaks remembered per text and style.

fpdf2 turns every text it sets into styled fragments (a Python loop per character: which face
draws it, which script it is; for Urdu the bidirectional algorithm first), then breaks them into
lines (a loop per character again, measuring as it goes). A table cell goes through both twice:
measured for the row's height, then drawn. The pack sets the same texts in the same styles at the
same widths in every build of the same data. So, for the process:

- the fragments of a text are remembered per text and graphics state (face, size, style, colour,
  shaping) and the document's faces (``_preload``): the next time, fresh fragments are made from
  the remembered ones, bound to this document's faces (each document has its own glyph subsets);
- the lines of those fragments are remembered per width, margins and alignment (``_LineBreak``);
- a picture given as bytes is decoded and compressed once (``_get_img_info``);
- a shaped run is drawn from its glyphs' escaped codes and advances, worked out once per
  document, face, size and text (``_render_with_text_shaping``), with fpdf2's own arithmetic, so every
  position prints the same digits;
- a line set while writing is off (a table measuring its rows) only does what changes the
  document: the page break, the faces set on the page, the glyphs picked, the position
  (``_render_styled_text_line``); the text it would have written is not composed.

None of this changes a byte of the PDF (``tests/test_briefing_pdflines.py`` builds the packs with and
without it). It stands in for fpdf2's internals, so it is applied only on the pinned fpdf2
(``pdffonts.speed_up``). Texts with the total-pages alias (the page footers), with markdown or a
width that is a function are set by fpdf2 as usual.
"""

from __future__ import annotations

import io
import threading
import types
from dataclasses import fields
from functools import lru_cache

from fpdf import fpdf as fpdf_module
from fpdf import image_parsing, line_break
from fpdf.enums import Align, CharVPos, WrapMode, XPos, YPos
from fpdf.graphics_state import GraphicsState
from fpdf.line_break import Fragment
from fpdf.util import FloatTolerance, Padding, escape_parens

from sez_metrics.render.briefing import pdffonts

_MEMO_LIMIT = 50_000
_STATE_FIELDS = tuple(f.name for f in fields(GraphicsState))
_DIRECTIONS = ("paragraph_direction", "fragment_direction")
_lock = threading.Lock()


def _frozen(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _font_identity(font: object) -> tuple:
    """A face the same in every document: its key, file and face number."""
    if font is None:
        return (None,)
    return (font.fontkey, str(getattr(font, "ttffile", "")), getattr(font, "collection_font_number", 0))


def _state_key(state: GraphicsState, *, directions: bool = True) -> tuple:
    out = []
    for name in _STATE_FIELDS:
        value = getattr(state, name)
        if name == "current_font":
            value = _font_identity(value)
        elif name == "text_shaping" and value and not directions:
            value = _shaping_key({k: v for k, v in value.items() if k not in _DIRECTIONS})
        elif isinstance(value, dict):
            value = _shaping_key(value)
        out.append(value)
    return tuple(out)


def _shaping_key(params: dict | None) -> tuple | None:
    """A dict of parameters (shaping, dash pattern) as a key: its items, a dict among them frozen."""
    if params is None:
        return None
    return tuple((k, _frozen(v) if isinstance(v, (dict, list)) else v) for k, v in params.items())


def _document_key(pdf) -> tuple:
    """What a document's styling depends on besides the text and the graphics state: its faces, its
    fallback faces, its unit and its total-pages alias."""
    memo = pdf.__dict__.get("_pack_document_key")
    if memo is None or memo[0] != len(pdf.fonts):
        key = (tuple((name, _font_identity(font)) for name, font in pdf.fonts.items()), tuple(pdf._fallback_font_ids),
               pdf._fallback_font_exact_match, pdf.k, pdf.str_alias_nb_pages)
        memo = pdf.__dict__["_pack_document_key"] = (len(pdf.fonts), key)
    return memo[1]


class _Fragments(tuple):
    """Styled fragments as fpdf2 returns them, with the key they are remembered by."""

    key: tuple | None = None


class _Styled:
    """Fragments remembered without their document: characters, graphics state (face left out), face key."""

    __slots__ = ("after", "parts")

    def __init__(self, parts: tuple, after: tuple):
        self.parts, self.after = parts, after

    @classmethod
    def of(cls, fragments, after: tuple) -> _Styled | None:
        parts = []
        for fragment in fragments:
            if type(fragment) is not Fragment or fragment.link is not None:
                return None
            state = fragment.graphics_state.copy()
            font = state.current_font
            state.current_font = None
            parts.append((tuple(fragment.characters), state, font.fontkey if font is not None else None, fragment.k,
                          _shaping_key(state.text_shaping)))
        return cls(tuple(parts), after)

    def fragments(self, pdf) -> list[Fragment]:
        out = []
        for characters, template, fontkey, k, shaping in self.parts:
            state = _copy_state(template)
            if fontkey is not None:
                state.current_font = pdf.fonts[fontkey]
            fragment = Fragment(list(characters), state, k)
            fragment._pack_shaping = shaping
            out.append(fragment)
        return out


def _copy_state(state: GraphicsState) -> GraphicsState:
    """``GraphicsState.copy`` without ``copy.copy``'s generic machinery (the same fields, the shaping
    parameters copied)."""
    new = _new_state(GraphicsState)
    for name in _STATE_FIELDS:
        _set(new, name, getattr(state, name))
    if state.text_shaping is not None:
        new.text_shaping = dict(state.text_shaping)
    return new


_new_state = object.__new__
_set = object.__setattr__
_styled: dict[tuple, _Styled] = {}
_own_bidi = fpdf_module.FPDF._preload_bidirectional_text
_own_styles = fpdf_module.FPDF._preload_font_styles


def _current_state(pdf) -> GraphicsState:
    return pdf._GraphicsStateMixin__statestack[-1]


def _preload(pdf, text: str, markdown: bool, shaped: bool):
    own = _own_bidi if shaped else _own_styles
    if markdown or not text or (pdf.str_alias_nb_pages and pdf.str_alias_nb_pages in text):
        return own(pdf, text, markdown)
    key = (shaped, text, _state_key(_current_state(pdf), directions=not shaped), _document_key(pdf))
    found = _styled.get(key)
    if found is not None:
        if shaped:
            pdf.text_shaping.update(found.after)
        out = _Fragments(found.fragments(pdf))
        out.key = key
        return out
    fragments = own(pdf, text, markdown)
    after = tuple((k, pdf.text_shaping.get(k)) for k in _DIRECTIONS) if shaped else ()
    remembered = _Styled.of(fragments, after)
    if remembered is None:
        return fragments
    with _lock:
        if len(_styled) >= _MEMO_LIMIT:
            _styled.clear()
        _styled[key] = remembered
    out = _Fragments(fragments)
    out.key = key
    return out


def _preload_bidirectional_text(self, text, markdown):
    if not self.text_shaping:
        return self._preload_font_styles(text, markdown)
    return _preload(self, text, markdown, True)


def _preload_font_styles(self, text, markdown, _initial_emphasis=None):
    if _initial_emphasis is not None:  # a bidi segment of a shaped text: remembered with the whole text
        return _own_styles(self, text, markdown, _initial_emphasis=_initial_emphasis)
    return _preload(self, text, markdown, False)


class _Lines:
    """A text's lines remembered without their document: each line's measures and, per fragment, the
    index of the styled fragment it was cut from and its characters."""

    __slots__ = ("lines",)

    def __init__(self, lines: tuple):
        self.lines = lines

    @classmethod
    def of(cls, lines, fragments) -> _Lines | None:
        index = {id(f.graphics_state): i for i, f in enumerate(fragments)}
        out = []
        for line in lines:
            parts = []
            for fragment in line.fragments:
                i = index.get(id(fragment.graphics_state))
                if i is None or type(fragment) is not Fragment or fragment.link is not None:
                    return None
                parts.append((i, tuple(fragment.characters)))
            out.append((line._replace(fragments=()), type(line.fragments), tuple(parts)))
        return cls(tuple(out))

    def replay(self, fragments) -> list:
        out = []
        for line, kind, parts in self.lines:
            made = []
            for i, chars in parts:
                fragment = Fragment(list(chars), fragments[i].graphics_state, fragments[i].k)
                fragment._pack_shaping = getattr(fragments[i], "_pack_shaping", _UNKNOWN)
                made.append(fragment)
            out.append(line._replace(fragments=kind(made)))
        return out


_lines: dict[tuple, _Lines] = {}
_UNKNOWN = object()


class _LineBreak(line_break.MultiLineBreak):
    """fpdf2's line breaker, whose lines for remembered fragments at a fixed width are remembered too."""

    def __init__(self, fragments, max_width, margins, align=Align.L, print_sh=False, wrapmode=WrapMode.WORD, line_height=1.0,
                 skip_leading_spaces=False, first_line_indent=0):
        super().__init__(fragments, max_width, margins, align=align, print_sh=print_sh, wrapmode=wrapmode, line_height=line_height,
                         skip_leading_spaces=skip_leading_spaces, first_line_indent=first_line_indent)
        self._memo_key = None
        self._replay = None
        self._made: list = []
        if isinstance(fragments, _Fragments) and fragments.key is not None and not callable(max_width):
            self._memo_key = (fragments.key, max_width, tuple(margins), align, print_sh, wrapmode, line_height, skip_leading_spaces,
                              first_line_indent)
            found = _lines.get(self._memo_key)
            if found is not None:
                self._replay = iter(found.replay(fragments))

    def get_line(self):
        if self._replay is not None:
            return next(self._replay, None)
        line = super().get_line()
        if self._memo_key is not None:
            if line is not None:
                self._made.append(line)
            else:
                remembered = _Lines.of(self._made, self.fragments)
                if remembered is not None:
                    with _lock:
                        if len(_lines) >= _MEMO_LIMIT:
                            _lines.clear()
                        _lines[self._memo_key] = remembered
                self._memo_key = None
        return line


def _shaped_run(fragment: Fragment) -> tuple:
    """What drawing ``fragment`` (shaped) needs, glyph by glyph, worked out once per document, face,
    size and text: (escaped code, x and y offset, x and y advance in the document's unit, whether the
    glyph has an offset, whether fpdf2 places the next glyph explicitly, whether it is a space),
    and the whole run's escaped codes. The positions, the same in every document, are worked out
    once per process (``_geometry``); only the codes (the document's glyph subset) are new."""
    font = fragment.font
    runs = font.subset.__dict__.setdefault("_pack_runs", {})
    shaping = fragment.__dict__.get("_pack_shaping", _UNKNOWN)  # worked out once for remembered fragments
    if shaping is _UNKNOWN:
        shaping = _shaping_key(fragment.text_shaping_parameters)
    key = (fragment.string, fragment.font_size_pt, shaping, fragment.font_stretching, fragment.char_spacing, fragment.k)
    found = runs.get(key)
    if found is not None:
        return found
    space = font.subset.pick(ord(" "))
    infos = font.shape_text(fragment.string, fragment.font_size_pt, fragment.text_shaping_parameters)
    where = (str(font.ttffile), font.collection_font_number, font.scale, *key)
    geometry = _geometry.get(where)
    if geometry is None or len(geometry) != len(infos):
        geometry = _positions(fragment, infos)
        with _lock:
            if len(_geometry) >= _MEMO_LIMIT:
                _geometry.clear()
            _geometry[where] = geometry
    escape = font.escape_text if font.color_font else _escaped
    glyphs = tuple((escape(chr(info["mapped_char"])), *at, info["mapped_char"] == space)
                   for info, at in zip(infos, geometry, strict=True) if info["mapped_char"] is not None)
    plain = not any(g[5] or g[6] for g in glyphs)
    found = runs[key] = (glyphs, "".join(g[0] for g in glyphs), plain, any(g[7] for g in glyphs))
    return found


def _positions(fragment: Fragment, infos: list[dict]) -> tuple:
    """Each shaped glyph's x and y offset, x and y advance in the document's unit, whether it has an
    offset, whether fpdf2 places the next glyph explicitly."""
    k, size, stretching, scale = fragment.k, fragment.font_size_pt, fragment.font_stretching, fragment.font.scale

    def adjust(pos: float) -> float:  # fpdf2's adjust_pos, the same operations in the same order
        return pos * scale * size * (stretching / 100) / 1000 / k

    char_spacing = fragment.char_spacing * (stretching / 100) / k
    return tuple((adjust(info["x_offset"]), adjust(info["y_offset"]), adjust(info["x_advance"]) + char_spacing, adjust(info["y_advance"]),
                  info["x_offset"] != 0 or info["y_offset"] != 0, bool(info["force_positioning"])) for info in infos)


@lru_cache(maxsize=65536)
def _escaped(char: str) -> str:
    """fpdf2's ``TTFFont.escape_text`` of one glyph code (not a colour font's)."""
    return escape_parens(char.encode("utf-16-be").decode("latin-1"))


_geometry: dict[tuple, tuple] = {}


def _render_with_text_shaping(self, pos_x: float, pos_y: float, h: float, word_spacing: float) -> str:
    """fpdf2's ``Fragment.render_with_text_shaping``, from the run's remembered glyphs: a run with no
    glyph to place on its own is one ``Tj``."""
    if type(self) is not Fragment:
        return _own_render_shaped(self, pos_x, pos_y, h, word_spacing)
    glyphs, codes, plain, has_space = _shaped_run(self)
    if plain and not (word_spacing and has_space):
        return f"({codes}) Tj" if codes else ""
    k = self.k
    out = []
    text = ""
    for char, x_offset, y_offset, x_advance, y_advance, offset, force, space in glyphs:
        if offset:
            if text:
                out.append(f"({text}) Tj ")
                text = ""
            out.append(f"1 0 0 1 {(pos_x + x_offset) * k:.2f} {(h - (pos_y - y_offset)) * k:.2f} Tm ")
        text += char
        pos_x += x_advance
        pos_y += y_advance
        spaced = word_spacing and space
        if spaced:
            pos_x += word_spacing
        if force or spaced:
            if text:
                out.append(f"({text}) Tj ")
                text = ""
            out.append(f"1 0 0 1 {(pos_x) * k:.2f} {(h - pos_y) * k:.2f} Tm ")
    if text:
        out.append(f"({text}) Tj")
    return "".join(out)


_own_render_shaped = line_break.Fragment.render_with_text_shaping
_own_line = fpdf_module.FPDF._render_styled_text_line


def _render_styled_text_line(self, text_line, h=None, border=0, new_x=XPos.RIGHT, new_y=YPos.TOP, fill=False, link="", center=False,
                             padding=None, prevent_font_change=False):
    """fpdf2's ``_render_styled_text_line`` while writing is off (a table measuring its rows' heights
    sets every cell once for nothing): what the line changes besides the text it would write: the
    page break, the faces set on the page, the glyphs the document picks (in the order drawing picks
    them: they number the subset), the position. A line with anything more (a border, a fill, a link,
    justified or centred text, underlines, a core font, the total-pages alias) is set by fpdf2."""
    fragments = text_line.fragments
    if (isinstance(self._out, types.MethodType) or border or fill or link or center or prevent_font_change
            or self._record_text_quad_points or text_line.align in (Align.J, Align.X) or not fragments
            or any(type(f) is not Fragment or f.link or f.underline or f.strikethrough or not f.is_ttf_font for f in fragments)):
        return _own_line(self, text_line, h, border, new_x, new_y, fill, link, center, padding, prevent_font_change)
    if padding is None:
        padding = Padding(0, 0, 0, 0)
    l_c_margin = self.c_margin if padding.left == 0 else 0.0
    r_c_margin = self.c_margin if padding.right == 0 else 0.0
    styled_txt_width = text_line.text_width
    if not styled_txt_width:
        for i, frag in enumerate(fragments):
            styled_txt_width += frag.get_width(initial_cs=i != 0)
    w = text_line.max_width
    if w is None:
        w = styled_txt_width + l_c_margin + r_c_margin
    elif w == 0:
        w = self.w - self.r_margin - self.x
    ordered = text_line.get_ordered_fragments()
    max_font_size: float = 0
    for frag in ordered:
        if FloatTolerance.greater_than(frag.font_size, max_font_size):
            max_font_size = frag.font_size
    if h is None:
        h = max_font_size
    page_break_triggered = self._perform_page_break_if_need_be(h)
    s_start, s_width = self.x, 0.0
    if text_line.align == Align.R:
        s_start += w - l_c_margin - styled_txt_width
    elif text_line.align == Align.C:
        s_start += (w - styled_txt_width) / 2
    else:
        s_start += l_c_margin
    current_font, current_size, current_style = self.current_font, self.font_size_pt, self.font_style
    current_vpos = CharVPos.LINE
    if (not self.current_font_is_set_on_page and self.current_font is not None and ordered[0].font.fontkey in self._fallback_font_ids
            and self.current_font.fontkey not in self._fallback_font_ids):
        self._set_font_for_page(self.current_font, self.font_size_pt, wrap_in_text_object=False)
    for i, frag in enumerate(ordered):
        if not self.current_font_is_set_on_page:
            current_font = self.current_font = frag.font
            current_size = self.font_size_pt = frag.font_size_pt
            current_style = self.font_style = frag.font_style
            self._set_font_for_page(current_font, current_size)
            current_vpos = frag.char_vpos
        elif (current_font != frag.font or current_size != frag.font_size_pt or current_style != frag.font_style
              or current_vpos != frag.char_vpos):
            current_font, current_size, current_style = frag.font, frag.font_size_pt, frag.font_style
            self._set_font_for_page(current_font, current_size, wrap_in_text_object=False)
            current_vpos = frag.char_vpos
        if frag.text_shaping_parameters:
            _shaped_run(frag)
        else:
            pick = frag.font.subset.pick
            for char in frag.string:
                pick(ord(char))
        s_width += frag.get_width(initial_cs=i != 0)
    self._lasth = h or self.font_size
    _move(self, new_x, new_y, w, h, s_start, s_width, r_c_margin)
    return page_break_triggered


def _move(pdf, new_x, new_y, w: float, h: float, s_start: float, s_width: float, r_c_margin: float) -> None:
    """Where fpdf2 leaves the position after a line (the end of ``_render_styled_text_line``)."""
    if new_x == XPos.RIGHT:
        pdf.x += w
    elif new_x == XPos.START:
        pdf.x = s_start
    elif new_x == XPos.END:
        pdf.x = s_start + s_width
    elif new_x == XPos.WCONT:
        pdf.x = s_start + s_width - r_c_margin if s_width else s_start
    elif new_x == XPos.CENTER:
        pdf.x = s_start + s_width / 2.0
    elif new_x == XPos.LMARGIN:
        pdf.x = pdf.l_margin
    elif new_x == XPos.RMARGIN:
        pdf.x = pdf.w - pdf.r_margin
    if new_y == YPos.NEXT:
        pdf.y += h
    if new_y == YPos.TMARGIN:
        pdf.y = pdf.t_margin
    if new_y == YPos.BMARGIN:
        pdf.y = pdf.h - pdf.b_margin


_IMAGE_MEMO_LIMIT = 16
_images: dict[tuple, object] = {}
_own_img_info = image_parsing.get_img_info


def _get_img_info(filename, img=None, image_filter="AUTO", dims=None, **policy):
    """fpdf2's ``get_img_info`` (decode the picture, compress its pixels) remembered for the process
    for pictures given as bytes: fpdf2 names those by their MD5, so the same name is the same picture.
    Each document gets its own copy of the result (fpdf2 numbers it per document)."""
    if not isinstance(img, (bytes, io.BytesIO)):  # (the resource policy only matters for files and addresses)
        return _own_img_info(filename, img, image_filter, dims, **policy)
    key = (filename, image_filter, dims)
    found = _images.get(key)
    if found is None:
        found = _own_img_info(filename, img, image_filter, dims, **policy)
        with _lock:
            if len(_images) >= _IMAGE_MEMO_LIMIT:
                _images.clear()
            _images[key] = found
    return type(found)(found)


def forget() -> None:
    """Drop every remembered styling, line break and picture."""
    with _lock:
        _styled.clear()
        _lines.clear()
        _images.clear()
        _geometry.clear()


pdffonts.speed_up(fpdf_module.FPDF, "_preload_bidirectional_text", _preload_bidirectional_text)
pdffonts.speed_up(fpdf_module.FPDF, "_preload_font_styles", _preload_font_styles)
pdffonts.speed_up(fpdf_module, "MultiLineBreak", _LineBreak)
pdffonts.speed_up(line_break.Fragment, "render_with_text_shaping", _render_with_text_shaping)
pdffonts.speed_up(fpdf_module.FPDF, "_render_styled_text_line", _render_styled_text_line)
pdffonts.speed_up(image_parsing, "get_img_info", _get_img_info)
