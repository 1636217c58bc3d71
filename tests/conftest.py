"""Shared fixtures: temporary stores, the shipped data folder, and Streamlit cache hygiene."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))

from storebuilder import build_mini_store  # noqa: E402

SHIPPED_DATA = REPO / "data"


@pytest.fixture
def mini_store(tmp_path, monkeypatch) -> Path:
    """A three-zone, two-version store in a temp folder, set as SEZ_DATA_DIR."""
    root = build_mini_store(tmp_path / "store")
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of the shipped data folder, set as SEZ_DATA_DIR."""
    if not (SHIPPED_DATA / "manifest.json").exists():
        pytest.fail("the shipped dataset (data/manifest.json) is missing")
    root = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, root, ignore=shutil.ignore_patterns(".publish.lock"))
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """st.cache_* is process-wide: clear it so AppTests never depend on each other's order."""
    yield
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()
