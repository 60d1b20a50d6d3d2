"""
## What it does
Finds every `CERTCTL_*` name (digits included) written in the chart's documentation — the
comments of values.yaml, README.md and templates/NOTES.txt — and reports names that the
env catalog does not know, or lists as rejected. Without a catalog it reports nothing.

## Why is this bad?
Operators copy what the documentation says. A documented variable that no binary reads
(`CERTCTL_AGENT_POLL_INTERVAL`) sends them tuning a knob that does nothing.

## Example
```yaml
# Agents poll every CERTCTL_AGENT_POLL_INTERVAL (default 30s).
```

## Use instead
```yaml
# Agents poll for work every 30 seconds (fixed in the agent binary).
```

## References
- https://12factor.net/config
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.findings import Finding

NAME = re.compile(r"\bCERTCTL_[A-Z0-9_]*[A-Z0-9]\b")
DOCUMENTS = ("values.yaml", "README.md", "templates/NOTES.txt")


@check(
    id="unknown-env-var-in-docs",
    code="CON003",
    scope=Scope.CHART,
    description="The chart's documentation names an environment variable that no binary reads.",
    remediation="Correct the name from the env catalog, or remove it from the documentation.",
)
def run(chart_dir: Path, ctx: CheckContext) -> Iterator[Finding]:
    catalog = ctx.services.env_catalog
    if catalog is None:
        return
    chart = ctx.services.chart.name
    for document in DOCUMENTS:
        path = chart_dir / document
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in NAME.findall(line):
                if not catalog.is_known(name):
                    reason = catalog.rejected_reason(name)
                    yield Finding(
                        f"{name} is read by no certctl binary" + (f": {reason}" if reason else ""),
                        template=f"{chart}/{document}",
                        line=number,
                    )
