"""A short load run: three concurrent browser sessions walk the officials' journey against one server.

The long run (20 sessions, 3 minutes) is a command documented in docs/reliability.md; this one
keeps CI cheap on a two-core machine and fails on any error (exception or error box, page error,
timeout, a map click that selects nothing, a request leaving the machine). Timings are recorded
in test-artifacts/load-summary.json, not asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from browsing import ARTIFACTS, REPO

SESSIONS, SECONDS = 3, 20
STEPS = ["overview", "map", "map drawn", "map click", "zone", "timeline", "changes"]


@pytest.mark.browser
def test_concurrent_sessions_complete_their_journeys_without_error(browser_available):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    summary_path = ARTIFACTS / "load-summary.json"
    run = subprocess.run(
        [sys.executable, "loadtest/run.py", "--sessions", str(SESSIONS), "--seconds", str(SECONDS),
         "--json", str(summary_path), "--server-log", str(ARTIFACTS / "load-server.log")],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode in (0, 1), run.stderr  # 2: the server or the browser did not start
    summary = json.loads(summary_path.read_text())

    assert summary["error_list"] == [], "\n".join(summary["error_list"])
    assert run.returncode == 0, run.stderr
    assert summary["journeys"] >= SESSIONS  # each session got all the way round at least once
    assert all(summary["steps"][step]["n"] >= SESSIONS for step in STEPS), summary["steps"]
    assert summary["server_rss_mb"]["peak"] > 0  # the server was really measured
    print(run.stdout)
