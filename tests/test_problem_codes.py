"""Every problem code a rule can report is catalogued, and every catalogued code is reported by a rule.

The rules name their codes as ``ProblemCode`` members, never as strings: the rule modules' source
is read here, so a code no rule reports any more, or a rule reporting a code spelt by hand, fails
this test instead of waiting for the rule to fire.
"""

from __future__ import annotations

import ast
import inspect

import pytest

from sez_metrics.core import cell_rules, csvio, row_rules, validate
from sez_metrics.core.problems import CATALOGUE, Group, ProblemCode

RULE_MODULES = (csvio, cell_rules, row_rules, validate)


def _tree(module) -> ast.Module:
    return ast.parse(inspect.getsource(module))


def _members_named(module) -> set[str]:
    """The ``ProblemCode.NAME`` attributes written in ``module``."""
    return {
        node.attr
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ProblemCode"
    }


def test_every_code_the_rules_name_exists_and_every_code_is_reported_by_some_rule():
    named = set().union(*(_members_named(m) for m in RULE_MODULES))

    assert named - set(ProblemCode.__members__) == set(), "rules name codes that do not exist"
    assert set(ProblemCode.__members__) - named == set(), "catalogued codes that no rule reports"


@pytest.mark.parametrize("module", RULE_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_rules_never_spell_a_code_as_a_string(module):
    codes = {c.value for c in ProblemCode}
    spelt = sorted(
        node.value for node in ast.walk(_tree(module))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in codes
    )

    assert spelt == [], f"{module.__name__} spells codes as strings: {spelt}"


def test_the_catalogue_has_one_entry_per_code_with_its_group_and_words():
    assert set(CATALOGUE) == set(ProblemCode)
    for code, kind in CATALOGUE.items():
        assert kind.code is code
        assert kind.severity in ("error", "warning")
        assert isinstance(kind.group, Group)
        assert kind.title and kind.message and kind.fix, code
    assert {k.group for k in CATALOGUE.values()} == set(Group)  # every group has problems
