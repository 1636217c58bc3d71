"""How long the JCC briefing pack takes to build for a dataset (default: the shipped data).

    .venv/bin/python benchmarks/briefing_time.py [DATA_DIR] [--rounds N]

Prints the time of each step (load and verify, storyline, figures, image export cold and warm,
PDF and HTML rendering) and of the whole pack as the CLI makes it, with the output sizes. No
assertion: a measurement to compare across machines and changes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pypdf import PdfReader  # noqa: E402

from sez_metrics.render.briefing import html as pack_html  # noqa: E402
from sez_metrics.render.briefing import images as pack_images  # noqa: E402
from sez_metrics.render.briefing import pack as pack_files  # noqa: E402
from sez_metrics.render.briefing import pdf as pack_pdf  # noqa: E402
from sez_metrics.render.briefing import story as storyline  # noqa: E402
from sez_metrics.render.static_map import static_images  # noqa: E402


def _timed(label: str, results: dict[str, list[float]], func, *args, **kwargs):
    start = time.perf_counter()
    value = func(*args, **kwargs)
    results.setdefault(label, []).append(time.perf_counter() - start)
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(REPO / "data"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = Path(args.data_dir)
    steps: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    pages = 0
    for _ in range(args.rounds):
        inputs = _timed("load + verify all versions", steps, pack_files.load_pack_inputs, root)
        story = _timed("storyline", steps, storyline.build_briefing, inputs.dataset, inputs.compare, history=inputs.history)
        _timed("map figure", steps, pack_images.map_figure, story)
        _timed("timeline figure", steps, pack_images.timeline_figure, story)
        # Cold: the pack opens its own browser (what the CLI and a first download pay).
        images = _timed("images, cold (starts chromium; map + timeline, PNG + SVG)", steps, pack_images.render_images, story)
        # Warm: a browser already open (what later packs in one session pay).
        with static_images() as exporter:
            exporter.image(pack_images.map_figure(story), "png", width=50, height=50)
            _timed("images, browser already open", steps, pack_images.render_images, story)
        pdf = _timed("PDF render (fpdf2)", steps, pack_pdf.render_pdf, story, images)
        html = _timed("HTML render", steps, pack_html.render_html, story, images)
        sizes = {"pdf": len(pdf), "html": len(html.encode("utf-8"))}
        pages = len(PdfReader(BytesIO(pdf)).pages)
        with tempfile.TemporaryDirectory() as tmp:
            for fmt in ("pdf", "html"):
                _timed(f"whole pack, as the CLI makes it ({fmt})", steps, pack_files.write_briefing, root, Path(tmp) / f"pack.{fmt}")
    print(f"briefing pack for {root} — {inputs.dataset.info.id} ({len(story.zones)} zones, "
          f"{len(inputs.dataset.milestones)} milestones), compared with {story.compare.id if story.compare else 'nothing'}")
    print(f"{'step':48} {'median s':>9} {'min s':>7}   ({args.rounds} rounds)")
    for label, values in steps.items():
        print(f"{label:48} {statistics.median(values):9.2f} {min(values):7.2f}")
    print(f"PDF: {pages} pages, {sizes['pdf'] / 1024:.0f} KiB · HTML: {sizes['html'] / 1024:.0f} KiB (self-contained)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
