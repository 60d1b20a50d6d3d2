"""promtool in ``chartgen lint``: the project's alert unit tests fail the run when a rule changes,
at the rule's template line; a project that asks for promtool fails closed without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import copy_project, require_program
from typer.testing import CliRunner

from chartgen.cli import app

runner = CliRunner()
SCENARIOS = ["--scenario", "prometheus-rules"]


def lint_json(project: Path, *args: str) -> tuple[int, dict]:
    result = runner.invoke(
        app, ["lint", "matrix", "--project", str(project), *SCENARIOS, "--format", "json", *args]
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    directory = copy_project(tmp_path / "project")
    assert runner.invoke(app, ["render", "--project", str(directory)]).exit_code == 0
    return directory


def test_a_rule_that_breaks_its_unit_test_is_a_finding_at_its_source_line(project: Path) -> None:
    require_program("promtool")
    source = project / "templates" / "components" / "monitoring" / "prometheusrule.yaml.j2"
    text = source.read_text()
    # The offline alert now waits twice as long as its tests expect.
    source.write_text(text.replace("for: {{ $t.offlineAgentFor }}", 'for: {{ printf "2h" }}'))
    assert runner.invoke(app, ["render", "--project", str(project)]).exit_code == 0
    code, report = lint_json(project)
    failed = [f for f in report["findings"] if f["check"] == "rule-test-failed"]
    assert code == 1 and failed
    assert {f["path"] for f in failed} == {"spec.groups[0].rules[1]"}
    assert all("alertname: CertctlAgentOffline" in f["message"] for f in failed)
    generated = "deploy/helm/certctl/templates/monitoring-prometheusrule.yaml"
    lines = (project / generated).read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "- alert: CertctlAgentOffline" in text)
    assert {(f["template"], f["line"]) for f in failed} == {(generated, line)}


def test_without_promtool_a_project_that_asks_for_it_fails_closed(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, report = lint_json(project)
    assert code == 1
    messages = [f["message"] for f in report["findings"] if f["check"] == "check-skipped"]
    assert any("promtool is not installed" in m and "rules-rejected-by-promtool" in m for m in messages)
    assert any("promtool is not installed" in m and "rule-test-failed" in m for m in messages)
