"""Typed check options: validated when the configuration loads, exit 2 naming the option."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import copy_project
from typer.testing import CliRunner

from chartgen.checks.values.branch_not_covered import Explanation
from chartgen.cli import app
from chartgen.errors import UserError
from chartgen.matrix.target import configure_checks

runner = CliRunner()


def configured(settings: dict) -> dict:
    return {c.check.id: c.options for c in configure_checks(settings, frozenset({"coverage", "deep"}))}


def test_options_are_typed_with_defaults_and_overrides() -> None:
    options = configured({"name-too-long": {"options": {"limit": 40}}})
    assert options["name-too-long"].limit == 40
    assert options["unused-value"].max_scenarios == 0
    assert options["alert-annotations-missing"].required_labels == ("severity",)


def test_nested_options_become_dataclasses() -> None:
    explained = [{"template": "a.yaml", "action": "if .Values.x", "reason": "why"}]
    options = configured({"branch-not-covered": {"options": {"explained": explained}}})
    assert options["branch-not-covered"].explained == (Explanation("why", "a.yaml", "if .Values.x"),)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"name-too-long": {"options": {"limit": "sixty"}}}, "name-too-long.options.limit"),
        ({"name-too-long": {"options": {"limit": True}}}, "name-too-long.options.limit"),
        ({"name-too-long": {"options": {"limt": 40}}}, "name-too-long.options.limt"),
        ({"name-too-long": {"options": ["limit"]}}, "name-too-long.options"),
        ({"unknown-env-var": {"options": {"prefix": 3}}}, "unknown-env-var.options.prefix"),
        ({"image-tag-not-pinned": {"options": {"require_digest": "yes"}}}, "require_digest"),
        ({"branch-not-covered": {"options": {"explained": [{"template": "x"}]}}}, "explained[0].reason"),
        ({"required-env-missing": {"options": {"images": {"x": 1}}}}, "images.x"),
        ({"name-too-long": {"level": "loud"}}, "name-too-long.level"),
        ({"name-too-long": {"levle": "error"}}, "levle"),
    ],
)
def test_a_wrong_option_is_refused_naming_it(settings: dict, named: str) -> None:
    with pytest.raises(UserError) as error:
        configured(settings)
    assert named in error.value.message


def test_lint_matrix_exits_2_naming_the_option(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    config_path = project / "chartgen.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["lint"]["checks"]["name-too-long"] = {"options": {"limit": "sixty"}}
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    result = runner.invoke(app, ["lint", "matrix", "--project", str(project)])
    assert result.exit_code == 2, result.output
    assert "limit" in result.stderr and "name-too-long" in result.stderr and "chartgen.yaml" in result.stderr
    assert "Traceback" not in result.output
