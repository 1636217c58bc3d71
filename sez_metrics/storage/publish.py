"""Publishing a new immutable version: validate, write durably, append to the manifest under a lock.

On a folder store everything happens under an inter-process lock (``.publish.lock`` in the data
folder: an OS lock, released by the kernel when its holder dies, so a killed publish never leaves
the store locked; steps 1, 2, 4 and 5 are ``sez_metrics.storage.folder_publish``); a database
store does steps 2 to 5 in one transaction instead (``sez_metrics.storage.pgstore``). This module
checks the request and builds the version (step 3), the same for both stores:

1. Tidy what an interrupted publish left: temp folders and manifest temp files are removed (they
   were never visible); a version folder whose pending record shows that its publish died
   between the folder rename and the manifest write is moved, with its record, to
   ``versions/.orphaned-<id>-<time>`` — kept, never deleted — and its id becomes free again.
2. Refuse to build on a damaged store: an unreadable manifest, a broken hash chain, a damaged
   latest version, or a version folder that neither the manifest nor a pending record explains
   (its entry was probably deleted: a person must restore the manifest, not a program guess).
3. Build the version: with a ``based_on`` older than the latest, the steward's changes since it
   merged onto the latest (``merge.three_way``; conflicting cells refuse). Refuse content equal to
   the latest, a version with validation errors, and (unless allowed) one that would set back a
   value a version after the one the files derive from changed (``merge.find_reverts``). What is
   about to be written is shown (``preview``) before anything is; a dry run stops there.
4. Write the pending record (the new entry), then the three files into ``versions/.tmp-<id>-*``
   (each fsynced, then the folder), rename that folder to ``versions/<id>``, fsync ``versions/``.
5. Replace ``manifest.json`` atomically (temp file, fsync, ``os.replace``, fsync of the data
   folder). That rename is the moment the version exists; the pending record is removed after.

A failure before step 5's rename undoes everything, so every reader sees the store as before; a
crash at any point leaves at most what step 1 of the next publish tidies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sez_metrics.core import chars, merge, schema
from sez_metrics.core.dataset import Dataset, VersionInfo, dataset_from_files
from sez_metrics.core.diff import VersionDiff, diff_versions, empty_dataset
from sez_metrics.core.report import Report
from sez_metrics.core.stored_csv import parse_csv_bytes
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.store import (
    VERSION_FILES,
    VERSION_ID_PATTERN,
    VERSIONS_DIR,
    StoreError,
    entry_hash,
    info_from_entry,
    open_store,
    sha256_bytes,
)

# Metadata limits: author and label are shown on one line in lists, pickers and slides.
MAX_AUTHOR_CHARS = 80
MAX_LABEL_CHARS = 120
MAX_NOTE_CHARS = 2000
# An allowed revert is recorded in the version's note, cell by cell, up to this many cells.
MAX_RECORDED_REVERTS = 20


class PublishRefused(Exception):
    """Nothing was written; ``reason`` says why (and ``report`` holds validation problems)."""

    def __init__(self, reason: str, report: Report | None = None, *, kind: str = "", details: list[str] | None = None,
                 derived_from: str | None = None, latest: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.report = report
        # What a caller needs to say what to do next: ``kind`` is "conflict", "revert", "meanwhile",
        # "identical" or "" (any other); ``details`` one line per conflicting or reverted cell;
        # ``derived_from`` the version the file matches best; ``latest`` the latest version's id.
        self.kind = kind
        self.details = list(details or [])
        self.derived_from = derived_from
        self.latest = latest


def refuse_a_broken_chain(store, entries: list[dict]) -> None:
    """``PublishRefused`` when the manifest's hash chain is broken: nothing is built on a damaged
    history (both stores check it under their lock, before anything is written)."""
    broken = [p for problems in store.chain_problems(entries).values() for p in problems]
    if broken:
        raise PublishRefused(f"the manifest is damaged ({broken[0].format_line()}); run verify and repair it before publishing")


@dataclass
class Preview:
    """What a publish is about to write: the change against the latest version and the new id.

    ``merged_onto`` is set when the steward's changes since ``based_on`` were merged onto the latest;
    ``reverts`` lists the cells an allowed revert sets back.
    """

    new_id: str
    diff: VersionDiff
    merged_onto: str | None = None
    based_on: str | None = None
    reverts: list[str] = field(default_factory=list)
    warnings: Report = field(default_factory=Report)
    derived_from: str | None = None  # the version the files match best, when it is not the latest


def publish_failure(exc: OSError) -> str:
    """What to tell a steward when the disk refused a publish (publish has undone its own writes)."""
    where = f" ({exc.filename})" if exc.filename else ""
    reason = exc.strerror or str(exc)
    return f"the store could not be written: {reason}{where}; nothing was published and every earlier version is unchanged"


def next_version_id(existing: list[str]) -> str:
    """The id after the highest of ``existing`` (``v0001`` for an empty store)."""
    numbers = [int(v[1:]) for v in existing if VERSION_ID_PATTERN.match(v)]
    return f"v{(max(numbers) if numbers else 0) + 1:04d}"


# --- the request ------------------------------------------------------------------------------


def _check_file_names(files: Mapping[str, bytes]) -> None:
    if not files:
        raise PublishRefused("no file given: submit one or more of " + ", ".join(VERSION_FILES))
    for name in files:
        # Only the three bare names: anything else (a path, "../x") could aim outside the store.
        if name not in schema.TABLE_BY_FILE:
            raise PublishRefused(f"{name!r} is not a dataset file name; name files exactly {', '.join(VERSION_FILES)}")


def _clean_text(value: str, what: str, limit: int, *, multiline: bool = False) -> str:
    """``value`` stripped; refused when over ``limit`` or holding a hidden character: controls,
    direction controls, zero-width and other format characters, U+2028/U+2029 (read as a line
    break by ``splitlines`` and many viewers), and line breaks or tabs unless ``multiline``.
    Zero-width joiners inside Urdu words or emoji are spelling and stay allowed."""
    text = (value or "").strip()
    problem = chars.text_field_problem(text, what, multiline=multiline)
    if problem:
        raise PublishRefused(problem)
    if len(text) > limit:
        raise PublishRefused(f"the {what} is {len(text)} characters long; at most {limit}")
    return text


def _check_based_on(based_on: str | None) -> str | None:
    if based_on is None:
        return None
    if not VERSION_ID_PATTERN.match(based_on):
        raise PublishRefused(f"{based_on!r} is not a version id (expected v0001, v0002, …)")
    return based_on


# --- publish ----------------------------------------------------------------------------------


def publish(
    root: Path | str,
    files: Mapping[str, bytes],
    *,
    author: str,
    note: str,
    label: str = "",
    as_of: str | None = None,
    based_on: str | None = None,
    names: Mapping[str, str] | None = None,
    now: datetime | None = None,
    warnings: Report | None = None,
    allow_revert: bool = False,
    dry_run: bool = False,
    expect_latest: str | None = None,
    preview: Callable[[Preview], None] | None = None,
) -> VersionInfo:
    """Validate the complete version the submission makes and publish it; returns its entry.

    ``files`` maps file names (zones.csv, status.csv, milestones.csv) to bytes; tables not given
    are carried over from the latest version (from ``based_on`` when merging). ``based_on`` is the
    version the steward started from: when it is older than the latest, the steward's changes since
    it are merged onto the latest (``merge.three_way``) and conflicting cells refuse the publish.
    Whatever ``based_on`` says, a change that would restore a value a later version replaced is
    refused unless ``allow_revert`` (the note then records it). ``preview`` is called with what is
    about to be written, before it is; ``dry_run`` stops there and writes nothing (the returned
    entry is the one the version would get). ``expect_latest`` refuses when the latest version is
    not that one (a page that previewed against it). ``names`` maps file names to
    the paths shown in validation messages. The validation warnings of a successful publish are
    added to ``warnings`` when given (they never block publishing, but the steward should see them). Raises ``PublishRefused`` (nothing written) when the
    request, the store or the data is not fit, ``StoreError`` when the store cannot be read.
    Further keyword-only arguments (e.g. who is acting, with which role) can be added freely.
    """
    from sez_metrics.core.validate import validate_version  # imported late: heavy

    _check_file_names(files)
    author = _clean_text(author, "author", MAX_AUTHOR_CHARS)
    note = _clean_text(note, "note", MAX_NOTE_CHARS, multiline=True)
    label = _clean_text(label, "label", MAX_LABEL_CHARS)
    if not author:
        raise PublishRefused("an author is required")
    if not note:
        raise PublishRefused("a note saying what changed is required")
    as_of = as_of.strip() if as_of else None
    based_on = _check_based_on(based_on)
    store = open_store(root)
    with store.publishing() as session:
        entry, complete, shown = _prepare(store, session.entries, dict(files), dict(names or {}), validate_version,
                                          author=author, note=note, label=label, as_of=as_of, based_on=based_on,
                                          now=now, allow_revert=allow_revert, expect_latest=expect_latest)
        if warnings is not None:
            warnings.extend(shown.warnings.problems)
        if preview is not None:
            preview(shown)
        if not dry_run:
            session.write(entry, complete)
    return info_from_entry(entry)


def _prepare(store: VersionStore, entries: list[dict], files: dict[str, bytes], names: dict[str, str], validate_version,
             *, author: str, note: str, label: str, as_of: str | None, based_on: str | None, now: datetime | None,
             allow_revert: bool = False, expect_latest: str | None = None) -> tuple[dict, dict[str, bytes], Preview]:
    """Step 3: the checked, validated complete version, its manifest entry, and what it changes."""
    history = [info_from_entry(e) for e in entries]
    latest = history[-1] if history else None
    by_id = {v.id: v for v in history}
    current = latest.id if latest else "none"
    if based_on is not None and based_on not in by_id:
        raise PublishRefused(f"this update is based on {based_on}, which is not a version of this store (latest: {current})")
    if expect_latest is not None and current != expect_latest:
        raise PublishRefused(f"someone published meanwhile: the latest version is now {current}, not {expect_latest}; "
                             "nothing was published: review your files against it", kind="meanwhile", latest=current)
    loaded: dict[str, tuple[dict[str, bytes], Dataset]] = {}

    def load(info: VersionInfo) -> tuple[dict[str, bytes], Dataset]:
        if info.id not in loaded:
            published, problems = store.read_version_files(info)
            which = f"the latest version {info.id}" if info is latest else f"version {info.id}"
            if problems:
                raise PublishRefused(f"{which} is damaged ({problems[0].format_line()}); run verify")
            try:
                loaded[info.id] = published, dataset_from_files(info, published)
            except ValueError as exc:
                raise PublishRefused(f"{which} cannot be read ({exc}); run verify") from exc
        return loaded[info.id]

    complete = dict(files)
    previous = None
    if latest is not None:
        published, previous = load(latest)
        if all(complete.get(n, published[n]) == published[n] for n in VERSION_FILES):
            raise PublishRefused(f"nothing to publish: this is the same as {latest.id} (your own publish?): the content is "
                                 f"identical to the latest version, “{latest.label}” published by {latest.author} "
                                 f"on {latest.published_at[:10]}", kind="identical", latest=latest.id)
    merging = based_on is not None and latest is not None and based_on != latest.id
    merged_from: merge.MergeResult | None = None
    report = Report()
    if merging:
        base_files, base = load(by_id[based_on])
        yours_files = {n: complete.get(n, base_files[n]) for n in VERSION_FILES}
        for name in VERSION_FILES:
            names.setdefault(name, f"{VERSIONS_DIR}/{based_on}/{name} (carried over)")
        own = validate_version(yours_files, as_of=as_of, previous=base, names=names)
        if not own.ok:
            raise PublishRefused(f"the update has {len(own.errors)} error(s); nothing was published", own)
        try:
            yours = dataset_from_files(base.info, yours_files)
        except ValueError as exc:
            raise PublishRefused(f"the update cannot be read ({exc})") from exc
        merged_from = merge.three_way(base, previous, yours, published, yours_files)
        if not merged_from.ok:
            details = [c.text() for c in merged_from.conflicts]
            raise PublishRefused(
                f"{len(details)} conflicting cell(s): your changes since {based_on} and the versions published since "
                f"(latest {latest.id}) changed them differently; listed as id column: yours → theirs. Nothing was published",
                kind="conflict", details=details, latest=latest.id,
            )
        complete = merged_from.files
        shown_as = {"theirs": f"{VERSIONS_DIR}/{latest.id}/{{}} (carried over)", "yours": "{}",
                    "merged": f"{{}} (your changes since {based_on} merged onto {latest.id})"}
        names = {n: names[n] if merged_from.origin[n] == "yours" else shown_as[merged_from.origin[n]].format(n)
                 for n in VERSION_FILES}
        if all(complete[n] == published[n] for n in VERSION_FILES):
            raise PublishRefused(f"nothing to publish: every change you made since {based_on} is in {latest.id} already",
                                 kind="identical", latest=latest.id)
    elif latest is not None:
        for name in VERSION_FILES:
            if name not in complete:
                complete[name] = published[name]
                names.setdefault(name, f"{VERSIONS_DIR}/{latest.id}/{name} (carried over)")
    missing = [n for n in VERSION_FILES if n not in complete]
    if missing:
        raise PublishRefused("the first version needs all three files; missing: " + ", ".join(missing))
    report = validate_version(complete, as_of=as_of, previous=previous, names=names)
    if not report.ok:
        raise PublishRefused(f"the update has {len(report.errors)} error(s); nothing was published", report)
    effective_as_of = as_of or _latest_status_date(complete["status.csv"])
    if previous is not None and _same_values(previous, complete):
        raise PublishRefused(f"nothing to publish: the tables hold exactly the values of the latest version {latest.id} "
                             "(only their formatting differs)", kind="identical", latest=latest.id)
    entry = {
        "id": next_version_id([str(e.get("id")) for e in entries]),
        "label": label or f"Update of {effective_as_of}",
        "as_of": effective_as_of,
        "published_at": "",
        "author": author,
        "note": note,
        "parent": latest.id if latest else None,
        "files": {n: {"sha256": sha256_bytes(complete[n]), "bytes": len(complete[n])} for n in sorted(VERSION_FILES)},
        "prev_hash": entries[-1].get("entry_hash") if entries else None,
    }
    candidate = dataset_from_files(info_from_entry({**entry, "entry_hash": ""}), complete)
    change = diff_versions(previous if previous is not None else empty_dataset(), candidate)
    reverts: list[str] = []
    derived_from = None
    if latest is not None and len(history) > 1:
        check = merge.find_reverts(history, lambda vid: load(by_id[vid])[1], candidate,
                                   changes=merge.cells_of_diff(change))
        names_by_zone = merge.zone_names(previous, candidate)
        reverts = [r.text(names_by_zone) for r in check.reverts]
        derived_from = check.derived_from if check.derived_from != latest.id else None
        if reverts and not allow_revert:
            raise PublishRefused(
                f"your update would undo {len(reverts)} change(s) published after {check.derived_from}, the version your "
                "file matches best; nothing was published",
                kind="revert", details=reverts, derived_from=check.derived_from, latest=latest.id,
            )
    if merged_from is not None:
        entry["note"] += f"\n\n[Merged: the changes made since {based_on} applied on top of {latest.id}.]"
    if reverts:
        shown = reverts[:MAX_RECORDED_REVERTS]
        more = f"; and {len(reverts) - len(shown)} more" if len(reverts) > len(shown) else ""
        entry["note"] += "\n\n[Revert allowed by the steward: " + "; ".join(shown) + more + ".]"
    entry["published_at"] = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    entry["entry_hash"] = entry_hash(entry)
    shown_preview = Preview(entry["id"], change, latest.id if merged_from is not None else None, based_on, reverts,
                            Report(list(report.warnings)), derived_from)
    return entry, complete, shown_preview


def _same_values(previous: Dataset, complete: dict[str, bytes]) -> bool:
    """True when the submission differs from ``previous`` only in formatting (quoting, 10 vs 10.0…)."""
    from sez_metrics.core.diff import _changed_mask

    # The diff's own notion of "no change" (same keys, no changed cell), stopping at the first
    # difference: building the whole diff of 50,000 milestones just to learn "not empty" cost seconds.
    new = dataset_from_files(previous.info, complete)
    for table in schema.TABLES.values():
        (key,) = table.key
        old_frame, new_frame = previous.table(table.name), new.table(table.name)
        if len(old_frame) != len(new_frame) or set(old_frame[key]) != set(new_frame[key]):
            return False
        a, b = old_frame.set_index(key), new_frame.set_index(key).loc[old_frame[key]]
        if any(_changed_mask(a[c], b[c]).any() for c in table.column_names if c != key):
            return False
    return True


def _latest_status_date(status_csv: bytes) -> str:
    dates = [d for d in parse_csv_bytes(status_csv, schema.STATUS)["as_of"] if d]
    return max(dates) if dates else datetime.now(UTC).date().isoformat()


__all__ = ["PublishRefused", "publish", "next_version_id", "StoreError"]
