"""Known-vulnerability audit of every pinned requirement and of every installed package.

Offline: the checker and its dated PyPA advisory snapshot live in ``security/advisories/`` in this
repository. Any finding fails unless ``audit-ignore.txt`` documents it with a reason. With network,
deployments run ``pip-audit -r requirements.txt`` instead (see docs/security.md): the snapshot is
dated and holds PYSEC advisories only.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ADVISORIES = REPO / "security" / "advisories"
AUDIT = ADVISORIES / "audit.py"
IGNORE = REPO / "audit-ignore.txt"


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


def test_the_snapshot_is_in_the_repository_with_its_licence_and_date():
    # the project stands alone: no checker or data from outside the clone
    with gzip.open(ADVISORIES / "pypa-advisories.json.gz", "rt", encoding="utf-8") as fh:
        snapshot = json.load(fh)
    readme = (ADVISORIES / "README.md").read_text(encoding="utf-8")

    assert snapshot["license"].startswith("CC-BY-4.0")
    assert "CC BY 4.0" in readme and snapshot["commit"] in readme
    assert snapshot["commit_date"][:10] in readme
    assert len(snapshot["packages"]) > 600
