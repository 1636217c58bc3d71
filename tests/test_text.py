"""Data shown in markdown renders as its literal text; exported text cells never run as formulas."""

import pytest

from sez_metrics.core.text import md_escape, neutralise_formula


@pytest.mark.parametrize(
    "hostile",
    ["[x](javascript:alert(1))", "![img](http://e.vil/x.png)", "<img src=x onerror=alert(1)>", ":red[alarm]", "$x^2$", "**bold**"],
)
def test_markdown_syntax_is_escaped(hostile):
    escaped = md_escape(hostile)
    assert all(ch not in escaped.replace("\\" + ch, "") for ch in "[]()<>*$:!" if ch in hostile)


@pytest.mark.parametrize("address", ["https://dawn.com/news/1", "HTTP://x.org", "www.dawn.com", "desk@boi.gov.pk", "ftp://a.b"])
def test_bare_addresses_cannot_autolink(address):
    escaped = md_escape(address)
    for pattern in ("https\\:", "http\\:", "HTTP\\:", "ftp\\:", "www\\.", "@b", "@d"):
        assert pattern not in escaped
    assert escaped.replace("\u2060", "").replace("\\", "") == address


def test_newlines_do_not_start_new_blocks():
    assert "\n" not in md_escape("line one\n# heading")


@pytest.mark.parametrize(("value", "expected"), [("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("-x", "'-x"), ("\tx", "'\tx"), ("-5", "-5"), ("+3.2", "+3.2"), ("plain", "plain"), (7, 7)])
def test_formula_cells_are_neutralised_numbers_are_not(value, expected):
    assert neutralise_formula(value) == expected


def test_md_escape_keeps_one_line_one_line_whatever_the_separator():
    from sez_metrics.core.text import md_escape

    assert md_escape("a\u2028b\u2029c\nd") == "a b c d"


def test_md_echo_shortens_and_escapes_link_values():
    from sez_metrics.core.text import MAX_ECHO_CHARS, echo_text, md_echo, md_escape

    assert echo_text("v0099") == "v0099"
    long = echo_text("\u202e" + "A" * 1000)
    assert long.startswith("\\u202eAAA") and long.endswith("…") and len(long) == MAX_ECHO_CHARS
    assert md_echo("[x](javascript:alert(1))") == md_escape("[x](javascript:alert(1))")
