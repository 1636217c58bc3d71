"""Which face draws which characters of the pack's PDF, beyond fpdf2's rule of the first face that
has the character, and which way a text without a right-to-left letter reads: the rules
``PackPdf`` mixes in (``FaceRules``) and the family a table cell is set in (``family_for``).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from fontTools.ttLib import TTFont
from fpdf import line_break
from fpdf.enums import TextDirection

from sez_metrics.render import webfonts
from sez_metrics.render.briefing.pdffonts import FAMILY, SHAPED, pdf_faces


@lru_cache(maxsize=8)
def _own_glyphs(code: str) -> frozenset[int]:
    """The characters of language ``code``'s own script its first face draws (Urdu: the Arabic
    script's, the range the face is served for: ``webfonts``), not the Latin letters, digits and
    punctuation it may also hold, nor invisible marks (joiners, direction marks)."""
    face = pdf_faces(code)[0]
    spans = [span for web in webfonts.faces_of((face,)) for span in web.spans]
    return frozenset(c for c in TTFont(face.regular, fontNumber=face.collection_index, lazy=True).getBestCmap()
                     if any(low <= c <= high for low, high in spans) and unicodedata.category(chr(c)) != "Cf")


def _right_to_left(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter (Arabic, Hebrew …: bidi class AL or R)."""
    return any(unicodedata.bidirectional(c) in ("AL", "R") for c in text)


def _neutral(characters: list[str]) -> bool:
    """No letter and no mark: spaces, digits, punctuation, which any script's text may hold."""
    return all(unicodedata.category(c)[0] not in "LM" for c in characters)


def join_neutral_runs(fragments: list) -> list:
    """fpdf2's fragments of one text, with a run of spaces, digits and punctuation between two runs
    of the same fallback face, one of them with letters (or beside the only one, with letters), set
    in that face and joined to them. fpdf2 takes each character from the first face that has it, so
    an English phrase in an Urdu line came out as a word from the Latin face, a space from the Naskh
    face, the next word from the Latin face: a run per word, each shaped and drawn on its own, and
    the digits of a Latin text in the Naskh face's style. Set as the browser sets it (its Urdu web font is served for Arabic letters
    only, ``webfonts``), the phrase is one run in one face. A run keeps its own face where the
    neighbouring face lacks one of its characters, a date's digits between its hyphens stay in one
    face, and runs of different styles are not joined."""
    out = list(fragments)
    i = 0
    while i < len(out):
        run = out[i]
        before = out[i - 1] if i > 0 else None
        after = out[i + 1] if i + 1 < len(out) else None
        neighbours = [f for f in (before, after) if f is not None]
        face = neighbours[0].font if neighbours else None
        if (type(run) is line_break.Fragment and run.link is None and neighbours and face is not run.font
                and all(type(f) is line_break.Fragment and f.link is None and f.font is face and f.fragment_direction == run.fragment_direction
                        and f.graphics_state.font_style == run.graphics_state.font_style for f in neighbours)
                and any(not _neutral(f.characters) for f in neighbours)
                and _neutral(run.characters) and all(ord(c) in face.cmap for c in run.characters)):
            start = i - 1 if before is not None else i
            joined = neighbours[0]
            joined.characters = [c for f in out[start:i + 2] for c in f.characters]
            out[start:i + 2] = [joined]
            i = start + 1
            continue
        i += 1
    return out


class FaceRules:
    """The pack's documents' rules (mixed into its ``FPDF``) on which face draws what, and which
    way a text reads."""

    def _parse_chars(self, text, markdown, **kwargs):
        """fpdf2's fragments of ``text``, each run of spaces and digits inside a phrase of the fallback
        face set in that face with it (``join_neutral_runs``)."""
        fragments = super()._parse_chars(text, markdown, **kwargs)
        return fragments if markdown else iter(join_neutral_runs(list(fragments)))

    def _preload_bidirectional_text(self, text, markdown):
        """fpdf2's, except that in a right-to-left document a text without a right-to-left letter
        (an English source or milestone title, a version's label, a date) reads left to right, as
        a browser reads it by its first strong letter: "5 MW temporary power supply" printed as
        "MW temporary power supply 5" in the Urdu pack's tables."""
        shaping = self.text_shaping
        if not shaping or shaping.get("direction") != TextDirection.RTL or not text or _right_to_left(text):
            return super()._preload_bidirectional_text(text, markdown)
        shaping["direction"] = TextDirection.LTR
        try:
            return super()._preload_bidirectional_text(text, markdown)
        finally:
            shaping["direction"] = TextDirection.RTL

    def _render_styled_text_line(self, text_line, *args, **kwargs):
        """fpdf2's, except after a line whose first run is in a fallback face. fpdf2 sets the page's
        face for such a line inside the line's own ``q … Q`` (its fix for fpdf2 issue #1772), which
        the ``Q`` undoes, yet counts the face as set on the page: the next line, starting in that face
        and size, was drawn in the face the page had before (the Urdu cover's "data as of" date
        printed its day in the title's 28 pt). After such a line the face counts as not set, so
        the next line sets it."""
        first = text_line.get_ordered_fragments()[:1]
        set_inside = (not self.current_font_is_set_on_page and first and self.current_font is not None
                      and first[0].font.fontkey in self._fallback_font_ids and self.current_font.fontkey not in self._fallback_font_ids)
        page_break = super()._render_styled_text_line(text_line, *args, **kwargs)
        if set_inside:
            self.current_font_is_set_on_page = False
        return page_break


def family_for(text: str, code: str) -> str:
    """The family a table cell of ``text`` is set in. In a shaped language (Urdu), a text with no
    letter of the language's script (an English source or milestone, a date, a version id) is set
    in the fallback face, where its letters are drawn anyway: as one run per line. Set in the first
    face it would break into a run per word (the words from the fallback, the spaces from the first
    face), each shaped and drawn on its own, which made the Urdu tables several times slower."""
    if code not in SHAPED or len(pdf_faces(code)) < 2:
        return FAMILY
    own = _own_glyphs(code)
    return FAMILY if any(ord(c) in own for c in text) else "pack1"
