"""Known-vulnerability audit of every pinned requirement and of every installed package.

Offline: the checker and its PyPA advisory snapshot live in ``../shared/advisories/`` beside the
repository (CI clones main next to ``shared/``). Any finding fails unless ``audit-ignore.txt``
documents it with a reason. With network, deployments run ``pip-audit -r requirements.txt``
instead (see docs/security.md): the snapshot is dated and holds PYSEC advisories only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
AUDIT = REPO.parent / "shared" / "advisories" / "audit.py"
IGNORE = REPO / "audit-ignore.txt"

if not AUDIT.exists():
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the offline audit checker is missing: {AUDIT}", pytrace=False)
    pytest.skip(f"the offline audit checker is not beside this clone ({AUDIT})", allow_module_level=True)


def audit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(AUDIT), *args], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_every_requirement_is_pinned_and_has_no_known_vulnerability():
    result = audit("requirements.txt", "requirements-dev.txt", "--ignore", str(IGNORE))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "not pinned" not in result.stderr and "not checked" not in result.stderr, result.stderr
    assert re.search(r"^0 known vulnerabilities in \d+ packages checked", result.stdout, re.M), result.stdout


def test_installed_packages_including_transitive_ones_have_no_undocumented_vulnerability():
    result = audit("--installed", "--ignore", str(IGNORE))

    assert result.returncode == 0, result.stdout + result.stderr
    checked = int(re.search(r"in (\d+) packages checked", result.stdout).group(1))
    assert checked > 30  # the transitive dependencies (tornado, jinja2, pillow…) were looked at too


def test_every_exception_names_an_advisory_and_gives_a_reason():
    entries = [line for line in IGNORE.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    for line in entries:
        advisory, _, reason = line.partition("#")
        assert re.fullmatch(r"(PYSEC|CVE|GHSA)-[\w-]+", advisory.strip()), line
        assert len(reason.strip()) > 20 and "reviewed" in reason, line


def test_the_checker_really_finds_a_known_vulnerable_pin(tmp_path):
    # so that a clean result above means something: jinja2 2.10 has published PYSEC advisories
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("jinja2==2.10\n")

    result = audit(str(requirements))

    assert result.returncode == 1
    assert re.search(r"^jinja2 2\.10 PYSEC-", result.stdout, re.M), result.stdout
