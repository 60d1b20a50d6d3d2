"""
## What it does
Measures which `if` / `else` / `range` / `with` branches of the chart's templates the
scenarios of the run rendered (each scenario and version is rendered once more with an
instrumented copy of the chart) and reports each branch no scenario reached, unless it is
explained in the option `explained` (entries `{template, action, reason}`, where `action` is
a substring of the branch's action, for example `if .Values.server.service.nodePort`).
Branches inside helper files (`_*.tpl`) are not measured. Runs with
`chartgen lint matrix --coverage`, which also prints the coverage figures.

## Why is this bad?
A branch no scenario renders is untested: a typo there ships unnoticed until an operator
turns the option on. helm-unittest users have asked for this measure for years.

## Example
```yaml
{{- if .Values.server.service.nodePort }}   # no scenario sets a nodePort
nodePort: {{ .Values.server.service.nodePort }}
{{- end }}
```

## Use instead
Add a scenario that sets the value (with expectations), or explain why the branch needs none.

## References
- https://github.com/helm-unittest/helm-unittest/issues/
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from chartgen import helm
from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, RenderOutcome
from chartgen.coverage import instrument
from chartgen.findings import BranchReach, Finding, Level


@check(
    id="branch-not-covered",
    code="VAL005",
    scope=Scope.MATRIX,
    level=Level.WARNING,
    description="No scenario renders a branch of a template.",
    remediation="Add a scenario that reaches the branch, or explain it under the check's explained option.",
    options={"explained": []},
    flag="coverage",
)
def run(outcomes: Sequence[RenderOutcome], ctx: CheckContext) -> Iterator[Finding]:
    instrumented = instrument(ctx.services.chart_dir)
    try:
        chart = helm.load_chart(instrumented.chart_dir)
        reached_by: dict[int, set[str]] = {branch.id: set() for branch in instrumented.branches}
        for outcome in outcomes:
            scenario = outcome.scenario
            try:
                reached = instrumented.covered_by(
                    helm.render(
                        chart,
                        scenario.values,
                        release=scenario.release,
                        namespace=scenario.namespace,
                        kube_version=outcome.kube_version,
                        api_versions=ctx.services.api_versions,
                        is_upgrade=scenario.upgrade,
                    )
                )
            except helm.RenderFailure as failure:
                reached = instrumented.covered_by_failure(failure.template, failure.line)
            for branch_id in reached:
                reached_by[branch_id].add(scenario.name)
    finally:
        instrumented.close()
    explained = ctx.options["explained"]
    branches = instrumented.branches
    covered = {branch_id for branch_id, scenarios in reached_by.items() if scenarios}
    ctx.services.ledger.notes.append(
        f"branch coverage: {len(covered)} of {len(branches)} template branches rendered "
        f"({100.0 * len(covered) / max(1, len(branches)):.1f}%) by {len({o.scenario.name for o in outcomes})} scenarios"
    )
    # Which scenarios reach which branch, for the reports that draw coverage (HTML).
    locate = ctx.services.locator.file_for
    ctx.services.ledger.coverage = [
        BranchReach(
            locate(f"{ctx.services.chart.name}/{b.template}"),
            b.line,
            b.action,
            tuple(sorted(reached_by[b.id])),
        )
        for b in branches
    ]
    for branch in branches:
        if branch.id in covered:
            continue
        if any(
            e.get("template", "") in branch.template and e.get("action", "") in branch.action
            for e in explained
        ):
            continue
        yield Finding(
            f"no scenario renders the branch {{{{ {branch.action} }}}}",
            template=f"{ctx.services.chart.name}/{branch.template}",
            line=branch.line,
        )
