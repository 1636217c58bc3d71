"""Who may publish: steward accounts, the sign-in mode, the OIDC allowlist and how long a sign-in lasts.

Two ways to be a steward, chosen by the secrets the server runs with (``st.secrets``):

- **OIDC** — when an ``[auth]`` section configures an identity provider, the page signs people
  in with ``st.login`` and a signed-in person is a steward only if their (verified) e-mail is in
  ``[stewards_allowlist] emails = [...]``.
- **Password** — otherwise, accounts live under ``[stewards.NAME] password_hash = "$argon2id$…"``,
  written by ``python -m sez_metrics add-steward NAME --password-stdin``
  (``sez_metrics.steward.secrets_file``); signing in with them, throttled, is
  ``sez_metrics.steward.passwords``.

Pure: no streamlit import. The page passes ``st.secrets`` as a plain mapping.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sez_metrics.core import chars
from sez_metrics.core.i18n import _
from sez_metrics.core.settings import STEWARD_IDLE_MINUTES, STEWARD_MAX_HOURS

STEWARDS_SECTION = "stewards"
ALLOWLIST_SECTION = "stewards_allowlist"
OIDC_SECTION = "auth"

Mode = Literal["oidc", "password", "none"]


class StewardConfigError(Exception):
    """The secrets file cannot be read or written as asked; nothing was changed."""


# The author recorded for a steward account that has no display name yet (never the sign-in name,
# which would make the sign-in names public in the version history).
DEFAULT_AUTHOR = "Data steward"
MAX_DISPLAY_NAME_CHARS = 80  # the manifest's author limit (publish.MAX_AUTHOR_CHARS)


@dataclass(frozen=True)
class Steward:
    """A signed-in data steward: ``name`` signs in (private), ``author`` is recorded in the manifest."""

    name: str
    method: Literal["password", "oidc"]
    display_name: str = ""

    @property
    def author(self) -> str:
        """What the version history shows as the author: the display name, or ``DEFAULT_AUTHOR``."""
        return self.display_name or DEFAULT_AUTHOR


def display_name_problem(display_name: str) -> str | None:
    """Why ``display_name`` cannot be shown as an author, or None (the manifest's author rules)."""
    text = display_name.strip()
    if not text:
        return "the display name is empty"
    if len(text) > MAX_DISPLAY_NAME_CHARS:
        return f"the display name is {len(text)} characters long; at most {MAX_DISPLAY_NAME_CHARS}"
    return chars.text_field_problem(text, "display name")


# --- configuration ------------------------------------------------------------------------------


def _section(secrets: Mapping, name: str) -> Mapping:
    value = secrets.get(name) if isinstance(secrets, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def oidc_configured(secrets: Mapping) -> bool:
    """True when an ``[auth]`` section configures an identity provider for ``st.login``."""
    return bool(_section(secrets, OIDC_SECTION))


def oidc_provider(secrets: Mapping) -> str | None:
    """The provider name to pass to ``st.login``: ``None`` for a provider set in ``[auth]`` itself,
    else the first ``[auth.NAME]`` sub-section that has a ``client_id``."""
    auth = _section(secrets, OIDC_SECTION)
    if "client_id" in auth:
        return None
    named = sorted(k for k, v in auth.items() if isinstance(v, Mapping) and "client_id" in v)
    return named[0] if named else None


def password_accounts(secrets: Mapping) -> dict[str, str]:
    """Steward name → argon2 hash, for every well-formed ``[stewards.NAME]`` entry."""
    accounts = {}
    for name, entry in _section(secrets, STEWARDS_SECTION).items():
        if isinstance(entry, Mapping) and _is_argon2_hash(entry.get("password_hash")):
            accounts[str(name)] = str(entry["password_hash"])
    return accounts


def display_names(secrets: Mapping) -> dict[str, str]:
    """Steward name → display name, for every account whose ``display_name`` can be shown."""
    names = {}
    for name, entry in _section(secrets, STEWARDS_SECTION).items():
        value = entry.get("display_name") if isinstance(entry, Mapping) else None
        if isinstance(value, str) and display_name_problem(value) is None:
            names[str(name)] = value.strip()
    return names


def account_problems(secrets: Mapping) -> list[str]:
    """Entries under ``[stewards]`` that cannot sign in (so an operator can fix them)."""
    problems = []
    for name, entry in _section(secrets, STEWARDS_SECTION).items():
        if not isinstance(entry, Mapping) or not _is_argon2_hash(entry.get("password_hash")):
            problems.append(f"steward {name!r} has no argon2 password_hash; run add-steward again")
    return problems


def normalise_email(address: str) -> str:
    """An address as compared with the allowlist: NFC, surrounding space removed, and the domain's
    ASCII letters in lower case (domain names are case-insensitive). The local part is compared
    exactly: no case folding, which would let "straße@" match "strasse@"."""
    text = unicodedata.normalize("NFC", str(address)).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    return local + "@" + domain.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def email_problem(address: str) -> str | None:
    """Why ``address`` cannot be a steward's address (a look-alike of another), or None."""
    text = unicodedata.normalize("NFC", str(address)).strip()
    if text.count("@") != 1 or text.startswith("@") or text.endswith("@"):
        return "it is not a single e-mail address"
    problem = chars.confusable_problem(text)
    return f"{problem}, so it could pass for another address" if problem else None


def allowlisted_emails(secrets: Mapping) -> frozenset[str]:
    """The steward e-mail allowlist for OIDC sign-in, normalised (``normalise_email``); an entry that
    could pass for another address (``email_problem``) is left out."""
    emails = _section(secrets, ALLOWLIST_SECTION).get("emails", [])
    if isinstance(emails, str):  # a single address written without brackets
        emails = [emails]
    return frozenset(normalise_email(e) for e in emails if str(e).strip() and email_problem(str(e)) is None)


def sign_in_mode(secrets: Mapping) -> Mode:
    """``oidc`` when a provider is configured, else ``password`` when an account exists, else ``none``."""
    if oidc_configured(secrets):
        return "oidc"
    return "password" if password_accounts(secrets) else "none"


def _is_argon2_hash(value: object) -> bool:
    return isinstance(value, str) and value.startswith("$argon2")


# --- OIDC ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OidcDecision:
    """Whether a person signed in through the identity provider is a steward, and why not."""

    steward: Steward | None
    reason: str


def steward_from_oidc(user: Mapping, secrets: Mapping) -> OidcDecision:
    """Decide on ``st.user`` (``is_logged_in``, ``email``, ``email_verified``, ``name``) against the allowlist.

    Only an address the provider states is verified (the JSON boolean ``true``: a missing claim,
    the string "true" or 1 are not a statement) can sign in, since anyone can type any address
    into some providers' sign-up forms. The address must match an allowlist entry exactly after
    NFC normalisation (domain case aside), and look-alikes (ligatures, full-width or mixed-script
    letters, hidden characters) are refused outright.
    """
    if not user or user.get("is_logged_in") is not True:
        return OidcDecision(None, _("not signed in"))
    raw = user.get("email")
    email = raw.strip() if isinstance(raw, str) else ""
    if not email:
        return OidcDecision(None, _("the identity provider gave no e-mail address"))
    shown = chars.terminal_safe(email)
    if user.get("email_verified") is not True:
        return OidcDecision(None, _("the identity provider has not verified {address}").format(address=shown))
    problem = email_problem(email)
    if problem:
        return OidcDecision(None, _("{address} is refused: {problem}").format(address=shown, problem=problem))
    if normalise_email(email) not in allowlisted_emails(secrets):
        return OidcDecision(None, _("{address} is not on the steward allowlist").format(address=shown))
    name = user.get("name")
    display = name.strip() if isinstance(name, str) and display_name_problem(name) is None else ""
    return OidcDecision(Steward(normalise_email(email), "oidc", display), _("on the steward allowlist"))


# --- how long a sign-in lasts ----------------------------------------------------------------------


def session_end_reason(signed_in_at: float, last_seen: float, now: float, *,
                       idle_minutes: float = STEWARD_IDLE_MINUTES, max_hours: float = STEWARD_MAX_HOURS) -> str | None:
    """Why a steward's sign-in is over at ``now`` (seconds, like ``time.time()``), or None.

    It ends ``idle_minutes`` after the last action on the Data page and ``max_hours`` after
    signing in, however active: a browser left open, or a session id seen in a log, stops being
    a way to publish.
    """
    if now - signed_in_at >= max_hours * 3600:
        return _("Your steward sign-in ended: it lasts at most {hours} hours. Sign in again to publish.").format(hours=f"{max_hours:g}")
    if now - last_seen >= idle_minutes * 60:
        return _("Your steward sign-in ended after {minutes} minutes without activity. Sign in again to publish.").format(
            minutes=f"{idle_minutes:g}")
    return None
