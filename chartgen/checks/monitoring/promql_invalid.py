"""
## What it does
Parses the `expr` of every alerting and recording rule of a PrometheusRule with a PromQL
parser and reports those that do not parse.

## Why is this bad?
Prometheus refuses to load a rule group with an invalid expression: none of the group's
alerts work, and nothing says so until someone reads the Prometheus logs.

## Example
```yaml
- alert: CertctlIssuanceFailures
  expr: sum(rate(certctl_issuance_failures_total[15m]) > 0
```

## Use instead
```yaml
- alert: CertctlIssuanceFailures
  expr: sum(rate(certctl_issuance_failures_total[15m])) > 0
```

## References
- https://prometheus.io/docs/prometheus/latest/querying/basics/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.monitoring.rules import rules
from chartgen.findings import Finding
from chartgen.manifests import Manifest
from chartgen.promql import PromQLError, parse


@check(
    id="promql-invalid",
    code="MON001",
    scope=Scope.OBJECT,
    kinds=("PrometheusRule",),
    description="A rule's PromQL expression does not parse.",
    remediation="Fix the expression so that it parses (check brackets, selectors and function arguments).",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    for rule in rules(manifest.obj):
        expression = rule.rule.get("expr")
        if not isinstance(expression, (str, int, float)) or not str(expression).strip():
            yield Finding(f"rule {rule.name!r} has no expression", path=f"{rule.path}.expr")
            continue
        try:
            parse(str(expression))
        except PromQLError as exc:
            yield Finding(f"rule {rule.name!r}: {exc}", path=f"{rule.path}.expr")
