"""Who may publish: steward accounts, password sign-in with throttling, and the OIDC allowlist.

Two ways to be a steward, chosen by the secrets the server runs with (``st.secrets``):

- **OIDC** — when an ``[auth]`` section configures an identity provider, the page signs people
  in with ``st.login`` and a signed-in person is a steward only if their (verified) e-mail is in
  ``[stewards_allowlist] emails = [...]``.
- **Password** — otherwise, accounts live under ``[stewards.NAME] password_hash = "$argon2id$…"``,
  written by ``python -m sez_metrics add-steward NAME --password-stdin``. Passwords are never
  stored, only their argon2id hashes; verification is argon2's own constant-time check.

Failed password sign-ins are throttled per (name, client) and per client, and the argon2 checks
running at once are bounded (``SignInThrottle``); nothing a stranger does from another client
locks a steward out. An unknown name and a wrong password get the same message and cost the same
time, so the form does not reveal who the stewards are.

Pure: no streamlit import. The page passes ``st.secrets`` as a plain mapping.
"""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import re
import string
import sys
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sez_metrics.core import chars
from sez_metrics.core.settings import (
    MAX_CONCURRENT_PASSWORD_CHECKS,
    REPO_ROOT,
    STEWARD_IDLE_MINUTES,
    STEWARD_MAX_HOURS,
    TRUSTED_PROXIES,
)

DEFAULT_SECRETS_PATH = REPO_ROOT / ".streamlit" / "secrets.toml"
STEWARDS_SECTION = "stewards"
ALLOWLIST_SECTION = "stewards_allowlist"
OIDC_SECTION = "auth"

STEWARD_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD_CHARS = 12
# argon2 hashes any length, but a megabyte "password" is only a way to burn CPU.
MAX_PASSWORD_CHARS = 1024

# One message for an unknown name and a wrong password: the form must not reveal who exists.
SIGN_IN_FAILED = "Unknown steward name or wrong password."

Mode = Literal["oidc", "password", "none"]

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


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
        return OidcDecision(None, "not signed in")
    raw = user.get("email")
    email = raw.strip() if isinstance(raw, str) else ""
    if not email:
        return OidcDecision(None, "the identity provider gave no e-mail address")
    shown = chars.terminal_safe(email)
    if user.get("email_verified") is not True:
        return OidcDecision(None, f"the identity provider has not verified {shown}")
    problem = email_problem(email)
    if problem:
        return OidcDecision(None, f"{shown} is refused: {problem}")
    if normalise_email(email) not in allowlisted_emails(secrets):
        return OidcDecision(None, f"{shown} is not on the steward allowlist")
    name = user.get("name")
    display = name.strip() if isinstance(name, str) and display_name_problem(name) is None else ""
    return OidcDecision(Steward(normalise_email(email), "oidc", display), "on the steward allowlist")


# --- how long a sign-in lasts ----------------------------------------------------------------------


def session_end_reason(signed_in_at: float, last_seen: float, now: float, *,
                       idle_minutes: float = STEWARD_IDLE_MINUTES, max_hours: float = STEWARD_MAX_HOURS) -> str | None:
    """Why a steward's sign-in is over at ``now`` (seconds, like ``time.time()``), or None.

    It ends ``idle_minutes`` after the last action on the Data page and ``max_hours`` after
    signing in, however active: a browser left open, or a session id seen in a log, stops being
    a way to publish.
    """
    if now - signed_in_at >= max_hours * 3600:
        return f"Your steward sign-in ended: it lasts at most {max_hours:g} hours. Sign in again to publish."
    if now - last_seen >= idle_minutes * 60:
        return f"Your steward sign-in ended after {idle_minutes:g} minutes without activity. Sign in again to publish."
    return None


# --- passwords ----------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; two calls give two different hashes)."""
    check_password_policy(password)
    return _hasher.hash(password)


def check_password_policy(password: str) -> None:
    """Raise ``ValueError`` for a password too short or too long to accept."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"the password must have at most {MAX_PASSWORD_CHARS} characters")


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash`` (argon2's constant-time comparison)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_dummy_hash: str | None = None
_dummy_lock = threading.Lock()


def _hash_for_unknown_user() -> str:
    """A real hash to verify against when the name is unknown, so both cases take as long."""
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash("no steward has this password")
        return _dummy_hash


# --- throttling ---------------------------------------------------------------------------------

# The client a sign-in comes from when the server cannot tell (no address known).
UNKNOWN_CLIENT = "unknown"
THROTTLED = "Too many failed sign-ins. Try again in {wait}."
BUSY = ("The server is checking other sign-ins right now. Try again in a few seconds "
        "(your attempt was not counted as a failure).")


@dataclass
class _Failures:
    count: int
    last: float


@dataclass(frozen=True)
class Attempt:
    """A reserved sign-in attempt (``refusal`` empty), or why it was refused before any check."""

    name_key: str
    client: str
    started: float
    refusal: str = ""
    retry_after_s: float = 0.0


@dataclass
class SignInThrottle:
    """Sign-in limits that neither a burst of parallel attempts nor a stranger can get around.

    - **Per (name, client)**: ``free_attempts`` failures cost nothing; after that each attempt
      must wait ``base_delay_s * 2**(failures - free_attempts)`` s (at most ``max_delay_s``)
      after the last failure. The attempt is recorded as a failure *before* the slow argon2
      check (and cleared when the password turns out right), so parallel attempts cannot all
      slip through between the check and the record.
    - **Per client** (an address, see ``client_key``): at most ``client_max_failures`` failures
      within ``client_window_s`` over all names, so one client cannot spray guesses over many.
    - **Concurrency**: at most ``max_concurrent_checks`` argon2 checks at once in the process,
      ``max_concurrent_per_name`` per name and ``max_concurrent_per_client`` per client; an
      attempt that finds no free slot within ``queue_wait_s`` is refused quickly (``BUSY``) and
      not counted as a failure. This bounds the CPU and memory argon2 costs.

    Nothing a stranger does from another client can refuse a steward's right password, except
    occupying the name's few concurrent slots at that very moment: there is no per-name or
    process-wide failure lockout. Unknown names are throttled exactly like known ones.
    Thread-safe: Streamlit runs each session in a thread; every decision is made under one lock.
    """

    free_attempts: int = 3
    base_delay_s: float = 2.0
    max_delay_s: float = 15 * 60
    client_window_s: float = 60.0
    client_max_failures: int = 30
    max_concurrent_checks: int = MAX_CONCURRENT_PASSWORD_CHECKS
    max_concurrent_per_name: int = 2
    max_concurrent_per_client: int = 2
    queue_wait_s: float = 0.5
    max_tracked: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _pairs: dict[tuple[str, str], _Failures] = field(default_factory=dict, repr=False)
    _clients: dict[str, deque] = field(default_factory=dict, repr=False)
    _in_flight: int = field(default=0, repr=False)
    _in_flight_by_name: dict[str, int] = field(default_factory=dict, repr=False)
    _in_flight_by_client: dict[str, int] = field(default_factory=dict, repr=False)
    peak_in_flight: int = field(default=0, repr=False)  # the most checks ever run at once (for tests and operators)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    @staticmethod
    def _key(name: str) -> str:
        return name.strip().casefold()

    def retry_after(self, name: str, client: str = UNKNOWN_CLIENT) -> float:
        """Seconds until ``name`` may be tried again from ``client`` (0 = now)."""
        with self._cond:
            now = self.clock()
            self._forget_old(now)
            return self._wait_locked(self._key(name), client, now)

    def _wait_locked(self, key: str, client: str, now: float) -> float:
        wait = 0.0
        entry = self._pairs.get((key, client))
        if entry is not None and entry.count >= self.free_attempts:
            delay = min(self.max_delay_s, self.base_delay_s * 2 ** (entry.count - self.free_attempts))
            wait = max(wait, entry.last + delay - now)
        recent = self._clients.get(client)
        if recent is not None and len(recent) >= self.client_max_failures:
            wait = max(wait, recent[0] + self.client_window_s - now)
        return max(0.0, wait)

    def _slot_free(self, key: str, client: str) -> bool:
        return (self._in_flight < self.max_concurrent_checks
                and self._in_flight_by_name.get(key, 0) < self.max_concurrent_per_name
                and self._in_flight_by_client.get(client, 0) < self.max_concurrent_per_client)

    def begin(self, name: str, client: str = UNKNOWN_CLIENT) -> Attempt:
        """Check the limits and, in the same step, reserve a check slot and record the attempt as a failure."""
        key = self._key(name)
        deadline = time.monotonic() + self.queue_wait_s
        with self._cond:
            while True:
                now = self.clock()
                self._forget_old(now)
                wait = self._wait_locked(key, client, now)
                if wait > 0:
                    return Attempt(key, client, now, THROTTLED.format(wait=_duration(wait)), wait)
                if self._slot_free(key, client):
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Attempt(key, client, now, BUSY, 1.0)
                self._cond.wait(remaining)
            self._in_flight += 1
            self._in_flight_by_name[key] = self._in_flight_by_name.get(key, 0) + 1
            self._in_flight_by_client[client] = self._in_flight_by_client.get(client, 0) + 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            self._record_failure_locked(key, client, now)
            return Attempt(key, client, now)

    def finish(self, attempt: Attempt, succeeded: bool) -> None:
        """Release the slot of a reserved ``attempt``; success takes back its recorded failure."""
        if attempt.refusal:
            return
        with self._cond:
            self._in_flight -= 1
            for counts, k in ((self._in_flight_by_name, attempt.name_key), (self._in_flight_by_client, attempt.client)):
                counts[k] -= 1
                if counts[k] <= 0:
                    del counts[k]
            if succeeded:
                self._pairs.pop((attempt.name_key, attempt.client), None)
                recent = self._clients.get(attempt.client)
                if recent is not None and attempt.started in recent:
                    recent.remove(attempt.started)
            self._cond.notify_all()

    def record_failure(self, name: str, client: str = UNKNOWN_CLIENT) -> None:
        with self._cond:
            self._record_failure_locked(self._key(name), client, self.clock())

    def _record_failure_locked(self, key: str, client: str, now: float) -> None:
        pair = (key, client)
        entry = self._pairs.pop(pair, None) or _Failures(0, now)
        entry.count += 1
        entry.last = now
        self._pairs[pair] = entry  # re-inserted last: the dict stays ordered by last failure
        recent = self._clients.pop(client, None) or deque()
        recent.append(now)
        while len(recent) > self.client_max_failures:
            recent.popleft()  # only the newest failures decide the client's wait
        self._clients[client] = recent
        for tracked in (self._pairs, self._clients):
            while len(tracked) > self.max_tracked:
                tracked.pop(next(iter(tracked)))

    def _forget_old(self, now: float) -> None:
        # A (name, client) is forgotten once its longest possible delay has passed twice over.
        horizon = now - 2 * self.max_delay_s
        while self._pairs:
            oldest = next(iter(self._pairs))
            if self._pairs[oldest].last > horizon:
                break
            del self._pairs[oldest]
        while self._clients:
            oldest = next(iter(self._clients))
            recent = self._clients[oldest]
            while recent and recent[0] <= now - self.client_window_s:
                recent.popleft()
            if recent:
                break
            del self._clients[oldest]


def client_key(remote_ip: str | None, headers: Mapping[str, str] | None = None,
               trusted_proxies: frozenset[str] = TRUSTED_PROXIES) -> str:
    """Who a sign-in comes from, for the per-client limits.

    The connection's address, unless it is a trusted reverse proxy (``SEZ_TRUSTED_PROXIES``):
    then the address that proxy put in ``X-Real-IP`` or appended last to ``X-Forwarded-For``
    (earlier entries are whatever the client sent, so they are never trusted). IPv6 addresses
    count per /64, the block one subscriber usually holds.
    """
    address = remote_ip.strip() if isinstance(remote_ip, str) else ""
    if address in trusted_proxies and isinstance(headers, Mapping):
        lowered = {k.lower(): v for k, v in headers.items() if isinstance(k, str) and isinstance(v, str)}
        forwarded = lowered.get("x-real-ip", "").strip() or lowered.get("x-forwarded-for", "").split(",")[-1].strip()
        if forwarded:
            address = forwarded
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return UNKNOWN_CLIENT if not address else "unparsed:" + address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# The server's one throttle: shared by every session of the process.
THROTTLE = SignInThrottle()


@dataclass(frozen=True)
class SignInResult:
    """A steward, or a message saying why not (and how long to wait, when throttled or busy)."""

    steward: Steward | None
    message: str
    retry_after_s: float = 0.0


def sign_in(accounts: Mapping[str, str], name: str, password: str, throttle: SignInThrottle | None = None,
            client: str = UNKNOWN_CLIENT) -> SignInResult:
    """Check a name and password against ``accounts`` (name → argon2 hash), throttled (default: ``THROTTLE``)
    per name and ``client`` (from ``client_key``)."""
    throttle = throttle if throttle is not None else THROTTLE
    name = name.strip()
    attempt = throttle.begin(name, client)
    if attempt.refusal:
        return SignInResult(None, attempt.refusal, attempt.retry_after_s)
    succeeded = False
    try:
        if name and password and len(password) <= MAX_PASSWORD_CHARS:
            known = accounts.get(name)
            matched = verify_password(known or _hash_for_unknown_user(), password)
            succeeded = known is not None and matched
    finally:
        throttle.finish(attempt, succeeded)
    if succeeded:
        return SignInResult(Steward(name, "password"), f"Signed in as {name}.")
    return SignInResult(None, SIGN_IN_FAILED)


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.999)
    return f"{seconds} s" if seconds < 120 else f"{(seconds + 59) // 60} min"


# --- the secrets file ---------------------------------------------------------------------------


def set_steward_password(secrets_path: Path | str, name: str, password: str, display_name: str | None = None) -> bool:
    """Create or update steward ``name`` in the secrets file; True when the account is new.

    ``display_name`` ("Ayesha Khan") is what the version history shows as the author of what
    they publish; a new account needs one, an update keeps the existing one unless given.

    Every other section, key and comment of the file is kept (tomlkit edits the document in
    place); the file is replaced atomically and readable by its owner only.
    """
    import tomlkit
    from filelock import FileLock
    from tomlkit.exceptions import TOMLKitError

    from sez_metrics.storage.fsutil import PRIVATE_FILE_MODE, replace_atomically

    if not STEWARD_NAME_PATTERN.match(name):
        raise StewardConfigError(
            f"{name!r} is not a valid steward name: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    if display_name is not None:
        problem = display_name_problem(display_name)
        if problem:
            raise StewardConfigError(problem)
        display_name = display_name.strip()
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise StewardConfigError(str(exc)) from exc
    path = Path(secrets_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock", timeout=30):
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise StewardConfigError(f"{path}: cannot read: {exc}") from exc
        try:
            document = tomlkit.parse(text)
        except TOMLKitError as exc:
            raise StewardConfigError(f"{path}: not valid TOML ({exc}); fix it by hand first") from exc
        stewards = document.get(STEWARDS_SECTION)
        if stewards is None:
            stewards = tomlkit.table(is_super_table=True)
            document[STEWARDS_SECTION] = stewards
        elif not isinstance(stewards, Mapping):
            raise StewardConfigError(f"{path}: '{STEWARDS_SECTION}' is not a table; fix it by hand first")
        created = name not in stewards
        if display_name is None:
            old = stewards.get(name)
            display_name = old.get("display_name") if isinstance(old, Mapping) else None
            if not isinstance(display_name, str) and created:
                raise StewardConfigError(
                    'a new steward needs --display-name "FULL NAME": it is shown as the author of the versions '
                    "they publish, so that the sign-in name stays private"
                )
        entry = tomlkit.table()
        entry["password_hash"] = password_hash
        if isinstance(display_name, str):
            entry["display_name"] = display_name
        stewards[name] = entry
        replace_atomically(path, tomlkit.dumps(document).encode("utf-8"), mode=PRIVATE_FILE_MODE)
    return created


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or typed twice at a terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise StewardConfigError("no terminal to type a password at: pass --password-stdin and pipe it in")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise StewardConfigError("the two passwords differ; nothing was changed")
    return first


def cli_add_steward(args: argparse.Namespace) -> int:
    """``add-steward NAME --display-name "FULL NAME" [--password-stdin] [--secrets PATH]``: exit 0 done, 2 refused."""
    path = Path(args.secrets) if args.secrets else DEFAULT_SECRETS_PATH
    try:
        password = read_password(args.password_stdin)
        created = set_steward_password(path, args.name, password, args.display_name)
    except StewardConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'added' if created else 'updated'} steward {args.name} in {path}")
    return 0
