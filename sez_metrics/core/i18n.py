"""The languages people read the dashboard in: English, Simplified Chinese and Urdu.

- **The registry** (``LANGUAGES``, ``language``): each language's code, its name in itself, its
  writing direction and the Babel locale its numbers and dates follow.
- **Messages** (``translations``, ``gettext``): gettext catalogues in ``sez_metrics/locale/<code>/
  LC_MESSAGES/messages.po``, compiled in memory when first asked for; English is the source
  language and needs no catalogue. ``scripts/update-catalogues.py`` keeps them in step with the
  schema's labels and the vocabulary's fixed words.
- **Numbers and dates** (``number_text``, ``date_text``) in each locale's own conventions.

The Chinese and Urdu translations are drafts to be reviewed by a native speaker before official use.

Pure: no streamlit.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from sez_metrics.core.vocabulary import MISSING

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"
DRAFT_NOTE = "draft translation: to be reviewed by a native speaker before official use"


@dataclass(frozen=True)
class Language:
    """One language: ``code`` as in ``lang=…``, its English name, its name in itself, ``direction``
    ("ltr" or "rtl") and the Babel ``locale`` its numbers and dates follow."""

    code: str
    english_name: str
    name: str
    direction: str
    locale: str


SOURCE_LANGUAGE = "en"
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "English", "ltr", "en"),
        Language("zh", "Simplified Chinese", "中文", "ltr", "zh_Hans_CN"),
        Language("ur", "Urdu", "اردو", "rtl", "ur_PK"),
    )
}
# The languages that have a catalogue of their own (all but the source language).
TRANSLATED = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)


def language(code: str) -> Language:
    """The language ``code`` names; ValueError naming the valid codes for any other."""
    try:
        return LANGUAGES[code]
    except (KeyError, TypeError):
        raise ValueError(f"unknown language {code!r}: use one of {', '.join(LANGUAGES)}") from None


def catalogue_path(code: str) -> Path:
    """Where the ``.po`` catalogue of a translated language lives."""
    return LOCALE_DIR / language(code).code / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(code: str) -> NullTranslations:
    """The messages of ``code``, read from its ``.po`` catalogue and compiled in memory once per
    language (fuzzy entries left out); English returns every message as it is."""
    lang = language(code)
    if lang.code == SOURCE_LANGUAGE:
        return NullTranslations()
    with catalogue_path(lang.code).open("rb") as po:
        catalog = read_po(po, locale=lang.locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(code: str, msgid: str) -> str:
    """``msgid`` in language ``code``; the English text itself when the catalogue lacks it."""
    return translations(code).gettext(msgid)


def number_text(code: str, value: Any, decimals: int = 1) -> str:
    """``value`` with at most ``decimals`` decimals (trailing zeros dropped), grouped the way
    ``code``'s locale groups digits; "—" when missing."""
    if value is None or isinstance(value, bool) or value != value:  # value != value: NaN
        return MISSING
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    text = format_decimal(value, format=pattern, locale=language(code).locale)
    return "0" if text.lstrip("\u200e\u200f\u061c") in ("-0", "\u22120") else text


def date_text(code: str, value: date | datetime | None, format: str = "medium") -> str:
    """``value`` as ``code``'s locale writes a date (Babel's ``medium`` format unless told);
    "—" when missing."""
    if value is None or value != value:  # NaT
        return MISSING
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format=format, locale=language(code).locale)
