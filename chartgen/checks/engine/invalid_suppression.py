"""
## What it does
Reports `chartgen.io/ignore` annotations that cannot be honoured: an entry without a
reason, or naming a check that does not exist. The format is
`"check-id: reason; other-check: reason"`.

## Why is this bad?
A suppression without a reason cannot be reviewed, and one naming an unknown check
suppresses nothing while looking as if it did.

## Example
```yaml
metadata:
  annotations:
    chartgen.io/ignore: "name-too-long"
```

## Use instead
```yaml
metadata:
  annotations:
    chartgen.io/ignore: "name-too-long: the name is fixed by an external controller"
```

## References
- https://docs.kube-linter.io/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import IGNORE_ANNOTATION, CheckContext
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="invalid-suppression",
    code="ENG003",
    scope=Scope.OBJECT,
    description="A chartgen.io/ignore annotation has no reason or names an unknown check.",
    remediation='Write each entry as "check-id: reason" with an existing check id.',
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    text = ((manifest.obj.get("metadata") or {}).get("annotations") or {}).get(IGNORE_ANNOTATION)
    if text is None:
        return
    path = f'metadata.annotations["{IGNORE_ANNOTATION}"]'
    if not isinstance(text, str):
        yield Finding("the annotation must be a string", path=path)
        return
    for entry in filter(None, (part.strip() for part in text.replace("\n", ";").split(";"))):
        check_id, _, reason = entry.partition(":")
        if not reason.strip():
            yield Finding(f"'{entry}' has no reason; write 'check-id: reason'", path=path)
        elif check_id.strip() not in ctx.services.check_ids:
            yield Finding(f"'{check_id.strip()}' is not a check id", path=path)
