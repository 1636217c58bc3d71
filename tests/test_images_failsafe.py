"""Pictures are optional: without chromium, or with one that crashes or stalls, packs still come out.

The browser is taken away for real, never by replacing our code: a mount namespace hides
``/usr/bin/chromium`` behind an empty file; ``BROWSER_PATH`` (which kaleido itself honours) points
at a script that exits at once or never answers; a real chromium is killed in the middle of a
render. Every case must end within a bound (a hang detector, not a timing target), say why the
pictures are missing in one line, and leave no browser process or thread behind.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from support.stores import build_mini_store

from sez_metrics.render.briefing import images as pack_images
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import story as storyline
from sez_metrics.render.static_map import ImagesUnavailable, static_images

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# Far above a normal run (seconds) and far below "waits for ever": a hang detector.
BOUND_S = 90
# Each step's limit for the stalled-browser cases, so they end quickly.
SHORT_STEP_S = "3"
UNDER_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(autouse=True)
def fresh_pictures():
    """Pictures are kept per process by pack: every case here must render (and fail) for real."""
    pack_images.forget_images()
    yield
    pack_images.forget_images()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_mini_store(tmp_path_factory.mktemp("failsafe") / "store")


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BROWSER_PATH", "SEZ_IMAGE_TIMEOUT_S")}
    env.update(PYTHONPATH=str(REPO), **extra)
    return env


def run_cli(command: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=BOUND_S + 30)
    return result, time.monotonic() - started


def briefing_command(out: Path) -> list[str]:
    return [sys.executable, "-m", "sez_metrics", "briefing", "--out", str(out)]


def assert_pack_without_pictures(result, elapsed: float, out: Path, why: str) -> None:
    assert result.returncode == 0, result.stderr
    assert elapsed < BOUND_S
    assert result.stdout.startswith(f"wrote {out}")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr  # one line, no traceback, no browser log
    assert lines[0].startswith("warning: pictures left out: ") and why in lines[0], lines[0]
    if out.suffix == ".pdf":
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
        assert "[Map of the zones not available: pictures left out:" in text
    else:
        page = out.read_text(encoding="utf-8")
        assert "<img" not in page and "not available: pictures left out:" in page


def _can_hide_chromium() -> str | None:
    if shutil.which("unshare") is None:
        return "unshare is missing (util-linux)"
    if os.geteuid() != 0:
        return "hiding /usr/bin/chromium needs root (a mount namespace)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed, nothing to hide"
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True, text=True)
    return None if probe.returncode == 0 else f"no mount namespace here: {probe.stderr.strip()}"


@pytest.mark.parametrize("suffix", [".pdf", ".html"])
def test_without_chromium_the_cli_writes_the_pack_without_pictures(store, tmp_path, suffix):
    problem = _can_hide_chromium()
    if problem:
        if UNDER_CI:
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    empty = tmp_path / "no-chromium"
    empty.write_bytes(b"")
    out = tmp_path / f"pack{suffix}"
    # Only this process's view changes: /usr/bin/chromium becomes an empty, non-executable file.
    script = f'mount --bind "{empty}" {CHROMIUM} && exec "$@"'
    command = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *briefing_command(out)]

    result, elapsed = run_cli(command, _clean_env(SEZ_DATA_DIR=str(store)))

    assert_pack_without_pictures(result, elapsed, out, "chromium is not installed on this machine")


def test_with_browser_path_pointing_nowhere_the_cli_writes_the_pack_without_pictures(store, tmp_path):
    # the same without root: kaleido's own BROWSER_PATH names a browser that does not exist
    out = tmp_path / "pack.pdf"
    env = _clean_env(SEZ_DATA_DIR=str(store), BROWSER_PATH=str(tmp_path / "chromium"))

    result, elapsed = run_cli(briefing_command(out), env)

    assert_pack_without_pictures(result, elapsed, out, f"no browser at BROWSER_PATH={tmp_path / 'chromium'}")


def _fake_chromium(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "chromium"
    script.write_text(f"#!/bin/sh\necho $$ > {tmp_path / 'chromium.pid'}\n{body}\n")
    script.chmod(0o755)
    return script


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


@pytest.mark.slow
def test_a_chromium_that_exits_at_once_gives_a_pack_without_pictures(store, tmp_path):
    fake = _fake_chromium(tmp_path, "exit 3")
    out = tmp_path / "pack.pdf"

    result, elapsed = run_cli(briefing_command(out), _clean_env(SEZ_DATA_DIR=str(store), BROWSER_PATH=str(fake)))

    assert_pack_without_pictures(result, elapsed, out, "starting chromium failed")


@pytest.mark.slow
def test_a_chromium_that_never_answers_is_given_up_on_and_killed(store, tmp_path):
    fake = _fake_chromium(tmp_path, "exec sleep 600")
    out = tmp_path / "pack.html"
    env = _clean_env(SEZ_DATA_DIR=str(store), BROWSER_PATH=str(fake), SEZ_IMAGE_TIMEOUT_S=SHORT_STEP_S)

    result, elapsed = run_cli(briefing_command(out), env)

    assert_pack_without_pictures(result, elapsed, out, f"starting chromium took longer than {SHORT_STEP_S} s")
    pid = int((tmp_path / "chromium.pid").read_text())
    assert _gone(pid), "the stalled browser was left running"


def _thread_names() -> set[str]:
    return {t.name for t in threading.enumerate()}


@pytest.mark.slow
def test_in_the_server_process_a_stalled_browser_leaves_no_thread_waiting(store, tmp_path, monkeypatch):
    # The path of the sidebar downloads and presenter slides: render_images in a long-lived process.
    monkeypatch.setenv("BROWSER_PATH", str(_fake_chromium(tmp_path, "exec sleep 600")))
    monkeypatch.setenv("SEZ_IMAGE_TIMEOUT_S", SHORT_STEP_S)
    inputs = pack_files.load_pack_inputs(store)
    story = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history)
    before = _thread_names()
    started = time.monotonic()

    images = pack_images.render_images(story, ("svg",))

    assert time.monotonic() - started < BOUND_S
    assert images.files == {} and images.problems == [f"pictures left out: starting chromium took longer than {SHORT_STEP_S} s"]
    assert _thread_names() <= before
    assert _gone(int((tmp_path / "chromium.pid").read_text()))


def _browser_processes() -> list[int]:
    """This process's descendants that are a kaleido browser (started with a DevTools pipe)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [os.getpid()]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            try:
                if b"--remote-debugging-pipe" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(child)
            except OSError:
                continue
    return found


@pytest.mark.slow
def test_a_chromium_that_crashes_between_two_images_fails_the_next_one_quickly(store):
    if not CHROMIUM.exists():
        if UNDER_CI:
            pytest.fail(f"{CHROMIUM} is missing", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing")
    inputs = pack_files.load_pack_inputs(store)
    story = storyline.build_briefing(inputs.dataset, inputs.compare, history=inputs.history)
    fig = pack_images.map_figure(story)
    before = _thread_names()

    with static_images() as exporter:
        assert exporter.image(fig, "svg", width=400, height=300).lstrip().startswith(b"<svg")
        browsers = _browser_processes()
        assert browsers
        for pid in browsers:
            os.kill(pid, signal.SIGKILL)  # the browser dies, as in an out-of-memory kill
        started = time.monotonic()
        with pytest.raises(ImagesUnavailable, match="drawing an image"):
            exporter.image(fig, "svg", width=400, height=300)
        assert time.monotonic() - started < BOUND_S

    # The browser's watchdog thread notices the dead process by itself: give it the same bound to end.
    deadline = time.monotonic() + BOUND_S
    while not _thread_names() <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _thread_names() <= before
    # and the next document starts a fresh browser
    with static_images() as exporter:
        assert exporter.image(fig, "svg", width=400, height=300).lstrip().startswith(b"<svg")


def test_the_page_says_packs_come_without_pictures_and_the_download_still_works(mini_store, monkeypatch, download):
    from support.pages import run_page

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    at = run_page()

    captions = [c.value.replace("\\", "") for c in at.sidebar.caption]  # markdown escapes
    assert any(c.startswith("Packs are made without pictures: no browser at BROWSER_PATH=/nonexistent/chromium") for c in captions), captions
    pdf = download(at, "PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "[Map of the zones not available: pictures left out: no browser at BROWSER_PATH" in text


@pytest.mark.slow
def test_a_pack_without_pictures_is_not_kept_the_next_download_tries_again(mini_store, monkeypatch, download):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from support.pages import run_page

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    at = run_page()
    first = PdfReader(io.BytesIO(download(at, "PDF")))
    monkeypatch.delenv("BROWSER_PATH")  # the browser is back (installed, or no longer stalled)

    second = PdfReader(io.BytesIO(download(at, "PDF")))

    assert not any(page.images for page in first.pages)
    assert any(page.images for page in second.pages)


def test_with_chromium_the_page_has_no_such_notice(mini_store, monkeypatch):
    from support.pages import run_page

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    at = run_page()

    assert not [c.value for c in at.sidebar.caption if "without pictures" in c.value]
