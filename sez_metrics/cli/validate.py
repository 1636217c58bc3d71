"""``python -m sez_metrics validate``: check CSVs or version folders, one line per problem."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sez_metrics.cli.exits import CommandFailed, ExitCode
from sez_metrics.core import csvio, schema, settings
from sez_metrics.core.chars import echo
from sez_metrics.core.dataset import Dataset
from sez_metrics.core.report import Report
from sez_metrics.core.validate import reporting_date, validate_version
from sez_metrics.storage.store import StoreError, open_store


class UsageError(CommandFailed):
    """A path or option the command cannot work with (exit 2, one line)."""

    def __init__(self, message: str):
        super().__init__(f"error: {message}", ExitCode.USAGE)


@dataclass
class _Submission:
    """Files validated together as one version, with the paths to show and where zone_ids come from."""

    files: dict[str, bytes]
    names: dict[str, str]
    reference_zones: pd.DataFrame | None = None
    previous: Dataset | None = None


def _read_file(path: Path) -> bytes:
    """The file's bytes, at most one byte over the size limit (the reader refuses it then)."""
    try:
        with path.open("rb") as handle:
            return handle.read(settings.MAX_CSV_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _table_of(path: Path, table_option: str | None) -> schema.Table:
    named = schema.TABLE_BY_FILE.get(path.name)
    if named is not None and table_option is not None and named.name != table_option:
        raise UsageError(f"{path}: its name says table {named.name} but --table says {table_option}")
    if named is not None:
        return named
    if table_option is not None:
        return schema.TABLES[table_option]
    raise UsageError(f"{path}: cannot tell its table; name it zones.csv, status.csv or milestones.csv, or pass --table")


def _submissions(paths: list[str], table_option: str | None) -> list[_Submission]:
    """Group the command line: each folder is a version; loose CSVs together make one."""
    groups: list[_Submission] = []
    loose = _Submission({}, {})
    loose_dirs: list[Path] = []
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            present = [n for n in schema.TABLE_BY_FILE if (path / n).is_file()]
            if not present:
                raise UsageError(f"{arg}: the folder holds none of zones.csv, status.csv, milestones.csv; "
                                 "name your files exactly so, or give the files themselves")
            names = {n: str(path / n) for n in present}
            submission = _Submission({n: _read_file(path / n) for n in present}, names)
            if len(present) < len(schema.TABLE_BY_FILE):
                _carry_over(submission, arg)
            groups.append(submission)
        elif path.exists():
            table = _table_of(path, table_option)
            if table.file_name in loose.files:
                raise UsageError(f"{arg}: {loose.names[table.file_name]} is already the {table.name} table; validate one per run")
            loose.files[table.file_name] = _read_file(path)
            loose.names[table.file_name] = arg
            loose_dirs.append(path.parent)
        else:
            raise UsageError(f"{arg}: no such file or folder")
    if loose.files:
        _attach_published(loose, loose_dirs)
        groups.append(loose)
    return groups


def _carry_over(submission: _Submission, arg: str) -> None:
    """A folder with some of the files is an update: validate it as publish would, the other files
    carried over from the latest version (and compared with it)."""
    store = open_store()
    root = store.location
    missing = [n for n in schema.TABLE_BY_FILE if n not in submission.files]
    try:
        latest = store.load().dataset
        published, problems = store.read_version_files(latest.info)
    except (StoreError, OSError) as exc:
        raise UsageError(f"{arg}: {', '.join(missing)} missing, and there is no published version in {root} to carry "
                         f"them over from ({exc}); put all three files in the folder") from exc
    if problems:
        raise UsageError(f"{arg}: {', '.join(missing)} would be carried over from {latest.info.id}, which is damaged "
                         f"({problems[0].format_line()}); run verify")
    for name in missing:
        submission.files[name] = published[name]
        submission.names[name] = f"versions/{latest.info.id}/{name} (carried over)"  # as publish names it
    submission.previous = latest


def _attach_published(submission: _Submission, folders: list[Path]) -> None:
    """Loose files are an update of the latest published version: compare with it, and take
    zone_ids from a zones.csv beside the files, else from that version."""
    if "zones.csv" not in submission.files:
        for folder in dict.fromkeys(folders):
            beside = folder / "zones.csv"
            if beside.is_file():
                read = csvio.read_table(_read_file(beside), schema.ZONES)
                if read.frame is not None:
                    submission.reference_zones = read.frame
                    submission.names["zones.csv"] = str(beside)
                    break
    try:
        latest = open_store().load().dataset
    except (StoreError, OSError):
        return
    submission.previous = latest
    if "zones.csv" not in submission.files and submission.reference_zones is None:
        submission.reference_zones = latest.zones
        submission.names["zones.csv"] = f"zones.csv of version {latest.info.id} in {open_store().location}"


def run(args: argparse.Namespace) -> int:
    """``python -m sez_metrics validate PATH... [--table NAME] [--as-of DATE] [--json]``.

    One line per problem on stdout (sorted), a summary line on stderr. Exit 0 when there is no
    error (warnings allowed), 1 when there are errors, 2 when a file cannot be read or the
    command line is wrong.
    """
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")  # a cp1252 console must not crash on "≤"
    if args.as_of is not None and reporting_date(args.as_of, None)[1] is not None:
        raise UsageError(f"--as-of {args.as_of!r}: expected a date YYYY-MM-DD")
    submissions = _submissions(list(args.paths), args.table)
    report = Report()
    for submission in submissions:
        report.extend(
            validate_version(submission.files, as_of=args.as_of, previous=submission.previous,
                             reference_zones=submission.reference_zones, names=submission.names).problems
        )
    if args.json:
        print(report.to_json())
    else:
        for problem in report.sorted():
            echo(problem.format_line(with_fix=True))
    counts = report.counts()
    checked = sum(len(s.files) for s in submissions)
    verdict = "invalid" if counts["error"] else "valid"
    echo(f"{checked} file(s) checked: {counts['error']} error(s), {counts['warning']} warning(s) — {verdict}", err=True)
    return ExitCode.PROBLEMS if counts["error"] else ExitCode.OK
