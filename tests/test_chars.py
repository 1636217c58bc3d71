"""Deceptive characters: which are hidden, how they are named, look-alike skeletons, terminal escaping."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from sez_metrics.core import chars


def test_hidden_ranges_are_every_control_format_and_separator_character_but_the_visible_ones():
    expected = {cp for cp in range(1, 0x110000) if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp")}
    expected -= {ord(c) for c in chars.VISIBLE_FORMAT}
    listed = {cp for a, b in chars.HIDDEN_RANGES for cp in range(a, b + 1)}
    assert listed == expected


@pytest.mark.parametrize("ch, name", [
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\x1b", "U+001B ESCAPE"),
    ("\u2028", "U+2028 LINE SEPARATOR"),
    ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("\x9b", "U+009B CONTROL SEQUENCE INTRODUCER"),
])
def test_codepoints_are_named(ch, name):
    assert chars.codepoint(ch) == name


@pytest.mark.parametrize("text, hidden", [
    ("Rashakai \u202eZES evil", [(10, "\u202e")]),
    ("Rashakai\u200bSEZ", [(9, "\u200b")]),
    ("a\u2066b\u2069", [(2, "\u2066"), (4, "\u2069")]),
    ("\x1b[2Jcleared", [(1, "\x1b")]),
    ("label\u2028versions", [(6, "\u2028")]),
    ("x\u200ey\u200fz\u061c", [(2, "\u200e"), (4, "\u200f"), (6, "\u061c")]),
    ("soft\u00adhyphen", [(5, "\u00ad")]),
    ("Rashakai\u200dSEZ", [(9, "\u200d")]),  # a joiner between ASCII letters does nothing visible
    ("نوشہ\u200cرہ", []),  # a zero-width non-joiner inside an Urdu word is spelling
    ("👩\u200d🔧", []),  # an emoji sequence
    ("line one\nline two\ttab", []),  # line breaks and tabs are allowed in cells
    ("Allama Iqbal Industrial City", []),
])
def test_hidden_characters_in_cells(text, hidden):
    assert chars.hidden_characters(text) == hidden


def test_the_vectorised_class_finds_what_the_character_check_finds():
    values = pd.Series(["plain", "a\u202eb", "x\x1by", "نوشہ\u200cرہ", "t\u2029", "ok\u00a0space"], dtype="str")
    assert values.str.contains(chars.HIDDEN_CLASS, regex=True).tolist() == [False, True, True, True, True, False]


def test_skeleton_matches_look_alikes_and_keeps_ascii_apart():
    assert chars.skeleton("R\u0430shakai SEZ") == chars.skeleton("Rashakai SEZ")  # Cyrillic а
    assert chars.skeleton("\u0392ostan") == "Bostan"  # Greek capital beta
    assert chars.skeleton("\ufb01eld") == "field"  # ligature
    assert chars.skeleton("Mirpur") != chars.skeleton("MIrpur"), "two ASCII spellings are different names"
    assert chars.look_alike_characters("R\u0430shakai") == ["U+0430 CYRILLIC SMALL LETTER A"]
    assert chars.is_mixed_script("R\u0430shakai") and not chars.is_mixed_script("Rashakai SEZ 2")


@pytest.mark.parametrize("text, shown", [
    ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    ("label\u2028v0009  forged", "label\\u2028v0009  forged"),
    ("a\\b", "a\\\\b"),
    ("tab\tand\nline", "tab\\tand\\nline"),
    ("nul\x00", "nul\\x00"),
    ("Rashakai \u202eZES", "Rashakai \\u202eZES"),
    ("رشکئی", "رشکئی"),
])
def test_terminal_safe_escapes_every_hidden_character(text, shown):
    assert chars.terminal_safe(text) == shown
    assert chars.terminal_safe(text).isprintable()


@pytest.mark.parametrize("value, multiline, problem", [
    ("Update before JCC-15", False, None),
    ("label\u2028v0009", False, "must be one line: it contains U+2028 LINE SEPARATOR at character 6"),
    ("label\nsecond", False, "must be one line"),
    ("note\nsecond line", True, None),
    ("note\u2029para", True, "U+2029 PARAGRAPH SEPARATOR"),
    ("by \u202eevil", False, "U+202E RIGHT-TO-LEFT OVERRIDE at character 4, an invisible or control character"),
    ("x\u200by", True, "U+200B ZERO WIDTH SPACE"),
])
def test_text_field_problem(value, multiline, problem):
    found = chars.text_field_problem(value, "label", multiline=multiline)
    assert (found is None) if problem is None else (problem in found)


def test_echo_prints_one_inert_line_and_keeps_windows_paths(capsys):
    chars.echo("C:\\Users\\ayesha\\zones.csv:2:name: \x1b[2Jx\u2028y")
    chars.echo("to stderr \u202e", err=True)
    out, err = capsys.readouterr()
    assert out == "C:\\Users\\ayesha\\zones.csv:2:name: \\x1b[2Jx\\u2028y\n"
    assert err == "to stderr \\u202e\n"


def test_json_text_is_the_same_json_with_hidden_characters_escaped():
    import json

    value = {"label": "a\u2028b\u202e\x9b\U000e0041", "n": [1, "\x1b"]}
    text = chars.json_text(value)
    assert json.loads(text) == value
    assert not any(chars.is_hidden(ch) for ch in text if ch != "\n")
