"""The HTML pack's fonts: the language's faces (``fonts.fonts_for``) cut down to the characters the
document uses (fontTools), compressed as WOFF2 and embedded as ``@font-face`` ``data:`` URLs, so the
file shows Chinese and Urdu in the right script on a machine without those fonts, offline.

A subset keeps the OpenType layout of the characters it holds (Urdu's joining and Nastaliq's
positioning come along). Subsets are kept for the process by face and character set: a second pack
with the same text embeds them without cutting the fonts again.
"""

from __future__ import annotations

import base64
import io
import logging
import threading
from collections import OrderedDict
from functools import lru_cache

from sez_metrics.render.fonts import Face, fonts_for

_KEPT = 16
# fontTools names each table it drops (e.g. FontForge's "FFTM") as a warning: nothing to act on.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
_kept: OrderedDict[tuple, bytes] = OrderedDict()
_lock = threading.Lock()


@lru_cache(maxsize=16)
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, fontNumber=index, lazy=True).getBestCmap())


def subset_woff2(path: str, index: int, characters: frozenset[int]) -> bytes:
    """The font at ``path`` (face ``index`` of a collection) holding only ``characters``, as WOFF2."""
    key = (path, index, characters)
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # every shaping feature of the kept glyphs (joining, marks, Nastaliq's positioning)
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer)
    data = buffer.getvalue()
    with _lock:
        _kept[key] = data
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
    return data


def _faces_needed(code: str, text: str) -> list[tuple[Face, frozenset[int]]]:
    """Each face of the language with the characters of ``text`` it draws that no earlier face has."""
    wanted = {ord(c) for c in text if not c.isspace()}
    out = []
    for face in fonts_for(code).faces:
        mine = frozenset(wanted & _cmap(str(face.regular), face.collection_index))
        if mine:
            out.append((face, mine))
            wanted -= mine
    return out


def font_face_css(code: str, text: str) -> str:
    """``@font-face`` rules embedding, for language ``code``, the subset fonts that draw ``text``
    (regular and bold of each face it needs)."""
    rules = []
    for face, characters in _faces_needed(code, text):
        for weight, path in ((400, face.regular), (700, face.bold)):
            data = base64.b64encode(subset_woff2(str(path), face.collection_index, characters)).decode("ascii")
            rules.append(f'@font-face {{ font-family: "{face.family}"; font-weight: {weight}; font-style: normal; '
                         f'src: url(data:font/woff2;base64,{data}) format("woff2"); }}')
    return "\n".join(rules)
