#!/usr/bin/env bash
# Start the SEZ progress dashboard on the shipped data (data/, or the folder in SEZ_DATA_DIR),
# setting up .venv on the first run. Then open http://localhost:8501.
# Extra arguments go to streamlit, e.g. scripts/run-dashboard.sh --server.port 8600
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
data_dir=${SEZ_DATA_DIR:-data}
if [ ! -f "$data_dir/manifest.json" ]; then
  echo "warning: no dataset in $data_dir (manifest.json is missing); the pages will say so" >&2
fi
exec .venv/bin/python -m streamlit run app.py "$@"
