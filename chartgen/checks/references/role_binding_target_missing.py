"""
## What it does
Reports a RoleBinding or ClusterRoleBinding that binds something the render does not contain:
a `ServiceAccount` subject that is not rendered in its namespace (the subject's `namespace`, else
the binding's, else the release's), or a `roleRef` to a `Role` that is not rendered in the
binding's namespace. A ClusterRoleBinding that refers to a `Role` is reported too: the API
server rejects it. The `default` ServiceAccount, User and Group subjects, ClusterRole references
(often Kubernetes' own, such as `view`), the Roles Kubernetes creates itself (names starting
with `system:`, and `extension-apiserver-authentication-reader`, which an aggregated API server
binds in `kube-system`) and names declared external are not checked. External
names come from the scenario's values, by the same rule as `missing-config-reference` (for
example `serviceAccount: {create: false, name: ci}`), and from the option `external`.

## Why is this bad?
The binding is accepted but grants nothing: the pods it was written for get `forbidden` from
the API server and fail at run time, far from the cause. It happens when a ServiceAccount or
Role template is switched off, or renamed, and the binding still uses the old name.

## Example
```yaml
kind: RoleBinding
metadata: {name: agent}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: agent-secrets}
subjects:
  - kind: ServiceAccount
    name: agent                  # the ServiceAccount is rendered as "certctl-agent"
```

## Use instead
```yaml
subjects:
  - kind: ServiceAccount
    name: {{ include "certctl.agent.serviceAccountName" . }}
    namespace: {{ .Release.Namespace }}
```

## Options
- `external` (list of strings, default empty): names of objects that exist outside the chart, in addition to those the values declare.

## References
- https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import namespace_of
from chartgen.checks.objects.references import ExternalOptions, declared_external
from chartgen.findings import Finding
from chartgen.manifests import Manifest

# Roles the API server bootstraps in kube-system and kube-public besides the "system:" ones.
BUILT_IN_ROLES = frozenset({"extension-apiserver-authentication-reader"})


@check(
    id="role-binding-target-missing",
    code="REF008",
    scope=Scope.OBJECT,
    kinds=("RoleBinding", "ClusterRoleBinding"),
    description="A role binding names a ServiceAccount or Role that the render does not contain.",
    remediation="Render the ServiceAccount and Role under the same conditions and names as the binding.",
    options=ExternalOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    binding = manifest.obj
    namespace = namespace_of(binding, ctx.release_namespace)
    external = declared_external(ctx)
    for index, subject in enumerate(binding.get("subjects") or []):
        if not isinstance(subject, dict) or subject.get("kind") != "ServiceAccount":
            continue
        name = str(subject.get("name") or "")
        subject_namespace = str(subject.get("namespace") or namespace)
        if name in ("", "default") or name in external:
            continue
        if ctx.find("ServiceAccount", name, subject_namespace) is None:
            yield Finding(
                f'subject ServiceAccount "{name}" is not rendered in namespace {subject_namespace} '
                "and not declared external",
                path=f"subjects[{index}].name",
            )
    role_ref = binding.get("roleRef") or {}
    if role_ref.get("kind") != "Role":
        return
    name = str(role_ref.get("name") or "")
    if binding.get("kind") == "ClusterRoleBinding":
        yield Finding(
            f'a ClusterRoleBinding can only refer to a ClusterRole, not Role "{name}"', path="roleRef.kind"
        )
    elif not _exists_outside(name, external) and ctx.find("Role", name, namespace) is None:
        yield Finding(
            f'Role "{name}" is not rendered in namespace {namespace} and not declared external',
            path="roleRef.name",
        )


def _exists_outside(role: str, external: set[str]) -> bool:
    """Whether the Role exists without the chart: Kubernetes' own, or declared external."""
    return role in external or role in BUILT_IN_ROLES or role.startswith("system:")
