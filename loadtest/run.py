"""Load test: N concurrent browser sessions against one ``streamlit run app.py`` server.

Each session is a separate browser context (its own cookies, its own Streamlit session) in one
Debian chromium, driven by Playwright. Every session walks the officials' journey again and again,
starting a new one until ``--seconds`` have passed (the journey under way is finished):
Overview → Map (until deck.gl has drawn the zones, then click one) → Zone profile → Timeline →
Changes. Recorded: seconds from navigation (or click) until the page is ready (the script run
finished, no spinner, no error box), p50/p95/max per step; every error (exception or error box,
JavaScript page error, timeout, a click that selects no zone, a request leaving the machine);
the server's resident memory and CPU, sampled from /proc twice a second.

    .venv/bin/python loadtest/run.py --sessions 20 --seconds 180            # the long run
    .venv/bin/python loadtest/run.py --sessions 4 --seconds 25 --json out.json

Exit status 0 when no session met an error, 1 otherwise, 2 when the server or browser did not start.
The data is a temporary copy of ``data/`` (``--data DIR`` for another store); nothing is written there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))
sys.path.insert(0, str(REPO))

from browsing import _DECK_POINT_JS, _IDLE_JS, DECK_CANVAS, ERROR_ALERT, EXCEPTION_BOX, IDLE_WINDOW_MS, is_local  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STEP_TIMEOUT_MS = 60_000
CLICK_EFFECT_TIMEOUT_MS = 15_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Zone:
    zone_id: str
    lon: float
    lat: float


@dataclass
class Result:
    """What a run measured; ``steps`` maps a step name to its ready times in seconds."""

    sessions: int
    seconds: float
    journeys: int = 0
    click_retries: int = 0
    steps: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    cpu_pct: list[float] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def summary(self) -> dict:
        def pct(values: list[float], q: float) -> float:
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else 0.0

        return {
            "sessions": self.sessions, "seconds": self.seconds, "journeys": self.journeys, "errors": len(self.errors),
            "click_retries": self.click_retries,
            "load_before": self.load_before,
            "steps": {name: {"n": len(v), "p50": round(statistics.median(v), 2) if v else 0.0, "p95": pct(v, 0.95),
                             "max": round(max(v), 2) if v else 0.0} for name, v in self.steps.items()},
            "server_rss_mb": {"start": self.rss_mb[0] if self.rss_mb else 0, "peak": max(self.rss_mb, default=0),
                              "end": self.rss_mb[-1] if self.rss_mb else 0},
            "server_cpu_pct": {"mean": round(statistics.mean(self.cpu_pct), 1) if self.cpu_pct else 0,
                               "peak": max(self.cpu_pct, default=0)},
        }


# --- the server and what it costs -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` on a free port in its own process group; waits for /_stcore/health."""
    port = free_port()
    env = {**os.environ, "SEZ_DATA_DIR": str(data_dir), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as response:  # noqa: S310 — our own http://127.0.0.1
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.1)  # polling until the server answers
    stop_server(process)
    raise RuntimeError(f"streamlit did not start; see {log}")


def stop_server(process: subprocess.Popen) -> None:
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (e.g. a kaleido chromium), from /proc."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                queue += [int(c) for c in task.read_text().split()]
            except OSError:
                continue
    return found


def cpu_and_rss(pid: int) -> tuple[float, float]:
    """CPU seconds used and resident MB of ``pid`` and its descendants."""
    cpu = rss = 0.0
    for p in process_tree(pid):
        try:
            stat = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
            rss += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE_SIZE / 2**20
        except (OSError, IndexError, ValueError):
            continue
    return cpu, rss


def sample_server(pid: int, result: Result, stop: threading.Event, every_s: float = 0.5) -> None:
    last_cpu, last_t = cpu_and_rss(pid)[0], time.monotonic()
    while not stop.wait(every_s):
        cpu, rss = cpu_and_rss(pid)
        now = time.monotonic()
        result.rss_mb.append(round(rss, 1))
        result.cpu_pct.append(round(100 * (cpu - last_cpu) / max(now - last_t, 1e-6), 1))
        last_cpu, last_t = cpu, now


# --- one session --------------------------------------------------------------------------------


async def ready(page) -> None:
    """Wait for the script run to finish (idle for a moment); raise on an exception or error box."""
    await page.evaluate("() => { window.__sezIdleSince = null; }")
    await page.wait_for_function(_IDLE_JS, arg=IDLE_WINDOW_MS, polling=50, timeout=STEP_TIMEOUT_MS)
    if await page.locator(EXCEPTION_BOX).count():
        raise AssertionError(f"exception box on {page.url}")
    if await page.locator(ERROR_ALERT).count():
        raise AssertionError(f"error box on {page.url}: {await page.locator(ERROR_ALERT).first.inner_text()}")


async def timed(result: Result, step: str, action) -> None:
    start = time.perf_counter()
    await action()
    result.steps.setdefault(step, []).append(time.perf_counter() - start)


async def zone_point(page, zone: Zone) -> dict:
    """Where the deck.gl map draws ``zone`` (projected by deck.gl itself), once something is pickable there."""
    await page.locator(DECK_CANVAS).first.wait_for(timeout=STEP_TIMEOUT_MS)
    deadline = time.monotonic() + 30
    point: dict = {}
    while time.monotonic() < deadline:
        try:
            point = await page.evaluate(_DECK_POINT_JS, [zone.lon, zone.lat, zone.zone_id])
        except Exception as exc:  # noqa: BLE001 — deck.gl asserts while it is still laying out: try again
            point = {"error": str(exc).splitlines()[0]}
        # zones close together (Dhabeji, Port Qasim) overlap at country zoom: any zone drawn there will do
        if point.get("picked") and point.get("inside"):
            break
        await page.wait_for_timeout(100)  # layers load and draw asynchronously
    else:
        raise AssertionError(f"zone {zone.zone_id} never became clickable: {point}")
    return point


async def click(page, zone: Zone, point: dict, result: Result, attempts: int = 3) -> None:
    """Click the map at ``point`` until the page takes the selection (the URL names a zone), then wait for the run.

    A click can land in a rerun that redraws the map; like a person, the session clicks again
    (at the point recomputed from the map as now drawn). Extra clicks are counted, not errors.
    """
    selected = re.compile(r"[?&]zone=")
    for attempt in range(1, attempts + 1):
        if attempt > 1:
            result.click_retries += 1
            point = await zone_point(page, zone)
        await page.mouse.click(point["x"], point["y"])
        try:
            await page.wait_for_url(selected, timeout=CLICK_EFFECT_TIMEOUT_MS)
        except Exception:  # noqa: BLE001, S112 — not selected yet: click again
            continue
        await ready(page)
        return
    raise AssertionError(f"{attempts} clicks on the map never selected a zone ({page.url})")


async def session(number: int, browser, url: str, zones: list[Zone], result: Result, deadline: float) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.on("pageerror", lambda exc: result.errors.append(f"session {number}: page error: {exc}"))

    async def route(r, request):
        if is_local(request.url):
            await r.continue_()
        else:
            result.errors.append(f"session {number}: request left the machine: {request.url}")
            await r.abort("blockedbyclient")

    await page.route("**/*", route)
    journey = 0
    try:
        while time.monotonic() < deadline:
            zone = zones[(number + journey) % len(zones)]
            at: dict = {}

            async def find(z=zone, at=at):
                at.update(await zone_point(page, z))
            steps = [
                ("overview", lambda: page.goto(url + "/"), None),
                ("map", lambda: page.goto(url + "/map"), None),
                ("map drawn", None, find),
                ("map click", None, lambda z=zone, at=at: click(page, z, at, result)),
                ("zone", lambda z=zone: page.goto(f"{url}/zone?zone={z.zone_id}"), None),
                ("timeline", lambda: page.goto(url + "/timeline"), None),
                ("changes", lambda: page.goto(url + "/changes"), None),
            ]
            for name, navigate, action in steps:
                async def step(navigate=navigate, action=action):
                    if navigate is not None:
                        await navigate()
                        await ready(page)
                    else:
                        await action()

                try:
                    await timed(result, name, step)
                except Exception as exc:  # noqa: BLE001 — every failure is a recorded error, the session goes on
                    result.errors.append(f"session {number}: {name}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
                    break
            else:
                journey += 1
                result.journeys += 1
    finally:
        await context.close()


async def drive(url: str, sessions: int, seconds: float, zones: list[Zone], result: Result) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            deadline = time.monotonic() + seconds
            await asyncio.gather(*(session(i, browser, url, zones, result, deadline) for i in range(sessions)))
        finally:
            await browser.close()


def zones_of(data_dir: Path) -> list[Zone]:
    """The latest version's zones with their coordinates (the ones a session clicks)."""
    from sez_metrics.storage.folder import VersionStore

    zones = VersionStore(data_dir).load().dataset.zones
    return [Zone(str(z.zone_id), float(z.longitude), float(z.latitude)) for z in zones.itertuples()]


def run_load(sessions: int, seconds: float, data: Path | None = None, log: Path | None = None) -> Result:
    """Start a server on a copy of ``data`` (default: the shipped data), drive it, stop it; return the measurements."""
    with tempfile.TemporaryDirectory(prefix="sez-load-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data or REPO / "data", copy, ignore=shutil.ignore_patterns(".publish.lock"))
        result = Result(sessions, seconds, load_before=os.getloadavg())
        process, url = start_server(copy, log or Path(tmp) / "server.log")
        stop = threading.Event()
        sampler = threading.Thread(target=sample_server, args=(process.pid, result, stop), daemon=True)
        try:
            sampler.start()
            asyncio.run(drive(url, sessions, seconds, zones_of(copy), result))
        finally:
            stop.set()
            sampler.join()
            stop_server(process)
        return result


def format_summary(summary: dict) -> str:
    lines = [f"{summary['sessions']} sessions × {summary['seconds']:.0f} s: {summary['journeys']} complete journeys, "
             f"{summary['errors']} error(s), {summary['click_retries']} map click(s) repeated; load average before: {', '.join(f'{x:.2f}' for x in summary['load_before'])}",
             f"{'step':<10} {'n':>4} {'p50 s':>7} {'p95 s':>7} {'max s':>7}"]
    lines += [f"{name:<10} {s['n']:>4} {s['p50']:>7.2f} {s['p95']:>7.2f} {s['max']:>7.2f}" for name, s in summary["steps"].items()]
    rss, cpu = summary["server_rss_mb"], summary["server_cpu_pct"]
    lines.append(f"server RSS MB: start {rss['start']}, peak {rss['peak']}, end {rss['end']}; "
                 f"server CPU %: mean {cpu['mean']}, peak {cpu['peak']} (100 = one core)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions (default 20)")
    parser.add_argument("--seconds", type=float, default=180, help="how long the sessions keep going (default 180)")
    parser.add_argument("--data", type=Path, help="store to copy and serve (default: the shipped data/)")
    parser.add_argument("--json", type=Path, help="also write the summary and every error to this JSON file")
    parser.add_argument("--server-log", type=Path, help="keep the server's output here")
    args = parser.parse_args(argv)
    try:
        result = run_load(args.sessions, args.seconds, args.data, args.server_log)
    except (RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = result.summary()
    print(format_summary(summary))
    for error in result.errors[:20]:
        print(f"error: {error}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps({**summary, "error_list": result.errors, "raw": asdict(result)}, indent=2))
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
