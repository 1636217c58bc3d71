"""``python -m sez_metrics versions | verify | publish``: the commands over the versioned store."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from sez_metrics.cli.exits import CommandFailed, ExitCode, Refused
from sez_metrics.core import settings
from sez_metrics.core.chars import echo, json_text
from sez_metrics.storage.store import VERSION_FILES, StoreError, open_store


def run_versions(args: argparse.Namespace) -> int:
    """One line per version, oldest first, each beginning with its id (``--json``: the entries)."""
    store = open_store()
    try:
        versions = store.versions()
    except StoreError as exc:
        raise CommandFailed(f"error: {exc}", ExitCode.USAGE) from exc
    if args.json:
        print(json_text([v.to_entry() for v in versions]))
        return ExitCode.OK
    for v in versions:
        echo(f"{v.id}  as of {v.as_of}  published {v.published_at}  by {v.author}  {v.label}")
    return ExitCode.OK


def run_verify(args: argparse.Namespace) -> int:
    """Check every hash and the chain; one line per problem naming its file or entry; exit 1 if any."""
    store = open_store()
    try:
        problems = store.verify()
        count = len(store.versions()) if not problems else 0
    except StoreError as exc:
        raise CommandFailed(f"error: {exc}", ExitCode.PROBLEMS) from exc
    for p in problems:
        echo(p.format_line())
    if problems:
        raise CommandFailed(f"{len(problems)} integrity problem(s) in {store.location}", ExitCode.PROBLEMS)
    echo(f"ok: {count} version(s) intact in {store.location}")
    return ExitCode.OK


class _NoticePrinter(logging.Handler):
    """Shows publish's notices (what it tidied, durability warnings) as one stderr line each."""

    def emit(self, record: logging.LogRecord) -> None:
        echo(f"note: {record.getMessage()}", err=True)


def _publish_inputs(paths: list[str]) -> tuple[dict[str, bytes], dict[str, str]]:
    """The files named on the command line (a folder gives the dataset files it holds).

    Raises ``CommandFailed`` for a folder without dataset files or an unreadable file (exit 2) and
    ``Refused`` for a table given twice (exit 1).
    """
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    expanded: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = [path / n for n in VERSION_FILES if (path / n).is_file()]
            if not inside:
                raise CommandFailed(f"{raw}: error: the folder holds none of {', '.join(VERSION_FILES)}; name your files "
                                    f"exactly so, or give the files themselves (e.g. {raw.rstrip('/')}/*.csv)")
            expanded.extend(inside)
        else:
            expanded.append(path)
    for path in expanded:
        if path.name in files:
            raise Refused(f"refused: {path.name} given twice ({names[path.name]} and {path}); give each table once")
        try:
            with path.open("rb") as handle:  # read one byte past the limit so the validator can report it
                files[path.name] = handle.read(settings.MAX_CSV_BYTES + 1)
        except OSError as exc:
            raise CommandFailed(f"{path}: error: cannot read: {exc.strerror}; check the path (files: {', '.join(VERSION_FILES)})") from exc
        names[path.name] = str(path)
    return files, names


def _command(args: argparse.Namespace, *, based_on: str | None, allow_revert: bool = False) -> str:
    """The publish command line of ``args`` with another --based-on (what to run next)."""
    parts = [".venv/bin/python", "-m", "sez_metrics", "publish", "--author", args.author, "--note", args.note]
    if args.label:
        parts += ["--label", args.label]
    if args.as_of:
        parts += ["--as-of", args.as_of]
    if based_on:
        parts += ["--based-on", based_on]
    if allow_revert:
        parts.append("--allow-revert")
    return shlex.join([*parts, *args.files])


def _next_steps(exc, args: argparse.Namespace) -> list[str]:
    """What the steward should run after a refusal, as exact command lines."""
    if exc.kind == "conflict":
        return [
            f"next: to keep the published values, set those cells in your file to them (see versions/{exc.latest}/) and run "
            "the same command again:",
            f"  {_command(args, based_on=args.based_on)}",
            f"next: to publish your values instead, make your edits on the files of {exc.latest} and publish them on it:",
            f"  {_command(args, based_on=exc.latest)}",
        ]
    if exc.kind == "revert":
        steps = []
        if exc.derived_from and exc.derived_from != args.based_on:
            steps += [f"next: if your file was built from {exc.derived_from}, say so, and your changes are merged onto "
                      f"{exc.latest} without undoing anything:",
                      f"  {_command(args, based_on=exc.derived_from)}"]
        steps += ["next: if you do mean to undo those changes (the version's note will record it):",
                  f"  {_command(args, based_on=args.based_on, allow_revert=True)}"]
        return steps
    if exc.kind == "meanwhile":
        return [f"next: run the same command again: your changes since {args.based_on} are merged onto {exc.latest}"]
    return []


def run_publish(args: argparse.Namespace) -> int:
    """Show what would change, then publish; the last stdout line is the new id. Exit 1 when refused.

    ``--dry-run`` shows the change and the id it would get, and writes nothing.
    """
    from sez_metrics.core.change_summary import format_summary
    from sez_metrics.storage.folder_publish import log as publish_log
    from sez_metrics.storage.publish import PublishRefused, publish, publish_failure

    files, names = _publish_inputs(list(args.files))

    def show(preview) -> None:
        for problem in preview.warnings.sorted():
            echo(problem.format_line(with_fix=True))
        if preview.merged_onto:
            echo(f"Merging: your changes since {preview.based_on} applied on top of {preview.merged_onto}.")
        for line in format_summary(preview.diff):  # one echo per line: echo escapes a line break
            echo(line)
        for line in preview.reverts:
            echo(f"revert allowed: {line}")
        echo(f"{'would publish' if args.dry_run else 'publishing'} as {preview.new_id}")
        sys.stdout.flush()

    publish_log.addHandler(handler := _NoticePrinter(logging.INFO))
    publish_log.setLevel(logging.INFO)
    try:
        info = publish(open_store(), files, author=args.author, note=args.note, label=args.label,
                       as_of=args.as_of, based_on=args.based_on, names=names, allow_revert=args.allow_revert,
                       dry_run=args.dry_run, preview=show)
    except PublishRefused as exc:
        if exc.report is not None:
            for problem in exc.report.sorted():
                echo(problem.format_line(with_fix=True))
        raise Refused(f"refused: {exc.reason}", details=[*(f"  {line}" for line in exc.details), *_next_steps(exc, args)]) from exc
    except StoreError as exc:
        raise CommandFailed(f"error: {exc}", ExitCode.PROBLEMS) from exc
    except OSError as exc:  # a full, read-only or forbidden disk: publish has undone its own writes
        raise CommandFailed(f"error: {publish_failure(exc)}", ExitCode.PROBLEMS) from exc
    finally:
        publish_log.removeHandler(handler)
    if args.dry_run:
        echo(f"dry run: nothing was written; publishing would create {info.id}")
        return ExitCode.OK
    echo(f"published {info.id}: {info.label} (as of {info.as_of})")
    echo(info.id)
    return ExitCode.OK
