"""
## What it does
Reports values without documentation: with a values schema, every property needs a
`description`; without one, every key of values.yaml needs a comment directly above it.

This is style: warning for the project's chart, info for a chart linted from outside
(`chartgen lint CHART`).

## Why is this bad?
Operators learn a chart from values.yaml and its generated docs. An undocumented key is
guessed at, or ignored.

## Example
```yaml
server:
  replicas: 1
```

## Use instead
```yaml
server:
  # Number of server pods.
  replicas: 1
```

## References
- https://helm.sh/docs/chart_best_practices/values/#document-valuesyaml
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.values.yaml_keys import keys
from chartgen.findings import Finding, Level


@check(
    id="undocumented-value",
    code="VAL004",
    scope=Scope.CHART,
    outside_level=Level.INFO,
    level=Level.WARNING,
    description="A value has no description in the schema, or no comment in values.yaml.",
    remediation="Describe the value in the schema (description) or in a comment above it in values.yaml.",
)
def run(chart_dir: Path, ctx: CheckContext) -> Iterator[Finding]:
    chart = ctx.services.chart
    if chart.schema:
        for path in _undescribed(chart.schema, ()):
            yield Finding(
                f"{'.'.join(path)} has no description in values.schema.json",
                template=f"{chart.name}/values.schema.json",
            )
        return
    values_file = chart_dir / "values.yaml"
    if values_file.is_file():
        for key in keys(values_file.read_text(encoding="utf-8")):
            if not key.commented and not key.in_list:
                yield Finding(
                    f"{key.path} has no comment in values.yaml",
                    template=f"{chart.name}/values.yaml",
                    line=key.line,
                )


def _undescribed(schema: dict[str, Any], path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for key, child in (schema.get("properties") or {}).items():
        if not isinstance(child, dict):
            continue
        if not str(child.get("description", "")).strip():
            yield (*path, key)
        yield from _undescribed(child, (*path, key))
