"""``python -m sez_metrics diff OLD NEW``: what changed between two versions, grouped by zone."""

from __future__ import annotations

import argparse

from sez_metrics.cli.exits import CommandFailed, ExitCode
from sez_metrics.core.change_summary import format_summary
from sez_metrics.core.chars import echo, json_text
from sez_metrics.core.diff import diff_versions
from sez_metrics.storage.store import StoreError, open_store


def run(args: argparse.Namespace) -> int:
    """``diff OLD NEW``: the summary grouped by zone (``--json``: everything). Exit 2 on an unknown id."""
    store = open_store()
    try:
        ids = [v.id for v in store.versions()]
    except StoreError as exc:
        raise CommandFailed(f"error: {exc}", ExitCode.USAGE) from exc
    for version_id in (args.old, args.new):
        if version_id not in ids:
            raise CommandFailed(f"error: no version {version_id!r}; valid ids: {', '.join(ids) or 'none'}", ExitCode.USAGE)
    try:
        result = diff_versions(store.load(args.old).exact(args.old), store.load(args.new).exact(args.new))
    except StoreError as exc:
        raise CommandFailed(f"error: {exc}", ExitCode.PROBLEMS) from exc
    if args.json:
        print(json_text(result.to_dict()))
    else:
        for line in format_summary(result):
            echo(line)
    return ExitCode.OK
