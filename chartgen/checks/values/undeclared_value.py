"""
## What it does
Reads the chart's templates (helpers included) for `.Values.a.b.c` references and reports
those the values schema does not declare (where the schema closes the object), or, for a
chart without a schema, those values.yaml does not define. References through variables
(`$x := .Values.server` then `$x.port`) are not followed.

## Why is this bad?
A value a template reads but the schema does not declare cannot be set: with a closed schema
Helm rejects it, and without one nobody finds it in values.yaml. The upstream chart read
`server.volumes` and `server.volumeMounts`, which existed only as comments.

## Example
```yaml
volumes:
  {{- toYaml .Values.server.volumes | nindent 2 }}   # not in values.yaml or the schema
```

## Use instead
Declare the key (with a type, default and description) in values.yaml and the schema.

## References
- https://helm.sh/docs/topics/charts/#schema-files
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.findings import Finding

REFERENCE = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


@check(
    id="undeclared-value",
    code="VAL003",
    scope=Scope.CHART,
    description="A template reads a value that the values schema (or values.yaml) does not declare.",
    remediation="Declare the value with a type, default and description, or stop reading it.",
)
def run(chart_dir: Path, ctx: CheckContext) -> Iterator[Finding]:
    chart = ctx.services.chart
    schema, defaults = chart.schema, chart.values
    for template in sorted((chart_dir / "templates").rglob("*")):
        if not template.is_file() or template.suffix not in (".yaml", ".yml", ".tpl", ".txt"):
            continue
        relative = template.relative_to(chart_dir).as_posix()
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            for match in REFERENCE.finditer(line):
                path = match.group(1).lstrip(".").split(".")
                declared = _in_schema(schema, path) if schema else _in_values(defaults, path)
                if not declared:
                    yield Finding(
                        f".Values.{'.'.join(path)} is read but not declared",
                        template=f"{chart.name}/{relative}",
                        line=number,
                    )


def _in_schema(schema: dict[str, Any], path: list[str]) -> bool:
    node = schema
    for key in path:
        properties = node.get("properties") or {}
        if key in properties:
            node = properties[key]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            # A closed object (or a scalar) refuses the key; an open object accepts anything.
            return not (node.get("additionalProperties") is False or node.get("type") not in (None, "object"))
    return True


def _in_values(values: Any, path: list[str]) -> bool:
    node = values
    for key in path:
        if not isinstance(node, dict):
            return True  # below a value that is not a map: a method or field of it (e.g. .Values.x.y on a string)
        if key not in node:
            return False
        node = node[key]
    return True
