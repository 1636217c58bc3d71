"""How wide and how tall a text is drawn in a browser, in each language's fonts: the measure the
presenter's slides are fitted by (``present_fit``).

Widths come from shaping the text with HarfBuzz in the faces the browser uses for it: a language's
font list (``fonts.fonts_for``) with each served web font's ``unicode-range`` (``webfonts.WEB_FACES``),
character by character the first face that covers it, as CSS font fallback does. Lines break as
chromium breaks them: at spaces in Latin and Arabic script, between any two Chinese characters,
with no line starting with closing punctuation (，。、）…) nor ending with opening punctuation (（“…).
A line is as tall as its line height times its size, whatever faces it holds: with a number for
``line-height`` chromium builds the line box from the block's first available font alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import uharfbuzz as hb
from fontTools.ttLib import TTFont

from sez_metrics.render.fonts import Face, fonts_for
from sez_metrics.render.webfonts import WEB_FACES

# Shaped widths are cached per face at this size and scaled (no hinting: widths are linear in size).
_UNITS = 1000


@dataclass(frozen=True)
class _Font:
    path: Path
    index: int


@cache
def _hb_font(font: _Font) -> hb.Font:
    blob = hb.Blob.from_file_path(str(font.path))
    face = hb.Face(blob, font.index)
    hb_font = hb.Font(face)
    hb_font.scale = (_UNITS, _UNITS)
    return hb_font


@cache
def _characters(font: _Font) -> frozenset[int]:
    """The characters a font file maps."""
    return frozenset(TTFont(str(font.path), fontNumber=font.index, lazy=True).getBestCmap())


@dataclass(frozen=True)
class _Choice:
    """One face of a language's font list: its file, and the characters the browser takes from it."""

    font: _Font
    spans: tuple[tuple[int, int], ...] | None  # None: every character the file has (a system font)

    def covers(self, char: int) -> bool:
        if self.spans is not None and not any(low <= char <= high for low, high in self.spans):
            return False
        return char in _characters(self.font)


@cache
def _choices(lang: str, bold: bool) -> tuple[_Choice, ...]:
    """The language's faces in the order the browser tries them: a served web font keeps to its
    ``unicode-range``; a face not served (DejaVu Sans) is the machine's own, whole."""
    choices = []
    for face in fonts_for(lang).faces:
        path = face.bold if bold else face.regular
        served = [w for w in WEB_FACES if w.face == face and (w.weight >= 600) == bold]
        spans = served[0].spans if served else None
        choices.append(_Choice(_Font(path, face.collection_index), spans))
    return tuple(choices)


def _face_of(char: str, lang: str, bold: bool) -> _Choice:
    choices = _choices(lang, bold)
    code = ord(char)
    return next((c for c in choices if c.covers(code)), choices[-1])


def _runs(text: str, lang: str, bold: bool) -> list[tuple[str, _Choice]]:
    """``text`` cut where the face drawing it changes (joiners and direction marks stay with their run;
    a space is drawn in the first face whose range holds it: DejaVu Sans between Urdu words)."""
    runs: list[tuple[str, _Choice]] = []
    for char in text:
        choice = runs[-1][1] if runs and char in "\u200c\u200d\u200e\u200f" else _face_of(char, lang, bold)
        if runs and runs[-1][1] == choice:
            runs[-1] = (runs[-1][0] + char, choice)
        else:
            runs.append((char, choice))
    return runs


@lru_cache(maxsize=65536)
def _shaped_width(text: str, font: _Font) -> float:
    """The advance of ``text`` shaped in ``font``, in em."""
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(_hb_font(font), buf, {})
    return sum(p.x_advance for p in buf.glyph_positions) / _UNITS


# Fullwidth punctuation: two side by side, chromium trims half an em of space between them
# (CSS ``text-spacing-trim: normal``), as typeset Chinese does.
_FULLWIDTH_PUNCTUATION = re.compile(r"[“”‘’（）《》〈〉「」『』【】〔〕，。、：；！？]{2,}")


@lru_cache(maxsize=65536)
def _em_width(text: str, lang: str, bold: bool) -> float:
    runs = _runs(text, lang, bold)
    trimmed = 0.0
    if lang == "zh":
        trimmed = sum(0.5 * (len(m.group()) - 1) for m in _FULLWIDTH_PUNCTUATION.finditer(text))
    return sum(_shaped_width(run, choice.font) for run, choice in runs) - trimmed


def width(text: str, size_px: float, lang: str, *, bold: bool = False) -> float:
    """How wide ``text`` is drawn on one line at ``size_px`` in language ``lang``'s fonts, in px."""
    return _em_width(text, lang, bold) * size_px


# Chromium (ICU's line breaker) may break between any two of these, and around them.
_CJK = re.compile(r"[\u2e80-\u2fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
# Kinsoku: never at the start of a line …
_NO_START = set("，。、．：；！？）］｝」』】〕〉》”’%％·・…‥ー々〜～,.:;!?)]}")
# … nor at its end.
_NO_END = set("（［｛「『【〔〈《“‘([{")


def _pieces(text: str) -> list[str]:
    """``text`` cut where a line may break: after a run of spaces, and around Chinese characters
    (a piece keeps its trailing spaces; closing punctuation joins the piece before it, opening the one after)."""
    pieces: list[str] = []
    current = ""
    for i, char in enumerate(text):
        prev = text[i - 1] if i else ""
        breakable = bool(current) and (
            (prev == " " and char != " ")
            or ((_CJK.match(char) or _CJK.match(prev)) and char != " " and prev != " ")
        )
        if breakable and (char in _NO_START or prev in _NO_END):
            breakable = False
        if breakable:
            pieces.append(current)
            current = ""
        current += char
    if current:
        pieces.append(current)
    return pieces


def lines(text: str, width_px: float, size_px: float, lang: str, *, bold: bool = False) -> list[str]:
    """``text`` broken into the lines a browser draws it in, in a box ``width_px`` wide (a word wider
    than the box stays whole on its own line, as in the browser)."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for piece in _pieces(paragraph):
            ink = width(piece.rstrip(" "), size_px, lang, bold=bold)  # a line's trailing spaces hang
            if line and used + ink > width_px + 0.01:
                out.append(line.rstrip(" "))
                line, used = "", 0.0
            line += piece
            used += width(piece, size_px, lang, bold=bold)
        out.append(line.rstrip(" "))
    return out


def height(text: str, width_px: float, size_px: float, lang: str, line_height: float, *, bold: bool = False) -> float:
    """How tall ``text`` is in a box ``width_px`` wide at ``size_px`` and ``line_height``, in px."""
    return len(lines(text, width_px, size_px, lang, bold=bold)) * line_height * size_px


def face_of(char: str, lang: str, *, bold: bool = False) -> Face:
    """The font (from ``fonts``) the browser draws ``char`` in, in language ``lang``."""
    choice = _face_of(char, lang, bold)
    return next(face for face in fonts_for(lang).faces
                if (face.bold if bold else face.regular) == choice.font.path and face.collection_index == choice.font.index)
