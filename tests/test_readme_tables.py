"""The README's tables of commands and of pages are checked against the code they describe.

The command table lists exactly the subcommands of the real parser (``sez_metrics.cli.main``), with
their positional arguments as the parser names them; every option a row names exists for its
command and every example parses. The URL table lists exactly the pages of ``app.py`` (title and
URL) and, for each page, exactly the query parameters it reads when it runs; the parameters the
section says work on every page are read by every page.
"""

from __future__ import annotations

import argparse
import ast
import re
import shlex

import pytest
from streamlit.runtime.state.query_params_proxy import QueryParamsProxy
from support.pages import APP, run_page
from support.stores import REPO

from sez_metrics.cli.main import build_parser


def _literal(node: ast.AST):
    """A keyword's constant value; a title marked for translation (``_("Map")``) reads as its English text."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_":
        node = node.args[0]
    return ast.literal_eval(node)


README = (REPO / "README.md").read_text(encoding="utf-8")


def section(heading: str) -> str:
    """The README's text under ``## heading``, up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, f"README.md has no section '## {heading}'"
    return match.group(1)


def table_rows(text: str) -> list[list[str]]:
    """The cells of the first markdown table in ``text`` (header and rule left out); ``\\|`` is a literal bar."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    rows = [[cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    assert len(rows) > 2, "no table"
    return rows[2:]


def code_spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


# --- commands -------------------------------------------------------------------------------------

PARSER = build_parser()
(SUBPARSERS,) = [a for a in PARSER._actions if isinstance(a, argparse._SubParsersAction)]
COMMANDS: dict[str, argparse.ArgumentParser] = dict(SUBPARSERS.choices)
ROWS = {code_spans(row[0])[0].split()[0]: row for row in table_rows(section("The dataset and the command line"))}


def synopsis(parser: argparse.ArgumentParser) -> list[str]:
    """The positional arguments as the README's first column writes them: ``PATH...`` for one or more."""
    return [a.metavar + ("..." if a.nargs in ("+", "*") else "") for a in parser._actions if not a.option_strings]


def test_the_command_table_lists_exactly_the_commands_of_the_parser():
    assert sorted(ROWS) == sorted(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_row_names_its_arguments_and_options_as_the_parser_does(command):
    first, what, example = ROWS[command]
    words = code_spans(first)[0].split()[1:]
    positional = [w for i, w in enumerate(words) if not w.startswith("-") and (i == 0 or not words[i - 1].startswith("-"))]
    assert positional == synopsis(COMMANDS[command])
    options = {s for a in COMMANDS[command]._actions for s in a.option_strings}
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", " ".join([first, what])))
    assert named <= options, f"{command}: the README names {sorted(named - options)}, which the parser does not know"
    for span in code_spans(what):  # `--to asof|today`: the choices as the parser has them
        option, _, choices = span.partition(" ")
        action = next((a for a in COMMANDS[command]._actions if option in a.option_strings), None)
        if action is not None and action.choices and "|" in choices:
            assert choices.split("|") == list(action.choices), span


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_example_is_a_valid_command_line(command):
    (example,) = code_spans(ROWS[command][2])
    words = shlex.split(example)
    assert words[:3] == [".venv/bin/python", "-m", "sez_metrics"], example
    assert PARSER.parse_args(words[3:]).command == command


# --- pages and their URLs -------------------------------------------------------------------------

URL_SECTION = section("Pages and their URLs")
URL_ROWS = table_rows(URL_SECTION)


def app_pages() -> list[tuple[str, str, str]]:
    """(script, title, URL) of every ``st.Page`` in app.py, read from its source."""
    pages = []
    for node in ast.walk(ast.parse(APP.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page":
            keywords = {k.arg: _literal(k.value) for k in node.keywords if k.arg in ("title", "url_path", "default")}
            url = "/" if keywords.get("default") else "/" + keywords["url_path"]
            pages.append((ast.literal_eval(node.args[0]), keywords["title"], url))
    assert pages, "app.py has no st.Page"
    return pages


PAGES = app_pages()


def parameters(text: str) -> set[str]:
    """The query parameters ``text`` names: code spans that begin ``name=``."""
    return {m.group(1) for span in code_spans(text) if (m := re.match(r"([a-z_]+)=", span))}


DOCUMENTED = {row[1].strip("`"): parameters(row[2]) for row in URL_ROWS}
# The parameters the section names outside its table work on every page (`version=ID`, `to=today`, `lang=zh`).
EVERY_PAGE = parameters("\n".join(line for line in URL_SECTION.splitlines() if not line.startswith("|")))


def test_the_url_table_lists_exactly_the_pages_with_their_titles_and_urls():
    assert [(row[0], row[1].strip("`")) for row in URL_ROWS] == [(title, url) for _, title, url in PAGES]


def test_the_parameters_said_to_work_on_every_page_are_named():
    assert EVERY_PAGE == {"version", "to", "lang"}  # if the section names another, it must be read everywhere below


@pytest.fixture
def read_parameters(monkeypatch) -> set[str]:
    """The names of the query parameters the page reads while it runs (writes and removals are not reads)."""
    names: set[str] = set()
    removing = []
    getitem, get_all, pop = QueryParamsProxy.__getitem__, QueryParamsProxy.get_all, QueryParamsProxy.pop

    def recording_getitem(self, key):
        if not removing:
            names.add(key)
        return getitem(self, key)

    def recording_get_all(self, key):
        names.add(key)
        return get_all(self, key)

    def quiet_pop(self, *args):
        removing.append(True)
        try:
            return pop(self, *args)
        finally:
            removing.pop()

    monkeypatch.setattr(QueryParamsProxy, "__getitem__", recording_getitem)
    monkeypatch.setattr(QueryParamsProxy, "get_all", recording_get_all)
    monkeypatch.setattr(QueryParamsProxy, "pop", quiet_pop)
    return names


# Runs that reach every parameter a page reads: presenter mode reads its own parameters only once on.
RUNS = {"/": [{}, {"present": "1"}]}


@pytest.mark.parametrize(("script", "url"), [(script, url) for script, _, url in PAGES], ids=[url for _, _, url in PAGES])
def test_each_page_reads_exactly_the_parameters_the_table_gives_it_and_those_of_every_page(
        mini_store, read_parameters, script, url):
    page = script.removeprefix("pages/").removesuffix(".py")
    for params in RUNS.get(url, [{}]):
        run_page(page, **params)
    assert read_parameters - EVERY_PAGE == DOCUMENTED[url], f"{url} reads {sorted(read_parameters)}"
    assert EVERY_PAGE <= read_parameters, f"{url} does not read {sorted(EVERY_PAGE - read_parameters)}"
