"""CLI commands over the versioned store: ``versions``, ``verify``, ``publish``."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sez_metrics import settings
from sez_metrics.chars import echo, json_text
from sez_metrics.report import Report
from sez_metrics.settings import data_dir
from sez_metrics.store import StoreError, VersionStore


def cli_versions(args: argparse.Namespace) -> int:
    """One line per version, oldest first, each beginning with its id (``--json``: the entries)."""
    store = VersionStore(data_dir())
    try:
        versions = store.versions()
    except StoreError as exc:
        echo(f"error: {exc}", err=True)
        return 2
    if args.json:
        print(json_text([v.to_entry() for v in versions]))
        return 0
    for v in versions:
        echo(f"{v.id}  as of {v.as_of}  published {v.published_at}  by {v.author}  {v.label}")
    return 0


def cli_verify(args: argparse.Namespace) -> int:
    """Check every hash and the chain; one line per problem naming its file or entry; exit 1 if any."""
    store = VersionStore(data_dir())
    try:
        problems = store.verify()
        count = len(store.versions()) if not problems else 0
    except StoreError as exc:
        echo(f"error: {exc}", err=True)
        return 1
    for p in problems:
        echo(p.format_line())
    if problems:
        echo(f"{len(problems)} integrity problem(s) in {store.root}", err=True)
        return 1
    echo(f"ok: {count} version(s) intact in {store.root}")
    return 0


class _NoticePrinter(logging.Handler):
    """Shows publish's notices (what it tidied, durability warnings) as one stderr line each."""

    def emit(self, record: logging.LogRecord) -> None:
        echo(f"note: {record.getMessage()}", err=True)


def cli_publish(args: argparse.Namespace) -> int:
    """Validate and publish; the last stdout line is the new id. Exit 1 when invalid or refused."""
    from sez_metrics.publish import PublishRefused, publish, publish_failure
    from sez_metrics.publish import log as publish_log

    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    for raw in args.files:
        path = Path(raw)
        if path.name in files:
            echo(f"refused: {path.name} given twice ({names[path.name]} and {raw})", err=True)
            return 1
        try:
            with path.open("rb") as handle:  # read one byte past the limit so the validator can report it
                files[path.name] = handle.read(settings.MAX_CSV_BYTES + 1)
        except OSError as exc:
            echo(f"{raw}: error: cannot read: {exc.strerror}", err=True)
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
                echo(problem.format_line())
        echo(f"refused: {exc.reason}", err=True)
        return 1
    except StoreError as exc:
        echo(f"error: {exc}", err=True)
        return 1
    except OSError as exc:  # a full, read-only or forbidden disk: publish has undone its own writes
        echo(f"error: {publish_failure(exc)}", err=True)
        return 1
    finally:
        publish_log.removeHandler(handler)
    for problem in warnings.sorted():
        echo(problem.format_line())
    echo(f"published {info.id}: {info.label} (as of {info.as_of})")
    echo(info.id)
    return 0
