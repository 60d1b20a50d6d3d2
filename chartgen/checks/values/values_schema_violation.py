"""
## What it does
Reports scenario values that the chart's `values.schema.json` rejects: a misspelt key,
a wrong type, a number out of range, a value outside an enum. Helm refuses such values
before any template runs.

## Why is this bad?
`helm install` with these values fails. In a lint scenario it usually means the
scenario (or an example values file) drifted from the chart's schema.

## Example
```yaml
server:
  replcias: 3   # additional properties 'replcias' not allowed
```

## Use instead
```yaml
server:
  replicas: 3
```

## References
- https://helm.sh/docs/topics/charts/#schema-files
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, RenderOutcome
from chartgen.findings import Finding


@check(
    id="values-schema-violation",
    code="VAL001",
    scope=Scope.RENDER,
    description="Scenario values do not validate against the chart's values.schema.json.",
    remediation="Correct the values (key names, types, ranges) to match the chart's values schema.",
)
def run(outcome: RenderOutcome, ctx: CheckContext) -> Iterator[Finding]:
    failure = outcome.failure
    if failure is None or not failure.values or outcome.scenario.expect.fails is not None:
        return  # a negative scenario's expected failure is judged by render-failed
    yield Finding(" ".join(failure.message.split()), template=None)
