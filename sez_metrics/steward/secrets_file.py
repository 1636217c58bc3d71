"""The secrets file's steward accounts: ``add-steward`` creates or updates one, keeping everything else.

Only the argon2id hash of a password is written (``sez_metrics.steward.passwords``); the file is
replaced atomically and readable by its owner only.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from sez_metrics.core.settings import REPO_ROOT
from sez_metrics.steward.auth import STEWARDS_SECTION, StewardConfigError, display_name_problem
from sez_metrics.steward.passwords import hash_password

DEFAULT_SECRETS_PATH = REPO_ROOT / ".streamlit" / "secrets.toml"
STEWARD_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


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
