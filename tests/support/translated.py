"""Is a text shown on screen in the language asked for? The check behind the catalogue coverage tests.

A text passes when, after taking out what is not for translation, no English word is left:

- the data (every string cell of the version shown: names, notes, sources, ids, URLs), which stays in
  the steward's language unless a translated column (``name_zh``) gives it;
- numbers, dates, codes and symbols;
- the names that read the same in every language (``SAME_IN_EVERY_LANGUAGE``: acronyms, units).

What is left is untranslated English: a word of three or more Latin letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

# Acronyms and units that Chinese and Urdu texts write in Latin letters too.
SAME_IN_EVERY_LANGUAGE = {
    "SEZ", "SEZs", "CPEC", "JCC", "BOI", "PDF", "HTML", "CSV", "URL", "ISO", "MW", "MMCFD", "km", "ha",
    "USD", "PKR", "ICT", "SHA", "sha256", "UTC", "JSON", "ZIP",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")
# Markdown and markup that is not text: badge syntax, links' targets, emoji shortcodes.
_MARKUP = re.compile(r":[a-z]+-badge\[|:material/[a-z_]+:|\]\([^)]*\)|https?://\S+|`[^`]*`")


def data_strings(frames: Iterable[pd.DataFrame]) -> list[str]:
    """Every string cell of ``frames``, longest first (so a long note goes before a name inside it)."""
    found: set[str] = set()
    for frame in frames:
        for column in frame.columns:
            values = frame[column]
            if values.dtype == object or pd.api.types.is_string_dtype(values):
                found.update(str(v) for v in values.dropna() if str(v).strip())
    return sorted(found, key=len, reverse=True)


def english_left(text: str, data: Iterable[str] = ()) -> list[str]:
    """The English words left in ``text`` once data, markup and same-in-every-language names are out."""
    rest = _MARKUP.sub(" ", text)
    for value in data:
        if value in rest:
            rest = rest.replace(value, " ")
    return [w for w in _WORD.findall(rest) if w not in SAME_IN_EVERY_LANGUAGE]


def untranslated(texts: Iterable[str], data: Iterable[str] = ()) -> list[tuple[str, list[str]]]:
    """Each text that still holds English, with the words that gave it away."""
    data = list(data)
    found = []
    for text in texts:
        words = english_left(text, data)
        if words:
            found.append((text, words))
    return found
