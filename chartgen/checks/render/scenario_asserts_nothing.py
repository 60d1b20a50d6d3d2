"""
## What it does
Reports a scenario file with no expectation beyond "it renders": no `expect.fails`,
no `present`, `absent` or `count`.

## Why is this bad?
Such a scenario passes even when the feature it was written for renders nothing, so
it gives false confidence (a vacuous pass).

## Example
```yaml
description: Backups to S3.
values: {backup: {enabled: true, destination: s3}}
```

## Use instead
```yaml
description: Backups to S3.
values: {backup: {enabled: true, destination: s3}}
expect:
  present: [{kind: CronJob, name: certctl-backup}]
  absent: [{kind: PersistentVolumeClaim}]
```

## References
- https://github.com/helm-unittest/helm-unittest
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.findings import Finding
from chartgen.scenario import Scenario


@check(
    id="scenario-asserts-nothing",
    code="RND003",
    scope=Scope.VALUES,
    description="A scenario declares no expectation, so it passes vacuously.",
    remediation="Add expect.present, expect.absent, expect.count or expect.fails to the scenario.",
)
def run(scenario: Scenario, ctx: CheckContext) -> Iterator[Finding]:
    if scenario.expect.vacuous and not scenario.implicit:
        yield Finding(
            f"scenario '{scenario.name}' asserts nothing beyond a successful render ({scenario.source})"
        )
