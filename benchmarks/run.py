"""The benchmark suite: ``.venv/bin/python -m benchmarks.run [--quick] [--no-browser]``.

Measures, on the shipped data and on a synthetic store of 5,000 zones × 40 versions × 10
milestones per zone (generated once into ``benchmarks/.cache/``, reused after):

- load + verify of the latest version, against the parse floor (pyarrow reading the same bytes);
- validation of a 50,000-row status file (and of a 50,000-row milestones file);
- diff of the last two 5,000-zone versions;
- warm rerun of every page (AppTest, in a process of its own per data folder);
- cold first paint of ``/`` and ``/map`` in chromium against the framework floor
  (``benchmarks/floor_app.py``: one pydeck and one Plotly chart), visited in turn with the pages;
- server memory (RSS of the streamlit process) with 1 and with 10 browser sessions open.

Prints a table with each target and PASS/MISS, and writes everything (with the machine's core
count, memory and load) to ``benchmarks/results/<UTC time>.json``. Targets are not asserts: the
numbers depend on the machine and its load, which the output records next to them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "data"
CACHE = REPO / "benchmarks" / ".cache"
RESULTS = REPO / "benchmarks" / "results"
SCALE = {"zones": 5000, "versions": 40, "milestones_per_zone": 10, "seed": 1}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 900}
READY = '[data-test-script-state="notRunning"]'
PLOTLY = '[data-testid="stPlotlyChart"]'
DECK = '[data-testid="stDeckGlJsonChart"] canvas'
TIMEOUT_MS = 90_000
# Load + verify and its floor take milliseconds: enough alternating rounds for a stable median
# (a single round moves by ±30 % with the machine's other work).
LOAD_ROUNDS = 25


# --- machine ------------------------------------------------------------------------------------


def machine() -> dict:
    """Cores, memory and load now: every figure is read against these."""
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "mem_gb": round(mem_kb / 1024 / 1024, 1), "load": [round(v, 2) for v in os.getloadavg()],
            "python": sys.version.split()[0]}


def _median(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- data -----------------------------------------------------------------------------------------


def scale_store() -> Path:
    """The 5,000-zone synthetic store, generated once (about 3 minutes on 2 cores) and reused."""
    from sez_metrics.storage.synth import build_store

    root = CACHE / "synth-z{zones}-v{versions}-m{milestones_per_zone}-s{seed}".format(**SCALE)
    if not (root / "manifest.json").exists():
        print(f"generating {root} (once) …", file=sys.stderr)
        building = root.with_name(root.name + ".building")
        if building.exists():
            import shutil

            shutil.rmtree(building)
        build_store(building, **SCALE)
        building.rename(root)
    return root


# --- measurements in this process ---------------------------------------------------------------------


def bench_load(root: Path, repeats: int) -> dict:
    """Load + verify of the latest version vs pyarrow parsing the same three files' bytes."""
    import pyarrow.csv as pacsv

    from sez_metrics.storage.folder import VersionStore

    store = VersionStore(root)
    info = store.latest()
    files = {name: (root / "versions" / info.id / name).read_bytes() for name in info.files}
    # One untimed round of each first (the process's first loads pay for fresh memory: thousands of
    # page faults), then the two alternate, so that both see the same machine and the same load.
    # The dashboard loads a version in a long-running server, so the steady figure is the one that counts.
    store.load()
    [pacsv.read_csv(io.BytesIO(b)) for b in files.values()]
    loads, floors = [], []
    for _ in range(max(repeats, LOAD_ROUNDS)):
        loads.append(_median(lambda: store.load(), 1))
        floors.append(_median(lambda: [pacsv.read_csv(io.BytesIO(b)) for b in files.values()], 1))
    load, floor = statistics.median(loads), statistics.median(floors)
    verify_all = _median(lambda: store.verify(), max(1, repeats // 2))
    rows = {name: data.count(b"\n") - 1 for name, data in files.items()}
    return {"version": info.id, "rows": rows, "load_s": load, "parse_floor_s": floor, "ratio": load / floor,
            "verify_all_versions_s": verify_all}


def bench_validation(repeats: int) -> dict:
    """validate_version on a 50,000-row status file (alone, as a steward checks one file) and milestones."""
    from sez_metrics.core.validate import validate_version
    from sez_metrics.storage.synth import generate

    _, big = next(generate(50_000, 1, 1, seed=2))
    _, ms = next(generate(5_000, 1, 10, seed=2))
    status_report = validate_version({"status.csv": big["status.csv"]})
    status = _median(lambda: validate_version({"status.csv": big["status.csv"]}), repeats)
    milestones = _median(lambda: validate_version({"milestones.csv": ms["milestones.csv"]}), repeats)
    version = _median(lambda: validate_version(ms), max(1, repeats // 2))
    return {"status_50k_s": status, "status_50k_errors": len(status_report.errors),
            "milestones_50k_s": milestones, "version_5k_zones_s": version}


def bench_diff(root: Path, repeats: int) -> dict:
    """diff_versions of the last two versions (already loaded), and the CLI-style JSON of it."""
    from sez_metrics.core.diff import diff_versions
    from sez_metrics.storage.folder import VersionStore

    store = VersionStore(root)
    old_info, new_info = store.versions()[-2:]
    old, new = store.load(old_info.id).dataset, store.load(new_info.id).dataset
    result = diff_versions(old, new)
    seconds = _median(lambda: diff_versions(old, new), repeats)
    return {"old": old_info.id, "new": new_info.id, "diff_s": seconds, "cell_changes": len(result.cell_changes)}


def bench_pages(root: Path, repeats: int) -> dict:
    """Warm page reruns, in a process of its own (its own SEZ_DATA_DIR and Streamlit caches)."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.pages", "--data", str(root), "--repeats", str(repeats)],
                          cwd=REPO, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- a real server and chromium ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``streamlit run <script>`` on a free port, in its own process group, stopped on exit."""

    def __init__(self, script: str, data: Path | None):
        self.port = _free_port()
        env = dict(os.environ, PYTHONUNBUFFERED="1", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
        if data is not None:
            env["SEZ_DATA_DIR"] = str(data)
        self.log = open(RESULTS / f"server-{Path(script).stem}-{self.port}.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as response:  # noqa: S310 (our own http URL)
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)  # polling the health endpoint
        self.stop()
        raise RuntimeError(f"streamlit {script} did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        """Resident memory of the server process (and any children), from /proc."""
        total = 0
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def _open(browser, url: str, wait_for: tuple[str, ...]):
    """A fresh browser context on ``url``; seconds until the run finished and ``wait_for`` are visible."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url or
               route.request.url.startswith(("data:", "blob:")) else route.abort())
    started = time.perf_counter()
    page.goto(url)
    for selector in wait_for:
        page.locator(selector).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    page.locator(READY).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    return context, page, time.perf_counter() - started


def _paint_summary(times: list[float]) -> dict:
    """The very first visit after the server started, then the median of the cold sessions after it."""
    return {"first_visit_s": times[0], "cold_session_s": statistics.median(times[1:]), "all_s": times}


def _attempt(measure: Callable[[], dict]) -> dict:
    """The measurement, or what stopped it (a page that never paints is a result too)."""
    try:
        return measure()
    except Exception as exc:  # noqa: BLE001 (recorded in the results, the run goes on)
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}


def bench_browser(stores: dict[str, Path], repeats: int, sessions: int) -> dict:
    """First paint of the framework floor and of / and /map for each store, then memory on the last store.

    One server per app, all started first; each round visits the floor and every page once, in
    turn, in fresh sessions. The floor and the pages thus share the machine's state (its load
    drifts over minutes), as load + verify does with its parse floor.
    """
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        servers: dict[str, Server] = {}
        try:
            servers["floor"] = Server("benchmarks/floor_app.py", None)
            for name, root in stores.items():
                servers[name] = Server("app.py", root)
            visits = [("floor", "floor", "/", (PLOTLY, DECK))]
            visits += [(name, page, path, chart) for name in stores
                       for page, path, chart in (("overview", "/", (PLOTLY,)), ("map", "/map", (DECK,)))]
            times: dict[tuple[str, str], list[float]] = {(name, page): [] for name, page, _, _ in visits}
            failed: dict[tuple[str, str], str] = {}
            for _ in range(repeats + 1):
                for name, page, path, chart in visits:
                    if (name, page) in failed:
                        continue
                    try:
                        context, _page, seconds = _open(browser, servers[name].url + path, chart)
                        context.close()
                        times[(name, page)].append(seconds)
                    except Exception as exc:  # noqa: BLE001 (a page that never paints is a result too)
                        failed[(name, page)] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            summary = {key: ({"error": failed[key]} if key in failed else _paint_summary(t)) for key, t in times.items()}
            out["floor"] = summary[("floor", "floor")]
            for name in stores:
                out[name] = {"overview": summary[(name, "overview")], "map": summary[(name, "map")]}
            last = list(stores)[-1]
            out[last]["memory"] = _attempt(lambda: _memory(browser, servers[last], sessions))
        finally:
            for server in servers.values():
                server.stop()
            browser.close()
    print("  browser: done", file=sys.stderr)
    return out


def _memory(browser, server: Server, sessions: int) -> dict:
    """RSS with one session open on each of / and /map in turn, then with ``sessions`` sessions open at once."""
    opened = []
    try:
        opened.append(_open(browser, server.url + "/", (PLOTLY,)))
        time.sleep(1)  # let the session settle
        one = server.rss_mb()
        for i in range(1, sessions):
            path, chart = ("/map", DECK) if i % 2 else ("/", PLOTLY)
            opened.append(_open(browser, server.url + path, (chart,)))
        time.sleep(1)
        many = server.rss_mb()
    finally:
        for context, _page, _seconds in opened:
            context.close()
    return {"rss_1_session_mb": one, f"rss_{sessions}_sessions_mb": many, "extra_mb": many - one, "sessions": sessions}


# --- the table --------------------------------------------------------------------------------------------


def _row(what: str, figure: str, target: str, ok: bool | None) -> tuple[str, str, str, str]:
    return what, figure, target, "" if ok is None else ("PASS" if ok else "MISS")


def table(results: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for name in ("shipped", "scale"):
        load = results.get("load", {}).get(name)
        if load:
            rows.append(_row(f"load+verify latest ({name}, {load['rows'].get('milestones.csv', 0)} milestones)",
                             f"{load['load_s'] * 1000:.0f} ms = {load['ratio']:.1f}× floor ({load['parse_floor_s'] * 1000:.0f} ms)",
                             "≤ 2× parse floor", load["ratio"] <= 2))
    val = results.get("validation")
    if val:
        rows.append(_row("validate 50,000-row status.csv", f"{val['status_50k_s'] * 1000:.0f} ms", "≤ 1 s", val["status_50k_s"] <= 1))
        rows.append(_row("validate 50,000-row milestones.csv", f"{val['milestones_50k_s'] * 1000:.0f} ms", "", None))
        rows.append(_row("validate a 5,000-zone version (3 files)", f"{val['version_5k_zones_s'] * 1000:.0f} ms", "", None))
    diff = results.get("diff")
    if diff:
        rows.append(_row(f"diff {diff['old']}→{diff['new']} (5,000 zones, {diff['cell_changes']} cells)",
                         f"{diff['diff_s'] * 1000:.0f} ms", "", None))
    for name, limit in (("shipped", 0.15), ("scale", 0.6)):
        for page, r in results.get("pages", {}).get(name, {}).items():
            if "warm_s" in r:
                rows.append(_row(f"warm rerun {page} ({name})", f"{r['warm_s'] * 1000:.0f} ms", f"≤ {limit * 1000:.0f} ms",
                                 r["warm_s"] <= limit and not r["errors"]))
    floor = results.get("browser", {}).get("floor")
    for name in ("shipped", "scale"):
        b = results.get("browser", {}).get(name)
        if not b or not floor or "error" in floor:
            continue
        for page in ("overview", "map"):
            if "error" in b[page]:
                rows.append(_row(f"first paint {'/' if page == 'overview' else '/map'} ({name})", b[page]["error"][:60], "≤ 1.3× floor", False))
                continue
            seconds = b[page]["cold_session_s"]
            rows.append(_row(f"first paint {'/' if page == 'overview' else '/map'} ({name})",
                             f"{seconds:.2f} s = {seconds / floor['cold_session_s']:.2f}× floor ({floor['cold_session_s']:.2f} s)",
                             "≤ 1.3× floor", seconds <= 1.3 * floor["cold_session_s"]))
        memory = b.get("memory")
        if memory and "error" in memory:
            rows.append(_row(f"server RSS ({name})", memory["error"][:60], "≤ +150 MB", False))
        elif memory:
            n = memory["sessions"]
            rows.append(_row(f"server RSS 1 → {n} sessions ({name})",
                             f"{memory['rss_1_session_mb']:.0f} → {memory[f'rss_{n}_sessions_mb']:.0f} MB (+{memory['extra_mb']:.0f})",
                             "≤ +150 MB", memory["extra_mb"] <= 150))
    return rows


def print_table(rows, machine_info: dict) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)] if rows else [0] * 4
    print(f"machine: {machine_info['nproc']} cores, {machine_info['mem_gb']} GB, load {machine_info['load']} (1/5/15 min)")
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repetition each, no browser")
    parser.add_argument("--no-browser", action="store_true", help="skip first paint and memory (chromium)")
    parser.add_argument("--sessions", type=int, default=10, help="browser sessions for the memory figure (default 10)")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 5
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine_before": machine(), "repeats": repeats}
    stores = {"shipped": SHIPPED, "scale": scale_store()}
    step = lambda what: print(f"… {what}", file=sys.stderr)  # noqa: E731
    step("load + verify")
    results["load"] = {name: bench_load(root, repeats) for name, root in stores.items()}
    step("validation")
    results["validation"] = bench_validation(max(1, repeats // 2 + 1))
    step("diff")
    results["diff"] = bench_diff(stores["scale"], repeats)
    step("pages (AppTest)")
    results["pages"] = {name: bench_pages(root, 1 if args.quick else 3) for name, root in stores.items()}
    if not (args.quick or args.no_browser):
        step("browser")
        results["browser"] = bench_browser(stores, repeats, args.sessions)
    results["machine_after"] = machine()
    rows = table(results)
    results["table"] = [dict(zip(("what", "figure", "target", "verdict"), r, strict=True)) for r in rows]
    path = RESULTS / (datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + ("-quick" if args.quick else "") + ".json")
    path.write_text(json.dumps(results, indent=1))
    print_table(rows, results["machine_before"])
    print(f"load after: {results['machine_after']['load']}; written {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
