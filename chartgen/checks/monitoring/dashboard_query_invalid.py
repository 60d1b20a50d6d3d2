"""
## What it does
Finds Grafana dashboards in ConfigMaps (a data entry holding dashboard JSON, the way the
Grafana sidecar loads them) and checks every Prometheus query of every panel: it must parse
as PromQL (Grafana's `$__rate_interval`-style variables are replaced by a duration first), and
each metric it reads must exist - the application's metrics in the metric catalog
(`schemas/catalog/metrics.yaml`), and kube-state-metrics (`kube_`) and
cAdvisor (`container_`) metrics among those exporters' standard names. Metrics of other
exporters are not judged.

## Why is this bad?
A panel whose query does not parse shows an error, and one that reads a metric nobody
exports shows "No data": in both cases the dashboard looks fine until the day someone needs
it during an incident.

## Example
```json
{"title": "Agents", "targets": [{"refId": "A", "expr": "sum(certctl_agents_online"}]}
```

## Use instead
```json
{"title": "Agents", "targets": [{"refId": "A", "expr": "max(certctl_agent_online)"}]}
```

## Options
- `prefix` (string, default `certctl_`): only metric names starting with it are compared with the catalog.

## References
- https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/
- https://github.com/kubernetes/kube-state-metrics/tree/main/docs/metrics
- https://github.com/google/cadvisor/blob/master/docs/storage/prometheus.md
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.monitoring.rules import MetricPrefixOptions
from chartgen.findings import Finding
from chartgen.manifests import Manifest
from chartgen.promql import PromQLError, metric_names

# Quoted strings are left alone (a "$namespace" label value parses); a variable in a range
# selector becomes a duration, a numeric Grafana macro a number, any other variable a number.
_GRAFANA_TOKEN = re.compile(
    r"""(?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)"""
    r"""|(?P<range>\[\s*(?:\$\{?\w+(?::\w+)?\}?|\[\[\w+\]\])\s*\])"""
    r"""|(?P<variable>\$\{?\w+(?::\w+)?\}?|\[\[\w+\]\])"""
)


@check(
    id="dashboard-query-invalid",
    code="MON007",
    scope=Scope.OBJECT,
    kinds=("ConfigMap",),
    description="A Grafana dashboard query does not parse or reads a metric that does not exist.",
    remediation="Fix the query so that it parses, and read only metrics the application or the standard exporters export.",
    options=MetricPrefixOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    catalog = ctx.services.metric_catalog
    prefix = ctx.options.prefix
    for key, dashboard in _dashboards(manifest.obj):
        name = f"dashboard {dashboard.get('title', key)!r}"
        for panel, target in _targets(dashboard.get("panels")):
            where = f"{name} panel {panel.get('title', '')!r} query {target.get('refId', '')}"
            try:
                names = metric_names(_without_grafana_variables(str(target["expr"])))
            except PromQLError as exc:
                yield Finding(f"{where} does not parse: {exc}", path=f"data.{key}")
                continue
            for metric in sorted(names):
                problem = _unknown(metric, prefix, catalog)
                if problem:
                    yield Finding(f"{where} reads {metric}, {problem}", path=f"data.{key}")


def _dashboards(obj: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for key, text in sorted((obj.get("data") or {}).items()):
        if not isinstance(text, str) or not text.lstrip().startswith("{"):
            continue
        try:
            document = json.loads(text)
        except ValueError:
            continue  # not JSON: not a dashboard
        if isinstance(document, dict) and isinstance(document.get("panels"), list):
            yield str(key), document


def _targets(panels: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every query with a PromQL expression, rows' nested panels included."""
    for panel in panels or []:
        if not isinstance(panel, dict):
            continue
        for target in panel.get("targets") or []:
            if isinstance(target, dict) and "expr" in target:
                yield panel, target
        yield from _targets(panel.get("panels"))


def _without_grafana_variables(expression: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("string"):
            return match.group("string")
        if match.group("range"):
            return "[5m]"
        return "300"

    return _GRAFANA_TOKEN.sub(replace, expression)


def _unknown(metric: str, prefix: str, catalog: Any) -> str | None:
    """Why ``metric`` does not exist, or None when it does or is not ours to judge."""
    if metric.startswith(prefix):
        if catalog is None or catalog.is_exported(metric):
            return None
        reason = catalog.not_exported_reason(metric)
        return "which the application does not export" + (f" ({reason})" if reason else "")
    standard = _standard_metrics()
    for family, exporter in standard["prefixes"].items():
        if metric.startswith(family) and metric not in standard["metrics"]:
            return f"which {exporter} does not export"
    return None


@lru_cache(maxsize=1)
def _standard_metrics() -> dict[str, Any]:
    text = resources.files("chartgen").joinpath("data/standard-metrics.yaml").read_text(encoding="utf-8")
    document = yaml.load(text, Loader=yaml.CSafeLoader)
    return {"prefixes": document["prefixes"], "metrics": frozenset(document["metrics"])}
