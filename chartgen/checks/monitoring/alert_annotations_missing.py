"""
## What it does
Reports alerting rules without the annotations and labels an on-call engineer needs:
`summary`, `description` and `runbook_url` annotations, and a `severity` label
(option `required_annotations`, `required_labels`).

## Why is this bad?
An alert that arrives without a summary, a severity and a link to what to do next is
slow to triage; routing by severity silently drops it.

## Example
```yaml
- alert: CertctlAgentOffline
  expr: certctl_agent_total - certctl_agent_online > 0
```

## Use instead
```yaml
- alert: CertctlAgentOffline
  expr: certctl_agent_total - certctl_agent_online > 0
  labels: {severity: warning}
  annotations:
    summary: "{{ $value }} agents are offline"
    description: Agents have sent no heartbeat for 5 minutes...
    runbook_url: https://example.com/runbooks#certctlagentoffline
```

## Options
- `required_annotations` (list of strings, default `[summary, description, runbook_url]`): annotations every alert must have.
- `required_labels` (list of strings, default `[severity]`): labels every alert must have.

## References
- https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.monitoring.rules import rules
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@dataclass(frozen=True)
class AlertAnnotationsMissingOptions:
    required_annotations: tuple[str, ...] = ("summary", "description", "runbook_url")
    required_labels: tuple[str, ...] = ("severity",)


@check(
    id="alert-annotations-missing",
    code="MON003",
    scope=Scope.OBJECT,
    kinds=("PrometheusRule",),
    description="An alert lacks a summary, description, runbook_url or severity.",
    remediation="Add the missing annotations and the severity label to the alert.",
    options=AlertAnnotationsMissingOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    for rule in rules(manifest.obj):
        if not rule.is_alert:
            continue
        for field, required in (
            ("annotations", ctx.options.required_annotations),
            ("labels", ctx.options.required_labels),
        ):
            present = rule.rule.get(field) or {}
            for key in required:
                if not str(present.get(key, "")).strip():
                    yield Finding(
                        f"alert {rule.name!r} has no {key} {field[:-1]}", path=f"{rule.path}.{field}"
                    )
