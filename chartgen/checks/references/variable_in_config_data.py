"""
## What it does
Reports a ConfigMap or Secret value that contains a `$(NAME)` reference when a container of
the render reads that key into its environment: through `env[].valueFrom.configMapKeyRef` /
`secretKeyRef` (that key) or `envFrom` (every key). Secret `data` is base64-decoded;
`stringData` is read as is. Values only mounted as files are not reported: a shell script in
a ConfigMap volume may use `$(...)` freely. `$$(NAME)` and shell such as `$(date -u +%s)` are
not references, as in `env-reference-undefined`.

## Why is this bad?
The kubelet expands `$(NAME)` only in the `value` of an env entry, in `command` and in `args`,
never in a value it reads from a ConfigMap or Secret. The program gets the text `$(NAME)`
literally: a database URL whose password is the string `$(POSTGRES_PASSWORD)`, rejected by the
server with an authentication error that points nowhere near the cause.

## Example
```yaml
kind: Secret
stringData:
  database-url: postgres://app:$(POSTGRES_PASSWORD)@db/app
---
env:
  - name: DATABASE_URL
    valueFrom: {secretKeyRef: {name: app, key: database-url}}
```

## Use instead
```yaml
env:
  - name: DATABASE_URL
    value: postgres://app@db/app      # libpq and most drivers read the password from PGPASSWORD
  - name: PGPASSWORD
    valueFrom: {secretKeyRef: {name: db, key: password}}
```
Or write the complete value, password included (URL-escaped), into the Secret.

## References
- https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
- https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#environment-variables
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.env import env_imports, variable_references
from chartgen.checks.objects.pods import containers, name_of, namespace_of, pod_spec
from chartgen.checks.objects.references import config_data
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="variable-in-config-data",
    code="REF011",
    scope=Scope.OBJECT,
    kinds=("ConfigMap", "Secret"),
    description="A ConfigMap or Secret value read into a container's environment contains a $(NAME) reference.",
    remediation="Build the value in an env value, which the kubelet expands, or write the final value into the object.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    obj = manifest.obj
    readers = _readers(obj, ctx)
    if not readers:
        return
    for entry in config_data(obj):
        names = list(dict.fromkeys(variable_references(entry.text or "")))
        read_by = readers.get(entry.key, []) + readers.get(None, [])
        if names and read_by:
            references = ", ".join(f"$({name})" for name in names)
            yield Finding(
                f'"{entry.key}" contains {references}, which the kubelet never expands in a value read from '
                f"a {obj.get('kind')}; read literally by {'; '.join(read_by)}",
                path=entry.path,
            )


def _readers(obj: dict[str, Any], ctx: CheckContext) -> dict[str | None, list[str]]:
    """Who reads this object into an environment, by key (None: every key, through envFrom)."""
    default = ctx.release_namespace
    kind, name, namespace = obj.get("kind"), name_of(obj), namespace_of(obj, default)
    readers: dict[str | None, list[str]] = {}
    for manifest in ctx.objects:
        pod = pod_spec(manifest.obj)
        if pod is None or namespace_of(manifest.obj, default) != namespace:
            continue
        for container in containers(pod):
            for source in env_imports(container):
                if (source.kind, source.name) == (kind, name):
                    how = f"env {source.variable}" if source.key is not None else "envFrom"
                    readers.setdefault(source.key, []).append(
                        f'{manifest.obj.get("kind")}/{name_of(manifest.obj)} (container "{container.name}", {how})'
                    )
    return readers
