"""A damaged version on disk: every page says which file is damaged and shows the newest intact version.

Real damage to the store's files, as a failing disk or a careless hand would do it: one flipped
bit in any file of the latest version, a truncated file, a deleted file. The pages are run in
AppTest on the mini store (v0001 as of 2021-09-15, v0002 as of 2022-10-15).
"""

from __future__ import annotations

import pytest
from support.pages import run_page

from sez_metrics.core.text import md_escape
from sez_metrics.storage.folder import VersionStore

PAGES = [None, "map", "zone", "timeline", "changes", "data"]


def flip_a_bit(path, position: int) -> None:
    data = bytearray(path.read_bytes())
    data[position % len(data)] ^= 0x01
    path.write_bytes(bytes(data))


def banner_and_as_of(at) -> tuple[str, str]:
    warnings = " ".join(w.value for w in at.warning)
    as_of = [c.value for c in at.caption if c.value.startswith("📅 Data as of")]
    assert len(as_of) == 1, [c.value for c in at.caption]
    return warnings, as_of[0]


@pytest.mark.parametrize("file_name", ["zones.csv", "status.csv", "milestones.csv"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p or "overview")
def test_a_flipped_bit_in_the_latest_version_is_named_and_the_previous_version_shown(mini_store, file_name, page):
    flip_a_bit(mini_store / "versions" / "v0002" / file_name, 57)

    at = run_page(page, zone="rashakai") if page in ("zone", "timeline") else run_page(page)

    assert not at.exception, [e.value for e in at.exception]
    banner, as_of = banner_and_as_of(at)
    assert "v0002" in banner and md_escape(file_name) in banner, banner
    assert "v0001" in banner  # and says what is shown instead
    assert md_escape("2021-09-15") in as_of and "v0001" in as_of, as_of


@pytest.mark.parametrize("damage", ["truncated", "deleted", "emptied"])
def test_a_truncated_deleted_or_emptied_file_is_named_too(mini_store, damage):
    path = mini_store / "versions" / "v0002" / "milestones.csv"
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:-40])
    elif damage == "deleted":
        path.unlink()
    else:
        path.write_bytes(b"")

    at = run_page()

    assert not at.exception, [e.value for e in at.exception]
    banner, as_of = banner_and_as_of(at)
    assert "v0002" in banner and md_escape("milestones.csv") in banner, banner
    assert md_escape("2021-09-15") in as_of
    assert [p.version_id for p in VersionStore(mini_store).verify()] == ["v0002"]


def test_a_pinned_damaged_version_is_not_shown_either(mini_store):
    flip_a_bit(mini_store / "versions" / "v0001" / "status.csv", 100)

    at = run_page("changes", version="v0001")

    assert not at.exception
    banner, as_of = banner_and_as_of(at)
    assert "v0001" in banner and md_escape("status.csv") in banner, banner
    assert md_escape("2022-10-15") in as_of  # the newest intact version, never the damaged one
