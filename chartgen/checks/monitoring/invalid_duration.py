"""
## What it does
Checks the durations of a PrometheusRule: each rule's `for` and `keep_firing_for`, and each
group's `interval`, must be Prometheus durations such as `30s`, `5m` or `1h30m`.

## Why is this bad?
Prometheus rejects the whole rule group over one malformed duration (`5 min`, `1.5h`), so
every alert in the group stops working.

## Example
```yaml
for: 15 minutes
```

## Use instead
```yaml
for: 15m
```

## References
- https://prometheus.io/docs/prometheus/latest/configuration/configuration/#duration
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.monitoring.rules import rules
from chartgen.findings import Finding
from chartgen.manifests import Manifest

DURATION = re.compile(r"^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$")


@check(
    id="invalid-duration",
    code="MON004",
    scope=Scope.OBJECT,
    kinds=("PrometheusRule",),
    description="A rule's for, keep_firing_for or a group's interval is not a Prometheus duration.",
    remediation="Write durations as a number with a unit, largest unit first (30s, 5m, 1h30m).",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    seen_groups: set[str] = set()
    for rule in rules(manifest.obj):
        if rule.group_path not in seen_groups:
            seen_groups.add(rule.group_path)
            yield from _check(rule.group.get("interval"), f"{rule.group_path}.interval", "group interval")
        for key in ("for", "keep_firing_for"):
            yield from _check(rule.rule.get(key), f"{rule.path}.{key}", f"{key} of {rule.name!r}")


def _check(value: object, path: str, what: str) -> Iterator[Finding]:
    if value is None:
        return
    text = str(value)
    if not text or not DURATION.match(text) or text in ("",):
        yield Finding(f"{what} {text!r} is not a Prometheus duration", path=path)
