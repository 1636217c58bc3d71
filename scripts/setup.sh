#!/usr/bin/env bash
# Create .venv and install the pinned dependencies; later runs reinstall only when a requirements
# file changed, so starting the dashboard needs no network once set up.
# Usage: scripts/setup.sh          runtime dependencies (requirements.txt)
#        scripts/setup.sh dev      runtime + test dependencies (requirements-dev.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-runtime}" in
  runtime) requirements=requirements.txt ;;
  dev) requirements=requirements-dev.txt ;;
  *) echo "usage: scripts/setup.sh [dev]" >&2; exit 2 ;;
esac

python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
  echo "error: $python not found; install Python 3.11 or newer (Debian: apt-get install python3 python3-venv)" >&2
  exit 2
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Python 3.11 or newer is needed; $python is $("$python" -V 2>&1)" >&2
  exit 2
fi

venv_works() { [ -x .venv/bin/python ] && .venv/bin/python -m pip --version >/dev/null 2>&1; }

if ! venv_works; then
  rm -rf .venv
  echo "creating .venv with $("$python" -V 2>&1) …"
  if ! "$python" -m venv .venv >/dev/null 2>&1; then
    # Debian ships venv's ensurepip separately.
    rm -rf .venv
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing python3-venv …"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      "$python" -m venv .venv
    else
      echo "error: '$python -m venv' failed; install the venv module (Debian: sudo apt-get install python3-venv)" >&2
      exit 2
    fi
  fi
  # An old bundled pip may not understand current wheels' metadata.
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
fi

# requirements-dev.txt includes requirements.txt: both files decide whether the install is current.
if [ "$requirements" = requirements.txt ]; then
  fingerprint=$(sha256sum <requirements.txt | cut -d' ' -f1)
else
  fingerprint=$(cat requirements.txt "$requirements" | sha256sum | cut -d' ' -f1)
fi
stamp=.venv/.installed-$(basename "$requirements" .txt)
if [ "$(cat "$stamp" 2>/dev/null)" != "$fingerprint" ]; then
  echo "installing $requirements into .venv …"
  if .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"; then
    echo "$fingerprint" >"$stamp"
    # the dev install includes every runtime requirement
    [ "$requirements" = requirements.txt ] || sha256sum <requirements.txt | cut -d' ' -f1 >.venv/.installed-requirements
  elif ls .venv/.installed-* >/dev/null 2>&1; then
    echo "warning: could not update the dependencies (offline?); using the existing .venv" >&2
  else
    echo "error: installing $requirements failed (is PyPI reachable?)" >&2
    exit 1
  fi
fi

# The Chinese and Urdu web fonts the app serves (static/fonts/, built once from the Debian font
# packages; a browser cannot load the .ttc collection, and the full CJK face is 16 MB).
font_packages=(fonts-noto-cjk fonts-noto-core)
if command -v dpkg >/dev/null 2>&1; then
  missing_fonts=()
  for package in "${font_packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing_fonts+=("$package")
  done
  if [ ${#missing_fonts[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing ${missing_fonts[*]} …"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_fonts[@]}" >/dev/null
    else
      echo "warning: missing ${missing_fonts[*]}; Chinese and Urdu pages fall back to the browser's fonts (sudo apt-get install ${missing_fonts[*]})" >&2
    fi
  fi
fi
if ! .venv/bin/python -m sez_metrics.render.webfonts --check >/dev/null 2>&1; then
  echo "building the web fonts in static/fonts (about a minute) …"
  .venv/bin/python -m sez_metrics.render.webfonts ||
    echo "warning: the web fonts could not be built; Chinese and Urdu pages fall back to the browser's fonts" >&2
fi
