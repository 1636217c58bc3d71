"""CLI commands over the versioned store: ``versions``, ``verify``, ``publish``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sez_metrics.settings import data_dir
from sez_metrics.store import StoreError, VersionStore


def cli_versions(args: argparse.Namespace) -> int:
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
    store = VersionStore(data_dir())
    try:
        problems = store.verify()
        count = len(store.versions())
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


def cli_publish(args: argparse.Namespace) -> int:
    from sez_metrics.publish import PublishRefused, publish

    files: dict[str, bytes] = {}
    for raw in args.files:
        path = Path(raw)
        try:
            files[path.name] = path.read_bytes()
        except OSError as exc:
            print(f"{raw}: error: cannot read: {exc.strerror}", file=sys.stderr)
            return 2
    try:
        info = publish(data_dir(), files, author=args.author, note=args.note, label=args.label,
                       as_of=args.as_of, based_on=args.based_on)
    except PublishRefused as exc:
        if exc.report is not None:
            for problem in exc.report.sorted():
                print(problem.format_line())
        print(f"refused: {exc.reason}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"published {info.id}: {info.label} (as of {info.as_of})")
    print(info.id)
    return 0
