#!/usr/bin/env bash
# Start the SEZ progress dashboard on the shipped data (data/, or the store in SEZ_STORE or SEZ_DATA_DIR),
# setting up .venv on the first run. Then open http://localhost:8501.
# Extra arguments go to streamlit, e.g. scripts/run-dashboard.sh --server.port 8600
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
store=${SEZ_STORE:-${SEZ_DATA_DIR:-data}}
case "$store" in
  postgresql://* | postgres://*) ;;  # a database store: the pages say so if it holds no version
  *)
    if [ ! -f "$store/manifest.json" ]; then
      echo "warning: no dataset in $store (manifest.json is missing); the pages will say so" >&2
    fi
    ;;
esac
exec .venv/bin/python -m streamlit run app.py "$@"
