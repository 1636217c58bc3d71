#!/usr/bin/env bash
# Set up and run the whole test suite: unit, AppTest and browser tests (Debian chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "installing Debian chromium and fonts for the browser tests…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-color-emoji >/dev/null
  else
    echo "warning: /usr/bin/chromium missing; run: sudo apt-get install chromium fonts-noto-color-emoji" >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
