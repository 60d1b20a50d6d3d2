"""
## What it does
Fails the run when no rendered document was checked at all, for example because every
scenario failed to render, or the scenario directory was empty. A shard (`--shard`) that
received no scenario is not judged alone: `chartgen lint report merge` applies the rule to
the merged shards.

## Why is this bad?
A linter that checked nothing reports "no findings", which reads like success. The
run must fail closed instead.

## Example
Every scenario misses the TLS source the chart requires, so no scenario renders.

## Use instead
Give the matrix at least one scenario that renders, and check it renders.

## References
- https://en.wikipedia.org/wiki/Fail-safe
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, RunRecord
from chartgen.findings import Finding


@check(
    id="nothing-checked",
    code="RND005",
    scope=Scope.RUN,
    description="The run rendered no document, so nothing was checked.",
    remediation="Add a scenario that renders, or fix the ones that fail to render.",
)
def run(record: RunRecord, ctx: CheckContext) -> Iterator[Finding]:
    if not record.renders:
        if not record.sharded:
            yield Finding("no (scenario, Kubernetes version) pair was evaluated")
    elif not any(render.documents for render in record.renders):
        yield Finding(f"{len(record.renders)} render(s) produced no document to check")
