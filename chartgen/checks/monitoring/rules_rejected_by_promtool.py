"""
## What it does
Runs Prometheus' own rule checker, `promtool check rules`, on the rule groups of every
PrometheusRule of every render, and reports what it rejects: expressions, durations, labels,
and annotation templates that do not parse. Runs when `promtool` is on PATH; with the option
`require_promtool: true` a missing promtool fails the run instead.

## Why is this bad?
Prometheus (through the Prometheus Operator) refuses the whole rule group when one rule does not
load: none of the group's alerts fire, and nothing says so until someone reads the logs. A
chart linter's own PromQL parser does not check annotation templates the way Prometheus does.

## Example
```yaml
- alert: CertctlAgentOffline
  expr: certctl_agent_total - certctl_agent_online > 0
  annotations:
    summary: "{{ $value | humanise }} agents are offline"
```

## Use instead
```yaml
- alert: CertctlAgentOffline
  expr: certctl_agent_total - certctl_agent_online > 0
  annotations:
    summary: "{{ $value | humanize }} agents are offline"
```

## Options
- `require_promtool` (boolean, default false): fail the run closed when `promtool` is not on PATH,
  instead of skipping this check.

## References
- https://prometheus.io/docs/prometheus/latest/command-line/promtool/
- https://prometheus.io/docs/prometheus/latest/configuration/template_reference/
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chartgen import promtool
from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, Skip
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@dataclass(frozen=True)
class RulesRejectedByPromtoolOptions:
    require_promtool: bool = False  # a missing promtool fails the run instead of skipping the check


@check(
    id="rules-rejected-by-promtool",
    code="MON005",
    scope=Scope.OBJECT,
    kinds=("PrometheusRule",),
    description="Prometheus' rule checker (promtool check rules) rejects a PrometheusRule's rule groups.",
    remediation="Fix what promtool reports so that Prometheus loads the rule group.",
    options=RulesRejectedByPromtoolOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    try:
        problems = promtool.check_rules(promtool.rule_groups(manifest.obj))
    except promtool.PromtoolMissing as missing:
        if ctx.options.require_promtool:
            raise Skip(
                f"{missing} (lint.checks.rules-rejected-by-promtool.options.require_promtool)"
            ) from None
        return
    for problem in problems:
        yield Finding(f"promtool check rules: {problem.message}", path=problem.path)
