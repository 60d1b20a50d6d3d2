"""
## What it does
Compares what a scenario rendered with what it declares under `expect`: objects that
must be `present` (optionally by name and count), objects that must be `absent`, and
exact `count`s per kind.

## Why is this bad?
"It rendered" is a weak test: a feature flag that silently renders nothing (a double
gate, a typo in a condition) passes it. Asserting the objects catches that.

## Example
```yaml
values: {backup: {enabled: true}}
expect:
  present: [{kind: CronJob, name: certctl-backup}]
# ...but the CronJob template is gated on a second, forgotten flag.
```

## Use instead
Make the template render what the scenario enables, or correct the expectation if the
chart's behaviour changed on purpose.

## References
- https://github.com/helm/chart-testing
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, RenderOutcome
from chartgen.findings import Finding


@check(
    id="expectation-not-met",
    code="RND002",
    scope=Scope.RENDER,
    description="The rendered objects differ from what the scenario expects.",
    remediation="Make the chart render what the scenario enables, or update the scenario's expectations.",
)
def run(outcome: RenderOutcome, ctx: CheckContext) -> Iterator[Finding]:
    expect = outcome.scenario.expect
    if not outcome.ok or expect.fails is not None:
        return
    objects = [manifest.obj for manifest in outcome.manifests]
    for match in expect.present:
        found = sum(match.matches(obj) for obj in objects)
        if match.count is None and found == 0:
            yield Finding(
                f"expected {match.describe()} to be rendered; found none", kind=match.kind, name=match.name
            )
        elif match.count is not None and found != match.count:
            yield Finding(
                f"expected {match.count} x {match.describe()}; found {found}",
                kind=match.kind,
                name=match.name,
            )
    for match in expect.absent:
        for obj in objects:
            if match.matches(obj):
                yield Finding(
                    f"expected no {match.describe()}; it was rendered",
                    kind=obj["kind"],
                    name=str(obj.get("metadata", {}).get("name", "")),
                )
    counts = Counter(str(obj.get("kind")) for obj in objects)
    for kind, wanted in expect.count:
        if counts[kind] != wanted:
            yield Finding(f"expected {wanted} {kind} object(s); found {counts[kind]}", kind=kind)
