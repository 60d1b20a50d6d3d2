"""
## What it does
Reports objects whose apiVersion the Kubernetes version of the matrix no longer serves.

## Why is this bad?
The install fails with "no matches for kind" on that Kubernetes version, and upgrades
of existing releases break.

## Example
```yaml
apiVersion: policy/v1beta1   # removed in Kubernetes 1.25
kind: PodDisruptionBudget
```

## Use instead
```yaml
apiVersion: policy/v1
kind: PodDisruptionBudget
```

## References
- https://kubernetes.io/docs/reference/using-api/deprecation-guide/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.apis import lifecycle
from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="removed-api-version",
    code="K8S002",
    scope=Scope.OBJECT,
    description="The object's apiVersion is removed in this Kubernetes version.",
    remediation="Use the replacement apiVersion named in the finding.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    api_version, kind = str(manifest.obj.get("apiVersion")), str(manifest.obj.get("kind"))
    record = lifecycle(api_version, kind)
    if record and record.removed_in(ctx.kube_version):
        yield Finding(
            f"{api_version} {kind} was removed in Kubernetes {record.removed}; use {record.replacement}",
            path="apiVersion",
        )
