"""
## What it does
Reports an `env` entry whose name an earlier entry of the same container already uses. Each
repetition after the first is reported, at the repeated entry.

## Why is this bad?
The last entry silently wins, so whichever template or values list comes later decides the
value, whatever the operator meant. The API server only warns ("hides previous definition"),
and server-side apply (`kubectl apply --server-side`, Argo CD, Flux) rejects the object,
because `env` is a list keyed by name. Charts get here when a values list of extra variables
repeats one the template already sets.

## Example
```yaml
env:
  - name: DATABASE_URL
    valueFrom: {secretKeyRef: {name: app, key: database-url}}
  {{- toYaml .Values.extraEnv | nindent 2 }}     # the operator also sets DATABASE_URL here
```

## Use instead
Make the chart's own entry conditional on a value, or merge the extra variables by name
(a map in values, rendered once per key).

## References
- https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy
- https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, containers, pod_spec
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="duplicate-env-name",
    code="REF012",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container's env list sets the same variable more than once.",
    remediation="Keep one entry per variable name in each container.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    for container in containers(pod) if pod else ():
        first: dict[str, int] = {}
        for index, entry in enumerate(container.container.get("env") or []):
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str):
                continue
            if name in first:
                yield Finding(
                    f'env {name} is set again in container "{container.name}" (first at env[{first[name]}]); '
                    "the last entry wins and server-side apply rejects the object",
                    path=f"{container.path}.env[{index}]",
                )
            else:
                first[name] = index
