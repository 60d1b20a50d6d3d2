"""
## What it does
Reports containers, init containers included, whose `securityContext.allowPrivilegeEscalation`
is not `false`. Leaving it unset counts: Kubernetes then allows escalation.

## Why is this bad?
Unless it is `false`, the container's processes may gain more privileges than their parent
through setuid binaries or file capabilities (the `no_new_privs` flag is not set). A namespace
enforcing the restricted Pod Security Standard rejects such pods.

## Example
```yaml
server:
  containerSecurityContext:
    runAsNonRoot: true    # allowPrivilegeEscalation unset: escalation is allowed
```

## Use instead
```yaml
server:
  containerSecurityContext:
    runAsNonRoot: true
    allowPrivilegeEscalation: false
```

## References
- https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
- https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, containers, own_security_setting, pod_spec
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="privilege-escalation-allowed",
    code="SEC002",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container does not set allowPrivilegeEscalation to false.",
    remediation="Set allowPrivilegeEscalation: false in the securityContext of every container.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    for container in containers(pod):
        setting = own_security_setting(container, "allowPrivilegeEscalation")
        if setting.value is not False:
            yield Finding(
                f"{container.title} allows privilege escalation: allowPrivilegeEscalation is {setting.shown}",
                path=setting.path,
            )
