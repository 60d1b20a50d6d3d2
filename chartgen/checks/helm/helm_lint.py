"""
## What it does
Runs Helm's own linter on the chart in strict mode, once per run (it costs about eight
renders), and reports its errors and warnings about the chart itself: Chart.yaml
metadata, values.yaml, values.schema.json and the chart's layout. What Helm lint says
about rendered templates (YAML that does not parse, names, deprecated APIs) is checked
per scenario and Kubernetes version by chartgen's own checks, so it is not repeated.

For a chart linted from outside the project (`chartgen lint CHART`) its findings are
warnings, as `helm lint` without `--strict` treats them; problems with values and templates
are errors of `values-schema-violation` and `render-failed` there.
## Why is this bad?
What `helm lint --strict` rejects is what chart repositories and CI pipelines reject:
an unknown field in Chart.yaml, an invalid version, a template that does not parse.

## Example
```yaml
# Chart.yaml
license: BSL-1.1   # unknown field "license"
```

## Use instead
```yaml
annotations:
  artifacthub.io/license: BSL-1.1
```

## References
- https://helm.sh/docs/helm/helm_lint/
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from chartgen import helm
from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.findings import Finding, Level

_LOCATION = re.compile(r"\((?P<template>[^():]+):(?P<line>\d+)(?::\d+)?\)")


@check(
    id="helm-lint",
    code="HLM001",
    scope=Scope.CHART,
    description="Helm's linter (strict mode) reports an error or a warning.",
    remediation="Fix what helm lint reports: Chart.yaml fields, template syntax, or values.",
    outside_level=Level.WARNING,
)
def run(chart_dir: Path, ctx: CheckContext) -> Iterator[Finding]:
    for message in helm.lint(chart_dir):
        if message.level in ("error", "warning") and not message.path.startswith("templates/"):
            location = _LOCATION.search(message.message)
            template = location["template"] if location else message.path
            line = int(location["line"]) if location else None
            yield Finding(
                f"{message.level}: {message.message}", template=_helm_path(ctx, template), line=line
            )


def _helm_path(ctx: CheckContext, template: str) -> str | None:
    """Helm lint names files relative to the chart ("templates/x.yaml" or "Chart.yaml")."""
    if not template:
        return None
    name = ctx.services.chart.name
    return template if template.startswith(f"{name}/") else f"{name}/{template}"
