"""
## What it does
Reads the chart's templates (helpers included) for `.Values.a.b.c` references and reports
those the values schema does not declare (where the schema closes the object), or, for a
chart without a schema, those values.yaml does not define. Each value is reported once, at
the first place that reads it (and not again for keys below it). Only template actions are
read: `.Values.x` in a comment, in a string (the message of `required` or `fail`) or in plain
text is not a read. Keys under an
open map (a schema object without `additionalProperties: false`; in values.yaml a map
declared empty, such as `podAnnotations: {}`) are declared. References through variables
(`$x := .Values.server` then `$x.port`) are not followed.

This is style: error for the project's chart, info for a chart linted from outside
(`chartgen lint CHART`).

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
from chartgen.findings import Finding, Level

REFERENCE = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
ACTION = re.compile(r"\{\{(.*?)\}\}", re.S)
# What an action holds that is not code: comments and string literals ("...", `...`).
NOT_CODE = re.compile(r"/\*.*?\*/|\"(?:[^\"\\\n]|\\.)*\"|`[^`]*`", re.S)


@check(
    id="undeclared-value",
    code="VAL003",
    scope=Scope.CHART,
    outside_level=Level.INFO,
    description="A template reads a value that the values schema (or values.yaml) does not declare.",
    remediation="Declare the value with a type, default and description, or stop reading it.",
)
def run(chart_dir: Path, ctx: CheckContext) -> Iterator[Finding]:
    chart = ctx.services.chart
    schema, defaults = chart.schema, chart.values
    reads: dict[tuple[str, ...], list[tuple[str, int]]] = {}
    for template in sorted((chart_dir / "templates").rglob("*")):
        if template.is_file() and template.suffix in (".yaml", ".yml", ".tpl", ".txt"):
            relative = template.relative_to(chart_dir).as_posix()
            for path, line in value_reads(template.read_text(encoding="utf-8")):
                reads.setdefault(path, []).append((f"{chart.name}/{relative}", line))
    reported: set[tuple[str, ...]] = set()
    for path, places in sorted(reads.items(), key=lambda item: len(item[0])):
        if any(path[:size] in reported for size in range(1, len(path))):
            continue  # below a value already reported: declaring that one settles this read too
        declared = _in_schema(schema, list(path)) if schema else _in_values(defaults, list(path))
        if not declared:
            reported.add(path)
            also = (
                f" (and in {len(places) - 1} more place{'s' * (len(places) > 2)})" if len(places) > 1 else ""
            )
            yield Finding(
                f".Values.{'.'.join(path)} is read but not declared{also}",
                template=places[0][0],
                line=places[0][1],
            )


def value_reads(text: str) -> Iterator[tuple[tuple[str, ...], int]]:
    """The ``.Values`` paths the template actions of ``text`` read, with their line numbers."""
    for action in ACTION.finditer(text):
        code = NOT_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), action.group(1))
        for match in REFERENCE.finditer(code):
            line = text.count("\n", 0, action.start(1) + match.start()) + 1
            yield tuple(match.group(1).lstrip(".").split(".")), line


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
        if not node:
            return True  # an empty map in values.yaml is a place for the user's own keys
        if key not in node:
            return False
        node = node[key]
    return True
