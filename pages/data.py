"""Data (`/data`): every version with its integrity, downloads, and the steward's workspace.

Everyone sees the version history and can download any version and the empty templates.
A signed-in steward can also upload CSVs, read their validation report and the change they
make, and publish. Access control is in ``sez_metrics.steward.workspace.publish_as``, not in what this
page hides. CSV values are shown only through st.dataframe, st.text or escaped markdown.
"""

from __future__ import annotations

import time
import tomllib
from datetime import date, datetime

import pandas as pd
import streamlit as st

from sez_metrics.app import cached, context, serverguard
from sez_metrics.core.chars import terminal_safe
from sez_metrics.core.diff import summary_counts, summary_heading
from sez_metrics.core.report import Report, with_fix_text
from sez_metrics.core.settings import MAX_UPLOAD_BYTES, store_location
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.render import export
from sez_metrics.steward import auth, workspace
from sez_metrics.storage.publish import PublishRefused, publish_failure
from sez_metrics.storage.store import Store, StoreError, StoreUnavailable, VersionInfo, open_store

# Session state of the workspace (one browser session = one steward at most).
STEWARD_KEY = serverguard.STEWARD_KEY  # password sign-in: the name signed in with
SIGNED_IN_AT_KEY = serverguard.SIGNED_IN_AT_KEY  # time.time() of the sign-in (the absolute limit)
LAST_SEEN_KEY = serverguard.LAST_SEEN_KEY  # time.time() of the last run of this page while signed in (the idle limit)
OIDC_ENDED_KEY = serverguard.OIDC_ENDED_KEY  # why an OIDC sign-in ended; kept until they sign out at the provider
ENDED_KEY = "steward_session_ended"  # why the sign-in just ended, shown once
UPLOAD_GEN_KEY = "ws_upload_generation"  # bumped to empty the uploader for a new update
BASES_KEY = "ws_based_on"  # upload fingerprint → latest version id when it was uploaded
REVIEW_KEY = "ws_review"  # the last Review (recomputed only when the upload or its base changes)
PUBLISHED_KEY = "ws_published"  # upload fingerprint → VersionInfo it made: one update, one version
MEANWHILE_KEY = "ws_meanwhile"  # upload fingerprint → VersionInfo someone else published meanwhile
ONTO_KEY = "ws_onto"  # upload fingerprint → the latest version the steward chose to merge onto
RECEIVED_KEY = "ws_received"  # (file name, sha256) → time the file first arrived
DATING_KEY = "ws_dating"  # upload fingerprint → the dating warning of what it published

ZIP_HELP = (
    "The zip holds the version's files exactly as published (folder original/, with their sha256 in "
    "manifest-entry.json and SHA256SUMS) so they can be audited and re-published byte for byte, and "
    "copies for spreadsheets (folder for-spreadsheets/) in which any text cell that Excel would run "
    "as a formula (starting with = + - @) begins with an apostrophe. Open the copies, keep the originals."
)
TEMPLATES_HELP = (
    "Header lines of zones.csv, status.csv and milestones.csv, column-guide.csv explaining every "
    "column (type, unit, allowed values, rules) and the data dictionary."
)
CSV_HELP = "Made for spreadsheets: text cells that would run as formulas begin with an apostrophe; numbers are unchanged."


def read_secrets() -> dict:
    """The server's secrets as a plain dict; empty when there is no secrets file."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError as exc:  # Streamlit's "no secrets" and "cannot parse" both derive from it
        if isinstance(exc.__cause__, tomllib.TOMLDecodeError):
            st.warning("🔐 The server's secrets file is not valid TOML, so no steward can sign in. "
                       "An operator must fix it.")
        return {}


# --- everyone: history and downloads --------------------------------------------------------------


def version_history(store: Store, versions: list[VersionInfo]) -> dict[str, list[str]]:
    """The table of every version, newest first, with ✓/✗ from a full verify; returns problems by version."""
    st.header("📜 Version history")
    problems, error = cached.verified(store)
    if error is not None:
        st.error(f"The manifest cannot be checked: {md_escape(error)}")
        return {}
    by_version: dict[str, list[str]] = {}
    for problem in problems:
        by_version.setdefault(problem.version_id, []).append(problem.format_line())
    rows = [
        {
            "integrity": "✗ damaged" if v.id in by_version else "✓ intact",
            "version": v.id,
            "label": v.label,
            "as of": v.as_of,
            "published": v.published_at,
            "author": v.author,
            "note": v.note,
        }
        for v in reversed(versions)
    ]
    history = pd.DataFrame(rows)
    st.dataframe(history, hide_index=True, width="stretch", key="version_history")
    st.download_button("⬇️ Version history (CSV)", data=export.spreadsheet_csv(history), file_name="version-history.csv",
                       mime="text/csv", on_click="ignore", help=CSV_HELP, key="version_history_csv")
    st.caption("✓ intact: every file matches the sha256 in the manifest and the manifest's hash chain is unbroken "
               f"(checked again whenever a file of the store changes, and at least every {cached.VERIFY_TTL // 60} minutes).")
    if problems:
        st.warning(f"⚠️ {len(problems)} integrity problem(s): damaged versions are never shown as if they were good.")
        st.text("\n".join(p.format_line() for p in problems))
    return by_version


def downloads(store: Store, ctx: context.PageContext, damaged: dict[str, list[str]]) -> None:
    """Download any intact version as a zip, and the empty templates."""
    st.header("⬇️ Downloads")
    left, right = st.columns(2)
    with left:
        ids = [v.id for v in reversed(ctx.versions)]
        labels = {v.id: f"{v.id} · {v.label} · {v.as_of}" for v in ctx.versions}
        chosen = st.selectbox("Version", ids, index=ids.index(ctx.info.id) if ctx.info.id in ids else 0,
                              format_func=lambda vid: labels.get(vid, vid),
                              key=f"download_version_{ctx.info.id}")  # follows the version shown when it changes
        if chosen in damaged:
            st.warning(f"{md_escape(chosen)} failed its integrity check and cannot be downloaded.")
        else:
            st.download_button(
                f"📦 Download {chosen} (zip)", data=lambda: export.version_zip(store, chosen),
                file_name=export.version_zip_name(chosen), mime="application/zip", on_click="ignore",
                help=ZIP_HELP, key="download_version_zip",
            )
            st.caption("Originals exactly as published (hash-verifiable) plus spreadsheet-safe copies: "
                       "hover over the button for details.")
    with right:
        st.download_button(
            "📄 Download empty templates (zip)", data=export.templates_zip, file_name=export.TEMPLATES_ZIP_NAME,
            mime="application/zip", on_click="ignore", help=TEMPLATES_HELP, key="download_templates",
        )


# --- stewards: sign-in ------------------------------------------------------------------------------


def current_steward(mode: auth.Mode, secrets: dict) -> auth.Steward | None:
    """The steward of this session, re-checked against the secrets and the time limits on every run
    (``serverguard.session_status``, which the upload guard asks too)."""
    now = time.time()
    steward, ended = serverguard.session_status(st.session_state, st.user.to_dict() if mode == "oidc" else {}, secrets, now)
    if steward is not None:
        st.session_state.setdefault(SIGNED_IN_AT_KEY, now)  # OIDC without an iat claim: first seen here
        st.session_state[LAST_SEEN_KEY] = now
        return steward
    if ended:
        st.session_state[ENDED_KEY] = ended
    _forget_steward()  # signed out, account removed meanwhile, or time is up
    if mode == "oidc":
        if ended:
            st.session_state[OIDC_ENDED_KEY] = ended  # the provider's cookie still says signed in
        else:
            st.session_state.pop(OIDC_ENDED_KEY, None)  # signed out at the provider: the next sign-in starts afresh
    return None


def _forget_steward() -> None:
    for key in (STEWARD_KEY, SIGNED_IN_AT_KEY, LAST_SEEN_KEY, REVIEW_KEY, BASES_KEY, PUBLISHED_KEY, MEANWHILE_KEY, ONTO_KEY,
                RECEIVED_KEY):
        st.session_state.pop(key, None)


def sign_in_panel(mode: auth.Mode, secrets: dict) -> None:
    """How to become a steward here: the password form, the identity provider, or how to add one."""
    if mode == "none":
        st.info(
            "🔐 No data steward is configured on this server, so nobody can publish from here. "
            "An operator adds one on the server with\n\n"
            "`python -m sez_metrics add-steward NAME --display-name \"FULL NAME\" --password-stdin`\n\n"
            "(the password is read from standard input and only its argon2 hash is stored in "
            "`.streamlit/secrets.toml`), then reloads this page."
        )
        broken = len(auth.account_problems(secrets))
        if broken:  # counted, not named: the page must not reveal who the stewards are
            st.warning(f"{broken} steward entr{'y' if broken == 1 else 'ies'} in the secrets have no argon2 "
                       "password_hash and cannot sign in (plain-text passwords are never accepted): run add-steward again.")
        return
    ended = st.session_state.pop(ENDED_KEY, None)
    if mode == "oidc":
        user = st.user.to_dict()
        decision = auth.steward_from_oidc(user, secrets)
        if ended and decision.steward is not None:
            st.warning(f"⏱️ {md_escape(ended)}")
            st.button("Sign in again", on_click=st.logout, key="oidc_sign_in_again")
            return
        if user.get("is_logged_in"):
            st.warning(f"🔒 Signed in, but not as a steward: {md_escape(decision.reason)}.")
            st.button("Sign out", on_click=st.logout, key="oidc_sign_out")
        else:
            st.caption("Stewards sign in with their organisation account.")
            provider = auth.oidc_provider(secrets)
            st.button("🔑 Sign in", on_click=st.login, args=(provider,) if provider else (), key="oidc_sign_in")
        return
    if ended:
        st.info(f"⏱️ {md_escape(ended)}")
    with st.form("steward_sign_in", clear_on_submit=True):
        st.caption("Data stewards sign in to upload and publish an update.")
        name = st.text_input("Steward name", key="sign_in_name", autocomplete="username")
        password = st.text_input("Password", type="password", key="sign_in_password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        result = auth.sign_in(auth.password_accounts(secrets), name, password, client=client())
        if result.steward is None:
            st.error(result.message)
        else:
            st.session_state[STEWARD_KEY] = result.steward.name
            st.session_state[SIGNED_IN_AT_KEY] = st.session_state[LAST_SEEN_KEY] = time.time()
            st.rerun()


def client() -> str:
    """The address this session connects from (through a trusted proxy: the one it names)."""
    try:
        headers = dict(st.context.headers)
    except Exception:  # no request behind the session (a script run without a browser)
        headers = {}
    return auth.client_key(st.context.ip_address, headers)


def sign_out(steward: auth.Steward) -> None:
    _forget_steward()
    if steward.method == "oidc":
        st.logout()


# --- stewards: upload, review, publish --------------------------------------------------------------


def report_table(report: Report, key: str) -> None:
    """Counts per severity, the problems as a table, and the report as a (neutralised) CSV."""
    counts = report.counts()
    st.markdown(f"**Validation:** {counts['error']} error(s) · {counts['warning']} warning(s)")
    if not report.problems:
        st.success("✅ No problem found.")
        return
    frame = pd.DataFrame(report.to_records(), columns=list(export.REPORT_COLUMNS))
    frame["value"] = frame["value"].map(terminal_safe)  # a direction override shown as \u202e, not obeyed
    # The message column ends with how to fix it: a narrow screen never shows the fix column alone.
    frame["message"] = [with_fix_text(m, f) for m, f in zip(frame["message"], frame["fix"], strict=True)]
    st.dataframe(frame[["severity", "file", "line", "column", "value", "message", "fix"]], hide_index=True,
                 width="stretch", key=f"{key}_table")
    st.download_button("⬇️ Validation report (CSV)", data=export.report_csv(report), file_name="validation-report.csv",
                       mime="text/csv", on_click="ignore", help=CSV_HELP, key=f"{key}_csv")


def change_preview(review: workspace.Review) -> None:
    """What publishing would change, in the words the command line prints: the summary by zone,
    rows added/removed, every changed cell, then the id the version gets."""
    diff = review.diff
    base = diff.old.id if diff is not None else review.base.id if review.base else "an empty store"
    st.subheader(f"🔁 What this update changes (against {base})")
    if review.onto is not None:
        st.info(f"Merged: your changes since {md_escape(review.upload.based_on)} applied on top of "
                f"{md_escape(review.onto.id)}, which {md_escape(review.onto.author or 'someone')} published meanwhile.")
    if review.carried_over:
        st.caption("Carried over unchanged from the latest version: " + ", ".join(review.carried_over))
    if diff is None or diff.is_empty:
        if not review.identical:
            st.info("No value changes: the files differ from the latest version only in layout or row order.")
        return
    st.text(summary_heading(diff))
    for items in diff.summary_by_zone().values():
        lines = [f"**{md_escape(items[0].zone_name)}**"] + [f"- {md_escape(item.detail)}" for item in items]
        st.markdown("\n".join(lines))
    for what, keys in (("added", diff.rows_added), ("removed", diff.rows_removed)):
        for table, ids in keys.items():
            if ids:
                st.text(f"{table}: {len(ids)} row(s) {what}: " + ", ".join(ids))
    st.text(summary_counts(diff))
    if diff.cell_changes:
        cells = diff.cell_changes_frame()
        shown = cells.assign(old=cells["old"].map(_cell_text), new=cells["new"].map(_cell_text))
        with st.expander(f"Every changed cell ({len(cells)})", expanded=len(cells) <= 20):
            st.dataframe(shown, hide_index=True, width="stretch", key="ws_cell_changes")
            st.download_button("⬇️ Changed cells (CSV)", data=export.spreadsheet_csv(cells), file_name="changed-cells.csv",
                               mime="text/csv", on_click="ignore", help=CSV_HELP, key="ws_cell_changes_csv")
    if review.can_publish:
        st.text(f"publishing as {review.new_id}")


def conflicts_panel(review: workspace.Review) -> None:
    """Cells both the steward and a later version changed differently: nothing can be published."""
    onto = review.onto.id if review.onto else "the latest version"
    st.error(f"🚫 {len(review.conflicts)} conflicting cell(s): your changes since {md_escape(review.upload.based_on)} and "
             f"{md_escape(onto)} changed them differently (listed as id column: yours → theirs). Nothing can be published. "
             f"To keep the published values, set those cells in your file to them and upload it again; to publish "
             f"yours, download {md_escape(onto)}, make your edits on its files and upload those.")
    st.text("\n".join(review.conflicts))


def _cell_text(value: object) -> str:
    return "" if value is None else str(value)


def _files_table(review: workspace.Review) -> None:
    """One line per file of the update: when it arrived and its own error and warning counts, so
    that a file dropped again is told apart from the one it replaces."""
    received = st.session_state.setdefault(RECEIVED_KEY, {})
    rows = []
    for name, data in review.upload.files.items():
        when = received.setdefault((name, workspace.sha256_bytes(data)), datetime.now().strftime("%H:%M:%S"))
        mine = [p for p in review.report.problems if p.file == name]
        rows.append({"file": name, "bytes": len(data), "received": when,
                     "errors": sum(p.severity == "error" for p in mine), "warnings": sum(p.severity == "warning" for p in mine)})
    for name in review.carried_over:
        mine = [p for p in review.report.problems if p.file == f"versions/{review.base.id}/{name} (carried over)"]
        rows.append({"file": name, "bytes": len(review.files[name]), "received": f"carried over from {review.base.id}",
                     "errors": sum(p.severity == "error" for p in mine), "warnings": sum(p.severity == "warning" for p in mine)})
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="ws_files")


def _cell_text(value: object) -> str:
    return "" if value is None else str(value)


def upload_and_review(root, ctx: context.PageContext) -> tuple[workspace.Review, str] | None:
    """The uploader; returns the review of what is uploaded (and its fingerprint), or None."""
    if not serverguard.uploads_guarded():
        st.error("🚫 Uploads are switched off on this server: its upload guard could not be installed "
                 "(see the server log). An operator must check the Streamlit version.")
        return None
    generation = st.session_state.setdefault(UPLOAD_GEN_KEY, 0)
    uploaded = st.file_uploader(
        "Upload one or more of zones.csv, status.csv, milestones.csv",
        # No type=: Streamlit would answer a .zip, .exe or odd name with its own exception box; every
        # name is checked by workspace.receive_upload, which says what is wrong and what to upload.
        accept_multiple_files=True, key=f"ws_upload_{generation}",
        max_upload_size=MAX_UPLOAD_BYTES // 2**20,
        help="Name each file exactly zones.csv, status.csv or milestones.csv. A table you do not upload is "
             "carried over unchanged from the latest version.",
    )
    if not uploaded:
        st.caption("Start from the empty templates or from a downloaded version's original files.")
        return None
    named = [(f.name, f.getvalue()) for f in uploaded]
    fingerprint = workspace.receive_upload(named, None).fingerprint
    bases = st.session_state.setdefault(BASES_KEY, {})
    latest_id = ctx.latest.id if ctx.latest else None
    # The base is the latest version when these files first arrived; it never moves silently.
    based_on = bases.setdefault(fingerprint, latest_id)
    onto = st.session_state.setdefault(ONTO_KEY, {}).get(fingerprint)
    upload = workspace.receive_upload(named, based_on)
    for name in upload.replaced:
        st.info(f"ℹ️ {md_escape(name)} was uploaded again: the newest one is used (the list below says when it "
                "arrived). Remove the older one with ✕ to tidy the uploader.")
    for rejected in upload.rejected:
        st.error(f"🚫 “{md_echo(rejected.name)}”: {md_escape(rejected.reason)}")
    review = st.session_state.get(REVIEW_KEY)
    if (review is None or review.upload.fingerprint != fingerprint or review.upload.based_on != based_on
            or (review.onto.id if review.onto else None) != onto):
        try:
            with st.spinner("Validating…"):
                review = workspace.review_upload(root, upload, onto=onto)
        except StoreError as exc:
            st.error(f"The update cannot be reviewed: {md_escape(exc)}")
            return None
        st.session_state[REVIEW_KEY] = review
    return review, fingerprint


def published_panel(info: VersionInfo, ctx: context.PageContext) -> None:
    shown = ("Every page now shows it." if ctx.info.id == info.id else
             f"You are viewing the earlier version {md_escape(ctx.info.id)}: choose the latest in the sidebar to see it.")
    st.success(f"✅ Published {md_escape(info.id)} “{md_escape(info.label)}” \\(as of {md_escape(info.as_of)}\\). {shown}")
    st.button("Start a new update", on_click=_new_update, key="ws_new_update")


def _new_update() -> None:
    st.session_state[UPLOAD_GEN_KEY] = st.session_state.get(UPLOAD_GEN_KEY, 0) + 1
    st.session_state.pop(REVIEW_KEY, None)


def meanwhile_panel(latest: VersionInfo, fingerprint: str) -> None:
    """Someone else published since the upload: say who and what, keep the files, offer a re-review."""
    st.warning(
        f"⚠️ While you were reviewing, {md_escape(latest.author or 'someone')} published **{md_escape(latest.id)} "
        f"“{md_escape(latest.label)}”** \\(as of {md_escape(latest.as_of)}\\). Nothing of yours was published or "
        f"lost: your files are still here. Merge your changes onto {md_escape(latest.id)} (theirs are kept; cells you "
        "both changed are listed), review the result, then publish."
    )

    def merge_onto() -> None:
        st.session_state.setdefault(ONTO_KEY, {})[fingerprint] = latest.id
        st.session_state[MEANWHILE_KEY].pop(fingerprint, None)
        st.session_state.pop(REVIEW_KEY, None)

    st.button(f"🔁 Merge my changes onto {md_escape(latest.id)}", on_click=merge_onto, key="ws_rebase")


def publish_form(root, steward: auth.Steward, review: workspace.Review, fingerprint: str, ctx: context.PageContext) -> None:
    """Label, as-of date, note and the Publish button (disabled unless the review allows it)."""
    if not review.report.ok:
        st.error(f"🚫 {len(review.report.errors)} error(s): publishing is disabled. Fix them in your file (each line "
                 "above says how), then drop the corrected file here: it replaces the one of the same name.")
    elif review.upload.rejected:
        st.error("🚫 Remove or rename the rejected file(s) above: publishing is disabled.")
    elif review.identical:
        st.info("ℹ️ " + md_escape(review.notes[0] if review.notes else
                                  "nothing to publish: the upload is identical to the latest version"))
    elif review.refusal:
        st.error(f"🚫 Publishing is disabled: {md_escape(review.refusal)}")
    newest = workspace.status_as_of(review.files["status.csv"]) if "status.csv" in review.files else ""
    with st.form("ws_publish"):
        label = st.text_input("Label (optional)", placeholder="e.g. Update before JCC-15 · empty: “Update of <as of>”",
                              max_chars=120, key="ws_label")
        # Keyed by the upload, so that another upload brings its own default.
        as_of = st.date_input("Data as of", value=date.fromisoformat(newest) if newest else None,
                              format="YYYY-MM-DD", key=f"ws_as_of_{fingerprint[:16]}",
                              help="The reporting date of this version, pre-filled with the newest as_of in status.csv. "
                                   "A later date makes every figure look more recent and can turn milestones overdue.")
        note = st.text_area("Note: what changed and why", max_chars=2000, key="ws_note")
        confirmed = False
        if review.reverts:
            st.warning(f"⚠️ This update would undo {len(review.reverts)} change(s) published after "
                       f"{md_escape(review.derived_from or 'the version your files were built from')}:")
            st.text("\n".join(review.reverts))
            confirmed = st.checkbox("I mean to undo these changes (the version's note records them)", key="ws_allow_revert")
        submitted = st.form_submit_button("🚀 Publish", type="primary", disabled=not review.can_publish)
    if not submitted or not review.can_publish:
        return
    if not note.strip():
        st.error("Write a note saying what changed and why: it is kept with the version.")
        return
    if review.reverts and not confirmed:
        st.error("Not published: tick “I mean to undo these changes” if you do; otherwise upload files built from the "
                 "latest version.")
        return
    if as_of is not None and newest and as_of.isoformat() > newest:
        st.session_state.setdefault(DATING_KEY, {})[fingerprint] = (
            f"⚠️ The version is dated {as_of.isoformat()}, later than every row's as_of (the newest is {newest}): "
            "its figures are presented as of that date, and overdue counts move with it. If that was not meant, "
            f"publish a correction dated {newest}.")
    was_latest = ctx.is_latest
    try:
        outcome = workspace.publish_as(steward, root, review.upload.files, based_on=review.upload.based_on, note=note,
                                       label=label, as_of=as_of.isoformat() if as_of else None,
                                       onto=review.onto.id if review.onto else None, allow_revert=bool(review.reverts),
                                       published_files=review.files)
    except workspace.PermissionDenied:
        st.error("Only a signed-in data steward can publish. Sign in again.")
        return
    except workspace.PublishedMeanwhile as exc:
        st.session_state.setdefault(MEANWHILE_KEY, {})[fingerprint] = exc.latest
        st.rerun()
    except OSError as exc:  # a full or read-only disk: publish has undone its own writes
        st.error(f"Not published: {md_escape(publish_failure(exc))}")
        return
    except PublishRefused as exc:
        st.error(f"Not published: {md_escape(exc.reason)}")
        if exc.details:
            st.text("\n".join(exc.details))
        if exc.report is not None:
            report_table(exc.report, "ws_refused_report")
        return
    # Recorded before any other Streamlit call: a second click that interrupts this run finds it.
    st.session_state.setdefault(PUBLISHED_KEY, {})[fingerprint] = outcome.version
    if was_latest:
        context.show_version(outcome.version.id, outcome.version.id)  # unpinned: every page follows the new latest
    st.rerun()


def steward_workspace(root, ctx: context.PageContext) -> None:
    st.header("✍️ Steward workspace")
    secrets = read_secrets()
    mode = auth.sign_in_mode(secrets)
    steward = current_steward(mode, secrets)
    if steward is None:
        sign_in_panel(mode, secrets)
        return
    who, out = st.columns([4, 1])
    who.markdown(f"Signed in as **{md_escape(steward.name)}** (data steward); what you publish is "
                 f"recorded as by **{md_escape(steward.author)}**.")
    if not steward.display_name:
        who.info(f"Your account has no display name, so the version history shows “{md_escape(auth.DEFAULT_AUTHOR)}” "
                 "as the author of what you publish. An operator sets it with "
                 "`python -m sez_metrics add-steward NAME --display-name \"FULL NAME\" --password-stdin` "
                 "(with their password, new or the same).")
    out.button("Sign out", on_click=sign_out, args=(steward,), key="steward_sign_out")
    reviewed = upload_and_review(root, ctx)
    if reviewed is None:
        return
    review, fingerprint = reviewed
    published = st.session_state.get(PUBLISHED_KEY, {}).get(fingerprint)
    if published is not None:
        published_panel(published, ctx)
        if (dating := st.session_state.get(DATING_KEY, {}).get(fingerprint)) is not None:
            st.warning(dating)
        return
    meanwhile = st.session_state.get(MEANWHILE_KEY, {}).get(fingerprint)
    if meanwhile is not None:
        meanwhile_panel(meanwhile, fingerprint)
        return
    _files_table(review)
    report_table(review.report, "ws_report")
    if review.conflicts:
        conflicts_panel(review)
    elif review.report.ok and review.diff is not None:
        change_preview(review)
    publish_form(root, steward, review, fingerprint, ctx)


ctx = context.page_context("Data", "🗂️")
root = store_location()
store = open_store(root)
try:
    damaged = version_history(store, ctx.versions)
except StoreUnavailable as exc:
    context.store_unavailable(exc)
downloads(store, ctx, damaged)
st.divider()
steward_workspace(root, ctx)
