"""How long the briefing pack takes to build, per format and language, against the 2.5 s target.

    .venv/bin/python -m benchmarks.pack [DATA_DIR] [--rounds N] [--langs en,zh,ur] [--formats pdf,html]

Each (format, language) runs in a process of its own: **cold** is its first pack (Python warm,
but chromium not started, no picture rendered, fonts not yet measured or subset), **warm** the
median of the next ``--rounds`` packs in that process (what a second download in the app waits
for: pictures and font measurements kept for the process). The whole pack as ``make_pack`` builds
it: load and verify, storyline, pictures, PDF or HTML. Prints the machine's load next to the
numbers, and each warm pack's CPU time (this process; a loaded machine stretches the wall time,
less the CPU time); the target is not an assertion.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 2.5


def _one(data_dir: str, fmt: str, code: str, rounds: int) -> dict:
    """In this process: one cold pack, then ``rounds`` warm ones."""
    sys.path.insert(0, str(REPO))
    from sez_metrics.render.briefing import pack

    times, cpu = [], []
    size = 0
    for _ in range(rounds + 1):
        started, started_cpu = time.perf_counter(), time.process_time()
        data, _, images = pack.make_pack(pack.load_pack_inputs(Path(data_dir)), fmt, lang=code)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        size = len(data)
    return {"cold": times[0], "warm": statistics.median(times[1:]), "warm_cpu": statistics.median(cpu[1:]), "bytes": size,
            "problems": images.problems}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(REPO / "data"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--langs", default="en,zh,ur")
    parser.add_argument("--formats", default="pdf,html")
    parser.add_argument("--one", nargs=2, metavar=("FMT", "LANG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.data_dir, args.one[0], args.one[1], args.rounds)))
        return 0
    print(f"briefing pack build times for {args.data_dir} (target: warm ≤ {TARGET_S} s; "
          f"{os.cpu_count()} cores, load {', '.join(f'{v:.1f}' for v in os.getloadavg())})")
    print(f"{'format':7} {'lang':5} {'cold s':>7} {'warm s':>7} {'warm CPU s':>10} {'size KiB':>9}  {'load 1 min':>10}  target (warm)")
    for fmt in args.formats.split(","):
        for code in args.langs.split(","):
            run = subprocess.run([sys.executable, "-m", "benchmarks.pack", args.data_dir, "--rounds", str(args.rounds), "--one", fmt, code],
                                 cwd=REPO, capture_output=True, text=True, check=False)
            if run.returncode != 0:
                print(f"{fmt:7} {code:5} failed: {run.stderr.strip().splitlines()[-1] if run.stderr.strip() else run.returncode}")
                continue
            result = json.loads(run.stdout.strip().splitlines()[-1])
            verdict = "PASS" if result["warm"] <= TARGET_S else "MISS"
            note = f"  ({'; '.join(result['problems'])})" if result["problems"] else ""
            print(f"{fmt:7} {code:5} {result['cold']:7.2f} {result['warm']:7.2f} {result['warm_cpu']:10.2f} {result['bytes'] / 1024:9.0f}  "
                  f"{os.getloadavg()[0]:10.1f}  {verdict} (≤ {TARGET_S} s){note}")
    print(f"load after: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
