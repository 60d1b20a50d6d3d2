"""
## What it does
Reports objects whose apiVersion is deprecated (but still served) in the Kubernetes
version of the matrix.

## Why is this bad?
A deprecated API is removed in a later release; the chart will then stop installing.
The API server also prints a warning on every apply.

## Example
```yaml
apiVersion: autoscaling/v2beta2   # deprecated in 1.23, removed in 1.26
kind: HorizontalPodAutoscaler
```

## Use instead
```yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
```

## References
- https://kubernetes.io/docs/reference/using-api/deprecation-guide/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.apis import lifecycle
from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.findings import Finding, Level
from chartgen.manifests import Manifest


@check(
    id="deprecated-api-version",
    code="K8S003",
    scope=Scope.OBJECT,
    level=Level.WARNING,
    description="The object's apiVersion is deprecated in this Kubernetes version.",
    remediation="Move to the replacement apiVersion named in the finding before it is removed.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    api_version, kind = str(manifest.obj.get("apiVersion")), str(manifest.obj.get("kind"))
    record = lifecycle(api_version, kind)
    if record and record.deprecated_in(ctx.kube_version) and not record.removed_in(ctx.kube_version):
        removal = f", removed in {record.removed}" if record.removed else ""
        yield Finding(
            f"{api_version} {kind} is deprecated since Kubernetes {record.deprecated}{removal}; use {record.replacement}",
            path="apiVersion",
        )
