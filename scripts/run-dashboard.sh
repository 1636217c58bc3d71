#!/usr/bin/env bash
# Set up and start the dashboard on the shipped data (or on SEZ_DATA_DIR if set).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/streamlit run app.py "$@"
