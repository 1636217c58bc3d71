"""The steward's workspace as a service: receive an upload, review it, publish it — role-checked.

The page only wires widgets to these functions. Access control lives here, not in the page:
``publish_as`` refuses anyone who is not a signed-in ``Steward``, whatever the page shows.

A steward's update goes through three steps:

1. ``receive_upload`` — the files as uploaded; a name that is not exactly ``zones.csv``,
   ``status.csv`` or ``milestones.csv``, or an empty or oversized file is rejected (a browser's
   ``accept``/type filter is no security check); a file uploaded again replaces the earlier one of
   its name. The latest version id at this moment is captured as ``based_on``.
2. ``review_upload`` — the complete would-be version (tables not uploaded are carried over from
   ``based_on``), its validation report, and, when valid, the diff against the latest version.
   When someone published after ``based_on`` (``onto``), the review is of the three-way merge
   (``sez_metrics.core.merge``): the steward's changes since ``based_on`` on top of ``onto``, or the
   conflicting cells. Cells that would undo a later version's change are listed (``reverts``).
3. ``publish_as`` — publishes exactly what was reviewed, refusing when someone else published
   meanwhile (``PublishedMeanwhile``, naming the new latest version) and, unless the steward
   confirmed them, reverts. A repeated click on the same update returns the version the first
   click made (``PublishOutcome.created`` False): one update never makes two versions.

Pure: no streamlit import.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from sez_metrics.core import chars, schema
from sez_metrics.core.dataset import Dataset, FileRecord, VersionInfo, dataset_from_files
from sez_metrics.core.diff import VersionDiff, diff_versions, empty_dataset
from sez_metrics.core.i18n import _
from sez_metrics.core.report import Problem, Report
from sez_metrics.core.settings import MAX_UPLOAD_BYTES
from sez_metrics.core.stored_csv import parse_csv_bytes
from sez_metrics.steward.auth import Steward
from sez_metrics.storage.publish import Preview, PublishRefused, publish
from sez_metrics.storage.store import VERSION_FILES, StoreError, open_store, sha256_bytes

NEW_VERSION_ID = "(new)"


class PermissionDenied(Exception):
    """The caller is not a signed-in steward; nothing was done."""


class PublishedMeanwhile(Exception):
    """Someone else published after this update was uploaded; nothing was written."""

    def __init__(self, latest: VersionInfo, based_on: str | None):
        super().__init__(
            f"{latest.author or 'someone'} published {latest.id} “{latest.label}” (as of {latest.as_of}) "
            f"after you uploaded this update (it was based on {based_on or 'an empty store'}); "
            f"your files are kept: review them against {latest.id} and publish again"
        )
        self.latest = latest
        self.based_on = based_on


# --- step 1: receive --------------------------------------------------------------------------


@dataclass(frozen=True)
class RejectedFile:
    """An uploaded file that is not taken, and why (shown to the steward)."""

    name: str
    reason: str


@dataclass(frozen=True)
class Upload:
    """The accepted files of one upload, by file name, and the version they update."""

    files: dict[str, bytes]
    rejected: tuple[RejectedFile, ...]
    based_on: str | None
    replaced: tuple[str, ...] = ()  # names uploaded again: the newest file of each is the one taken

    @property
    def fingerprint(self) -> str:
        """Identifies this set of files (names and contents), whatever the base."""
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(f"{name}\0{sha256_bytes(self.files[name])}\0".encode())
        for rejected in self.rejected:
            digest.update(f"rejected\0{rejected.name}\0".encode())
        return digest.hexdigest()


_COPY_SUFFIX = re.compile(r"[\s_-]*(\(\d+\)|copy|\d+)$", re.IGNORECASE)


def _name_hint(name: str) -> str:
    """'Zones (1).csv' → ' (did you mean zones.csv?)', for the usual ways a download gets renamed;
    for a zip, a program or anything else that is not a CSV, what to upload instead."""
    visible = "".join(ch for ch in name if not chars.is_hidden(ch)).strip()
    suffix = Path(visible).suffix.lower()
    if suffix == ".zip":
        return _(" (a zip cannot be uploaded: unzip it and upload the CSV files inside)")
    if suffix not in (".csv", ""):
        return _(" (a {suffix} file is not a CSV table)").format(suffix=chars.terminal_safe(suffix[:12]))
    stem = Path(visible).stem.strip().lower()
    stem = _COPY_SUFFIX.sub("", stem)
    for file_name in VERSION_FILES:
        if stem == Path(file_name).stem:
            return _(" (did you mean {file}?)").format(file=file_name)
    return ""


def receive_upload(named_files: Iterable[tuple[str, bytes]], based_on: str | None) -> Upload:
    """Sort uploaded ``(file name, bytes)`` into accepted files and rejected ones.

    ``based_on`` is the latest version id when the files arrived (None for an empty store). A file
    whose name came earlier in the list replaces the earlier one (the list is in upload order).
    """
    accepted: dict[str, bytes] = {}
    rejected: list[RejectedFile] = []
    replaced: list[str] = []
    seen: set[str] = set()
    for name, data in named_files:
        if name not in VERSION_FILES:
            rejected.append(RejectedFile(name, _("not a dataset file: name it exactly {files}{hint}").format(
                files=", ".join(VERSION_FILES), hint=_name_hint(name))))
        else:
            # A later file of the same name replaces the earlier one (a corrected file dropped again).
            accepted.pop(name, None)
            rejected = [r for r in rejected if r.name != name]
            if name in seen:
                replaced.append(name)
            if len(data) > MAX_UPLOAD_BYTES:
                rejected.append(RejectedFile(name, _("{size} bytes: larger than the limit of {limit} MB; remove what is not data "
                                                     "(other sheets, images) or split the update").format(
                    size=f"{len(data):,}", limit=MAX_UPLOAD_BYTES // 2**20)))
            elif not data.strip():
                rejected.append(RejectedFile(name, _("line 1: the file is empty; export the table again: a header line, then "
                                                     "one line per record")))
            else:
                accepted[name] = data
        seen.add(name)
    return Upload(accepted, tuple(rejected), based_on, tuple(dict.fromkeys(replaced)))


# --- step 2: review ---------------------------------------------------------------------------


def status_as_of(status_csv: bytes) -> str:
    """The latest ``as_of`` in a status.csv: the would-be version's reporting date by default."""
    try:
        dates = [d for d in parse_csv_bytes(status_csv, schema.STATUS)["as_of"] if d]
    except (KeyError, ValueError, pa.ArrowInvalid):  # a file the validator refuses: no default date
        return ""
    return max(dates) if dates else ""


def would_be_info(files: Mapping[str, bytes], author: str = "", base: VersionInfo | None = None) -> VersionInfo:
    """The manifest entry the files would get (id ``(new)``; hashes real, chain fields empty)."""
    return VersionInfo(
        id=NEW_VERSION_ID, label="This update", as_of=status_as_of(files["status.csv"]), published_at="",
        author=author, note="", parent=base.id if base else None,
        files={n: FileRecord(sha256_bytes(d), len(d)) for n, d in sorted(files.items())},
        prev_hash=None, entry_hash="",
    )


@dataclass
class Review:
    """What publishing an upload would do: the complete files, their report, the change against the base."""

    upload: Upload
    base: VersionInfo | None
    files: dict[str, bytes]
    carried_over: tuple[str, ...]
    report: Report
    diff: VersionDiff | None = None
    identical: bool = False
    notes: list[str] = field(default_factory=list)
    onto: VersionInfo | None = None  # the latest version, when the upload is merged onto it
    new_id: str = NEW_VERSION_ID
    conflicts: list[str] = field(default_factory=list)  # "id column: yours → theirs"
    reverts: list[str] = field(default_factory=list)  # cells that would undo a later version's change
    derived_from: str | None = None
    refusal: str = ""  # why publish would refuse what the review otherwise allows

    @property
    def can_publish(self) -> bool:
        """Valid, complete, different from the latest, no conflict, and every uploaded file accepted."""
        return (self.report.ok and not self.identical and not self.upload.rejected and not self.conflicts
                and not self.refusal and bool(self.upload.files) and self.diff is not None)


def _problem(file_name: str, message: str, fix: str) -> Problem:
    table = schema.TABLE_BY_FILE[file_name].name if file_name in schema.TABLE_BY_FILE else ""
    return Problem("error", "version-incomplete", table, file_name, 0, "", "", message, fix)


def review_upload(root: Path | str, upload: Upload, onto: str | None = None) -> Review:
    """Validate the complete version ``upload`` would make and show what publishing it would change.

    ``onto`` is the latest version when someone published after ``upload.based_on``: the review is
    then of the steward's changes since ``based_on`` merged onto it. What publishing would write
    (the change, the new id, conflicts, reverts) comes from publish itself, run dry.

    Raises ``StoreError`` only when the store itself cannot be read.
    """
    from sez_metrics.core.validate import validate_version  # imported late: heavy

    store = open_store(root)
    base_info: VersionInfo | None = None
    base: Dataset | None = None
    if upload.based_on is not None:
        result = store.load(upload.based_on)
        if result.problems or result.dataset.info.id != upload.based_on:
            reasons = "; ".join(p.format_line() for p in result.problems)
            raise StoreError(f"version {upload.based_on} cannot be used as the base of an update: {reasons}")
        base, base_info = result.dataset, result.dataset.info
    files = dict(upload.files)
    carried = []
    if base_info is not None:
        # Carried-over tables come from bytes checked against the manifest, never straight from disk.
        verified, problems = store.read_version_files(base_info)
        if problems:
            raise StoreError("; ".join(p.format_line() for p in problems))
        for name in VERSION_FILES:
            if name not in files:
                files[name] = verified[name]
                carried.append(name)
    report = Report()
    missing = [n for n in VERSION_FILES if n not in files]
    if missing:
        for name in missing:
            report.add(_problem(name, _("{file} is missing: the first version needs all three files").format(file=name),
                                _("upload {file} too").format(file=name)))
        return Review(upload, base_info, files, tuple(carried), report)
    # Carried-over files are named as publish names them, so that their problems are told apart.
    names = {n: f"versions/{base_info.id}/{n} (carried over)" for n in carried} if base_info is not None else {}
    report = validate_version(files, as_of=None, previous=base, names=names)
    review = Review(upload, base_info, files, tuple(carried), report)
    if base_info is not None:
        review.identical = all(sha256_bytes(files[n]) == base_info.files[n].sha256 for n in VERSION_FILES)
    if not report.ok:
        return review
    try:
        candidate = dataset_from_files(would_be_info(files, base=base_info), files)
    except (ValueError, KeyError, pa.ArrowInvalid) as exc:
        # The validator passed something the loader cannot type: refuse rather than guess.
        report.add(_problem("status.csv", _("the files passed validation but cannot be loaded: {error}").format(error=exc),
                            _("report this to the maintainers")))
        return review
    review.diff = diff_versions(base if base is not None else _empty_dataset(), candidate)
    _preview_publish(root, review, onto)
    return review


def _preview_publish(root: Path | str, review: Review, onto: str | None) -> None:
    """What publish would write, as publish computes it (dry run): the diff against the latest,
    the new id, the merge and its conflicts, and the reverts the steward would have to confirm."""
    upload = review.upload
    shown: list[Preview] = []
    try:
        publish(root, upload.files, author="preview", note="preview", based_on=upload.based_on, dry_run=True,
                allow_revert=True, expect_latest=onto or upload.based_on, preview=shown.append)
    except PublishRefused as exc:
        if exc.kind == "conflict":
            review.conflicts = exc.details
        elif exc.kind == "identical":
            review.identical = True
            review.notes.append(exc.reason)
        else:
            review.refusal = exc.reason
            if exc.report is not None:
                review.report.extend(exc.report.errors)
        if onto and onto != upload.based_on:
            review.onto = open_store(root).version(onto)
        return
    (preview,) = shown
    review.diff, review.new_id, review.reverts = preview.diff, preview.new_id, preview.reverts
    review.derived_from = preview.derived_from
    if preview.merged_onto:
        review.onto = preview.diff.old


def _empty_dataset() -> Dataset:
    """A version with no rows: the base a first version is compared with."""
    return empty_dataset()


# --- step 3: publish --------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishOutcome:
    """The version an update made; ``created`` is False when an earlier click had made it already."""

    version: VersionInfo
    created: bool


def _same_publication(latest: VersionInfo, files: Mapping[str, bytes], parent: str | None, author: str) -> bool:
    """True when ``latest`` is this very update, published by the same steward on the same parent."""
    return (
        latest.parent == parent
        and latest.author == author
        and set(latest.files) == set(files)
        and all(latest.files[n].sha256 == sha256_bytes(files[n]) for n in files)
    )


def publish_as(
    user: Steward | None,
    root: Path | str,
    files: Mapping[str, bytes],
    *,
    based_on: str | None,
    note: str,
    label: str = "",
    as_of: str | None = None,
    onto: str | None = None,
    allow_revert: bool = False,
    published_files: Mapping[str, bytes] | None = None,
) -> PublishOutcome:
    """Publish ``files`` (the reviewed upload) as ``user``; the role is checked here.

    ``onto`` is the latest version the review merged the upload onto (None: ``based_on`` itself);
    ``published_files`` what the review showed would be published (the merge), to recognise a
    repeated click. ``allow_revert`` is the steward's explicit confirmation of the listed reverts.
    Raises ``PermissionDenied`` for anyone but a signed-in steward, ``PublishedMeanwhile`` when
    the latest version is no longer ``onto``/``based_on`` (and is not this update's own earlier
    publish), and ``PublishRefused`` (with its report) when the store refuses the content.
    """
    if not isinstance(user, Steward):
        raise PermissionDenied("only a signed-in data steward can publish")
    expected = onto or based_on
    shown = published_files or files
    store = open_store(root)
    latest = store.latest() if store.has_manifest() else None
    if based_on is None and latest is not None:
        # publish() checks based_on only when given: an update of an empty store is checked here.
        if _same_publication(latest, shown, None, user.author):
            return PublishOutcome(latest, created=False)
        raise PublishedMeanwhile(latest, based_on)
    try:
        info = publish(root, files, author=user.author, note=note, label=label, as_of=as_of or None, based_on=based_on,
                       expect_latest=expected, allow_revert=allow_revert)
    except PublishRefused:
        latest = store.latest() if store.has_manifest() else None
        if latest is not None and latest.id != expected:
            if _same_publication(latest, shown, expected, user.author):
                return PublishOutcome(latest, created=False)
            raise PublishedMeanwhile(latest, based_on) from None
        raise
    return PublishOutcome(info, created=True)
