#!/usr/bin/env python3
"""Offline check of pinned Python packages against a snapshot of the PyPA Advisory Database.

Examples:
    python audit.py requirements.txt
    python audit.py --installed            # the environment of the python running this script
    python audit.py requirements.txt --ignore audit-ignore.txt

Exit status: 0 no known vulnerabilities, 1 at least one finding, 2 usage or input error.

Only the Python standard library is needed. If `packaging` is importable it is used to compare
versions; otherwise a built-in PEP 440 comparison is used. Rebuilding the snapshot
(--build-db) also needs PyYAML when the source holds YAML files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import math
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = Path(__file__).resolve().parent / "pypa-advisories.json.gz"
DB_FORMAT = 1
SUMMARY_CHARS = 200
STALE_AFTER_DAYS = 90
RANGE_TYPES = ("ECOSYSTEM", "SEMVER")

# ---------------------------------------------------------------------------------------------
# Names and versions
# ---------------------------------------------------------------------------------------------


def normalize_name(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


_PEP440 = re.compile(
    r"""^\s*v?
    (?:(?P<epoch>\d+)!)?
    (?P<release>\d+(?:\.\d+)*)
    (?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>\d+)?)?
    (?:-(?P<post_n1>\d+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>\d+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>\d+)?)?
    (?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}


def _fallback_key(text: str):
    """Sort key for a PEP 440 version (local label ignored); None if not PEP 440."""
    m = _PEP440.match(text)
    if not m:
        return None
    release = [int(p) for p in m["release"].split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    post = m["post_n1"] or ((m["post_n2"] or "0") if m["post_l"] else None)
    dev = (m["dev_n"] or "0") if m["dev_l"] else None
    if m["pre_l"]:
        pre = (_PRE_RANK[m["pre_l"].lower()], int(m["pre_n"] or 0))
    elif dev is not None and post is None:
        pre = (-1, 0)  # 1.0.dev1 sorts before 1.0a1
    else:
        pre = (3, 0)  # a final release sorts after its pre-releases
    return (
        int(m["epoch"] or 0),
        tuple(release),
        pre,
        -1 if post is None else int(post),
        math.inf if dev is None else int(dev),
    )


try:
    from packaging.version import InvalidVersion, Version

    def parse_version(text: str):
        """Comparable public version (local label dropped), or None if not PEP 440."""
        try:
            return Version(Version(text).public)
        except InvalidVersion:
            return None

except ImportError:  # stdlib-only environment
    parse_version = _fallback_key


# ---------------------------------------------------------------------------------------------
# Advisory matching
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory_id: str
    aliases: tuple[str, ...]
    fixed_in: str | None
    summary: str

    def line(self) -> str:
        aliases = f" ({', '.join(self.aliases)})" if self.aliases else ""
        fix = f"fixed in {self.fixed_in}" if self.fixed_in else "no fix recorded"
        return f"{self.package} {self.version} {self.advisory_id}{aliases} {fix}: {self.summary}"


def _parsed_events(events: list[dict]):
    """[(kind, parsed_version_or_None_for_0)], or None if any boundary is not PEP 440."""
    parsed = []
    for event in events:
        for kind, value in event.items():
            if kind == "introduced" and value == "0":
                parsed.append((kind, None))
                continue
            version = parse_version(value)
            if version is None:
                return None
            parsed.append((kind, version))
    return parsed


def _in_range(version, events) -> bool:
    """OSV range evaluation: walk events in version order, toggling 'vulnerable'."""
    limits = [v for kind, v in events if kind == "limit"]
    if limits and not any(version < limit for limit in limits):
        return False
    vulnerable = False
    ordered = sorted(events, key=lambda e: (e[1] is not None, e[1] if e[1] is not None else 0))
    for kind, boundary in ordered:
        if kind == "introduced" and (boundary is None or version >= boundary):
            vulnerable = True
        elif (kind == "fixed" and version >= boundary) or (
            kind == "last_affected" and version > boundary
        ):
            vulnerable = False
    return vulnerable


def affected_by(version_text: str, advisory: dict) -> tuple[bool, str | None]:
    """Is this version affected, and which release fixes it (smallest fix above it)?

    As the OSV schema says, a version is affected if it is listed in `versions` OR lies in one of
    the `ranges`: the `versions` list was enumerated when the advisory was written, so releases
    made later inside an unfixed range appear only in the ranges.
    """
    version = parse_version(version_text)
    listed = version_text in advisory["versions"] or (
        version is not None and any(parse_version(v) == version for v in advisory["versions"])
    )
    ranges = [evs for evs in (_parsed_events(r) for r in advisory["ranges"]) if evs is not None]
    in_range = version is not None and any(_in_range(version, evs) for evs in ranges)
    if not (listed or in_range):
        return False, None
    fixes = [b for evs in ranges for kind, b in evs if kind == "fixed"]
    later_fixes = [b for b in fixes if version is None or b > version]
    fixed_in = None
    if later_fixes:
        best = min(later_fixes)
        fixed_in = next(e["fixed"] for r in advisory["ranges"] for e in r
                        if "fixed" in e and parse_version(e["fixed"]) == best)
    return True, fixed_in


def check(pins: dict[tuple[str, str], str], db: dict) -> list[Finding]:
    """Findings for {(normalised name, version): display name}, withdrawn advisories skipped."""
    findings = []
    for (name, version), display in sorted(pins.items()):
        for advisory in db["packages"].get(name, []):
            if advisory["withdrawn"]:
                continue
            hit, fixed_in = affected_by(version, advisory)
            if hit:
                findings.append(Finding(display, version, advisory["id"],
                                        tuple(advisory["aliases"]), fixed_in, advisory["summary"]))
    return findings


# ---------------------------------------------------------------------------------------------
# Inputs: requirements files, installed distributions, ignore file
# ---------------------------------------------------------------------------------------------

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_REQUIREMENT = re.compile(rf"^(?P<name>{_NAME})\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;]*?)\s*(?:;.*)?$")
_PIN = re.compile(r"^===?\s*(?P<version>[^\s,*]+)$")
_INCLUDE = re.compile(r"^(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(?P<path>\S+)$")


def _logical_lines(path: Path):
    """(line number, text) with continuations joined and comments removed, as pip reads them."""
    buffer, start = "", 0
    for number, raw in enumerate([*path.read_text(encoding="utf-8-sig").splitlines(), ""], 1):
        if not buffer:
            start = number
        if raw.endswith("\\"):
            buffer += raw[:-1] + " "
            continue
        line = re.sub(r"(^|\s)#.*$", "", buffer + raw).strip()
        buffer = ""
        if line:
            yield start, line


def read_requirements(path: Path, pins: dict, warnings: list[str], seen: set | None = None) -> None:
    """Add exact pins from a requirements file (following -r/-c); warn about anything unchecked."""
    seen = set() if seen is None else seen
    path = path.resolve()
    if path in seen:
        return
    seen.add(path)
    for number, line in _logical_lines(path):
        where = f"{path.name}:{number}"
        include = _INCLUDE.match(line)
        if include:
            read_requirements(path.parent / include["path"], pins, warnings, seen)
            continue
        if line.startswith(("-e", "--editable")):
            warnings.append(f"{where}: '{line}' is an editable install, not checked")
            continue
        if line.startswith("-"):
            continue  # pip options such as --index-url or --hash lines carry no requirement
        line = re.split(r"\s--?[a-z]", line, maxsplit=1)[0]  # per-line options, e.g. --hash
        m = _REQUIREMENT.match(line)
        pin = _PIN.match(m["spec"]) if m and "@" not in m["spec"] else None
        if not pin:
            warnings.append(f"{where}: '{line}' not pinned, not checked")
            continue
        pins.setdefault((normalize_name(m["name"]), pin["version"]), m["name"])


def read_installed(pins: dict) -> None:
    """Add every distribution visible to this interpreter."""
    from importlib.metadata import distributions

    for dist in distributions():
        name = dist.metadata["Name"]
        if name and dist.version:
            pins.setdefault((normalize_name(name), dist.version), name)


def read_ignore(path: Path, warnings: list[str]) -> dict[str, str]:
    """{advisory id or alias: reason} from lines 'ID  # reason'."""
    ignored = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        entry, _, reason = raw.partition("#")
        entry, reason = entry.strip(), reason.strip()
        if not entry:
            continue
        if not reason:
            warnings.append(f"{path.name}:{number}: ignoring {entry} without a '# reason'")
        ignored[entry.upper()] = reason or "no reason given"
    return ignored


# ---------------------------------------------------------------------------------------------
# Snapshot file: load and build
# ---------------------------------------------------------------------------------------------


def load_db(path: Path) -> dict:
    """Read a snapshot written by write_db."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        db = json.load(handle)
    if not isinstance(db, dict) or "packages" not in db:
        raise ValueError(f"{path} is not an advisory snapshot")
    return db


def _osv_records(source: Path):
    """Yield OSV records from a directory of .yaml/.yml/.json files or a .zip of .json files."""
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as archive:
            for member in archive.namelist():
                if member.endswith(".json"):
                    yield json.loads(archive.read(member))
        return
    for path in sorted(source.rglob("*")):
        if path.suffix == ".json":
            yield json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in (".yaml", ".yml"):
            import yaml  # only needed to rebuild from the YAML advisory database

            # BaseLoader keeps every scalar a string, so '1.10' never becomes the float 1.1.
            record = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 (BaseLoader builds no objects)
            if isinstance(record, dict) and "id" in record:
                yield record


def build_db(source: Path, meta: dict) -> dict:
    """Compact snapshot: {normalised package: [advisory]} from OSV records for PyPI."""
    packages: dict[str, dict[str, dict]] = {}
    for record in _osv_records(source):
        text = " ".join((record.get("summary") or record.get("details") or "").split())
        for affected in record.get("affected") or []:
            package = affected.get("package") or {}
            if package.get("ecosystem") != "PyPI":
                continue
            name = normalize_name(package["name"])
            entry = packages.setdefault(name, {}).setdefault(record["id"], {
                "id": record["id"],
                "aliases": list(record.get("aliases") or []),
                "summary": text[:SUMMARY_CHARS],
                "versions": [],
                "ranges": [],
                "withdrawn": bool(record.get("withdrawn")),
            })
            entry["versions"] += [str(v) for v in affected.get("versions") or []]
            entry["ranges"] += [[{k: str(v) for k, v in e.items()} for e in r["events"]]
                                for r in affected.get("ranges") or []
                                if r.get("type") in RANGE_TYPES]
    return {
        **meta,
        "format": DB_FORMAT,
        "packages": {name: [advisories[i] for i in sorted(advisories, key=_natural)]
                     for name, advisories in sorted(packages.items())},
    }


def _natural(text: str) -> list:
    """Sort key putting PYSEC-2021-7 before PYSEC-2021-109."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _git_meta(source: Path) -> tuple[str, str]:
    """(commit, commit date) of a git checkout, or empty strings."""
    try:
        out = subprocess.run(["git", "-C", str(source), "log", "-1", "--format=%H %cI"],
                             capture_output=True, text=True, check=True).stdout.split()
        return out[0], out[1]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "", ""


def write_db(db: dict, out: Path) -> None:
    """Write the snapshot as compact gzipped JSON, replacing `out` only once complete."""
    data = json.dumps(db, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    tmp = out.with_suffix(out.suffix + ".tmp")
    # No file name and no time stamp in the gzip header, so a rebuild of the same data is identical.
    with open(tmp, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as gz:
        gz.write(data)
    os.replace(tmp, out)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Report known vulnerabilities in pinned Python packages, offline, "
                    "from a snapshot of the PyPA Advisory Database.",
        epilog="Exit status: 0 none found, 1 vulnerabilities found, 2 usage or input error. "
               "Environment markers are not evaluated: every pin is checked.")
    p.add_argument("requirements", nargs="*", type=Path,
                   help="pip requirements file(s); only exact pins (==) are checked")
    p.add_argument("--installed", action="store_true",
                   help="check the distributions installed for the python running this script")
    p.add_argument("--ignore", type=Path, metavar="FILE",
                   help="advisory ids (or aliases) to ignore, one per line: 'ID  # reason'")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, metavar="FILE",
                   help=f"advisory snapshot (default: {DEFAULT_DB.name} next to this script)")
    build = p.add_argument_group("rebuilding the snapshot")
    build.add_argument("--build-db", type=Path, metavar="SOURCE",
                       help="write --db from an advisory-database checkout (vulns/**/*.yaml) "
                            "or a directory/.zip of OSV .json files, then exit")
    build.add_argument("--source", default="pypa/advisory-database", help="recorded source name")
    build.add_argument("--commit", help="recorded source commit (default: read with git)")
    build.add_argument("--commit-date", help="recorded source commit date (default: read with git)")
    build.add_argument("--license", default="CC-BY-4.0 (PyPA Advisory Database contributors)",
                       help="recorded licence of the source data")
    return p


def _days_old(date_text: str) -> int | None:
    try:
        when = dt.datetime.fromisoformat(date_text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return (dt.datetime.now(dt.UTC) - when).days


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)

    if args.build_db:
        if not args.build_db.exists():
            parser.error(f"{args.build_db} does not exist")
        commit, date = _git_meta(args.build_db)
        meta = {"source": args.source, "commit": args.commit or commit,
                "commit_date": args.commit_date or date,
                "license": args.license}
        db = build_db(args.build_db, meta)
        write_db(db, args.db)
        count = sum(len(v) for v in db["packages"].values())
        print(f"wrote {args.db}: {count} advisories for {len(db['packages'])} packages")
        return 0

    if not args.requirements and not args.installed:
        parser.error("give a requirements file and/or --installed")
    for path in [*args.requirements, args.ignore]:
        if path is not None and not path.is_file():
            parser.error(f"{path} is not a file")
    try:
        db = load_db(args.db)
    except (OSError, EOFError, ValueError) as exc:
        parser.error(f"cannot read advisory snapshot: {exc}")

    warnings: list[str] = []
    pins: dict[tuple[str, str], str] = {}
    try:
        for path in args.requirements:
            read_requirements(path, pins, warnings)
        ignored = read_ignore(args.ignore, warnings) if args.ignore else {}
    except (OSError, UnicodeDecodeError) as exc:
        parser.error(str(exc))
    if args.installed:
        read_installed(pins)

    findings, used = [], set()
    for finding in check(pins, db):
        keys = {finding.advisory_id.upper(), *(a.upper() for a in finding.aliases)} & ignored.keys()
        if keys:
            used |= keys
            reason = ignored[sorted(keys)[0]]
            print(f"ignored: {finding.package} {finding.version} {finding.advisory_id}: {reason}",
                  file=sys.stderr)
        else:
            findings.append(finding)
    warnings += [f"ignore entry {key} matched nothing (stale exception?)"
                 for key in sorted(ignored.keys() - used)]

    date = db.get("commit_date", "")[:10] or "unknown date"
    age = _days_old(db.get("commit_date", ""))
    if age is not None and age > STALE_AFTER_DAYS:
        warnings.append(f"advisory snapshot is {age} days old ({date}); newer advisories are not "
                        "covered, refresh it (see README.md)")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for finding in findings:
        print(finding.line())
    packages = len({name for name, _ in pins})
    print(f"{len(findings)} known vulnerabilities in {packages} packages checked "
          f"(advisory snapshot {date})")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
