"""``briefing [--version ID] [--compare ID] [--to asof|today] [--lang en|zh|ur] --out FILE``: write the JCC briefing pack.

``--lang`` sets the language of everything the pack says (default: English); the command's own
messages stay English.

Exit codes (``ExitCode``): ``OK`` when the pack is written (pictures left out are warnings),
``PROBLEMS`` when the pinned or compared version is damaged, ``USAGE`` for an unknown version, a file
name that is not .pdf/.html/.htm, a missing folder or a missing font.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sez_metrics.cli.exits import ExitCode
from sez_metrics.core import i18n, vocabulary
from sez_metrics.core.chars import echo
from sez_metrics.core.settings import store_location
from sez_metrics.render.briefing.pack import pack_format, write_briefing
from sez_metrics.render.briefing.story import BriefingError


def cli_briefing(args: argparse.Namespace) -> int:
    """Write the pack for ``args.version`` (default: the latest) to ``args.out``; one line on success."""
    out = Path(args.out)
    try:
        pack_format(out)
        if not out.parent.is_dir():
            raise BriefingError(f"{out.parent}: no such folder")
        briefing, images = write_briefing(store_location(), out, args.version, args.compare, getattr(args, "to", vocabulary.AS_OF),
                                          lang=getattr(args, "lang", None) or i18n.SOURCE_LANGUAGE)
    except BriefingError as exc:
        echo(f"error: {exc}", err=True)
        return ExitCode.PROBLEMS if exc.damaged else ExitCode.USAGE
    for problem in images.problems:
        echo(f"warning: {problem}", err=True)
    echo(f"wrote {out} ({briefing.info.id}, {len(briefing.zones)} zones)")
    return ExitCode.OK
