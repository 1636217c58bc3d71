"""Warm rerun of every page with AppTest on one data folder; prints JSON (run by ``benchmarks.run``).

Run in its own process (``python -m benchmarks.pages --data DIR``, or ``--data postgresql://…`` for a
database store) so that ``SEZ_STORE`` and the process-wide Streamlit caches belong to that store alone. A warm rerun is a rerun of a page
already run once in the same session: what a person waits for after changing a widget.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = ("overview", "map", "zone", "timeline", "changes", "data")


def time_pages(data: Path | str, repeats: int, pages: tuple[str, ...] = PAGES) -> dict[str, dict]:
    """Per page, in ``pages``' order: first run in a fresh session (the process's caches hold what
    the pages before it read) and warm reruns."""
    os.environ["SEZ_STORE"] = str(data)
    from streamlit.testing.v1 import AppTest

    from sez_metrics.storage.store import open_store

    first_zone = str(open_store(data).load().dataset.zones["zone_id"].iloc[0])
    results: dict[str, dict] = {}
    for page in pages:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.run()
        if page == "zone":
            at.query_params["zone"] = first_zone
        started = time.perf_counter()
        at.switch_page(f"pages/{page}.py").run()
        first = time.perf_counter() - started
        errors = [str(e.value)[:200] for e in at.exception]
        warm = []
        for _ in range(repeats):
            started = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - started)
        results[page] = {"first_s": first, "warm_s": statistics.median(warm), "warm_all_s": warm, "errors": errors}
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="a store folder or a postgresql:// URL")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pages", default=",".join(PAGES), help="the pages to visit, in order (default: all)")
    args = parser.parse_args()
    data = args.data if args.data.startswith(("postgresql://", "postgres://")) else Path(args.data).resolve()
    print(json.dumps(time_pages(data, args.repeats, tuple(args.pages.split(",")))))


if __name__ == "__main__":
    main()
