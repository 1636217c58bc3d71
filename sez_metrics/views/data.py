"""The Data page's view: the version history with its integrity, and the steward's review of an
update (its files, validation report, the change it makes and what stands in the way of publishing).

Every value from a CSV stays plain text here; the page shows it through st.dataframe, st.text or
escaped markdown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from sez_metrics.core import i18n
from sez_metrics.core.change_summary import TABLE_NAMES, list_separator, summary_counts, summary_heading
from sez_metrics.core.chars import terminal_safe
from sez_metrics.core.dataset import VersionInfo
from sez_metrics.core.i18n import N_, _, ngettext
from sez_metrics.core.report import Report, with_fix_text
from sez_metrics.core.text import md_escape
from sez_metrics.render import export
from sez_metrics.steward import auth, workspace
from sez_metrics.storage.store import IntegrityProblem

REPORT_SHOWN = ("severity", "file", "line", "column", "value", "message", "fix")

ZIP_HELP = N_(
    "The zip holds the version's files exactly as published (folder original/, with their sha256 in "
    "manifest-entry.json and SHA256SUMS) so they can be audited and re-published byte for byte, and "
    "copies for spreadsheets (folder for-spreadsheets/) in which any text cell that Excel would run "
    "as a formula (starting with = + - @) begins with an apostrophe. Open the copies, keep the originals."
)
TEMPLATES_HELP = N_(
    "Header lines of zones.csv, status.csv and milestones.csv, column-guide.csv explaining every "
    "column (type, unit, allowed values, rules) and the data dictionary."
)
CSV_HELP = N_("Made for spreadsheets: text cells that would run as formulas begin with an apostrophe; numbers are unchanged.")
# Headers of the tables the page shows (the CSV downloads keep these English names).
HEADERS = {
    "integrity": N_("integrity"), "version": N_("version"), "label": N_("label"), "as of": N_("as of"),
    "published": N_("published"), "author": N_("author"), "note": N_("note"),
    "severity": N_("severity"), "file": N_("file"), "line": N_("line"), "column": N_("column"), "value": N_("value"),
    "message": N_("message"), "fix": N_("fix"), "bytes": N_("bytes"), "received": N_("received"), "errors": N_("errors"),
    "warnings": N_("warnings"), "table": N_("table"), "key": N_("key"), "old": N_("old"), "new": N_("new"),
}
SEVERITIES = {"error": N_("error"), "warning": N_("warning")}


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its headers in the current language (English: as it is)."""
    return frame.rename(columns={c: _(HEADERS[c]) for c in frame.columns if c in HEADERS})


# --- everyone: the version history -----------------------------------------------------------


def problems_by_version(problems: Iterable[IntegrityProblem]) -> dict[str, list[str]]:
    """The integrity problems of each damaged version, as lines."""
    by_version: dict[str, list[str]] = {}
    for problem in problems:
        by_version.setdefault(problem.version_id, []).append(problem.format_line())
    return by_version


def history_table(versions: list[VersionInfo], damaged: dict[str, list[str]]) -> pd.DataFrame:
    """Every version, newest first, marked ✓ intact or ✗ damaged."""
    return pd.DataFrame([
        {
            "integrity": _("✗ damaged") if v.id in damaged else _("✓ intact"),
            "version": v.id,
            "label": v.label,
            "as of": v.as_of,
            "published": v.published_at,
            "author": v.author,
            "note": v.note,
        }
        for v in reversed(versions)
    ])


def version_options(versions: list[VersionInfo]) -> tuple[list[str], dict[str, str]]:
    """Version ids newest first, and each one's label for a picker: "id · label · as of"."""
    return [v.id for v in reversed(versions)], {v.id: f"{v.id} · {v.label} · {v.as_of}" for v in versions}


# --- stewards: the review of an update -------------------------------------------------------


def report_frame(report: Report) -> pd.DataFrame:
    """The problems as the page lists them: control characters made visible, each message ending with its fix."""
    frame = pd.DataFrame(report.to_records(), columns=list(export.REPORT_COLUMNS))
    frame["value"] = frame["value"].map(terminal_safe)  # a direction override shown as \u202e, not obeyed
    # The message column ends with how to fix it: a narrow screen never shows the fix column alone.
    frame["message"] = [with_fix_text(m, f) if i18n.current().code == i18n.SOURCE_LANGUAGE
                        else _("{message} → fix: {fix}").format(message=m, fix=f) if f else m
                        for m, f in zip(frame["message"], frame["fix"], strict=True)]
    frame["severity"] = frame["severity"].map(lambda s: _(SEVERITIES[s]) if s in SEVERITIES else s)
    return frame[list(REPORT_SHOWN)]


def report_counts(report: Report) -> str:
    counts = report.counts()
    return _("**Validation:** {errors} error(s) · {warnings} warning(s)").format(
        errors=i18n.number(counts["error"], 0), warnings=i18n.number(counts["warning"], 0))


def files_table(review: workspace.Review, received: Callable[[str, bytes], str]) -> pd.DataFrame:
    """One line per file of the update: when it arrived (``received(name, data)``) and its own error
    and warning counts, so that a file dropped again is told apart from the one it replaces."""
    def counts(file_name: str) -> dict[str, int]:
        mine = [p for p in review.report.problems if p.file == file_name]
        return {"errors": sum(p.severity == "error" for p in mine), "warnings": sum(p.severity == "warning" for p in mine)}

    rows = [{"file": name, "bytes": len(data), "received": received(name, data), **counts(name)}
            for name, data in review.upload.files.items()]
    rows += [{"file": name, "bytes": len(review.files[name]), "received": _("carried over from {version}").format(version=review.base.id),
              **counts(f"versions/{review.base.id}/{name} (carried over)")}
             for name in review.carried_over]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ChangePreview:
    """What publishing would change, in the words the command line prints."""

    title: str  # plain text
    merged: str  # markdown; empty unless the update is merged onto a later version
    carried_over: str  # plain text; empty when every table was uploaded
    layout_only: bool  # no value changes: the files differ only in layout or row order
    heading: str  # plain text, empty when nothing changed
    zones: list[str]  # one markdown block per zone: its name, then its changes
    rows: list[str]  # "table: n row(s) added: ids", plain text
    counts: str  # plain text
    cells: pd.DataFrame | None  # every changed cell with values as text; None when none changed
    new_id: str  # empty unless it can be published


def _cell_text(value: object) -> str:
    return "" if value is None else str(value)


def change_preview(review: workspace.Review) -> ChangePreview:
    """The summary by zone, rows added/removed, every changed cell, then the id the version gets."""
    diff = review.diff
    base = diff.old.id if diff is not None else review.base.id if review.base else _("an empty store")
    merged = ""
    if review.onto is not None:
        merged = _("Merged: your changes since {base} applied on top of {onto}, which {author} published meanwhile.").format(
            base=md_escape(review.upload.based_on), onto=md_escape(review.onto.id),
            author=md_escape(review.onto.author or _("someone")))
    carried = _("Carried over unchanged from the latest version: {files}").format(
        files=list_separator().join(review.carried_over)) if review.carried_over else ""
    title = _("🔁 What this update changes (against {base})").format(base=base)
    if diff is None or diff.is_empty:
        return ChangePreview(title, merged, carried, not review.identical, "", [], [], "", None, "")
    zones = ["\n".join([f"**{md_escape(items[0].zone_label())}**"] + [f"- {md_escape(item.in_language())}" for item in items])
             for items in diff.summary_by_zone().values()]
    rows = [what.format(table=_(TABLE_NAMES.get(table, table)), n=len(ids), ids=list_separator().join(ids))
            for what, keys in ((_("{table}: {n} row(s) added: {ids}"), diff.rows_added),
                               (_("{table}: {n} row(s) removed: {ids}"), diff.rows_removed))
            for table, ids in keys.items() if ids]
    cells = None
    if diff.cell_changes:
        frame = diff.cell_changes_frame()
        cells = frame.assign(old=frame["old"].map(_cell_text), new=frame["new"].map(_cell_text))
    return ChangePreview(title, merged, carried, False, summary_heading(diff), zones, rows, summary_counts(diff), cells,
                         review.new_id if review.can_publish else "")


def conflicts_message(review: workspace.Review) -> str:
    """Why nothing can be published when the steward and a later version changed cells differently (markdown)."""
    onto = review.onto.id if review.onto else _("the latest version")
    return _("🚫 {n} conflicting cell(s): your changes since {base} and {onto} changed them differently (listed as id "
             "column: yours → theirs). Nothing can be published. To keep the published values, set those cells in your "
             "file to them and upload it again; to publish yours, download {onto}, make your edits on its files and upload "
             "those.").format(n=len(review.conflicts), base=md_escape(review.upload.based_on), onto=md_escape(onto))


def publish_blocker(review: workspace.Review) -> tuple[str, str] | None:
    """What stands in the way of publishing, as (``error`` or ``info``, markdown); None when nothing does."""
    if not review.report.ok:
        return "error", _("🚫 {n} error(s): publishing is disabled. Fix them in your file (each line above says how), then "
                          "drop the corrected file here: it replaces the one of the same name.").format(n=len(review.report.errors))
    if review.upload.rejected:
        return "error", _("🚫 Remove or rename the rejected file(s) above: publishing is disabled.")
    if review.identical:
        return "info", "ℹ️ " + md_escape(review.notes[0] if review.notes else
                                         _("nothing to publish: the upload is identical to the latest version"))
    if review.refusal:
        return "error", _("🚫 Publishing is disabled: {reason}").format(reason=md_escape(review.refusal))
    return None


def dating_warning(as_of: str, newest: str) -> str | None:
    """The warning for a version dated after every row's as_of (``newest``); None when it is not."""
    if not as_of or not newest or as_of <= newest:
        return None
    return _("⚠️ The version is dated {as_of}, later than every row's as_of (the newest is {newest}): its figures are "
             "presented as of that date, and overdue counts move with it. If that was not meant, publish a correction "
             "dated {newest}.").format(as_of=as_of, newest=newest)


# --- stewards: signing in and what a publish did ---------------------------------------------------

ADD_STEWARD = '`python -m sez_metrics add-steward NAME --display-name "FULL NAME" --password-stdin`'
NO_STEWARD = N_(
    "🔐 No data steward is configured on this server, so nobody can publish from here. "
    "An operator adds one on the server with\n\n{command}\n\n"
    "(the password is read from standard input and only its argon2 hash is stored in "
    "`.streamlit/secrets.toml`), then reloads this page."
)
NO_DISPLAY_NAME = N_(
    "Your account has no display name, so the version history shows “{author}” "
    "as the author of what you publish. An operator sets it with {command} (with their password, new or the same)."
)


def no_steward() -> str:
    """Nobody can sign in here: how an operator adds a steward (markdown)."""
    return _(NO_STEWARD).format(command=ADD_STEWARD)


def no_display_name() -> str:
    """The account has no display name: what the history will show, and how to set it (markdown)."""
    return _(NO_DISPLAY_NAME).format(author=md_escape(auth.DEFAULT_AUTHOR), command=ADD_STEWARD)


def broken_accounts(secrets: dict) -> str:
    """How many steward entries cannot sign in (counted, not named: the page must not reveal who
    the stewards are); empty when none."""
    broken = len(auth.account_problems(secrets))
    if not broken:
        return ""
    return ngettext("{n} steward entry in the secrets have no argon2 password_hash and cannot sign in (plain-text "
                    "passwords are never accepted): run add-steward again.",
                    "{n} steward entries in the secrets have no argon2 password_hash and cannot sign in (plain-text "
                    "passwords are never accepted): run add-steward again.", broken).format(n=broken)


def signed_in_as(steward: auth.Steward) -> str:
    return _("Signed in as **{name}** (data steward); what you publish is recorded as by **{author}**.").format(
        name=md_escape(steward.name), author=md_escape(steward.author))


def published_message(info: VersionInfo, shown: VersionInfo) -> str:
    """What was published, and whether the version ``shown`` on the page is it (markdown)."""
    if shown.id == info.id:
        text = _("✅ Published {version} “{label}” \\(as of {as_of}\\). Every page now shows it.")
    else:
        text = _("✅ Published {version} “{label}” \\(as of {as_of}\\). You are viewing the earlier version {shown}: "
                 "choose the latest in the sidebar to see it.")
    return text.format(version=md_escape(info.id), label=md_escape(info.label), as_of=md_escape(info.as_of),
                       shown=md_escape(shown.id))


def meanwhile_message(latest: VersionInfo) -> str:
    """Someone else published since the upload: who and what, and that nothing of the steward's is lost (markdown)."""
    return _(
        "⚠️ While you were reviewing, {author} published **{version} “{label}”** \\(as of {as_of}\\). Nothing of yours "
        "was published or lost: your files are still here. Merge your changes onto {version} (theirs are kept; cells you "
        "both changed are listed), review the result, then publish."
    ).format(author=md_escape(latest.author or _("someone")), version=md_escape(latest.id), label=md_escape(latest.label),
             as_of=md_escape(latest.as_of))
