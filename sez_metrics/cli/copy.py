"""``python -m sez_metrics copy SRC DST``: every version of one store into another (``sez_metrics.storage.store_copy``)."""

from __future__ import annotations

import argparse

from sez_metrics.cli.exits import CommandFailed, ExitCode, Refused
from sez_metrics.core.chars import echo
from sez_metrics.storage.store import Store, StoreError, StoreUnavailable, open_store
from sez_metrics.storage.store_copy import CopyRefused, copy_store


def _holds(destination: Store) -> str:
    """What the destination holds after a refusal (a folder keeps each version copied before it)."""
    try:
        count = len(destination.read_manifest_entries()) if destination.has_manifest() else 0
    except StoreError:
        return ""
    return f"; {destination.location} holds {count} version(s)"


def run(args: argparse.Namespace) -> int:
    """Copy, printing each version copied and a last line saying what the destination holds."""
    from sez_metrics.storage.publish import PublishRefused

    source, destination = open_store(args.source), open_store(args.destination)
    if source.location == destination.location:
        raise CommandFailed(f"error: {source.location} is both the source and the destination")
    try:
        copied, total = copy_store(source, destination, say=echo)
    except (CopyRefused, PublishRefused) as exc:
        raise Refused(f"refused: {exc}{_holds(destination)}") from exc
    except StoreUnavailable as exc:
        raise CommandFailed(f"error: {exc}; nothing more was copied") from exc
    except StoreError as exc:
        raise CommandFailed(f"error: {exc}") from exc
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise CommandFailed(f"error: the destination could not be written: {exc.strerror or exc}{where}") from exc
    if copied:
        echo(f"ok: copied {len(copied)} version(s); {destination.location} holds {total} version(s), verified")
    else:
        echo(f"ok: nothing to copy; {destination.location} holds all {total} version(s) of {source.location}")
    return ExitCode.OK
