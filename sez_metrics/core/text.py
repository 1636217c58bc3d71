"""Making data safe to show: markdown escaping and spreadsheet-formula neutralising."""

from __future__ import annotations

import re
import string

from sez_metrics.core.chars import terminal_safe

# CommonMark lets any ASCII punctuation be escaped with a backslash; escaping all of it also
# defuses Streamlit's own directives (``:red[...]``, ``:material/...:``, ``$...$`` LaTeX).
_MD_SPECIAL = set(string.punctuation)
# GitHub-flavoured markdown turns bare web and e-mail addresses into links even when their
# punctuation is escaped; an invisible word joiner (U+2060) inside the pattern keeps them text.
_WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=mailto)(?=:)|(?<=www)(?=\.)|(?<=@)")


def md_escape(value: object) -> str:
    """``value`` as markdown that renders as exactly its literal text (no links, images, HTML)."""
    text = _AUTOLINK.sub(_WORD_JOINER, "" if value is None else str(value))
    out = []
    for ch in text:
        if ch in _MD_SPECIAL:
            out.append("\\" + ch)
        elif ch in "\r\n\u2028\u2029":  # one line stays one line (U+2028/9 break lines in some viewers)
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


# How much of an unknown value from a link (``?version=``, ``?zone=``) a page repeats back.
MAX_ECHO_CHARS = 40


def echo_text(value: object, limit: int = MAX_ECHO_CHARS) -> str:
    """A value someone put in a link, as a page may repeat it: hidden characters escaped
    (``\u202e``), at most ``limit`` characters and "…". Anyone can send a link, so what it
    says is never shown in full."""
    text = terminal_safe(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md_echo(value: object) -> str:
    """``echo_text`` as literal markdown: the one way a page repeats a value from its URL."""
    return md_escape(echo_text(value))


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``; numbers untouched."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value
