"""Run one check on a fixture: a canned render outcome, through the real engine.

A fixture (``tests/checks/fixtures/<check-id>/{pass,fail}-<case>.yaml``)::

    description: What the case shows.
    kube_version: "1.29"             # optional
    also: [other-check]              # optional: checks that must run too (their findings are ignored)
    scenario: {expect: {...}, implicit: false, values: {...}, namespace: x}   # optional scenario fields
    chart: {Chart.yaml: "..."}       # optional chart files (default: a minimal chart)
    allow: [{check: ..., reason: ...}]           # optional config allow-list
    options: {...}                   # optional options of the check under test
    files: {tests/x.yaml: "..."}     # optional files beside the chart (the project root is the workdir)
    requires: [promtool]             # optional programs the check runs
    render:
      fails: "message"               # the render fails with this message, or:
      values: true                   # ...it is a values-schema failure
      templates: {fixture/templates/x.yaml: "..."}   # the rendered text per template, or:
      helm: true                     # render the fixture's chart files with the Helm engine
    findings:                        # exactly these findings of the check under test
      - {message: "regex", path: "...", kind: "..."}
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from helpers import ROOT

from chartgen import helm
from chartgen.checks.context import Suppression
from chartgen.engine import LintTarget, run_matrix
from chartgen.findings import Result
from chartgen.matrix.target import configure_checks
from chartgen.scenario import Expectation, ObjectMatch, Scenario

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL_CHART = "apiVersion: v2\nname: fixture\ndescription: A lint fixture.\nversion: 0.1.0\nicon: https://example.com/icon.png\n"


def load_fixture(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def run_fixture(check_id: str, fixture: dict[str, Any], workdir: Path) -> list[Result]:
    chart_dir = workdir / "fixture"
    files = {"Chart.yaml": MINIMAL_CHART, **(fixture.get("chart") or {})}
    render = fixture.get("render") or {}
    for template, text in (render.get("templates") or {}).items():
        files.setdefault(template.split("/", 1)[1], text)  # the source is the rendered text: lines line up
    for name, text in files.items():
        (chart_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (chart_dir / name).write_text(text)
    for name, text in (fixture.get("files") or {}).items():
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).write_text(text)
    wanted = {check_id, *fixture.get("also", [])}
    settings = {check_id: {"options": fixture["options"]}} if "options" in fixture else {}
    checks = [c for c in configure_checks(settings, frozenset({"deep", "coverage"})) if c.check.id in wanted]
    target = LintTarget(
        chart_dir=chart_dir,
        scenarios=[_scenario(fixture.get("scenario") or {})],
        kube_versions=[str(fixture.get("kube_version", "1.29"))],
        checks=checks,
        root=workdir,
        suppressions=[
            Suppression(a["check"], a["reason"], "fixture", a.get("kind"), a.get("name"), a.get("scenario"))
            for a in fixture.get("allow", [])
        ],
        catalog_dir=ROOT / "schemas" / "catalog",
        renderer=None if render.get("helm") else (lambda chart, scenario, version, apis: _canned(render)),
    )
    return [r for r in run_matrix(target).results if r.check == check_id]


def _canned(render: dict[str, Any]) -> dict[str, str]:
    if "fails" in render:
        failure = helm.failure_from_message(render["fails"])
        failure.values = bool(render.get("values"))
        raise failure
    return dict(render.get("templates") or {})


def _scenario(data: dict[str, Any]) -> Scenario:
    expect = data.get("expect") or {}
    return Scenario(
        name=data.get("name", "fixture"),
        description="fixture",
        values=data.get("values") or {},
        expect=Expectation(
            fails=expect.get("fails"),
            present=tuple(ObjectMatch(**m) for m in expect.get("present", [])),
            absent=tuple(ObjectMatch(**m) for m in expect.get("absent", [])),
            count=tuple(sorted(expect.get("count", {}).items())),
        ),
        implicit=bool(data.get("implicit", False)),
        namespace=data.get("namespace", "certctl"),
        source="fixture",
    )


def matches(result: Result, expected: dict[str, Any]) -> bool:
    """Every field named in ``expected`` agrees; ``message`` is a regex."""
    for key, value in expected.items():
        actual = getattr(result, key)
        if key == "message":
            if not re.search(str(value), actual):
                return False
        elif actual != value:
            return False
    return True
