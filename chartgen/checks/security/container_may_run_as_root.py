"""
## What it does
Reports containers, init containers included, that may run as root: their effective
`runAsNonRoot` (the container's own, else the pod's) is not `true`, or their effective
`runAsUser` is `0`. A pod-level `runAsNonRoot: false` or `runAsUser: 0` is reported even
when every container overrides it, because the restricted Pod Security Standard rejects it.

## Why is this bad?
A process running as UID 0 in a container is root on the node as soon as it escapes the
container (a kernel or runtime bug, a writable host mount). With `runAsNonRoot: true` the
kubelet refuses to start a container whose image would run as root. A namespace enforcing
the restricted Pod Security Standard rejects such pods.

## Example
```yaml
server:
  podSecurityContext:
    runAsNonRoot: true
  containerSecurityContext:
    runAsUser: 0          # overrides the pod: the container runs as root
```

## Use instead
```yaml
server:
  podSecurityContext:
    runAsNonRoot: true    # covers every container that does not override it
    runAsUser: 1000
  containerSecurityContext: {}
```

## References
- https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
- https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import (
    WORKLOAD_KINDS,
    containers,
    effective_security_setting,
    pod_security_setting,
    pod_spec,
)
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="container-may-run-as-root",
    code="SEC001",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container may run as root: runAsNonRoot is not true or runAsUser is 0.",
    remediation="Set runAsNonRoot: true (on the pod or every container) and never set runAsUser: 0.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    inherited: set[str] = set()  # the pod-level fields some container takes over
    for container in containers(pod):
        non_root = effective_security_setting(pod, container, "runAsNonRoot")
        if non_root.value is None:
            yield Finding(
                f"{container.title} may run as root: runAsNonRoot is set neither on it nor on its pod",
                path=non_root.path,
            )
        elif non_root.value is not True:
            yield Finding(
                f"{container.title} may run as root: {non_root.setter} sets runAsNonRoot to {non_root.shown}",
                path=non_root.path,
            )
        user = effective_security_setting(pod, container, "runAsUser")
        if user.value == 0:
            yield Finding(
                f"{container.title} runs as root: {user.setter} sets runAsUser to 0", path=user.path
            )
        inherited |= {setting.key for setting in (non_root, user) if setting.from_pod}
    # The restricted standard rejects these pod-level values even when every container overrides them.
    non_root, user = pod_security_setting(pod, "runAsNonRoot"), pod_security_setting(pod, "runAsUser")
    for setting, rejected in ((non_root, non_root.value is False), (user, user.value == 0)):
        if rejected and setting.key not in inherited:
            yield Finding(
                f"the pod sets {setting.key} to {setting.shown}: every container overrides it, "
                "but the restricted Pod Security Standard rejects the pod",
                path=setting.path,
            )
