"""
## What it does
Reports Role and ClusterRole rules with a wildcard in `apiGroups`, `resources` or `verbs`:
`*` itself, or an entry containing it such as `pods/*` (every subresource).

## Why is this bad?
A wildcard grants more than anyone reviewed: every verb includes `escalate`, `bind` and
`impersonate` where they apply, every resource includes Secrets, and it also grants
whatever resources and API groups are added to the cluster later (CRDs included). Least
privilege needs the list spelled out.

## Example
```yaml
kind: Role
rules:
  - apiGroups: [""]
    resources: ["*"]
    verbs: ["*"]
```

## Use instead
```yaml
kind: Role
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "create", "update"]
```

## References
- https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
- https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.findings import Finding
from chartgen.manifests import Manifest

FIELDS = ("apiGroups", "resources", "verbs")


@check(
    id="rbac-wildcard",
    code="SEC015",
    scope=Scope.OBJECT,
    kinds=("Role", "ClusterRole"),
    description="A Role or ClusterRole rule grants a wildcard of API groups, resources or verbs.",
    remediation="List the API groups, resources and verbs the workload needs instead of *.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    for index, rule in enumerate(manifest.obj.get("rules") or []):
        if not isinstance(rule, dict):
            continue
        for field in FIELDS:
            wildcards = [str(entry) for entry in rule.get(field) or [] if "*" in str(entry)]
            if wildcards:
                listed = ", ".join(f'"{entry}"' for entry in wildcards)
                yield Finding(f"rule {index} grants {listed} in {field}", path=f"rules[{index}].{field}")
