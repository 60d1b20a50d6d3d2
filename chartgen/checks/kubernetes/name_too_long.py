"""
## What it does
Reports object names longer than Kubernetes allows for their use: 63 characters for
anything that becomes a DNS label or label value (Services, most objects), 52 for
StatefulSets and CronJobs, whose controllers append suffixes to the name, and 253 for RBAC
objects (Roles, ClusterRoles and their bindings), whose names are path segments used nowhere
else.

## Why is this bad?
The API server rejects the object, or the controller fails later when it derives pod
or job names from it. Charts hit this with long release names when suffixes are added
after truncating the base name.

## Example
```yaml
name: {{ include "fullname" . | trunc 63 }}-server   # 70 characters for a long release
```

## Use instead
```yaml
name: {{ include "fullname" . | trunc 56 | trimSuffix "-" }}-server
```

## Options
- `limit` (integer, default 63): the longest name allowed for kinds without a shorter limit of their own.

## References
- https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.findings import Finding
from chartgen.manifests import Manifest

# Kinds whose names Kubernetes limits otherwise than the option says.
KIND_LIMITS = {
    "StatefulSet": 52,
    "CronJob": 52,
    **dict.fromkeys(("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"), 253),
}


@dataclass(frozen=True)
class NameTooLongOptions:
    limit: int = 63  # DNS label length; kinds with shorter limits keep theirs


@check(
    id="name-too-long",
    code="K8S004",
    scope=Scope.OBJECT,
    description="An object name is longer than Kubernetes allows for its kind.",
    remediation="Truncate the base name before appending suffixes so the whole name fits.",
    options=NameTooLongOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    name = str((manifest.obj.get("metadata") or {}).get("name", ""))
    kind = str(manifest.obj.get("kind", ""))
    options: NameTooLongOptions = ctx.options
    limit = KIND_LIMITS.get(kind, options.limit)
    if len(name) > limit:
        yield Finding(
            f"name is {len(name)} characters long; a {kind} name may have at most {limit}",
            path="metadata.name",
        )
