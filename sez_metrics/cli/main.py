"""``python -m sez_metrics <command>``: the steward's and the operator's command line.

Every command works on the store ``SEZ_STORE`` names (a folder or a ``postgresql://`` URL; unset:
``SEZ_DATA_DIR``, else ``data/``). Each command's work lives in its own module; this file only parses arguments, dispatches, and
guarantees that no traceback ever reaches a user (exit 2 with a one-line message instead).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from sez_metrics.cli.exits import CommandFailed, ExitCode


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors, which is our contract too
        from sez_metrics.core.chars import echo

        self.print_usage(sys.stderr)
        echo(f"{self.prog}: error: {message}", err=True)  # the message may quote an argument
        raise SystemExit(ExitCode.USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m sez_metrics", description="SEZ progress dashboard: dataset tools.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("validate", help="check CSVs or a version folder; one line per problem")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="a CSV file (zones.csv, status.csv, milestones.csv) or a folder holding some or all of them "
                        "(the others are carried over from the latest version, as publish does)")
    p.add_argument("--table", choices=["zones", "status", "milestones"], help="the table of a CSV whose file name does not say it")
    p.add_argument("--as-of", dest="as_of", metavar="DATE", help="reporting date of the version (default: latest as_of in status.csv)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("versions", help="list published versions, oldest first")
    p.add_argument("--json", action="store_true", help="print JSON")

    sub.add_parser("verify", help="check every file hash and the manifest chain")

    p = sub.add_parser("publish", help="validate and publish a new version")
    p.add_argument("files", nargs="+", metavar="FILE", help="one or more of zones.csv, status.csv, milestones.csv, or a folder holding them")
    p.add_argument("--author", required=True)
    p.add_argument("--note", required=True, help="what changed and why")
    p.add_argument("--label", default="", help='e.g. "Update before JCC-14"')
    p.add_argument("--as-of", dest="as_of", metavar="DATE", help="reporting date (default: the newest as_of in status.csv)")
    p.add_argument("--based-on", dest="based_on", metavar="ID",
                   help="the version your files were built from; when it is older than the latest, your changes since "
                        "it are merged onto the latest (conflicting cells refuse the publish)")
    p.add_argument("--dry-run", dest="dry_run", action="store_true", help="show what would change and the new id; write nothing")
    p.add_argument("--allow-revert", dest="allow_revert", action="store_true",
                   help="publish even if it sets back values a later version changed (the version's note records it)")

    p = sub.add_parser("copy", help="copy every version with its manifest chain from one store to another (folder or postgresql:// URL)")
    p.add_argument("source", metavar="SRC", help="the store to copy from: a folder or a postgresql:// URL")
    p.add_argument("destination", metavar="DST", help="the store to copy into (created when new); copying again adds only what it lacks")

    p = sub.add_parser("diff", help="what changed between two versions")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("briefing", help="write the JCC briefing pack (PDF or self-contained HTML) for one version")
    p.add_argument("--version", metavar="ID", help="the version to brief on (default: the latest)")
    p.add_argument("--compare", metavar="ID", help="show changes since this version (default: the one before)")
    p.add_argument("--to", choices=["asof", "today"], default="asof",
                   help="count overdue and days late to the version's as-of date (default) or to today")
    from sez_metrics.core.i18n import LANGUAGES, SOURCE_LANGUAGE

    p.add_argument("--lang", choices=list(LANGUAGES), default=SOURCE_LANGUAGE,
                   help="the language of the pack: en (English, default), zh (Simplified Chinese) or ur (Urdu)")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.pdf or FILE.html")

    p = sub.add_parser("add-steward", help="create or update a steward account (argon2 hash in the secrets file)")
    p.add_argument("name", metavar="NAME", help="the steward's sign-in name (kept private)")
    p.add_argument("--display-name", dest="display_name", metavar="FULL NAME",
                   help='shown as the author of the versions they publish, e.g. "Ayesha Khan" (required for a new steward)')
    p.add_argument("--password-stdin", dest="password_stdin", action="store_true",
                   help="read the password from the first line of standard input (never put it on the command line)")
    p.add_argument("--secrets", metavar="PATH", help="secrets file to update (default: .streamlit/secrets.toml in the repository)")

    p = sub.add_parser("synth", help="publish a deterministic synthetic store (for tests and benchmarks at scale)")
    p.add_argument("--zones", type=int, default=5000, metavar="N", help="number of zones (default 5000)")
    p.add_argument("--versions", type=int, default=40, metavar="V", help="number of versions (default 40)")
    p.add_argument("--milestones-per-zone", dest="milestones_per_zone", type=int, default=10, metavar="M",
                   help="milestones per zone (default 10)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed: same seed, same bytes (default 1)")
    p.add_argument("--out", required=True, metavar="DIR", help="an empty or new folder to publish into")
    return parser


# Each command's module; its ``run(args)`` returns the exit code or raises ``CommandFailed``.
COMMANDS: dict[str, str] = {
    "validate": "sez_metrics.cli.validate",
    "versions": "sez_metrics.cli.store",
    "verify": "sez_metrics.cli.store",
    "publish": "sez_metrics.cli.store",
    "copy": "sez_metrics.cli.copy",
    "diff": "sez_metrics.cli.diff",
    "synth": "sez_metrics.cli.synth",
}


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    """The function that runs ``command`` (its module is imported only when it runs: some are heavy)."""
    if command == "briefing":
        from sez_metrics.cli.briefing import cli_briefing

        return cli_briefing
    if command == "add-steward":
        from sez_metrics.steward.secrets_file import cli_add_steward

        return cli_add_steward
    module = importlib.import_module(COMMANDS[command])
    return getattr(module, f"run_{command}", None) or module.run


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _handler(args.command)(args)
    except CommandFailed as exc:
        from sez_metrics.core.chars import echo

        for line in exc.lines:
            echo(line, err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitCode.USAGE
    except BrokenPipeError:
        # The reader (e.g. `| head`) closed the pipe: stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.PROBLEMS
    except Exception as exc:  # the last line of defence: a message, never a traceback
        from sez_metrics.core.chars import echo

        echo(f"error: {type(exc).__name__}: {exc}", err=True)
        return ExitCode.USAGE
