"""Characters that make text deceive, and how to name, refuse or show them.

- **Hidden characters**: controls (C0/C1, e.g. ESC, which a terminal obeys), direction controls
  (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C: "Rashakai \\u202eZES" displays as "Rashakai SEZ"),
  zero-width and other format characters (U+200B, U+2060, U+FEFF, U+00AD…) and the line and
  paragraph separators U+2028/U+2029 (a line break to ``str.splitlines`` and many viewers).
  Zero-width (non-)joiners U+200C/U+200D are kept where they do their job: between two non-ASCII
  characters, as inside an Urdu word or an emoji sequence.
- **Look-alikes**: letters of one script that look like another's (Cyrillic "а" for Latin "a").
  ``skeleton`` maps text to what it looks like, with the Unicode confusables data of the
  ``confusable_homoglyphs`` package (Unicode TR39), so two names can be compared as a reader sees them.
- **Showing** data on a terminal: ``terminal_safe`` escapes every hidden character (``\\x1b``,
  ``\\u202e``), so printed data can neither drive the terminal nor forge lines.

Pure: no streamlit import.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata

from confusable_homoglyphs import confusables

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
LINE_SEPARATORS = frozenset("\u2028\u2029")
JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner: needed in Urdu words and emoji
# Whitespace controls a multi-line cell or note may hold.
LINE_WHITESPACE = frozenset("\t\n\r")


def codepoint(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: a character named so a person can find it."""
    name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


# Controls have no Unicode name; the familiar ones get theirs.
_CONTROL_NAMES = {"\x1b": "ESCAPE", "\x07": "BELL", "\x08": "BACKSPACE", "\x7f": "DELETE", "\t": "TAB",
                  "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x0b": "LINE TABULATION", "\x0c": "FORM FEED",
                  "\x85": "NEXT LINE", "\x9b": "CONTROL SEQUENCE INTRODUCER"}


# Format characters that are drawn (Arabic number signs, end of ayah…): not hidden.
VISIBLE_FORMAT = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd")
# Every control (Cc), format (Cf) and line/paragraph separator (Zl, Zp) code point of Unicode 14
# (Python 3.11's unicodedata), less VISIBLE_FORMAT; tests/test_chars.py checks it against unicodedata.
HIDDEN_RANGES = (
    (0x0001, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x061C, 0x061C), (0x180E, 0x180E), (0x200B, 0x200F),
    (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)
# One character class for a fast vectorised first pass over whole columns (pandas/pyarrow regex).
HIDDEN_CLASS = "[" + "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                             for a, b in HIDDEN_RANGES) + "]"
_HIDDEN_RE = re.compile(HIDDEN_CLASS)


def is_hidden(ch: str, allowed: frozenset[str] = frozenset()) -> bool:
    """True for a control, invisible format, or line/paragraph separator character not in ``allowed``."""
    if ch in allowed or ch in VISIBLE_FORMAT:
        return False
    return ch == "\x00" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def hidden_characters(text: str, allowed: frozenset[str] = LINE_WHITESPACE) -> list[tuple[int, str]]:
    """Every hidden character of ``text`` as (1-based position, character).

    Characters in ``allowed`` are kept, and so are joiners between two non-ASCII characters.
    """
    found = []
    for i, ch in enumerate(text):
        if not is_hidden(ch, allowed):
            continue
        if ch in JOINERS and 0 < i < len(text) - 1 and _joinable(text[i - 1]) and _joinable(text[i + 1]):
            continue
        found.append((i + 1, ch))
    return found


def _joinable(ch: str) -> bool:
    return ord(ch) > 0x7F and not ch.isspace() and not is_hidden(ch)


def describe_hidden(found: list[tuple[int, str]]) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE at character 10 (and 2 more)``."""
    position, ch = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"{codepoint(ch)} at character {position}{more}"


def text_field_problem(value: str, what: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be a one-line (or, with ``multiline``, a multi-line) text field, or None.

    Tabs and line feeds are allowed only in multi-line text; U+2028/U+2029, controls, direction
    and other invisible characters never (a separator would read as a new line elsewhere).
    """
    allowed = frozenset("\t\n") if multiline else frozenset()
    found = hidden_characters(value, allowed)
    if not found:
        return None
    if not multiline and found[0][1] in LINE_SEPARATORS | {"\n", "\r"}:
        return f"the {what} must be one line: it contains {describe_hidden(found)}; remove it"
    return f"the {what} contains {describe_hidden(found)}, an invisible or control character; remove it"


# --- look-alikes ----------------------------------------------------------------------------------


@functools.cache
def _prototypes() -> dict[str, str]:
    """Non-ASCII character → the ASCII text it looks like (from the Unicode confusables data)."""
    table = {}
    for ch, glyphs in confusables.confusables_data.items():
        if len(ch) != 1 or ch.isascii():
            continue
        ascii_forms = sorted((g["c"] for g in glyphs if g["c"].isascii() and g["c"].strip()),
                             key=lambda s: (not s.isalpha(), len(s), s))
        if ascii_forms:
            table[ch] = ascii_forms[0]
    return table


def skeleton(text: str) -> str:
    """What ``text`` looks like: NFKC (ligatures, full-width forms) then each look-alike as its ASCII twin.

    Two strings with one skeleton read the same to a person ("Rаshakai" with a Cyrillic "а" and
    "Rashakai"). ASCII characters stay themselves, so two plain-ASCII names never collide.
    """
    prototypes = _prototypes()
    folded = unicodedata.normalize("NFKC", text)
    return "".join(prototypes.get(ch, ch) for ch in folded)


def look_alike_characters(text: str) -> list[str]:
    """The characters of ``text`` that only look like ASCII ones (named), in order, without repeats."""
    prototypes = _prototypes()
    seen: dict[str, None] = {}
    for ch in text:
        if not ch.isascii() and (ch in prototypes or unicodedata.normalize("NFKC", ch) != ch):
            seen.setdefault(codepoint(ch))
    return list(seen)


def is_mixed_script(text: str) -> bool:
    """True when ``text`` mixes letters of more than one script (Latin with Cyrillic, say)."""
    return bool(confusables.is_mixed_script(text))


def confusable_problem(text: str) -> str | None:
    """Why ``text`` (an identifier such as an e-mail address) could impersonate another, or None.

    Refused: compatibility forms NFKC would change (ligatures, full-width letters), mixed
    scripts, and hidden characters.
    """
    found = hidden_characters(text, frozenset())
    if found:
        return f"it contains {describe_hidden(found)}"
    if unicodedata.normalize("NFKC", text) != unicodedata.normalize("NFC", text):
        odd = [codepoint(ch) for ch in text if unicodedata.normalize("NFKC", ch) != ch]
        return f"it contains a compatibility form ({', '.join(odd[:3])}) that looks like other letters"
    for part in re.split(r"[@.]", text):
        if is_mixed_script(part):
            return f"{part!r} mixes scripts ({', '.join(look_alike_characters(part)[:3]) or 'letters of two alphabets'})"
    return None


# --- showing data on a terminal -------------------------------------------------------------------


def terminal_safe(text: object, *, double_backslashes: bool = True) -> str:
    """``text`` with every hidden character escaped (``\\x1b``, ``\\u202e``, ``\\n``), backslashes
    doubled (so a literal "\\n" stays distinguishable; ``double_backslashes=False`` keeps them, for
    whole output lines whose quoted values are already escaped and whose paths may be Windows ones).

    Every command-line print of data goes through this: an escape sequence in a cell cannot
    recolour or clear the terminal, and a U+2028 in a label cannot forge an output line.
    """
    value = "" if text is None else str(text)
    if ("\\" not in value or not double_backslashes) and "\x00" not in value and not _HIDDEN_RE.search(value):
        return value
    out = []
    for ch in value:
        if ch == "\\" and double_backslashes:
            out.append("\\\\")
        elif is_hidden(ch):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def _escape(ch: str) -> str:
    special = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if ch in special:
        return special[ch]
    cp = ord(ch)
    return f"\\x{cp:02x}" if cp <= 0xFF else f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def echo(line: object, *, err: bool = False) -> None:
    """Print one line of command-line output that may hold data: every hidden character escaped
    (``terminal_safe``), so the line stays one line and cannot drive the terminal. Every command's
    output goes through here (``err`` for standard error)."""
    print(terminal_safe(line, double_backslashes=False), file=sys.stderr if err else sys.stdout)


def json_text(value: object) -> str:
    """``value`` as indented JSON (non-ASCII kept readable) with every hidden character written as a
    ``\\uXXXX`` escape: still the same JSON, but safe on a terminal and one record per line."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _HIDDEN_RE.sub(_json_escape, text)  # JSON's own structure is ASCII: every match is inside a string


def _json_escape(match: re.Match) -> str:
    ch = match.group(0)
    if ch == "\n":  # the indentation's own line breaks (inside strings json.dumps already wrote \n)
        return ch
    cp = ord(ch)
    if cp > 0xFFFF:
        cp -= 0x10000
        return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"
    return f"\\u{cp:04x}"
