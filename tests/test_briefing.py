"""The JCC briefing pack: storyline, PDF (read back with pypdf), self-contained HTML, and the CLI.

Images are rendered for real (kaleido + Debian chromium), once per module: the PDF and the HTML
of the mini store share one storyline and one set of images.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from support.stores import MINI, build_mini_store, build_store

from sez_metrics.render.briefing import html as pack_html
from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import pdf as pack_pdf
from sez_metrics.render.briefing import story as storyline
from sez_metrics.render.static_map import static_images
from sez_metrics.storage.folder import VersionStore

REPO = Path(__file__).parents[1]
GENERATED = date(2026, 1, 15)
HOSTILE_NAME = '<script>alert("pwned")</script> & <img src="https://evil.example/x.png"> Zone'
# Urdu (no shaping, but it must print), Chinese (not in DejaVu: "□"), and a formula-like prefix.
UNICODE_SHORT = "راشکئی 拉沙凯"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def one_browser():
    """One kaleido browser for every pack of this module (as one pack uses one for all its images)."""
    with static_images():
        yield


@pytest.fixture(scope="module")
def mini_root(tmp_path_factory) -> Path:
    return build_mini_store(tmp_path_factory.mktemp("briefing") / "store")


@pytest.fixture(scope="module")
def mini_pack(mini_root):
    """Storyline, images (PNG and SVG), PDF bytes and HTML text of the mini store's latest version."""
    inputs = pack_files.load_pack_inputs(mini_root)
    story = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history, generated_on=GENERATED)
    images = pack_images.render_images(story, ("png", "svg"), ("map", "timeline", "map_page", "timeline_pages"))
    return story, images, pack_pdf.render_pdf(story, images), pack_html.render_html(story, images)


def _rewrite_zones(folder: Path, changes: dict[str, dict[str, str]]) -> None:
    path = folder / "zones.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row.update(changes.get(row["zone_id"], {}))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory) -> Path:
    """The mini store with a zone whose name is markup and whose short name is Urdu and Chinese."""
    base = tmp_path_factory.mktemp("hostile")
    rounds = []
    for name, label, as_of in (("v1", "Before JCC-10", "2021-09-15"), ("v2", "Before <JCC-11>", "2022-10-15")):
        folder = base / name
        shutil.copytree(MINI / name, folder)
        _rewrite_zones(folder, {"rashakai": {"name": HOSTILE_NAME, "short_name": UNICODE_SHORT}})
        rounds.append((folder, label, as_of))
    return build_store(base / "store", rounds)


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


class _ResourceRefs(HTMLParser):
    """Every attribute value that could make a browser fetch something, and every CSS url(...)."""

    FETCHING = {"src", "href", "srcset", "poster", "data", "action", "background", "xlink:href", "formaction"}

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in self.FETCHING and value is not None:
                self.refs.append(value)
            if name == "style" and value:
                self.refs += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.refs += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)
            self.refs += re.findall(r"@import\s+['\"]?([^'\";]+)", data)


def resource_refs(html_text: str) -> _ResourceRefs:
    parser = _ResourceRefs()
    parser.feed(html_text)
    return parser


# --- storyline ----------------------------------------------------------------------------------


def test_zones_come_priority_first_then_in_file_order(mini_root):
    dataset = VersionStore(mini_root).load().dataset
    assert storyline.zone_order(dataset) == ["rashakai", "aiic", "mirpur"]
    # A presenter's own choice and order wins; unknown and repeated ids are dropped.
    assert storyline.zone_order(dataset, ["mirpur", "nowhere", "rashakai", "mirpur"]) == ["mirpur", "rashakai"]


def test_storyline_carries_capacities_slippage_and_changes(mini_pack):
    story = mini_pack[0]
    rashakai = story.zones[0]
    facts = {f.label: f.value for f in rashakai.status}
    assert facts["Electricity"] == "◕ Interim supply · 50 of 160 MW (◐ Reported)"  # with the figure's own confidence
    assert facts["Confidence"] == "◐ Reported"
    assert "stage Under development → Partly operational" in rashakai.changes
    aiic = next(z for z in story.zones if z.zone_id == "aiic")
    grid = next(m for m in aiic.milestones if m.milestone_id == "aiic-grid500")
    # Its committed date moved from 2025-01-31 (v1) to 2025-06-30 (v2).
    assert grid.rescheduled == "+150 days since Before JCC-10"
    assert aiic.flagged and not rashakai.flagged
    # The 11th JCC (due 2022-10-27) is not overdue as of 2022-10-15: slippage is measured to the version's date.
    assert story.overdue == []
    assert [s.zone for s in story.sources[:3]] == ["Rashakai", "AIIC Faisalabad", "Mirpur"]


def test_first_version_has_nothing_to_compare_with(mini_root):
    inputs = pack_files.load_pack_inputs(mini_root, "v0001")
    assert inputs.compare is None
    story = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history, generated_on=GENERATED)
    assert story.changes is None
    assert story.compare_text == "No earlier version to compare with."
    assert "No earlier version to compare with." in pack_html.render_html(story)


def test_compare_with_a_chosen_version(mini_root):
    inputs = pack_files.load_pack_inputs(mini_root, "v0001", "v0002")
    assert (inputs.dataset.info.id, inputs.compare.info.id) == ("v0001", "v0002")
    with pytest.raises(storyline.BriefingError, match="no version 'v0042'"):
        pack_files.load_pack_inputs(mini_root, "v0042")


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_has_one_page_per_section_and_zone(mini_pack):
    story, _, pdf, _ = mini_pack
    pages = pdf_text(pdf)
    # cover, overview, map (across the page), the zones' stage and location, 3 zones, timeline, changes, appendix
    assert len(pages) == 10
    assert "CPEC Special Economic Zones — progress" in pages[0] and "Before JCC-11 (v0002)" in pages[0]
    assert "Data as of 2022-10-15" in pages[0] and "Generated on 2026-01-15" in pages[0]
    assert "Zone Stage Location" in pages[3]
    for zone, page in zip(story.zones, pages[4:7], strict=True):
        assert zone.name in page
    assert "Rashakai Special Economic Zone, Nowshera" in pages[4] and "50 of 160 MW" in pages[4]
    for number, page in enumerate(pages[1:], start=2):
        assert "version Before JCC-11 (v0002)" in page, f"page {number} lacks the as-of stamp"
        assert f"page {number} of 10" in page
    assert "Changes since Before JCC-10" in pages[8]
    assert "Appendix: sources and confidence" in pages[9] and "cpecinfo 2022-04-27" in pages[9]


def test_pdf_holds_the_map_and_the_timeline_images(mini_pack):
    _, images, pdf, _ = mini_pack
    assert images.problems == []
    reader = PdfReader(io.BytesIO(pdf))
    map_page, timeline_page = reader.pages[2], reader.pages[7]
    assert "Where the zones are" in map_page.extract_text()
    assert "Programme timeline" in timeline_page.extract_text()
    for page in (map_page, timeline_page):
        pictures = list(page.images)
        assert len(pictures) == 1
        assert pictures[0].image.width >= 1000  # rendered at twice the figure size, sharp in print


def test_pdf_survives_markup_urdu_and_chinese(hostile_root):
    data, story, _ = pack_files.make_pack(pack_files.load_pack_inputs(hostile_root), "pdf", generated_on=GENERATED)
    text = "\n".join(pdf_text(data))
    assert "<script>alert(" in text  # printed literally: a PDF has no markup to inject into
    assert "Before <JCC-11>" in text
    assert "拉沙凯" not in text and "□□□" in text  # no CJK glyph in DejaVu Sans: a visible box, no crash
    assert story.zones[0].short_name == UNICODE_SHORT


def test_missing_glyphs_become_boxes_and_controls_spaces():
    assert pack_pdf.pdf_safe("Gwadar 瓜达尔\x07 ✓ ①") == "Gwadar □□□  ✓ ①"
    assert pack_pdf.pdf_safe("⏱ Done late") == "◷ Done late"


def test_pack_without_images_says_why(mini_pack):
    story = mini_pack[0]
    missing = pack_images.BriefingImages(problems=["images unavailable (chromium/kaleido): no browser"])
    text = "\n".join(pdf_text(pack_pdf.render_pdf(story, missing)))
    assert "[Map of the zones not available: images unavailable (chromium/kaleido): no browser]" in text
    assert "Map of the zones not available" in pack_html.render_html(story, missing)


# --- HTML ---------------------------------------------------------------------------------------


def test_html_is_self_contained(mini_pack):
    _, _, _, page = mini_pack
    found = resource_refs(page)
    assert "script" not in found.tags and "link" not in found.tags and "iframe" not in found.tags
    assert len([r for r in found.refs if r.startswith("data:image/svg+xml;base64,")]) == 2  # map and timeline
    assert all(r.startswith("data:") for r in found.refs), [r[:60] for r in found.refs if not r.startswith("data:")]
    assert not re.search(r"(src|href)\s*=\s*['\"]?\s*(https?:)?//", page, flags=re.IGNORECASE)


def test_html_holds_every_section_and_zone(mini_pack):
    story, _, _, page = mini_pack
    for section in ("overview", "map", "timeline", "changes", "sources"):
        assert f'id="{section}"' in page
    for zone in story.zones:
        assert f'id="zone-{zone.zone_id}"' in page
    assert page.count(story.stamp) >= len(story.zones) + 5  # the as-of stamp heads every section


def test_html_escapes_hostile_zone_names(hostile_root):
    data, _, _ = pack_files.make_pack(pack_files.load_pack_inputs(hostile_root), "html", generated_on=GENERATED)
    page = data.decode("utf-8")
    assert "<script>alert" not in page and "<img src=\"https://evil" not in page
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;img" in page
    assert "Before &lt;JCC-11&gt;" in page
    assert UNICODE_SHORT in page  # HTML keeps every script as it is
    found = resource_refs(page)
    assert "script" not in found.tags
    assert all(r.startswith("data:") for r in found.refs)


# --- command line -------------------------------------------------------------------------------


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SEZ_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "sez_metrics", "briefing", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_cli_writes_the_pack(mini_root, tmp_path):
    out = tmp_path / "pack.html"
    result = run_cli(mini_root, "--version", "v0002", "--compare", "v0001", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {out} (v0002, 3 zones)"
    assert "Changes since Before JCC-10 (v0001" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--version", "v0009", "--out", "{tmp}/p.pdf"], "error: no version 'v0009'; valid ids: v0001, v0002"),
        (["--compare", "nope", "--out", "{tmp}/p.pdf"], "error: no version 'nope'"),
        (["--out", "{tmp}/p.docx"], "error: {tmp}/p.docx: the output must end in .pdf or .html"),
        (["--out", "{tmp}/missing/p.pdf"], "error: {tmp}/missing: no such folder"),
    ],
)
def test_cli_refuses_bad_usage_with_one_line(mini_root, tmp_path, args, message):
    result = run_cli(mini_root, *[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 2
    assert result.stderr.strip().startswith(message.format(tmp=tmp_path))
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_a_damaged_version(tmp_path):
    root = build_mini_store(tmp_path / "store")
    status = root / "versions" / "v0001" / "status.csv"
    status.write_bytes(status.read_bytes().replace(b"rashakai", b"rashakay", 1))
    result = run_cli(root, "--version", "v0002", "--out", str(tmp_path / "p.pdf"))
    assert result.returncode == 1
    assert "version v0001 is damaged" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "p.pdf").exists()
