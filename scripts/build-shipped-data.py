#!/usr/bin/env python3
"""Build the shipped dataset (data/manifest.json and data/versions/) from its source rounds.

The shipped rounds are a reconstruction, compiled in 2026 from dated public sources. Their source
files live in ``data/sources/``:

    data/sources/rounds.json            one entry per round: id, label, as_of, published_at, author, note
    data/sources/v0001/zones.csv        the round's three tables, exactly as they are published
    data/sources/v0001/status.csv
    data/sources/v0001/milestones.csv
    data/sources/per_figure.csv         per-figure confidence, source and colonization basis (see below)

Each round is published, oldest first, through the real publish path (``sez_metrics.storage.publish``:
validation, hashes, manifest chain) into a fresh folder, with the round's fixed ``published_at``
and author, so the same sources always give the same bytes and the same hashes. The fresh
``manifest.json`` and ``versions/`` then replace those in ``data/`` (README, basemap and sources
stay). Published versions are never edited: the shipped store is rebuilt as a whole, before anyone
has published on it. A store that holds stewards' versions is corrected by publishing a new version.

    .venv/bin/python scripts/build-shipped-data.py            # rebuild data/ from data/sources/ and the
                                                              # "Known gaps" list in data/README.md
    .venv/bin/python scripts/build-shipped-data.py --check    # exit 1 if data/ or that list is not what
                                                              # the sources build
    .venv/bin/python scripts/build-shipped-data.py --out DIR  # build into DIR (must not exist), leave data/ alone

``per_figure.csv`` (version, zone_id, figure, confidence, source, basis) says, figure by figure,
how sure each status figure is and where it comes from, and on which basis colonization is
measured (gross_area, saleable_area, plots). The build adds them to every status row as the
columns ``<figure>_confidence``, ``<figure>_source`` and ``colonization_basis`` (a blank cell means
"the row's own confidence/source"), and leaves colonization blank for zones at stage ``identified``
(no land: not applicable).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sez_metrics.core import schema  # noqa: E402
from sez_metrics.core.report import Report  # noqa: E402
from sez_metrics.storage.folder import VersionStore  # noqa: E402
from sez_metrics.storage.publish import PublishRefused, publish  # noqa: E402
from sez_metrics.storage.store import VERSION_FILES  # noqa: E402

DATA = REPO / "data"
SOURCES = DATA / "sources"
ROUNDS_FILE = SOURCES / "rounds.json"
PER_FIGURE_FILE = SOURCES / "per_figure.csv"

# The status figures that carry their own provenance, in column order.
PER_FIGURE_FIGURES = ("stage", "gas", "electricity", "colonization", "enterprises", "jobs", "investment")
PER_FIGURE_COLUMNS = ("version", "zone_id", "figure", "confidence", "source", "basis")
COLONIZATION_BASES = ("gross_area", "saleable_area", "plots")


def read_rounds(path: Path = ROUNDS_FILE) -> list[dict]:
    """The rounds, oldest first, each with id, label, as_of, published_at, author and note."""
    rounds = json.loads(path.read_text(encoding="utf-8"))["rounds"]
    for r in rounds:
        missing = {"id", "label", "as_of", "published_at", "author", "note"} - set(r)
        if missing:
            raise SystemExit(f"{path}: round {r.get('id', '?')} lacks {', '.join(sorted(missing))}")
    return rounds


def read_per_figure(path: Path = PER_FIGURE_FILE) -> list[dict]:
    """The per-figure provenance rows, checked: known figure, confidence code and basis."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != PER_FIGURE_COLUMNS:
            raise SystemExit(f"{path}: header must be {','.join(PER_FIGURE_COLUMNS)}")
        rows = list(reader)
    for line, row in enumerate(rows, start=2):
        if row["figure"] not in PER_FIGURE_FIGURES:
            raise SystemExit(f"{path}:{line}:figure: {row['figure']!r} is not one of {', '.join(PER_FIGURE_FIGURES)}")
        if row["confidence"] and row["confidence"] not in schema.CONFIDENCE.values:
            raise SystemExit(f"{path}:{line}:confidence: {row['confidence']!r} is not a confidence code")
        if row["basis"] and (row["figure"] != "colonization" or row["basis"] not in COLONIZATION_BASES):
            raise SystemExit(f"{path}:{line}:basis: a basis ({', '.join(COLONIZATION_BASES)}) belongs to colonization only")
    return rows


def apply_per_figure(status_csv: bytes, version: str, rows: list[dict]) -> bytes:
    """status.csv with the per-figure columns added from ``rows``."""
    table = list(csv.DictReader(io.StringIO(status_csv.decode("utf-8"))))
    fields = list(table[0].keys()) if table else []
    extra = [f"{f}_{k}" for f in PER_FIGURE_FIGURES for k in ("confidence", "source")] + ["colonization_basis"]
    mine = {(r["zone_id"], r["figure"]): r for r in rows if r["version"] == version}
    for row in table:
        for figure in PER_FIGURE_FIGURES:
            entry = mine.get((row["zone_id"], figure), {})
            row[f"{figure}_confidence"] = entry.get("confidence", "")
            row[f"{figure}_source"] = entry.get("source", "")
        row["colonization_basis"] = mine.get((row["zone_id"], "colonization"), {}).get("basis", "")
        if row["stage"] == "identified":  # no land: colonization is not applicable
            row["colonization_pct"] = ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields + extra, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return out.getvalue().encode("utf-8")


def round_files(round_id: str, per_figure: list[dict]) -> dict[str, bytes]:
    files = {name: (SOURCES / round_id / name).read_bytes() for name in sorted(VERSION_FILES)}
    files["status.csv"] = apply_per_figure(files["status.csv"], round_id, per_figure)
    return files


def build(out: Path) -> list[str]:
    """Publish every round into the new folder ``out``; returns the warnings shown, one line each."""
    rounds = read_rounds()
    per_figure = read_per_figure()
    out.mkdir(parents=True)
    shown: list[str] = []
    for r in rounds:
        warnings = Report()
        names = {name: f"data/sources/{r['id']}/{name}" for name in VERSION_FILES}
        try:
            info = publish(out, round_files(r["id"], per_figure), author=r["author"], note=r["note"], label=r["label"],
                           as_of=r["as_of"], names=names, now=datetime.fromisoformat(r["published_at"]),
                           warnings=warnings)
        except PublishRefused as exc:
            lines = [p.format_line() for p in exc.report.problems] if exc.report else []
            raise SystemExit("\n".join([*lines, f"round {r['id']}: {exc.reason}"])) from exc
        if info.id != r["id"]:
            raise SystemExit(f"round {r['id']} was published as {info.id}: rounds.json must list the rounds in order")
        shown += [p.format_line() for p in warnings.problems]
    (out / ".publish.lock").unlink(missing_ok=True)
    return shown


def same_store(built: Path, shipped: Path) -> list[str]:
    """What differs between two stores' manifest and version files (empty when identical)."""
    differences = []
    if (built / "manifest.json").read_bytes() != (shipped / "manifest.json").read_bytes():
        differences.append("manifest.json")
    for folder in sorted((built / "versions").iterdir()):
        for path in sorted(folder.iterdir()):
            other = shipped / "versions" / folder.name / path.name
            if not other.is_file() or other.read_bytes() != path.read_bytes():
                differences.append(f"versions/{folder.name}/{path.name}")
    extra = {p.name for p in (shipped / "versions").iterdir()} - {p.name for p in (built / "versions").iterdir()}
    differences += [f"versions/{name} (not built from the sources)" for name in sorted(extra)]
    return differences


def swap_in(built: Path, data: Path = DATA) -> None:
    """Replace data/manifest.json and data/versions/ with the built ones."""
    old_versions = data / "versions"
    if old_versions.exists():
        shutil.rmtree(old_versions)
    shutil.move(str(built / "versions"), str(old_versions))
    shutil.copyfile(built / "manifest.json", data / "manifest.json")


# The generated "Known gaps" list in data/README.md lies between these two lines.
GAPS_START = "<!-- known-gaps:start: generated by scripts/build-shipped-data.py from the latest version; do not edit -->"
GAPS_END = "<!-- known-gaps:end -->"
FLAGGED_SENTENCE = re.compile(r"(?:ESTIMATED|ILLUSTRATIVE)[^.]*(?:\.(?=\s|$)|$)")


def known_gaps(data: Path = DATA) -> str:
    """Every estimated or illustrative figure and date of the latest version, as README text: each
    flagged status row with what its note says is estimated (and, figure by figure, what
    per_figure.csv says), then each flagged milestone."""
    store = VersionStore(data)
    latest = store.latest()
    dataset = store.load(latest.id).dataset
    names = dict(zip(dataset.zones["zone_id"], dataset.zones["short_name"], strict=True))
    flagged = schema.FLAGGED_CONFIDENCE
    per_figure = [r for r in read_per_figure() if r["version"] == latest.id and r["confidence"] in flagged]
    lines = [f"{latest.id} (as of {latest.as_of}): status figures"]
    for _, row in dataset.status.iterrows():
        figures = [r for r in per_figure if r["zone_id"] == row["zone_id"]]
        if row["confidence"] not in flagged and not figures:
            continue
        said = " ".join(FLAGGED_SENTENCE.findall(row["note"] or "")) or "(the note does not say)"
        lines.append(f"- {names[row['zone_id']]} (row {row['confidence']}): {said}")
        lines += [f"    {r['figure']}: {r['confidence']}: {r['source']}" for r in figures]
    lines += ["", f"{latest.id}: milestone dates"]
    for _, m in dataset.milestones.iterrows():
        if m["confidence"] in flagged:
            where = names.get(m["zone_id"], "Programme") if m["zone_id"] else "Programme"
            done = pd.notna(m["done_date"])
            when = (m["done_date"] if done else m["due_date"]).date().isoformat()
            what = f"done {when}" if done else f"{m['status']}, due {when}"
            lines.append(f"- {where}: {m['title']} ({what}, {m['confidence']})")
    fence = "`" * 3
    body = "\n".join(line.replace(fence, "'" * 3) for line in lines)
    return f"{GAPS_START}\n{fence}text\n{body}\n{fence}\n{GAPS_END}"


def readme_with_gaps(readme: str, gaps: str) -> str:
    """The README text with its generated section replaced by ``gaps``."""
    start, end = readme.find(GAPS_START), readme.find(GAPS_END)
    if start < 0 or end < start:
        raise SystemExit(f"data/README.md lacks the lines {GAPS_START!r} … {GAPS_END!r}")
    return readme[:start] + gaps + readme[end + len(GAPS_END):]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="build in a temporary folder and compare with data/")
    parser.add_argument("--out", type=Path, help="build into this new folder and leave data/ alone")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sez-shipped-") as tmp:
        target = args.out if args.out else Path(tmp) / "data"
        warnings = build(target)
        for line in warnings:
            print(line)
        if args.check:
            differences = same_store(target, DATA)
            readme = (DATA / "README.md").read_text(encoding="utf-8")
            if readme_with_gaps(readme, known_gaps(target)) != readme:
                differences.append("README.md (its Known gaps section)")
            for d in differences:
                print(f"differs from the sources' build: data/{d}")
            print("ok: data/ is what data/sources/ builds" if not differences else
                  "data/ is not what data/sources/ builds: run scripts/build-shipped-data.py")
            return 1 if differences else 0
        if args.out:
            print(f"built {len(read_rounds())} version(s) in {args.out}")
            return 0
        swap_in(target)
        problems = VersionStore(DATA).verify()
        if problems:
            print("\n".join(str(p) for p in problems))
            return 1
        readme = DATA / "README.md"
        readme.write_text(readme_with_gaps(readme.read_text(encoding="utf-8"), known_gaps()), encoding="utf-8")
        print(f"rebuilt data/ from data/sources/: {len(read_rounds())} version(s)")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
