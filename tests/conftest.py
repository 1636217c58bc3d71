"""Shared fixtures: temporary stores, the shipped data folder, and Streamlit cache hygiene; the
Hypothesis profiles; the ``slow`` marker on property, fuzz, scale and database tests; and one
pytest-xdist worker for all browser tests.

Hypothesis runs under the ``ci`` profile when ``CI=true`` (as CI services set it) and under ``dev``
otherwise, with fewer examples; ``HYPOTHESIS_PROFILE=ci`` (or ``dev``) chooses one explicitly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Examples are generated, typed and checked through real pandas/Arrow code: a deadline would only
# measure how busy the machine is. Tests that need fewer examples (each one costly) say so themselves.
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=15, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
settings.load_profile(HYPOTHESIS_PROFILE)

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))

from support.hostile import build_hostile_store  # noqa: E402
from support.stores import build_mini_store, copy_shipped  # noqa: E402


@pytest.fixture
def mini_store(tmp_path, monkeypatch) -> Path:
    """A three-zone, two-version store in a temp folder, set as SEZ_DATA_DIR."""
    root = build_mini_store(tmp_path / "store")
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of the shipped data folder, set as SEZ_DATA_DIR (fails if it is missing)."""
    root = copy_shipped(tmp_path / "data")
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


@pytest.fixture(params=["mini", "shipped"])
def any_store(request, tmp_path, monkeypatch) -> Path:
    """The mini fixture store, then a copy of the shipped data, set as SEZ_DATA_DIR."""
    if request.param == "mini":
        root = build_mini_store(tmp_path / "store")
    else:
        root = copy_shipped(tmp_path / "data")
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


@pytest.fixture
def hostile_store(tmp_path, monkeypatch) -> Path:
    """The hostile dataset (tests/support/hostile.py) as SEZ_DATA_DIR."""
    root = build_hostile_store(tmp_path / "hostile")
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


# Big enough that anything drawn or listed once per zone or per milestone shows (a chart with a
# bar per zone, a table of every change), small enough to build in about a second.
SCALE_ZONES, SCALE_VERSIONS, SCALE_MILESTONES = 1000, 3, 4


@pytest.fixture(scope="session")
def scale_store_root(tmp_path_factory) -> Path:
    """A synthetic store of 1,000 zones × 3 versions × 4 milestones per zone, built once per test run."""
    from sez_metrics.storage.synth import build_store

    root = tmp_path_factory.mktemp("scale") / "store"
    build_store(root, zones=SCALE_ZONES, versions=SCALE_VERSIONS, milestones_per_zone=SCALE_MILESTONES, seed=7)
    return root


@pytest.fixture
def scale_store(scale_store_root, monkeypatch) -> Path:
    """The 1,000-zone synthetic store as SEZ_DATA_DIR (shared: tests must not write to it)."""
    monkeypatch.setenv("SEZ_DATA_DIR", str(scale_store_root))
    return scale_store_root


# Fixtures that make a test slow: the 1,000-zone store, and the PostgreSQL server (a real server
# process, started once per run and stopped at its end).
SLOW_FIXTURES = {"scale_store", "scale_store_root", "pg_server"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark property and fuzz tests (Hypothesis), scale tests and database tests ``slow``, so that
    ``-m "not slow"`` is the fast inner loop without each such test having to say so. (A test that
    asks for the database store by parameter, ``support.storekinds.STORE_KINDS``, is marked there.)"""
    for item in items:
        function = getattr(item, "function", None)
        is_property = getattr(function, "is_hypothesis_test", False)
        if is_property or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("browser"):
            # under pytest-xdist (scripts/run-tests.sh), every browser test runs on one worker
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_report_header(config):
    return f"hypothesis profile: {HYPOTHESIS_PROFILE}"


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """st.cache_* is process-wide: clear it so AppTests never depend on each other's order."""
    yield
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()


@pytest.fixture
def download(monkeypatch):
    """Click a download button: run the page's deferred callable through Streamlit's media manager
    and read the file. ``download(at, label_part)`` takes the one button whose label contains
    ``label_part`` (any, when it is the only one)."""
    import streamlit.testing.v1.app_test as app_test_module

    managers, stores = [], []

    class RecordingManager(app_test_module.MediaFileManager):
        def __init__(self, storage) -> None:
            super().__init__(storage)
            managers.append(self)

    class RecordingStorage(app_test_module.MemoryMediaFileStorage):
        def __init__(self, media_endpoint: str) -> None:
            super().__init__(media_endpoint)
            stores.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingManager)
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)

    def read(at, label_part: str = "") -> bytes:
        (button,) = [d.proto for d in at.get("download_button") if label_part in d.proto.label]
        url = managers[-1].execute_deferred(button.deferred_file_id)
        return stores[-1].get_file(url.rsplit("/", 1)[1]).content

    return read


# --- PostgreSQL: a real server for the database store --------------------------------------------


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL cluster for the test run (see tests/support/pgserver.py); stopped at the end."""
    from support.pgserver import PgServer, require_postgres

    server = PgServer(require_postgres())
    server.start()
    yield server
    server.destroy()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh empty database on the test server: its ``postgresql://`` URL."""
    return pg_server.new_database()
