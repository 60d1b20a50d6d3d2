"""
## What it does
Reports every evaluation the run could not perform: an object with no known schema, a
check that crashed. The run fails closed: work that was skipped is an error, never a
silent pass. For a chart linted from outside the project (`chartgen lint CHART`) it is a
warning by default: the schemas of a third-party chart's custom resources are usually
elsewhere, and that is no problem of its objects.

## Why is this bad?
A skipped evaluation hides whatever it would have found. Peers that print a warning
for a missing schema (or nothing, with --no-warn) let unchecked objects through.

## Example
A chart renders a `monitoring.coreos.com/v1` ServiceMonitor and no schema for it is known.

## Use instead
Give chartgen the schema (schemas/crds/, the chart's crds/ directory, or
`--crd-schema FILE`), or accept the gap explicitly with a suppression and a reason.

## References
- https://github.com/yannh/kubeconform#overriding-schemas-location
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, RunRecord
from chartgen.findings import Finding, Level


@check(
    id="check-skipped",
    code="ENG001",
    scope=Scope.RUN,
    description="A check could not evaluate something, so the run cannot vouch for it.",
    remediation="Provide what the check needs (for example a CRD schema), or suppress it with a reason.",
    outside_level=Level.WARNING,
)
def run(record: RunRecord, ctx: CheckContext) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for skip in sorted(record.skipped, key=lambda s: (s.check, s.scenario, s.kube_version, s.reason)):
        if (skip.check, skip.reason) not in seen:  # one finding per cause; the cause names what was skipped
            seen.add((skip.check, skip.reason))
            yield Finding(
                f"{skip.check} skipped: {skip.reason} (first in {skip.scenario} @ {skip.kube_version})"
            )
