"""
## What it does
Reports ClusterRole rules that grant any verb on `secrets` (API group `""` or `*`, resource
`secrets` or `*`) when a ClusterRoleBinding of the same render binds the ClusterRole, or
binds another ClusterRole of the render that aggregates it (`aggregationRule`).

A ClusterRole bound only by RoleBindings grants its rules in those namespaces alone, and one
the chart does not bind at all grants nothing by itself: neither is reported.

## Why is this bad?
A ClusterRoleBinding grants the rules in every namespace: the subject can read (or write)
every Secret of the cluster, including other applications' database passwords, TLS keys and
ServiceAccount tokens, which is a path to cluster-admin. The upstream certctl chart gave
the ServiceAccount shared by server and agents get/list/create/update/patch on all Secrets
this way, although the agent only needs a few verbs in its own namespace.

## Example
```yaml
kind: ClusterRole
metadata: {name: certctl-secrets}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list", "create", "update", "patch"]
---
kind: ClusterRoleBinding
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: certctl-secrets}
subjects: [{kind: ServiceAccount, name: certctl-agent, namespace: certctl}]
```

## Use instead
```yaml
kind: Role
metadata: {name: certctl-agent-secrets, namespace: certctl}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "create", "update"]
---
kind: RoleBinding
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: certctl-agent-secrets}
subjects: [{kind: ServiceAccount, name: certctl-agent, namespace: certctl}]
```

## References
- https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets
- https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import name_of
from chartgen.checks.objects.selectors import selects
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="cluster-wide-secret-access",
    code="SEC016",
    scope=Scope.OBJECT,
    kinds=("ClusterRole",),
    description="A ClusterRoleBinding grants access to the Secrets of every namespace.",
    remediation="Grant Secret access with a namespaced Role and RoleBinding, limited to the verbs the workload needs.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    rules = [
        (index, rule) for index, rule in enumerate(manifest.obj.get("rules") or []) if _grants_secrets(rule)
    ]
    if not rules:
        return
    siblings = ctx.object_dicts
    bound_by = _cluster_binding(manifest.obj, siblings)
    if bound_by is None:
        return
    for index, rule in rules:
        verbs = ", ".join(str(verb) for verb in rule.get("verbs") or [])
        yield Finding(
            f"rule {index} grants {verbs} on the Secrets of every namespace: {bound_by}",
            path=f"rules[{index}]",
        )


def _grants_secrets(rule: Any) -> bool:
    if not isinstance(rule, dict) or not rule.get("verbs"):
        return False
    groups = {str(group) for group in rule.get("apiGroups") or []}
    resources = {str(resource) for resource in rule.get("resources") or []}
    return bool(groups & {"", "*"}) and bool(resources & {"secrets", "*"})


def _cluster_binding(role: dict[str, Any], siblings: list[dict[str, Any]]) -> str | None:
    """How the ClusterRole is granted cluster-wide in the render, or None."""
    direct = _binding_of(name_of(role), siblings)
    if direct:
        return f'ClusterRoleBinding "{direct}" binds it'
    labels = (role.get("metadata") or {}).get("labels") or {}
    for other in siblings:
        if other.get("kind") != "ClusterRole" or name_of(other) == name_of(role):
            continue
        selectors = (other.get("aggregationRule") or {}).get("clusterRoleSelectors") or []
        if any(selects(selector, labels) for selector in selectors):
            binding = _binding_of(name_of(other), siblings)
            if binding:
                return (
                    f'it is aggregated into ClusterRole "{name_of(other)}", '
                    f'which ClusterRoleBinding "{binding}" binds'
                )
    return None


def _binding_of(cluster_role: str, siblings: list[dict[str, Any]]) -> str | None:
    for binding in siblings:
        ref = binding.get("roleRef") or {}
        bound = (ref.get("kind"), ref.get("name")) == ("ClusterRole", cluster_role)
        if binding.get("kind") == "ClusterRoleBinding" and bound:
            return name_of(binding)
    return None
