"""
## What it does
Lists the metrics each rule expression reads and reports those the application does not
export, according to the metric catalog (`schemas/catalog/metrics.yaml`). Only metrics
with the catalog's prefix are checked (option `prefix`, default `certctl_`), so rules that
also read other exporters' metrics (`up`, `kube_*`) are fine. Without a catalog (a chart
chartgen did not generate) the check has nothing to compare with and reports nothing.

## Why is this bad?
An alert on a metric that is never exported evaluates to nothing and never fires: it looks
like coverage and gives none. Metrics that exist in code but are not exposed by the
Prometheus handler are the usual trap.

## Example
```yaml
expr: certctl_approval_pending_age_seconds > 3600   # defined in code, never exposed
```

## Use instead
Alert on an exported metric, or get the metric exported first.

## Options
- `prefix` (string, default `certctl_`): only metric names starting with it are compared with the catalog.

## References
- https://prometheus.io/docs/practices/alerting/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.monitoring.rules import MetricPrefixOptions, rules
from chartgen.findings import Finding
from chartgen.manifests import Manifest
from chartgen.promql import PromQLError, metric_names


@check(
    id="metric-not-exported",
    code="MON002",
    scope=Scope.OBJECT,
    kinds=("PrometheusRule",),
    description="A rule reads a metric the application does not export.",
    remediation="Use a metric from the metric catalog, or have the application export the metric first.",
    options=MetricPrefixOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    catalog = ctx.services.metric_catalog
    if catalog is None:
        return
    prefix = ctx.options.prefix
    for rule in rules(manifest.obj):
        try:
            names = metric_names(str(rule.rule.get("expr", "")))
        except PromQLError:
            continue  # promql-invalid reports it
        for name in sorted(names):
            if name.startswith(prefix) and not catalog.is_exported(name):
                reason = catalog.not_exported_reason(name)
                detail = f" ({reason})" if reason else ""
                yield Finding(
                    f"rule {rule.name!r} reads {name}, which the application does not export{detail}",
                    path=f"{rule.path}.expr",
                )
