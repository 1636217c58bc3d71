"""The fonts each language is set in, from Debian packages installed by the project's setup
(``fonts-dejavu-core``, ``fonts-noto-cjk``, ``fonts-noto-core``): one table that the app's font
faces, the PDF, the HTML pack and the chart images all read, so a language prints the same everywhere.

- English: DejaVu Sans (wide Unicode coverage: the dashboard's symbols).
- Chinese: Noto Sans CJK SC (the ``.ttc`` collection; its Simplified Chinese face).
- Urdu: Noto Nastaliq Urdu, the script Urdu readers expect, with Noto Naskh Arabic as the plainer
  fallback; Nastaliq stacks letters diagonally and needs about twice the line height.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEBIAN_FONTS = Path("/usr/share/fonts")


@dataclass(frozen=True)
class Face:
    """One font file: its CSS family name, the file, and (for a ``.ttc`` collection) which font in it."""

    family: str
    regular: Path
    bold: Path
    collection_index: int = 0


@dataclass(frozen=True)
class LanguageFonts:
    """The faces a language is set in, first choice first, and the line height its script needs."""

    faces: tuple[Face, ...]
    line_height: float

    @property
    def primary(self) -> Face:
        return self.faces[0]

    @property
    def css_families(self) -> str:
        """A CSS ``font-family`` list: the faces, then the generic family."""
        return ", ".join(f'"{face.family}"' for face in self.faces) + ", sans-serif"


DEJAVU = Face("DejaVu Sans", DEBIAN_FONTS / "truetype/dejavu/DejaVuSans.ttf",
              DEBIAN_FONTS / "truetype/dejavu/DejaVuSans-Bold.ttf")
# In NotoSansCJK-*.ttc the fonts are JP, KR, SC, TC, HK (and their mono faces): index 2 is SC.
NOTO_CJK_SC = Face("Noto Sans CJK SC", DEBIAN_FONTS / "opentype/noto/NotoSansCJK-Regular.ttc",
                   DEBIAN_FONTS / "opentype/noto/NotoSansCJK-Bold.ttc", collection_index=2)
NOTO_NASTALIQ = Face("Noto Nastaliq Urdu", DEBIAN_FONTS / "truetype/noto/NotoNastaliqUrdu-Regular.ttf",
                     DEBIAN_FONTS / "truetype/noto/NotoNastaliqUrdu-Bold.ttf")
NOTO_NASKH = Face("Noto Naskh Arabic", DEBIAN_FONTS / "truetype/noto/NotoNaskhArabic-Regular.ttf",
                  DEBIAN_FONTS / "truetype/noto/NotoNaskhArabic-Bold.ttf")

FONTS: dict[str, LanguageFonts] = {
    "en": LanguageFonts((DEJAVU,), line_height=1.4),
    "zh": LanguageFonts((NOTO_CJK_SC, DEJAVU), line_height=1.5),
    "ur": LanguageFonts((NOTO_NASTALIQ, NOTO_NASKH, DEJAVU), line_height=2.0),
}


def fonts_for(code: str) -> LanguageFonts:
    """The fonts of language ``code`` (``i18n`` codes: en, zh, ur)."""
    return FONTS[code]


def missing_files() -> list[Path]:
    """Font files the table names that this machine lacks (the setup installs them)."""
    return sorted({p for lang in FONTS.values() for face in lang.faces for p in (face.regular, face.bold)
                   if not p.exists()})


# Symbols of the dashboard that none of the faces above has, and the look-alike they do have that a
# document (the PDF, the HTML pack) prints instead.
LOOKALIKES = {"⏱": "◷", "⏩": "»"}


def with_lookalikes(text: str) -> str:
    """``text`` with every symbol no face has replaced by its look-alike (``LOOKALIKES``)."""
    return text.translate(_LOOKALIKE_TABLE)


_LOOKALIKE_TABLE = str.maketrans(LOOKALIKES)
