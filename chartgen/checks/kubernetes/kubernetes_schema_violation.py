"""
## What it does
Validates every rendered object against the Kubernetes OpenAPI schema of each Kubernetes
version in the matrix, strictly: unknown fields are errors. Custom resources are checked
against the schemas chartgen knows (schemas/crds/, the chart's crds/ directory, or files
named with --crd-schema). An object with no known schema cannot be checked and is
reported as skipped: the run fails closed.

## Why is this bad?
The API server drops unknown fields with only a warning, so a misplaced field silently
loses its effect: container-only security settings at pod level leave the container
unhardened. `kubectl apply` (strict by default) rejects the same object outright.

## Example
```yaml
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        allowPrivilegeEscalation: false   # container-only field at pod level
```

## Use instead
```yaml
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: app
          securityContext:
            allowPrivilegeEscalation: false
```

## References
- https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.apis import lifecycle
from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, Skip
from chartgen.findings import Finding
from chartgen.kubeschema import SchemaNotFound
from chartgen.manifests import Manifest


@check(
    id="kubernetes-schema-violation",
    code="K8S001",
    scope=Scope.OBJECT,
    description="A rendered object does not validate against the Kubernetes schema (strict).",
    remediation="Move or remove the fields the schema rejects; check the field's level and type in the API reference.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    obj = manifest.obj
    try:
        errors = ctx.services.schemas.validate(obj, ctx.kube_version)
    except SchemaNotFound:
        record = lifecycle(str(obj.get("apiVersion")), str(obj.get("kind")))
        if record and record.removed_in(ctx.kube_version):
            return  # removed-api-version reports it
        raise Skip(
            f"no schema for {obj.get('apiVersion')} {obj.get('kind')} at Kubernetes {ctx.kube_version}"
        ) from None
    for error in errors:
        yield Finding(error.message, path=error.path)
