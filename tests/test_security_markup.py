"""Hostile data through every surface: it is always shown as literal text, never as markup or a link.

One hostile store (the mini fixture with markup, javascript: links, markdown images, bare web and
e-mail addresses and spreadsheet formulas in names, notes, sources, titles, version labels and
notes) drives every page and every export: each page's markdown-rendered labels and bodies, its
HTML blocks, its Plotly figures and its deck.gl map (tooltip), the change summary, the briefing
pack (HTML and PDF) and the spreadsheet copies of the version download.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from support.pages import rendered_texts as markdown_texts
from support.pages import run_page, walk
from support.stores import MINI, build_store

from sez_metrics.core.change_summary import format_summary
from sez_metrics.core.diff import diff_versions
from sez_metrics.core.text import md_escape
from sez_metrics.render import export
from sez_metrics.render.briefing import html as pack_html
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import pdf as pack_pdf
from sez_metrics.render.briefing import story as storyline
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.store import entry_hash

NAME = "<script>alert('name')</script><img src=x onerror=alert(1)>"
SHORT = "![i](http://e.vil/x)"  # a markdown image that fits in 24 characters
DISTRICT = "https://evil.example/phish"
DEVELOPER = "www.evil.example or ops@evil.example"
SOURCE = "[click](javascript:alert(2)) ![px](https://evil.example/p.png) <a href=javascript:alert(2)>a</a>"
NOTE = '=HYPERLINK("https://evil.example","open")'
TITLE = '<a href="javascript:alert(4)">t</a> :red[big] $x^2$ <iframe src=//evil.example>'
LABEL = "[v](javascript:alert(5)) <b>x</b>"
VERSION_NOTE = "@SUM(1+1) <img src=x onerror=alert(6)> https://evil.example"
FORMULAS = {"note": NOTE, "developer": "+cmd|' /C calc'!A0", "district": "-2+3"}

# Markup that must never reach a markdown renderer unescaped: tags, links and images, bare
# addresses (GFM autolinks them), Streamlit colour directives and LaTeX.
UNESCAPED = [
    re.compile(r"(?<!\\)<\s*/?\s*(script|img|a|iframe|b)\b", re.I),
    re.compile(r"(?<!\\)!(?<!\\)\[(?:i|px)(?<!\\)\]"),
    re.compile(r"(?<!\\)\]\((?:javascript:|https?:)", re.I),
    re.compile(r"(?:https?://|www\.)evil\.example|@evil\.example|e\.vil/x"),
    re.compile(r"(?<!\\):red(?<!\\)\["),
    re.compile(r"(?<!\\)\$x"),
]
# The hostile values' own tags, unescaped (the app's own HTML has tags too, never these).
RAW_HTML = re.compile(r"<script>alert|<img src=x|<iframe src=|<a href=\"?javascript:|<b>x</b>", re.I)


def rewrite(path: Path, key: str, key_value: str, changes: dict[str, str]) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row[key] == key_value:
            row.update(changes)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def hostile_copy(tmp_path: Path, folder: str) -> Path:
    target = tmp_path / f"hostile_{folder}"
    shutil.copytree(MINI / folder, target)
    rewrite(target / "zones.csv", "zone_id", "rashakai",
            {"name": NAME, "short_name": SHORT, "district": FORMULAS["district"], "developer": FORMULAS["developer"]})
    rewrite(target / "zones.csv", "zone_id", "aiic", {"district": DISTRICT, "developer": DEVELOPER})
    rewrite(target / "status.csv", "zone_id", "rashakai", {"source": SOURCE, "note": NOTE})
    rewrite(target / "milestones.csv", "milestone_id", "rashakai-gas", {"title": TITLE, "source": SOURCE})
    return target


@pytest.fixture
def hostile_store(tmp_path, monkeypatch) -> Path:
    """Both mini versions with hostile values (v2 also changes them, so the change summary shows them)."""
    v1, v2 = hostile_copy(tmp_path, "v1"), hostile_copy(tmp_path, "v2")
    rewrite(v2 / "status.csv", "zone_id", "rashakai", {"note": NOTE + " " + TITLE})
    root = build_store(tmp_path / "store", [(v1, LABEL, "2021-09-15"), (v2, LABEL + " 2", "2022-10-15")])
    # hostile version notes too: rewrite the manifest and re-chain its entry hashes
    manifest = json.loads((root / "manifest.json").read_text())
    previous = None
    for entry in manifest["versions"]:
        entry["note"], entry["prev_hash"] = VERSION_NOTE, previous
        entry["entry_hash"] = previous = entry_hash(entry)
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2))
    assert not VersionStore(root).verify()
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


class TagCollector(HTMLParser):
    """Every tag of an HTML document with its attributes, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_no_markup(texts: list[str], where: str) -> None:
    for text in texts:
        for pattern in UNESCAPED:
            assert not pattern.search(text), f"{where}: unescaped {pattern.pattern!r} in {text!r}"


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


PAGES = [
    (None, {}), (None, {"present": "1"}), (None, {"present": "1", "slide": "2"}), ("map", {"zone": "rashakai"}),
    ("zone", {"zone": "rashakai"}), ("timeline", {"zone": "rashakai"}), ("changes", {"compare": "v0001"}), ("data", {}),
]


@pytest.mark.parametrize(("page", "params"), PAGES, ids=[f"{p or 'overview'}-{'-'.join(q.values())}" for p, q in PAGES])
def test_every_page_shows_hostile_values_as_literal_text(hostile_store, page, params):
    at = run_page(page, **params)

    assert not at.exception, [e.value for e in at.exception]
    assert_no_markup(markdown_texts(at), f"{page} markdown")
    # st.table renders every cell as markdown: each table shows its cells through a Styler whose
    # display values are escaped (widgets.wrapped_table), never the raw data.
    for table in at.table:
        assert table.proto.arrow_data.styler.display_values, f"{page}: a table shows its raw data as markdown"
        shown = convert_arrow_bytes_to_pandas_df(table.proto.arrow_data.styler.display_values)
        assert_no_markup([str(v) for v in shown.to_numpy().ravel()], f"{page} table")
    html_blocks = [node.proto.body for node in walk(at._tree) if getattr(node, "type", None) == "html"]
    for body in html_blocks:
        assert not RAW_HTML.search(body), f"{page}: raw markup in st.html: {RAW_HTML.search(body).group(0)!r}"
    for chart in at.get("plotly_chart"):
        for text in strings_in(json.loads(chart.proto.spec)):
            assert not RAW_HTML.search(text), f"{page}: Plotly would render {text!r}"
    for deck in at.get("deck_gl_json_chart"):
        spec = json.loads(deck.proto.json)
        tooltip = json.loads(deck.proto.tooltip) if deck.proto.tooltip else spec.get("tooltip") or {}
        assert "html" not in tooltip, "the map tooltip must be a plain-text template"
        names = [s for s in strings_in(spec) if "alert('name')" in s]
        # data, passed verbatim as text (a dense map's one tooltip field starts with the name)
        assert names and all(s == NAME or s.split("\n", 1)[0] == NAME for s in names if "<script>" in s)


def test_the_hostile_name_is_shown_not_dropped(hostile_store):
    at = run_page("zone", zone="rashakai")

    shown = " ".join(markdown_texts(at)).replace("\\", "").replace("\u2060", "")
    assert NAME in shown


def test_change_summary_is_plain_text_of_the_values(hostile_store):
    store = VersionStore(hostile_store)
    lines = format_summary(diff_versions(store.load("v0001").dataset, store.load("v0002").dataset))

    assert any(TITLE in line for line in lines), lines  # literal, for the CLI; pages escape it (tested above)


@pytest.fixture
def pack(hostile_store):
    inputs = pack_files.load_pack_inputs(hostile_store)
    return storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history)


def test_briefing_html_escapes_every_value(pack):
    page = pack_html.render_html(pack)

    assert not RAW_HTML.search(page), RAW_HTML.search(page).group(0)
    assert "&lt;script&gt;" in page  # shown, as text
    parser = TagCollector()
    parser.feed(page)
    assert not {"script", "iframe", "object", "embed"} & {tag for tag, _ in parser.tags}
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src"):
                assert not re.match(r"\s*(javascript:|https?:|//)", value or "", re.I), (tag, name, value)


def test_briefing_pdf_prints_values_as_text_without_links(pack):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pack_pdf.render_pdf(pack)))

    text = "".join(page.extract_text() for page in reader.pages)
    assert "onerror=alert(1)" in text.replace("\n", "")
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert not str(action.get("/URI", "")).lower().startswith(("javascript", "https://evil")), action
            assert action.get("/S") != "/JavaScript"


def test_every_spreadsheet_copy_in_the_version_download_neutralises_formulas(hostile_store):
    archive = zipfile.ZipFile(io.BytesIO(export.version_zip(VersionStore(hostile_store), "v0002")))

    copies = [n for n in archive.namelist() if n.endswith(".csv") and n != "manifest.csv"]
    def cells(kind: str) -> list[str]:
        return [c for name in copies if f"/{kind}/" in name
                for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))) for c in row]

    for cell in cells("for-spreadsheets"):
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        if cell.startswith("-"):
            float(cell)  # only a negative number may start with a minus
    assert any(c.startswith("'" + NOTE) for c in cells("for-spreadsheets"))
    assert any(c.startswith(NOTE) for c in cells("original"))  # the published bytes stay exact beside the copy


@pytest.mark.parametrize("value", [NAME, SHORT, DISTRICT, DEVELOPER, SOURCE, TITLE, LABEL, VERSION_NOTE])
def test_the_checks_catch_each_hostile_value_unless_escaped(value):
    # so that a clean page above means escaped, not unnoticed
    with pytest.raises(AssertionError):
        assert_no_markup([f"**Zone:** {value}"], "check")
    assert_no_markup([f"**Zone:** {md_escape(value)}"], "check")


# A crafted link to the dashboard puts its own text into the "no such version" banner.
CRAFTED = ["[Sign in again](https://evil.example/login)", "<img src=x onerror=alert(7)>", "![i](javascript:alert(8))"]


@pytest.mark.parametrize("value", CRAFTED)
@pytest.mark.parametrize("parameter", ["version", "compare"])
def test_crafted_url_parameters_are_shown_as_literal_text(hostile_store, parameter, value):
    at = run_page("changes", **{parameter: value})

    assert not at.exception, [e.value for e in at.exception]
    assert_no_markup(markdown_texts(at), f"?{parameter}=")


def test_the_fallback_banner_escapes_the_version_label(hostile_store):
    status = hostile_store / "versions" / "v0002" / "status.csv"
    status.write_bytes(status.read_bytes() + b"\n")  # damaged: v0001 (hostile label) is shown instead

    at = run_page()

    assert not at.exception
    banners = [w.value for w in at.warning]
    assert any("v0001" in b for b in banners), banners
    assert_no_markup(banners, "fallback banner")


@pytest.mark.parametrize("value", CRAFTED)
@pytest.mark.parametrize("parameter", ["version", "compare", "zones"])
def test_crafted_presenter_parameters_are_shown_as_literal_text(hostile_store, parameter, value):
    at = run_page(None, present="1", **{parameter: value})

    assert not at.exception, [e.value for e in at.exception]
    toasts = [t.proto.body for t in at.get("toast")]
    assert_no_markup(markdown_texts(at) + toasts, f"presenter ?{parameter}=")


EVERY_PARAMETER = ["zone", "measure", "programme", "to", "slide", "compare", "version"]


@pytest.mark.parametrize("page", ["map", "zone", "timeline", "changes", "data", None], ids=lambda p: p or "overview")
def test_every_page_shows_crafted_parameters_as_literal_text(hostile_store, page):
    for value in CRAFTED:
        at = run_page(page, **dict.fromkeys(EVERY_PARAMETER, value))

        assert not at.exception, (value, [e.value for e in at.exception])
        assert_no_markup(markdown_texts(at) + [t.proto.body for t in at.get("toast")], f"{page} with {value!r}")
