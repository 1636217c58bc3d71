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
  position prints the same digits.

None of this changes a byte of the PDF (``tests/test_briefing_pdflines.py`` builds the packs with and
without it). It stands in for fpdf2's internals, so it is applied only on the pinned fpdf2
(``pdffonts.speed_up``). Texts with the total-pages alias (the page footers), with markdown or a
width that is a function are set by fpdf2 as usual.
"""

from __future__ import annotations

import io
import threading
from dataclasses import fields

from fpdf import fpdf as fpdf_module
from fpdf import image_parsing, line_break
from fpdf.enums import Align, WrapMode
from fpdf.graphics_state import GraphicsState
from fpdf.line_break import Fragment

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
    and the whole run's escaped codes."""
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
    k, size, stretching = fragment.k, fragment.font_size_pt, fragment.font_stretching
    scale = font.scale

    def adjust(pos: float) -> float:  # fpdf2's adjust_pos, the same operations in the same order
        return pos * scale * size * (stretching / 100) / 1000 / k

    char_spacing = fragment.char_spacing * (stretching / 100) / k
    glyphs = []
    for info in font.shape_text(fragment.string, size, fragment.text_shaping_parameters):
        if info["mapped_char"] is None:
            continue
        glyphs.append((font.escape_text(chr(info["mapped_char"])), adjust(info["x_offset"]), adjust(info["y_offset"]),
                       adjust(info["x_advance"]) + char_spacing, adjust(info["y_advance"]),
                       info["x_offset"] != 0 or info["y_offset"] != 0, bool(info["force_positioning"]), info["mapped_char"] == space))
    plain = not any(g[5] or g[6] for g in glyphs)
    found = runs[key] = (tuple(glyphs), "".join(g[0] for g in glyphs), plain, any(g[7] for g in glyphs))
    return found


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


pdffonts.speed_up(fpdf_module.FPDF, "_preload_bidirectional_text", _preload_bidirectional_text)
pdffonts.speed_up(fpdf_module.FPDF, "_preload_font_styles", _preload_font_styles)
pdffonts.speed_up(fpdf_module, "MultiLineBreak", _LineBreak)
pdffonts.speed_up(line_break.Fragment, "render_with_text_shaping", _render_with_text_shaping)
pdffonts.speed_up(image_parsing, "get_img_info", _get_img_info)
