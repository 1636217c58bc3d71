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

import streamlit as st

from sez_metrics.app import cached, context, serverguard
from sez_metrics.core import i18n
from sez_metrics.core.dataset import VersionInfo
from sez_metrics.core.i18n import N_, _
from sez_metrics.core.report import Report
from sez_metrics.core.settings import MAX_UPLOAD_BYTES, store_location
from sez_metrics.core.text import md_echo, md_escape
from sez_metrics.render import export
from sez_metrics.steward import auth, passwords, workspace
from sez_metrics.storage.publish import PublishRefused, publish_failure
from sez_metrics.storage.store import Store, StoreError, StoreUnavailable, open_store
from sez_metrics.views import data as view

# Session state of the workspace (one browser session = one steward at most).
STEWARD_KEY = serverguard.STEWARD_KEY  # password sign-in: the name signed in with
SIGNED_IN_AT_KEY = serverguard.SIGNED_IN_AT_KEY  # time.time() of the sign-in (the absolute limit)
LAST_SEEN_KEY = serverguard.LAST_SEEN_KEY  # time.time() of the last run of this page while signed in (the idle limit)
OIDC_ENDED_KEY = serverguard.OIDC_ENDED_KEY  # why an OIDC sign-in ended; kept until they sign out at the provider
ENDED_KEY = "steward_session_ended"  # why the sign-in just ended, shown once
UPLOAD_GEN_KEY = "ws_upload_generation"  # bumped to empty the uploader for a new update
BASES_KEY = "ws_based_on"  # upload fingerprint → latest version id when it was uploaded
REVIEW_KEY = "ws_review"  # the last Review (recomputed only when the upload, its base or the language changes)
REVIEW_LANG_KEY = "ws_review_language"  # the language the last Review's messages are in
PUBLISHED_KEY = "ws_published"  # upload fingerprint → VersionInfo it made: one update, one version
MEANWHILE_KEY = "ws_meanwhile"  # upload fingerprint → VersionInfo someone else published meanwhile
ONTO_KEY = "ws_onto"  # upload fingerprint → the latest version the steward chose to merge onto
RECEIVED_KEY = "ws_received"  # (file name, sha256) → time the file first arrived
DATING_KEY = "ws_dating"  # upload fingerprint → the dating warning of what it published

def read_secrets() -> dict:
    """The server's secrets as a plain dict; empty when there is no secrets file."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError as exc:  # Streamlit's "no secrets" and "cannot parse" both derive from it
        if isinstance(exc.__cause__, tomllib.TOMLDecodeError):
            st.warning(_("🔐 The server's secrets file is not valid TOML, so no steward can sign in. "
                         "An operator must fix it."))
        return {}


# --- everyone: history and downloads --------------------------------------------------------------


def version_history(store: Store, versions: list[VersionInfo]) -> dict[str, list[str]]:
    """The table of every version, newest first, with ✓/✗ from a full verify; returns problems by version."""
    st.header(_("📜 Version history"))
    problems, error = cached.verified(store)
    if error is not None:
        st.error(_("The manifest cannot be checked: {error}").format(error=md_escape(error)))
        return {}
    by_version = view.problems_by_version(problems)
    history = view.history_table(versions, by_version)
    st.dataframe(view.shown(history), hide_index=True, width="stretch", key="version_history")
    st.download_button(_("⬇️ Version history (CSV)"), data=export.spreadsheet_csv(history), file_name="version-history.csv",
                       mime="text/csv", on_click="ignore", help=_(view.CSV_HELP), key="version_history_csv")
    st.caption(_("✓ intact: every file matches the sha256 in the manifest and the manifest's hash chain is unbroken "
                 "(checked again whenever a file of the store changes, and at least every {minutes} minutes).").format(
        minutes=i18n.number(cached.VERIFY_TTL // 60, 0)))
    if problems:
        st.warning(_("⚠️ {n} integrity problem(s): damaged versions are never shown as if they were good.").format(
            n=i18n.number(len(problems), 0)))
        st.text("\n".join(p.format_line() for p in problems))
    return by_version


def downloads(store: Store, ctx: context.PageContext, damaged: dict[str, list[str]]) -> None:
    """Download any intact version as a zip, and the empty templates."""
    st.header(_("⬇️ Downloads"))
    left, right = st.columns(2)
    with left:
        ids, labels = view.version_options(ctx.versions)
        chosen = st.selectbox(_("Version"), ids, index=ids.index(ctx.info.id) if ctx.info.id in ids else 0,
                              format_func=lambda vid: labels.get(vid, vid),
                              key=f"download_version_{ctx.info.id}")  # follows the version shown when it changes
        if chosen in damaged:
            st.warning(_("{version} failed its integrity check and cannot be downloaded.").format(version=md_escape(chosen)))
        else:
            st.download_button(
                _("📦 Download {version} (zip)").format(version=chosen), data=lambda: export.version_zip(store, chosen),
                file_name=export.version_zip_name(chosen), mime="application/zip", on_click="ignore",
                help=_(view.ZIP_HELP), key="download_version_zip",
            )
            st.caption(_("Originals exactly as published (hash-verifiable) plus spreadsheet-safe copies: "
                         "hover over the button for details."))
    with right:
        st.download_button(
            _("📄 Download empty templates (zip)"), data=export.templates_zip, file_name=export.TEMPLATES_ZIP_NAME,
            mime="application/zip", on_click="ignore", help=_(view.TEMPLATES_HELP), key="download_templates",
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
        st.info(view.no_steward())
        broken = view.broken_accounts(secrets)
        if broken:
            st.warning(broken)
        return
    ended = st.session_state.pop(ENDED_KEY, None)
    if mode == "oidc":
        user = st.user.to_dict()
        decision = auth.steward_from_oidc(user, secrets)
        if ended and decision.steward is not None:
            st.warning(f"⏱️ {md_escape(ended)}")
            st.button(_("Sign in again"), on_click=st.logout, key="oidc_sign_in_again")
            return
        if user.get("is_logged_in"):
            st.warning(_("🔒 Signed in, but not as a steward: {reason}.").format(reason=md_escape(decision.reason)))
            st.button(_("Sign out"), on_click=st.logout, key="oidc_sign_out")
        else:
            st.caption(_("Stewards sign in with their organisation account."))
            provider = auth.oidc_provider(secrets)
            st.button(_("🔑 Sign in"), on_click=st.login, args=(provider,) if provider else (), key="oidc_sign_in")
        return
    if ended:
        st.info(f"⏱️ {md_escape(ended)}")
    with st.form("steward_sign_in", clear_on_submit=True):
        st.caption(_("Data stewards sign in to upload and publish an update."))
        name = st.text_input(_("Steward name"), key="sign_in_name", autocomplete="username")
        password = st.text_input(_("Password"), type="password", key="sign_in_password", autocomplete="current-password")
        submitted = st.form_submit_button(_("Sign in"))
    if submitted:
        result = passwords.sign_in(auth.password_accounts(secrets), name, password, client=client())
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
    return passwords.client_key(st.context.ip_address, headers)


def sign_out(steward: auth.Steward) -> None:
    _forget_steward()
    if steward.method == "oidc":
        st.logout()


# --- stewards: upload, review, publish --------------------------------------------------------------


def report_table(report: Report, key: str) -> None:
    """Counts per severity, the problems as a table, and the report as a (neutralised) CSV."""
    st.markdown(view.report_counts(report))
    if not report.problems:
        st.success(_("✅ No problem found."))
        return
    st.dataframe(view.shown(view.report_frame(report)), hide_index=True, width="stretch", key=f"{key}_table")
    st.download_button(_("⬇️ Validation report (CSV)"), data=export.report_csv(report), file_name="validation-report.csv",
                       mime="text/csv", on_click="ignore", help=_(view.CSV_HELP), key=f"{key}_csv")


def change_preview(review: workspace.Review) -> None:
    """What publishing would change, in the words the command line prints: the summary by zone,
    rows added/removed, every changed cell, then the id the version gets."""
    preview = view.change_preview(review)
    st.subheader(preview.title)
    if preview.merged:
        st.info(preview.merged)
    if preview.carried_over:
        st.caption(preview.carried_over)
    if not preview.heading:
        if preview.layout_only:
            st.info(_("No value changes: the files differ from the latest version only in layout or row order."))
        return
    st.text(preview.heading)
    for block in preview.zones:
        st.markdown(block)
    for line in preview.rows:
        st.text(line)
    st.text(preview.counts)
    if preview.cells is not None:
        cells = preview.cells
        with st.expander(_("Every changed cell ({n})").format(n=i18n.number(len(cells), 0)), expanded=len(cells) <= 20):
            st.dataframe(view.shown(cells), hide_index=True, width="stretch", key="ws_cell_changes")
            st.download_button(_("⬇️ Changed cells (CSV)"), data=export.spreadsheet_csv(review.diff.cell_changes_frame()),
                               file_name="changed-cells.csv", mime="text/csv", on_click="ignore", help=_(view.CSV_HELP),
                               key="ws_cell_changes_csv")
    if preview.new_id:
        st.text(_("publishing as {version}").format(version=preview.new_id))


def conflicts_panel(review: workspace.Review) -> None:
    """Cells both the steward and a later version changed differently: nothing can be published."""
    st.error(view.conflicts_message(review))
    st.text("\n".join(review.conflicts))


def _files_table(review: workspace.Review) -> None:
    """One line per file of the update: when it arrived and its own error and warning counts."""
    received = st.session_state.setdefault(RECEIVED_KEY, {})

    def when(name: str, data: bytes) -> str:
        return received.setdefault((name, workspace.sha256_bytes(data)), datetime.now().strftime("%H:%M:%S"))

    files = view.files_table(review, when)
    if not files.empty:
        st.dataframe(view.shown(files), hide_index=True, width="stretch", key="ws_files")


def upload_and_review(root, ctx: context.PageContext) -> tuple[workspace.Review, str] | None:
    """The uploader; returns the review of what is uploaded (and its fingerprint), or None."""
    if not serverguard.uploads_guarded():
        st.error(_("🚫 Uploads are switched off on this server: its upload guard could not be installed "
                   "(see the server log). An operator must check the Streamlit version."))
        return None
    generation = st.session_state.setdefault(UPLOAD_GEN_KEY, 0)
    uploaded = st.file_uploader(
        _("Upload one or more of zones.csv, status.csv, milestones.csv"),
        # No type=: Streamlit would answer a .zip, .exe or odd name with its own exception box; every
        # name is checked by workspace.receive_upload, which says what is wrong and what to upload.
        accept_multiple_files=True, key=f"ws_upload_{generation}",
        max_upload_size=MAX_UPLOAD_BYTES // 2**20,
        help=_("Name each file exactly zones.csv, status.csv or milestones.csv. A table you do not upload is "
               "carried over unchanged from the latest version."),
    )
    if not uploaded:
        st.caption(_("Start from the empty templates or from a downloaded version's original files."))
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
        st.info(_("ℹ️ {file} was uploaded again: the newest one is used (the list below says when it "
                  "arrived). Remove the older one with ✕ to tidy the uploader.").format(file=md_escape(name)))
    for rejected in upload.rejected:
        st.error(f"🚫 “{md_echo(rejected.name)}”: {md_escape(rejected.reason)}")
    review = st.session_state.get(REVIEW_KEY)
    lang = i18n.current().code  # the report's messages are in the language it was made in
    if (review is None or review.upload.fingerprint != fingerprint or review.upload.based_on != based_on
            or (review.onto.id if review.onto else None) != onto or st.session_state.get(REVIEW_LANG_KEY) != lang):
        try:
            with st.spinner(_("Validating…")):
                review = workspace.review_upload(root, upload, onto=onto)
        except StoreError as exc:
            st.error(_("The update cannot be reviewed: {reason}").format(reason=md_escape(exc)))
            return None
        st.session_state[REVIEW_KEY] = review
        st.session_state[REVIEW_LANG_KEY] = lang
    return review, fingerprint


def published_panel(info: VersionInfo, ctx: context.PageContext) -> None:
    st.success(view.published_message(info, ctx.info))
    st.button(_("Start a new update"), on_click=_new_update, key="ws_new_update")


def _new_update() -> None:
    st.session_state[UPLOAD_GEN_KEY] = st.session_state.get(UPLOAD_GEN_KEY, 0) + 1
    st.session_state.pop(REVIEW_KEY, None)


def meanwhile_panel(latest: VersionInfo, fingerprint: str) -> None:
    """Someone else published since the upload: say who and what, keep the files, offer a re-review."""
    st.warning(view.meanwhile_message(latest))

    def merge_onto() -> None:
        st.session_state.setdefault(ONTO_KEY, {})[fingerprint] = latest.id
        st.session_state[MEANWHILE_KEY].pop(fingerprint, None)
        st.session_state.pop(REVIEW_KEY, None)

    st.button(_("🔁 Merge my changes onto {version}").format(version=md_escape(latest.id)), on_click=merge_onto, key="ws_rebase")


def publish_form(root, steward: auth.Steward, review: workspace.Review, fingerprint: str, ctx: context.PageContext) -> None:
    """Label, as-of date, note and the Publish button (disabled unless the review allows it)."""
    blocker = view.publish_blocker(review)
    if blocker is not None:
        kind, message = blocker
        (st.error if kind == "error" else st.info)(message)
    newest = workspace.status_as_of(review.files["status.csv"]) if "status.csv" in review.files else ""
    with st.form("ws_publish"):
        label = st.text_input(_("Label (optional)"), placeholder=_("e.g. Update before JCC-15 · empty: “Update of <as of>”"),
                              max_chars=120, key="ws_label")
        # Keyed by the upload, so that another upload brings its own default.
        as_of = st.date_input(_("Data as of"), value=date.fromisoformat(newest) if newest else None,
                              format="YYYY-MM-DD", key=f"ws_as_of_{fingerprint[:16]}",
                              help=_("The reporting date of this version, pre-filled with the newest as_of in status.csv. "
                                     "A later date makes every figure look more recent and can turn milestones overdue."))
        note = st.text_area(_("Note: what changed and why"), max_chars=2000, key="ws_note")
        confirmed = False
        if review.reverts:
            st.warning(_("⚠️ This update would undo {n} change(s) published after {version}:").format(
                n=len(review.reverts), version=md_escape(review.derived_from or _("the version your files were built from"))))
            st.text("\n".join(review.reverts))
            confirmed = st.checkbox(_("I mean to undo these changes (the version's note records them)"), key="ws_allow_revert")
        submitted = st.form_submit_button(_("🚀 Publish"), type="primary", disabled=not review.can_publish)
    if not submitted or not review.can_publish:
        return
    if not note.strip():
        st.error(_("Write a note saying what changed and why: it is kept with the version."))
        return
    if review.reverts and not confirmed:
        st.error(_("Not published: tick “I mean to undo these changes” if you do; otherwise upload files built from the "
                   "latest version."))
        return
    dating = view.dating_warning(as_of.isoformat() if as_of is not None else "", newest)
    if dating is not None:
        st.session_state.setdefault(DATING_KEY, {})[fingerprint] = dating
    was_latest = ctx.is_latest
    try:
        outcome = workspace.publish_as(steward, root, review.upload.files, based_on=review.upload.based_on, note=note,
                                       label=label, as_of=as_of.isoformat() if as_of else None,
                                       onto=review.onto.id if review.onto else None, allow_revert=bool(review.reverts),
                                       published_files=review.files)
    except workspace.PermissionDenied:
        st.error(_("Only a signed-in data steward can publish. Sign in again."))
        return
    except workspace.PublishedMeanwhile as exc:
        st.session_state.setdefault(MEANWHILE_KEY, {})[fingerprint] = exc.latest
        st.rerun()
    except OSError as exc:  # a full or read-only disk: publish has undone its own writes
        st.error(_("Not published: {reason}").format(reason=md_escape(publish_failure(exc))))
        return
    except PublishRefused as exc:
        st.error(_("Not published: {reason}").format(reason=md_escape(exc.reason)))
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
    st.header(_("✍️ Steward workspace"))
    secrets = read_secrets()
    mode = auth.sign_in_mode(secrets)
    steward = current_steward(mode, secrets)
    if steward is None:
        sign_in_panel(mode, secrets)
        return
    who, out = st.columns([4, 1])
    who.markdown(view.signed_in_as(steward))
    if not steward.display_name:
        who.info(view.no_display_name())
    out.button(_("Sign out"), on_click=sign_out, args=(steward,), key="steward_sign_out")
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


ctx = context.page_context(N_("Data"), "🗂️")
root = store_location()
store = open_store(root)
try:
    damaged = version_history(store, ctx.versions)
except StoreUnavailable as exc:
    context.store_unavailable(exc)
downloads(store, ctx, damaged)
st.divider()
steward_workspace(root, ctx)
