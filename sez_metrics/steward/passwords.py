"""Password sign-in for steward accounts: argon2id hashes, and throttling that a stranger cannot use
to lock a steward out.

Passwords are never stored, only their argon2id hashes; verification is argon2's own
constant-time check. Failed sign-ins are throttled per (name, client) and per client, and the
argon2 checks running at once are bounded (``SignInThrottle``). An unknown name and a wrong
password get the same message and cost the same time, so the form does not reveal who the
stewards are.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sez_metrics.core.i18n import N_, _
from sez_metrics.core.settings import MAX_CONCURRENT_PASSWORD_CHECKS, TRUSTED_PROXIES
from sez_metrics.steward.auth import Steward

MIN_PASSWORD_CHARS = 12
# argon2 hashes any length, but a megabyte "password" is only a way to burn CPU.
MAX_PASSWORD_CHARS = 1024

# One message for an unknown name and a wrong password: the form must not reveal who exists.
SIGN_IN_FAILED = N_("Unknown steward name or wrong password.")

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


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
THROTTLED = N_("Too many failed sign-ins. Try again in {wait}.")
BUSY = N_("The server is checking other sign-ins right now. Try again in a few seconds "
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
                    return Attempt(key, client, now, _(THROTTLED).format(wait=_duration(wait)), wait)
                if self._slot_free(key, client):
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Attempt(key, client, now, _(BUSY), 1.0)
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
        return SignInResult(Steward(name, "password"), _("Signed in as {name}.").format(name=name))
    return SignInResult(None, _(SIGN_IN_FAILED))


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.999)
    return _("{n} s").format(n=seconds) if seconds < 120 else _("{n} min").format(n=(seconds + 59) // 60)
