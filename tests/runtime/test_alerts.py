"""The chart's alerts under Prometheus' own rule engine (promtool), rendered from the chart for
every scenario that renders them: they load, the project's unit tests in tests/alerts/ pass for
the scenarios chartgen.yaml declares them for, every alert is pinned firing and silent, and the
runbook links lead to a heading of the chart README."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import CHART_DIR, ROOT, render, require_program

from chartgen import promtool
from chartgen.matrix.scenarios import load_scenarios
from chartgen.project import load_project

PROJECT = load_project(ROOT)
SCENARIOS = {
    s.name: s
    for s in load_scenarios(PROJECT.scenarios_dir, release="certctl", namespace="certctl")
    if not s.expect.fails
}
DECLARED: list[dict[str, Any]] = PROJECT.lint["checks"]["rule-test-failed"]["options"]["tests"]


@cache
def rule_groups(name: str) -> list[Any]:
    """The rule groups of every PrometheusRule the scenario renders."""
    scenario = SCENARIOS[name]
    manifests = render(scenario.values, release=scenario.release, kube_version=PROJECT.kube_versions[0])
    return [
        group
        for manifest in manifests
        if manifest.obj.get("kind") == "PrometheusRule"
        for group in promtool.rule_groups(manifest.obj)
    ]


RULE_SCENARIOS = sorted(name for name in SCENARIOS if rule_groups(name))
RUNS = [
    (path, name)
    for entry in DECLARED
    for pattern in entry["files"]
    for path in sorted(ROOT.glob(pattern))
    for name in RULE_SCENARIOS
    if any(fnmatch(name, wanted) for wanted in entry["scenarios"])
]
TEST_FILES = sorted({path for path, _ in RUNS})


def test_the_declared_tests_run_somewhere() -> None:
    """Every declared file and scenario pattern takes part in at least one run."""
    for entry in DECLARED:
        for pattern in entry["files"]:
            assert set(ROOT.glob(pattern)) & set(TEST_FILES), pattern
        for wanted in entry["scenarios"]:
            assert any(fnmatch(name, wanted) for _, name in RUNS), f"{wanted} renders no PrometheusRule"


@pytest.mark.parametrize("name", RULE_SCENARIOS)
def test_prometheus_loads_the_rules(name: str) -> None:
    require_program("promtool")
    assert promtool.check_rules(rule_groups(name)) == []


@pytest.mark.parametrize(("path", "name"), RUNS, ids=[f"{p.relative_to(ROOT)}@{n}" for p, n in RUNS])
def test_the_alert_unit_tests_pass(path: Path, name: str) -> None:
    require_program("promtool")
    assert [p.message for p in promtool.test_rules(rule_groups(name), path)] == []


def test_the_unit_tests_catch_changed_thresholds() -> None:
    """The default tests run against rules rendered with other thresholds fail, alert by alert."""
    require_program("promtool")
    failing = {
        alert
        for path in TEST_FILES
        if "default" in path.parts
        for problem in promtool.test_rules(rule_groups("prometheus-rules-thresholds"), path)
        for alert in re.findall(r"alertname: (\w+)", problem.message)
    }
    assert failing == alert_names()


def alert_names() -> set[str]:
    return {
        rule["alert"]
        for name in RULE_SCENARIOS
        for group in rule_groups(name)
        for rule in group["rules"]
        if "alert" in rule
    }


def test_every_alert_is_pinned_firing_and_silent() -> None:
    """Each alert the chart can render has a case where it fires (labels and every annotation
    expanded) and one where it stays silent."""
    fires: set[str] = set()
    silent: set[str] = set()
    for path in TEST_FILES:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                expected = check.get("exp_alerts") or []
                (fires if expected else silent).add(check["alertname"])
                for alert in expected:
                    assert set(alert["exp_annotations"]) == {"summary", "description", "runbook_url"}, path
    assert fires == alert_names() and silent == alert_names()


def test_runbook_links_lead_to_a_heading_of_the_chart_readme() -> None:
    readme = (CHART_DIR / "README.md").read_text()
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in readme.splitlines()
        if line.startswith("#")
    }
    base = yaml.safe_load((CHART_DIR / "values.yaml").read_text())["monitoring"]["prometheusRules"][
        "runbookBaseUrl"
    ]
    assert base.endswith("/deploy/helm/certctl/README.md")
    for group in rule_groups("prometheus-rules"):
        for rule in group["rules"]:
            url = rule["annotations"]["runbook_url"]
            assert url.startswith(base + "#") and url.split("#", 1)[1] in anchors, url
