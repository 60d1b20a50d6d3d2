"""
## What it does
Reports rendered documents that are not valid YAML, contain duplicate keys, or are not
a mapping. Each document is parsed on its own, so the others are still checked.

## Why is this bad?
Helm's `template` prints such output without complaint, but `helm install` fails, and
with duplicate keys the API server silently keeps only one of them. A common cause is
a map dumped with `toYaml` where a list is expected (`env`, `volumes`).

## Example
```yaml
env:
  {{- toYaml .Values.env | nindent 2 }}   # env: {FOO: bar} renders "FOO: bar" in a list
```

## Use instead
```yaml
env:
  {{- range $name, $value := .Values.env }}
  - name: {{ $name }}
    value: {{ $value | quote }}
  {{- end }}
```
or type the value as a list of EnvVar in the values schema.

## References
- https://yaml.org/spec/1.2.2/#mapping
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, RenderOutcome
from chartgen.findings import Finding


@check(
    id="invalid-yaml",
    code="RND004",
    scope=Scope.RENDER,
    description="A rendered document is not valid YAML, repeats a key, or is not an object.",
    remediation="Fix the template so every document is a single YAML mapping with unique keys.",
)
def run(outcome: RenderOutcome, ctx: CheckContext) -> Iterator[Finding]:
    for failure in outcome.parse_failures:
        line = ctx.services.locator.source_line_of(
            failure.template, outcome.rendered.get(failure.template, ""), failure.line
        )
        yield Finding(failure.message, template=failure.template, line=line)
