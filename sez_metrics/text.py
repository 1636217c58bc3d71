"""Making data safe to show: markdown escaping and spreadsheet-formula neutralising."""

from __future__ import annotations

import string

# CommonMark lets any ASCII punctuation be escaped with a backslash; escaping all of it also
# defuses Streamlit's own directives (``:red[...]``, ``:material/...:``, ``$...$`` LaTeX).
_MD_SPECIAL = set(string.punctuation)


def md_escape(value: object) -> str:
    """``value`` as markdown that renders as exactly its literal text (no links, images, HTML)."""
    text = "" if value is None else str(value)
    out = []
    for ch in text:
        if ch in _MD_SPECIAL:
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``; numbers untouched."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value
