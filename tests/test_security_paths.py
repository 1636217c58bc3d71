"""Path traversal through URLs and read-side APIs, and steward functions called by a viewer.

A canary version sits just outside the store (``<tmp>/canary/{zones,status,milestones}.csv`` and
a canary folder inside ``versions/`` that the manifest does not list): no URL parameter and no
export or briefing request may make the app read it. Uploaded and published file names and
``based_on`` ids are covered in tests/test_workspace.py and tests/test_publish.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.pages import rendered_texts, run_page, walk
from support.stores import MINI, build_mini_store

from sez_metrics.render import export
from sez_metrics.render.briefing import pack as pack_files
from sez_metrics.render.briefing import story as storyline
from sez_metrics.steward import workspace
from sez_metrics.storage.folder import VersionStore
from sez_metrics.storage.store import StoreError

REPO = Path(__file__).resolve().parents[1]
CANARY = "CanaryOutsideTheStore"


@pytest.fixture
def guarded_store(tmp_path, monkeypatch) -> Path:
    """The mini store, with canary copies of a version outside it and unlisted inside ``versions/``."""
    root = build_mini_store(tmp_path / "data" / "store")
    for canary in (tmp_path / "data" / "canary", tmp_path / "canary", root / "versions" / "v9999", root / "versions" / "canary"):
        shutil.copytree(MINI / "v2", canary)
        zones = canary / "zones.csv"
        zones.write_text(zones.read_text(encoding="utf-8").replace("Rashakai", CANARY), encoding="utf-8")
    monkeypatch.setenv("SEZ_DATA_DIR", str(root))
    return root


TRAVERSALS = ["../canary", "../../canary", "..%2F..%2Fcanary", "versions/../../canary", "/etc/passwd", "v9999", "canary",
              "v0001/../../canary", "v0002\x00", "\\..\\canary"]


def everything_shown(at) -> str:
    texts = rendered_texts(at)
    for node in walk(at._tree):
        for attr in ("value", "label"):
            value = getattr(node, attr, None)
            if isinstance(value, str):
                texts.append(value)
    texts += [str(frame.value) for frame in at.dataframe]
    return "\n".join(texts)


@pytest.mark.parametrize("parameter", ["version", "compare"])
@pytest.mark.parametrize("value", TRAVERSALS[:4] + ["v9999", "canary"])
def test_version_parameters_never_reach_outside_the_manifest(guarded_store, parameter, value):
    at = run_page("changes", **{parameter: value})

    assert not at.exception, [e.value for e in at.exception]
    assert CANARY not in everything_shown(at)
    assert "Rashakai" in everything_shown(at)  # the real latest version is shown instead


@pytest.mark.parametrize("page", ["zone", "timeline", "map"])
def test_zone_parameter_is_an_id_not_a_path(guarded_store, page):
    at = run_page(page, zone="../../canary/zones.csv")

    assert not at.exception, [e.value for e in at.exception]
    assert CANARY not in everything_shown(at)


@pytest.mark.parametrize("value", TRAVERSALS)
def test_read_side_apis_refuse_ids_that_are_not_listed_versions(guarded_store, value):
    store = VersionStore(guarded_store)
    with pytest.raises(StoreError):
        store.version_dir(value) if value != "v9999" else store.version(value)
    result = store.load(value)
    assert result.dataset.info.id == "v0002" and result.problems  # the latest, with a note of what was asked
    assert CANARY not in result.dataset.zones["short_name"].tolist()
    with pytest.raises(export.ExportError):
        export.version_zip(store, value)
    with pytest.raises(storyline.BriefingError):
        pack_files.load_pack_inputs(guarded_store, value)


@pytest.mark.parametrize("command", [["diff", "../canary", "v0002"], ["diff", "v0001", "v9999"],
                                     ["briefing", "--version", "../../canary", "--out", "x.html"]])
def test_cli_refuses_traversal_in_one_line(guarded_store, tmp_path, command):
    result = subprocess.run([sys.executable, "-m", "sez_metrics", *command], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, env={"SEZ_DATA_DIR": str(guarded_store), "PATH": "/usr/bin:/bin"})

    assert result.returncode != 0
    assert "Traceback" not in result.stderr and CANARY not in result.stdout + result.stderr
    assert len((result.stdout + result.stderr).strip().splitlines()) <= 2, result.stderr
    assert not (tmp_path / "x.html").exists()


class ForgedSteward:
    """Something that looks like a steward to duck typing: name and provider, but not the real type."""

    name = "mallory"
    provider = "password"


@pytest.mark.parametrize("user", [None, "mallory", {"name": "mallory"}, ForgedSteward()])
def test_publish_as_refuses_anyone_but_a_signed_in_steward(guarded_store, user):
    files = {"zones.csv": (MINI / "v2" / "zones.csv").read_bytes().replace(b"KPEZDMC", b"KP-EZDMC")}
    before = sorted(p.name for p in (guarded_store / "versions").iterdir())

    with pytest.raises(workspace.PermissionDenied):
        workspace.publish_as(user, guarded_store, files, based_on="v0002", note="not a steward")

    assert sorted(p.name for p in (guarded_store / "versions").iterdir()) == before
    assert [v.id for v in VersionStore(guarded_store).versions()] == ["v0001", "v0002"]
