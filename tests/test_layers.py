"""The package's layers hold: Streamlit is imported only by ``sez_metrics.app`` (and ``app.py``,
``pages/``), so the core, the stores, the renderers and the command line run without it."""

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "sez_metrics"


def _modules_outside_app() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if "app" in parts[1:2] or parts[-1] == "__main__":
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_importing_everything_outside_app_leaves_streamlit_out():
    modules = _modules_outside_app()
    assert len(modules) > 30, modules  # the walk found the package
    script = ("import importlib, sys\n"
              f"for name in {modules!r}:\n"
              "    importlib.import_module(name)\n"
              "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')))\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]", f"streamlit imported outside sez_metrics.app: {run.stdout[:300]}"


def test_no_module_outside_app_names_streamlit_in_an_import():
    """Also a lazy ``import streamlit`` inside a function, which the import test above cannot see."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "app":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_the_app_layer_is_where_streamlit_is_used():
    """The check above is not vacuous: the app layer does import Streamlit."""
    app_sources = "".join(p.read_text() for p in (PACKAGE / "app").glob("*.py"))
    assert "import streamlit as st" in app_sources


# Each layer may import itself and the layers before it, never one after it: the domain knows
# nothing of stores, stores nothing of rendering, nothing below the app knows Streamlit.
LAYERS = ("core", "storage", "steward", "render", "views", "cli", "app")


def _imported_layers(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "sez_metrics" and len(parts) > 1 and parts[1] in LAYERS:
                found.append((node.lineno, parts[1]))
    return found


def test_each_layer_imports_only_itself_and_the_layers_before_it():
    wrong = []
    for layer in LAYERS:
        allowed = set(LAYERS[: LAYERS.index(layer) + 1])
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            wrong += [f"{path.relative_to(REPO)}:{line} imports sez_metrics.{used}"
                      for line, used in _imported_layers(path) if used not in allowed]
    assert wrong == []


def test_every_subpackage_is_a_known_layer():
    """A new subpackage has to be placed in the order above, or the check would not see it."""
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages == set(LAYERS)


def test_no_module_of_the_package_or_pages_is_over_500_lines():
    long = [f"{p.relative_to(REPO)}: {n}" for p in sorted([*PACKAGE.rglob("*.py"), *(REPO / "pages").glob("*.py")])
            if (n := len(p.read_text().splitlines())) > 500]
    assert long == []
