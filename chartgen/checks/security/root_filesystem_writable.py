"""
## What it does
Reports containers, init containers included, whose `securityContext.readOnlyRootFilesystem`
is not `true`.

## Why is this bad?
A writable root filesystem lets an attacker who gains code execution replace binaries,
drop tools and persist changes for the life of the container. It also hides where an
application really writes: with a read-only root, every writable path is an explicit
`emptyDir` or persistent volume. This goes beyond the restricted Pod Security Standard,
as its companion hardening guidance recommends.

## Example
```yaml
server:
  containerSecurityContext:
    allowPrivilegeEscalation: false   # readOnlyRootFilesystem unset: the root is writable
```

## Use instead
```yaml
server:
  containerSecurityContext:
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
  # and mount an emptyDir wherever the application writes (/tmp, caches)
```

## References
- https://kubernetes.io/docs/concepts/security/pod-security-standards/
- https://kubernetes.io/docs/concepts/security/security-checklist/#pod-security
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
    id="root-filesystem-writable",
    code="SEC005",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container's root filesystem is writable.",
    remediation="Set readOnlyRootFilesystem: true and mount an emptyDir wherever the container writes.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    for container in containers(pod):
        setting = own_security_setting(container, "readOnlyRootFilesystem")
        if setting.value is not True:
            yield Finding(
                f"{container.title} has a writable root filesystem: "
                f"readOnlyRootFilesystem is {setting.shown}",
                path=setting.path,
            )
