#!/usr/bin/env bash
# Set up and run the whole test suite: unit, AppTest and browser tests (Playwright + Debian chromium).
# Extra arguments go to pytest, e.g. scripts/run-tests.sh -q -m "not browser"
# The fast inner loop while changing code: scripts/run-tests.sh -q -m "not browser and not slow"
# Artifacts (screenshots, server log, page timings) land in test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev

# The browser tests drive Debian's chromium (never a downloaded one); the fonts make screenshots
# show the page's text and emoji icons, and Chinese (Noto CJK) and Urdu (Noto Naskh Arabic, Noto
# Nastaliq Urdu) text; strace watches the server for calls leaving the machine;
# nginx and openssl run the shipped proxy configuration (deploy/nginx/) in front of a real server,
# with a self-signed certificate; postgresql's binaries start a throw-away database server for the
# database store's tests (tests/support/pgserver.py).
if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for package in chromium fonts-dejavu-core fonts-noto-color-emoji fonts-noto-cjk fonts-noto-core strace nginx openssl postgresql; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing ${missing[*]} for the browser tests …"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "warning: missing ${missing[*]}; browser and database tests will be skipped (sudo apt-get install ${missing[*]})" >&2
    fi
  fi
fi

# The tests are spread over the machine's cores (pytest-xdist); the browser tests keep to one worker
# (one server and one chromium at a time, artifacts under fixed names). PYTEST_WORKERS=0 runs them
# all in this one process (e.g. for pdb).
status=0
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" --dist loadgroup "$@" || status=$?
if [ "$status" -eq 5 ]; then
  # "no tests collected" must never pass for a green run.
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
