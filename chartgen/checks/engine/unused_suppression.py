"""
## What it does
Reports suppressions (object annotations `chartgen.io/ignore` or `lint.allow` entries
in chartgen.yaml) that matched no finding in the whole run. A sharded run (`--shard`)
sees only part of the matrix, so it does not report them; run the matrix whole to. An entry
scoped to scenarios the run does not have (a named scenario, in a pairwise run) is not
reported either: it had nothing to match. It runs after the suppression stage, on what that
stage did, so its own findings cannot be suppressed: delete the stale suppression instead.

## Why is this bad?
A stale suppression documents a problem that no longer exists, and silently hides the
problem if it comes back in another form.

## Example
```yaml
lint:
  allow:
    - {check: name-too-long, name: certctl-postgres, reason: "fixed upstream in 0.3"}
```
after the name was shortened.

## Use instead
Delete the suppression.

## References
- https://docs.astral.sh/ruff/rules/unused-noqa/
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatch

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, SuppressionRecord
from chartgen.findings import Finding, Level


@check(
    id="unused-suppression",
    code="ENG002",
    scope=Scope.SUPPRESSIONS,
    level=Level.WARNING,
    description="A suppression matched no finding.",
    remediation="Remove the suppression.",
)
def run(record: SuppressionRecord, ctx: CheckContext) -> Iterator[Finding]:
    if record.sharded:
        return
    for suppression in record.declared:
        # One scoped to scenarios this run does not have (another tier's) could not match.
        in_run = suppression.scenario is None or any(
            fnmatch(name, suppression.scenario) for name in record.scenarios
        )
        if in_run and suppression not in record.used:
            target = "/".join(filter(None, [suppression.kind, suppression.name])) or "any object"
            yield Finding(
                f"suppression of {suppression.check} for {target} ({suppression.origin}) matched nothing",
                kind=suppression.kind,
                name=suppression.name,
            )
