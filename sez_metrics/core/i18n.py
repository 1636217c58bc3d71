"""The languages people read the dashboard in: English, Simplified Chinese and Urdu.

- **The registry** (``LANGUAGES``, ``language``): each language's code, its name in itself, its
  writing direction and the Babel locale its numbers and dates follow.
- **Messages** (``translations``, ``gettext``): gettext catalogues in ``sez_metrics/locale/<code>/
  LC_MESSAGES/messages.po``, compiled in memory when first asked for; English is the source
  language and needs no catalogue. ``scripts/update-catalogues.py`` keeps them in step with the
  schema's labels and the vocabulary's fixed words.
- **Numbers and dates** (``number_text``, ``date_text``) in each locale's own conventions.
- **The language of the current run** (``current``, ``set_language``, ``use_language``) and the
  marking functions the code calls: ``_("text")`` translates now, ``N_("text")`` marks a constant
  for extraction and is translated where it is shown (``_(CONSTANT)``), ``ngettext`` picks a plural.
  A Streamlit run sets its language once at the top of ``app.py``; the CLI wraps a command in
  ``use_language``. The language lives in a context variable, so concurrent sessions (threads) never
  see each other's.
- **Data text** (``data_text``): a dataset column's translation from its ``<column>_<code>``
  sibling (``name_zh``) when the row has one, else the column itself.

The Chinese and Urdu translations are drafts to be reviewed by a native speaker before official use.

Pure: no streamlit.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"
DRAFT_NOTE = "draft translation: to be reviewed by a native speaker before official use"
MISSING = "—"  # a value that is not there, in every language


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


# --- the language of the current run -------------------------------------------------------------

_CURRENT: ContextVar[str] = ContextVar("sez_language", default=SOURCE_LANGUAGE)
LANG_PARAM = "lang"  # the URL's query parameter: ?lang=zh


def current() -> Language:
    """The language this run (Streamlit script run, CLI command, test) is read in."""
    return LANGUAGES[_CURRENT.get()]


def set_language(code: str) -> Language:
    """Read the rest of this run in ``code`` (ValueError for an unknown code, nothing changed)."""
    lang = language(code)
    _CURRENT.set(lang.code)
    return lang


@contextlib.contextmanager
def use_language(code: str) -> Iterator[Language]:
    """Within the block, ``_`` and the formatters speak ``code``; the language before comes back after."""
    token = _CURRENT.set(language(code).code)
    try:
        yield LANGUAGES[_CURRENT.get()]
    finally:
        _CURRENT.reset(token)


def _(msgid: str) -> str:
    """``msgid`` in the current language (the English text itself when there is no translation)."""
    return gettext(_CURRENT.get(), msgid)


def N_(msgid: str) -> str:
    """Mark ``msgid`` for the catalogues without translating it now: a module-level constant is
    translated where it is shown, with ``_(CONSTANT)``."""
    return msgid


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n`` in the current language (Chinese has one form)."""
    return translations(_CURRENT.get()).ngettext(singular, plural, n)


def data_text(record: Mapping[str, Any], column: str) -> str:
    """``record[column]`` in the current language: the ``<column>_<code>`` sibling (``name_zh``)
    when the record has a non-empty one, else the column itself ("" when missing)."""
    code = _CURRENT.get()
    if code != SOURCE_LANGUAGE:
        translated = record.get(f"{column}_{code}")
        if isinstance(translated, str) and translated.strip():
            return translated
    value = record.get(column)
    return "" if value is None or value != value else str(value)


def number(value: Any, decimals: int = 1) -> str:
    """``number_text`` in the current language."""
    return number_text(_CURRENT.get(), value, decimals)


def date_of(value: date | datetime | None, format: str = "medium") -> str:
    """``date_text`` in the current language."""
    return date_text(_CURRENT.get(), value, format)
