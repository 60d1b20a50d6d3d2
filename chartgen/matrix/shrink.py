"""Shrink a failing generated scenario to the smallest overlay that still fails.

Greedy, one factor at a time: put a factor back to the base scenario's value and keep
the change if the scenario still fails the same way. The result names only the
settings the failure needs, which is what a user has to read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import yaml

from chartgen.engine import LintTarget, run_matrix
from chartgen.findings import Level, Report
from chartgen.matrix.generated import FactorSpace
from chartgen.matrix.target import Plan


def shrink(
    row: Mapping[str, Any], space: FactorSpace, still_fails: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The smallest change from the base row (as a dict of path → value) that keeps failing."""
    base = space.base_row
    current = dict(row)
    for path in list(current):
        if current[path] == base.get(path):
            continue
        candidate = {**current, path: base.get(path)}
        if all(rule(candidate) for rule in space.constraints) and still_fails(candidate):
            current = candidate
    return {path: value for path, value in current.items() if value != base.get(path)}


def failure_probe(
    target: LintTarget, space: FactorSpace, version: str, checks: set[str]
) -> Callable[[dict[str, Any]], bool]:
    """A predicate: does this row, rendered at ``version``, still raise one of ``checks`` at error level?"""

    def still_fails(row: dict[str, Any]) -> bool:
        probe = replace(
            target, scenarios=[space.scenario("shrinking", row)], kube_versions=[version], shard=(1, 1)
        )
        report = run_matrix(probe)
        return any(
            r.check in checks and r.level == Level.ERROR.value and r.scenario == "shrinking"
            for r in report.results
        )

    return still_fails


def shrunk_failures(plan: Plan, report: Report) -> list[str]:
    """For each failing random scenario, the minimal overlay that still fails, as a note."""
    notes: list[str] = []
    generated = plan.generated
    if generated is None:
        return notes
    failing: dict[str, tuple[str, set[str]]] = {}
    for result in report.results:
        if result.level == Level.ERROR.value and generated.knows(result.scenario):
            version, checks = failing.setdefault(result.scenario, (result.kube_version, set()))
            checks.add(result.check)
    space = generated.space
    for name, (version, checks) in sorted(failing.items()):
        row = generated.row(name)
        assert row is not None
        minimal = shrink(row, space, failure_probe(plan.target, space, version, checks))
        overlay = yaml.safe_dump(minimal, default_flow_style=False, sort_keys=True).strip()
        notes.append(
            f"{name} fails {', '.join(sorted(checks))}; minimal overlay on {space.base.name} "
            f"(Kubernetes {version}):\n{overlay}"
        )
    return notes
