"""Data shown in markdown renders as its literal text; exported text cells never run as formulas."""

import pytest

from sez_metrics.text import md_escape, neutralise_formula


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
