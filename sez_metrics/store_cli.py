"""CLI commands over the versioned store: ``versions``, ``verify``, ``publish``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from sez_metrics import settings
from sez_metrics.report import Report
from sez_metrics.settings import data_dir
from sez_metrics.store import StoreError, VersionStore


def cli_versions(args: argparse.Namespace) -> int:
    """One line per version, oldest first, each beginning with its id (``--json``: the entries)."""
    store = VersionStore(data_dir())
    try:
        versions = store.versions()
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([v.to_entry() for v in versions], indent=2, ensure_ascii=False))
        return 0
    for v in versions:
        print(f"{v.id}  as of {v.as_of}  published {v.published_at}  by {v.author}  {v.label}")
    return 0


def cli_verify(args: argparse.Namespace) -> int:
    """Check every hash and the chain; one line per problem naming its file or entry; exit 1 if any."""
    store = VersionStore(data_dir())
    try:
        problems = store.verify()
        count = len(store.versions()) if not problems else 0
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for p in problems:
        print(p.format_line())
    if problems:
        print(f"{len(problems)} integrity problem(s) in {store.root}", file=sys.stderr)
        return 1
    print(f"ok: {count} version(s) intact in {store.root}")
    return 0


class _NoticePrinter(logging.Handler):
    """Shows publish's notices (what it tidied, durability warnings) as one stderr line each."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"note: {record.getMessage()}", file=sys.stderr)


def cli_publish(args: argparse.Namespace) -> int:
    """Validate and publish; the last stdout line is the new id. Exit 1 when invalid or refused."""
    from sez_metrics.publish import PublishRefused, publish, publish_failure
    from sez_metrics.publish import log as publish_log

    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    for raw in args.files:
        path = Path(raw)
        if path.name in files:
            print(f"refused: {path.name} given twice ({names[path.name]} and {raw})", file=sys.stderr)
            return 1
        try:
            with path.open("rb") as handle:  # read one byte past the limit so the validator can report it
                files[path.name] = handle.read(settings.MAX_CSV_BYTES + 1)
        except OSError as exc:
            print(f"{raw}: error: cannot read: {exc.strerror}", file=sys.stderr)
            return 2
        names[path.name] = raw
    publish_log.addHandler(handler := _NoticePrinter(logging.INFO))
    publish_log.setLevel(logging.INFO)
    warnings = Report()
    try:
        info = publish(data_dir(), files, author=args.author, note=args.note, label=args.label,
                       as_of=args.as_of, based_on=args.based_on, names=names, warnings=warnings)
    except PublishRefused as exc:
        if exc.report is not None:
            for problem in exc.report.sorted():
                print(problem.format_line())
        print(f"refused: {exc.reason}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full, read-only or forbidden disk: publish has undone its own writes
        print(f"error: {publish_failure(exc)}", file=sys.stderr)
        return 1
    finally:
        publish_log.removeHandler(handler)
    for problem in warnings.sorted():
        print(problem.format_line())
    print(f"published {info.id}: {info.label} (as of {info.as_of})")
    print(info.id)
    return 0
