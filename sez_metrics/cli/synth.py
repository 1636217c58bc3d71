"""``python -m sez_metrics synth``: publish a deterministic synthetic store (``sez_metrics.storage.synth``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sez_metrics.cli.exits import CommandFailed, ExitCode, Refused
from sez_metrics.core import settings
from sez_metrics.core.chars import echo
from sez_metrics.storage.synth import build_store


def run(args: argparse.Namespace) -> int:
    """``synth``: build a synthetic store; prints one line per version, the last is the latest id."""
    from sez_metrics.storage.publish import PublishRefused

    for name in ("zones", "versions", "milestones_per_zone"):
        if getattr(args, name) < 1:
            raise CommandFailed(f"error: --{name.replace('_', '-')} must be at least 1")
    if args.zones > 99_999:
        raise CommandFailed("error: --zones must be at most 99999 (ids are synth-00001 … synth-99999)")
    out = Path(args.out) if args.out else settings.data_dir()
    try:
        timings = build_store(out, zones=args.zones, versions=args.versions, milestones_per_zone=args.milestones_per_zone,
                              seed=args.seed, progress=print)
    except FileExistsError as exc:
        raise CommandFailed(f"error: {exc}") from exc
    except PublishRefused as exc:
        shown = exc.report.problems[:20] if exc.report is not None else []
        raise Refused(f"error: publish refused: {exc.reason}", details=[p.format_line() for p in shown]) from exc
    echo(f"{len(timings)} versions in {sum(timings):.1f} s into {out}", err=True)
    return ExitCode.OK
