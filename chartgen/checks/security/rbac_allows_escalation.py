"""
## What it does
Reports Role and ClusterRole rules that let their holder gain permissions it was not given:

- `bind` or `escalate` on `roles` / `clusterroles`: bind any role, or write a role granting
  more than the holder has;
- `impersonate` on `users`, `groups`, `serviceaccounts`, `uids` or `userextras`: act as
  someone else, a cluster administrator included;
- `update` or `patch` on `certificatesigningrequests/approval`, or `approve` on `signers`:
  approve client certificates for any identity;
- `create`, `update`, `patch` or `delete` on `mutatingwebhookconfigurations` or
  `validatingwebhookconfigurations`: intercept or switch off the admission of every object.

Wildcards count (`verbs: ["*"]`, `resources: ["*"]`, `apiGroups: ["*"]`). A rule limited by
`resourceNames` to named roles, signers or webhook configurations (a controller that patches
its own webhook's CA bundle) is not reported, except for `impersonate`.

## Why is this bad?
Each of these verbs is a way around RBAC itself: whoever steals the ServiceAccount token of
the workload (a compromised pod, a leaked token) becomes cluster administrator, whatever
the rest of its Role says. Kubernetes documents them as privilege escalation paths.

## Example
```yaml
kind: ClusterRole
rules:
  - apiGroups: [rbac.authorization.k8s.io]
    resources: [clusterrolebindings, clusterroles]
    verbs: [create, bind, escalate]
```

## Use instead
```yaml
kind: ClusterRole
rules:
  - apiGroups: [rbac.authorization.k8s.io]
    resources: [clusterroles]
    verbs: [bind]
    resourceNames: [app-reader]        # only the role the controller hands out
```

## References
- https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks
- https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-creation-or-update
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@dataclass(frozen=True)
class EscalationPath:
    what: str  # how the message names the risk
    groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    named_is_safe: bool = True  # resourceNames limit the risk to objects the rule names


PATHS = (
    EscalationPath(
        "binds or escalates roles",
        ("rbac.authorization.k8s.io",),
        ("roles", "clusterroles"),
        ("bind", "escalate"),
    ),
    EscalationPath(
        "impersonates other identities",
        ("", "authentication.k8s.io"),
        ("users", "groups", "serviceaccounts", "uids", "userextras"),
        ("impersonate",),
        named_is_safe=False,
    ),
    EscalationPath(
        "approves certificate signing requests",
        ("certificates.k8s.io",),
        ("certificatesigningrequests/approval",),
        ("update", "patch"),
    ),
    EscalationPath("approves certificates for signers", ("certificates.k8s.io",), ("signers",), ("approve",)),
    EscalationPath(
        "controls admission webhooks",
        ("admissionregistration.k8s.io",),
        ("mutatingwebhookconfigurations", "validatingwebhookconfigurations"),
        ("create", "update", "patch", "delete"),
    ),
)


@check(
    id="rbac-allows-escalation",
    code="SEC017",
    scope=Scope.OBJECT,
    kinds=("Role", "ClusterRole"),
    description="A Role or ClusterRole rule allows privilege escalation (bind, escalate, impersonate, approvals, webhooks).",
    remediation="Drop the verb, or limit the rule with resourceNames to the roles, signers or webhooks it must touch.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    for index, rule in enumerate(manifest.obj.get("rules") or []):
        if not isinstance(rule, dict):
            continue
        for path in PATHS:
            granted = _granted(rule, path)
            if granted:
                yield Finding(f"rule {index} {path.what}: {granted}", path=f"rules[{index}].verbs")


def _granted(rule: dict[str, Any], path: EscalationPath) -> str:
    """What the rule grants of an escalation path, as ``verb on resource`` text; "" for nothing."""
    if path.named_is_safe and rule.get("resourceNames"):
        return ""
    groups = [str(g) for g in rule.get("apiGroups") or []]
    if not any(g == "*" or g in path.groups for g in groups):
        return ""
    resources = [r for r in path.resources if _listed(r, rule.get("resources"))]
    verbs = [v for v in path.verbs if _listed(v, rule.get("verbs"))]
    if not resources or not verbs:
        return ""
    return f"{', '.join(verbs)} on {', '.join(resources)}"


def _listed(name: str, entries: Any) -> bool:
    """Whether a rule's list grants ``name``: itself, ``*``, or ``resource/*`` for a subresource."""
    for entry in entries or []:
        entry = str(entry)
        if entry == "*" or entry == name or (entry.endswith("/*") and name.startswith(entry[:-1])):
            return True
    return False
