"""
## What it does
Reports workloads whose pods get a Kubernetes API token although nothing in the chart
gives their ServiceAccount any permission: no RoleBinding or ClusterRoleBinding of the
same render binds it (by name, or through the groups `system:serviceaccounts`,
`system:serviceaccounts:<namespace>` or `system:authenticated`). A binding to a Role or
ClusterRole that the render defines with no rules (and no `aggregationRule`) grants
nothing and does not count.

A pod gets the token unless its `automountServiceAccountToken` is `false` or, when the pod
does not say, the ServiceAccount (`serviceAccountName`, else `default`) rendered by the chart
says `false`. A ServiceAccount the chart does not render is assumed to mount its token, as
the namespace's `default` one does.

## Why is this bad?
The token is a credential in every pod's filesystem. Whoever breaks into the container can
use it to talk to the API server: discovery, everything granted to all authenticated
users, and whatever someone binds to the ServiceAccount later. A pod that never calls the
API should not carry it, and the restricted profile of most policy engines asks for
automounting to be off.

## Example
```yaml
kind: Deployment
spec:
  template:
    spec:
      serviceAccountName: certctl-server   # no RoleBinding names it; the token is mounted
```

## Use instead
```yaml
kind: ServiceAccount
metadata:
  name: certctl-server
automountServiceAccountToken: false
---
kind: Deployment
spec:
  template:
    spec:
      serviceAccountName: certctl-server
      automountServiceAccountToken: false
```
A ServiceAccount bound outside the chart can suppress the finding on the workload with
`chartgen.io/ignore: "service-account-token-not-needed: <who binds it>"`.

## References
- https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
- https://kubernetes.io/docs/concepts/security/service-accounts/
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, name_of, namespace_of, pod_spec
from chartgen.checks.objects.references import find_object
from chartgen.findings import Finding, Level
from chartgen.manifests import Manifest

BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")


@check(
    id="service-account-token-not-needed",
    code="SEC011",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    level=Level.WARNING,
    description="Pods get an API token although no binding of the chart grants their ServiceAccount anything.",
    remediation="Set automountServiceAccountToken: false on the pod or its ServiceAccount, or bind the role it needs.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    release_namespace = ctx.release_namespace
    namespace = ctx.namespace_of(manifest.obj)
    siblings = ctx.object_dicts
    account = str(pod.spec.get("serviceAccountName") or pod.spec.get("serviceAccount") or "default")
    automount = pod.spec.get("automountServiceAccountToken")
    if automount is False:
        return
    if automount is None:
        service_account = find_object(siblings, "ServiceAccount", account, namespace, release_namespace)
        if service_account is not None and service_account.get("automountServiceAccountToken") is False:
            return
        because = "the pod does not turn automounting off"
        because += (
            " and the chart does not render the ServiceAccount"
            if service_account is None
            else " and neither does its ServiceAccount"
        )
    else:
        because = f"automountServiceAccountToken is {json.dumps(automount)}"
    if any(
        _binds(binding, account, namespace, release_namespace)
        and _grants(binding, siblings, release_namespace)
        for binding in siblings
    ):
        return
    if automount is not None:
        path = f"{pod.path}.automountServiceAccountToken"
    else:
        path = f"{pod.path}.serviceAccountName" if "serviceAccountName" in pod.spec else pod.path
    yield Finding(
        f'pods get an API token of ServiceAccount "{account}" ({because}), '
        "but no RoleBinding or ClusterRoleBinding of the chart grants it anything",
        path=path,
    )


def _binds(binding: dict[str, Any], account: str, namespace: str, release_namespace: str) -> bool:
    """Whether a RoleBinding or ClusterRoleBinding names the ServiceAccount, or a group it is in."""
    if binding.get("kind") not in BINDING_KINDS:
        return False
    # A RoleBinding's ServiceAccount subject without a namespace is in the binding's namespace.
    subject_default = namespace_of(binding, release_namespace) if binding.get("kind") == "RoleBinding" else ""
    groups = {"system:serviceaccounts", f"system:serviceaccounts:{namespace}", "system:authenticated"}
    for subject in binding.get("subjects") or []:
        if not isinstance(subject, dict):
            continue
        if subject.get("kind") == "ServiceAccount":
            if subject.get("name") == account and (subject.get("namespace") or subject_default) == namespace:
                return True
        elif subject.get("kind") == "Group" and subject.get("name") in groups:
            return True
    return False


def _grants(binding: dict[str, Any], siblings: list[dict[str, Any]], release_namespace: str) -> bool:
    """Whether the bound role may grant something: the chart does not define it, or defines rules or aggregation."""
    ref = binding.get("roleRef") or {}
    name = str(ref.get("name"))
    if ref.get("kind") == "Role":
        role = find_object(
            siblings, "Role", name, namespace_of(binding, release_namespace), release_namespace
        )
    else:  # cluster-scoped: a namespace in its metadata means nothing
        role = next(
            (obj for obj in siblings if obj.get("kind") == "ClusterRole" and name_of(obj) == name), None
        )
    return role is None or bool(role.get("rules")) or "aggregationRule" in role
