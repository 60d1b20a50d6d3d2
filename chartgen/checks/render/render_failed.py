"""
## What it does
Reports a scenario whose render outcome is not the one it promises: a scenario that
should render but fails in a template (a `fail` gate, a nil pointer, a bad function
call), or a negative scenario that renders although it declares `expect.fails`, or
fails with a different message.

## Why is this bad?
A chart that does not render cannot be installed. A negative scenario that renders
means a safety gate no longer fires; one that fails for another reason proves nothing
about the gate it was written for.

## Example
```yaml
# values/scenarios/no-tls.yaml
expect:
  fails: "refuses to start without TLS"
# ...but the chart now renders without a TLS source.
```

## Use instead
Fix the template or the values so the scenario renders, or restore the gate (and its
message) the negative scenario tests.

## References
- https://helm.sh/docs/chart_template_guide/function_list/#fail
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, RenderOutcome
from chartgen.findings import Finding


@check(
    id="render-failed",
    code="RND001",
    scope=Scope.RENDER,
    description="The chart does not render the way the scenario expects.",
    remediation="Fix the template or values so it renders, or restore the gate the negative scenario expects.",
)
def run(outcome: RenderOutcome, ctx: CheckContext) -> Iterator[Finding]:
    expected = outcome.scenario.expect.fails
    failure = outcome.failure
    if expected is None:
        if failure is not None and not failure.values:
            yield Finding(f"render failed: {failure.message}", template=failure.template, line=failure.line)
        return
    if failure is None:
        yield Finding(f"expected the render to fail with a message matching {expected!r}, but it rendered")
    elif not re.search(expected, failure.message):
        yield Finding(
            f"expected a failure matching {expected!r}, got: {failure.message}",
            template=failure.template,
            line=failure.line,
        )
