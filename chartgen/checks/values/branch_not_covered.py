"""
## What it does
Measures which `if` / `else` / `range` / `with` branches of the chart's templates the
scenarios of the run rendered (the render store renders each scenario and version once more
with an instrumented copy of the chart, and keeps only the branches it reached) and reports each branch no scenario reached, unless it is
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

## Options
- `explained` (list, default empty): branches that need no scenario, each `{template, action, reason}`: `template` and `action` are substrings of the branch's template path and action, `reason` is required.

## References
- https://github.com/helm-unittest/helm-unittest/issues/
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, RenderRecord
from chartgen.findings import Finding, Level


@dataclass(frozen=True)
class Explanation:
    """A branch no scenario needs to reach, and why."""

    reason: str
    template: str = ""  # a substring of the template's path
    action: str = ""  # a substring of the branch's action


@dataclass(frozen=True)
class BranchNotCoveredOptions:
    explained: tuple[Explanation, ...] = ()


@check(
    id="branch-not-covered",
    code="VAL005",
    scope=Scope.MATRIX,
    level=Level.WARNING,
    description="No scenario renders a branch of a template.",
    remediation="Add a scenario that reaches the branch, or explain it under the check's explained option.",
    options=BranchNotCoveredOptions,
    flag="coverage",
    evidence=frozenset({"branches"}),
)
def run(records: Sequence[RenderRecord], ctx: CheckContext) -> Iterator[Finding]:
    covered: set[int] = set()
    for record in records:
        covered |= record.branches
    explained = ctx.options.explained
    for branch in ctx.services.store.branches:
        if branch.id in covered:
            continue
        if any(e.template in branch.template and e.action in branch.action for e in explained):
            continue
        yield Finding(
            f"no scenario renders the branch {{{{ {branch.action} }}}}",
            template=f"{ctx.services.chart.name}/{branch.template}",
            line=branch.line,
        )
