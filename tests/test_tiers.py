"""Generated tiers: pairwise coverage, exhaustive limits, random with shrinking."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from helpers import ROOT, copy_project
from typer.testing import CliRunner

from chartgen.cli import app

SWITCHES = ROOT / "tests" / "fixtures" / "charts" / "switches"
runner = CliRunner()


def lint(*args: str):
    return runner.invoke(app, ["lint", "matrix", *args])


def test_pairwise_tier_covers_every_pair_with_far_fewer_renders() -> None:
    result = lint("--project", str(ROOT), "--tier", "pairwise", "--format", "json")
    assert result.exit_code == 0, result.stdout[-2000:]
    report = json.loads(result.stdout)
    note = next(n for n in report["notes"] if n.startswith("pairwise:"))
    match = re.search(
        r"pairwise: (\d+) scenarios cover 100\.0% of [\d,]+ feasible value pairs of (\d+) factors.*"
        r"would need up to ([\d,]+) renders",
        note,
    )
    assert match, note
    scenarios, factors, exhaustive = int(match[1]), int(match[2]), int(match[3].replace(",", ""))
    assert factors >= 20 and scenarios == report["summary"]["scenarios"]
    assert scenarios * 1000 < exhaustive
    assert report["summary"]["errors"] == 0 and report["summary"]["documents"] > 0


def test_exhaustive_tier_renders_every_combination_of_a_small_space() -> None:
    result = lint(
        "--chart", str(SWITCHES), "--tier", "exhaustive", "--k8s-version", "1.29", "--format", "json"
    )
    report = json.loads(result.stdout)
    assert report["summary"]["renders"] == 2 * 2 * 2 * 3
    failing = {
        w["scenario"] for f in report["findings"] if f["check"] == "render-failed" for w in f["occurrences"]
    }
    assert len(failing) == 2 * 3  # alpha and beta both on, for each gamma and mode


def test_exhaustive_tier_refuses_a_huge_space() -> None:
    result = lint("--project", str(ROOT), "--tier", "exhaustive")
    assert result.exit_code == 2
    assert "use --tier pairwise" in result.output


def test_random_tier_is_seeded_and_shrinks_failures_to_a_minimal_overlay() -> None:
    args = [
        "--chart",
        str(SWITCHES),
        "--tier",
        "random",
        "--seed",
        "1",
        "--count",
        "10",
        "--k8s-version",
        "1.29",
        "--format",
        "json",
    ]
    first, second = lint(*args), lint(*args)
    assert first.stdout == second.stdout
    report = json.loads(first.stdout)
    shrunk = [n for n in report["notes"] if "minimal overlay" in n]
    assert shrunk, report["notes"]
    for note in shrunk:
        assert note.endswith("alpha: true\nbeta: true"), note


def test_generated_config_errors_name_the_key(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    assert runner.invoke(app, ["render", "--project", str(project)]).exit_code == 0
    config = project / "chartgen.yaml"
    rule = "      - forbid: {postgresql.enabled: false, backup.enabled: true}\n"
    assert rule in config.read_text()
    config.write_text(config.read_text().replace(rule, "      - forbid: {no.such.factor: true}\n"))
    result = lint("--project", str(project), "--tier", "pairwise")
    assert result.exit_code == 2
    assert "no.such.factor" in result.output and "not factors" in result.output
    config.write_text(
        config.read_text().replace("      - forbid: {no.such.factor: true}\n", "      - forbidden: {}\n")
    )
    result = lint("--project", str(project), "--tier", "pairwise")
    assert result.exit_code == 2 and "lint.generated" in result.output


def test_chart_without_schema_cannot_generate(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: plain\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: plain
    """)
    )
    result = lint("--chart", str(chart), "--tier", "pairwise")
    assert result.exit_code == 2 and "values.schema.json" in result.output


def test_generated_factors_follow_refs_and_fail_closed_without_any() -> None:
    import pytest

    from chartgen.errors import UserError
    from chartgen.matrix.generated import factor_space
    from chartgen.scenario import Scenario

    base = Scenario("defaults", "base", {})
    schema = {
        "definitions": {
            "image": {"type": "object", "properties": {"pullPolicy": {"enum": ["Always", "IfNotPresent"]}}},
            "node": {
                "type": "object",
                "properties": {"on": {"type": "boolean"}, "next": {"$ref": "#/definitions/node"}},
            },
        },
        "properties": {
            "server": {"type": "object", "properties": {"image": {"$ref": "#/definitions/image"}}},
            "tree": {"$ref": "#/definitions/node"},
        },
    }
    names = [factor.name for factor in factor_space(schema, base, {}).factors]
    assert names == ["server.image.pullPolicy", "tree.on"]  # the recursive ref is followed once
    with pytest.raises(UserError, match="no factors"):
        factor_space({"properties": {"name": {"type": "string"}}}, base, {})
