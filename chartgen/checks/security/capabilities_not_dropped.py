"""
## What it does
Reports containers, init containers included, whose `securityContext.capabilities.drop` does
not contain `ALL`, and each capability in `capabilities.add` other than `NET_BIND_SERVICE`.

## Why is this bad?
Container runtimes grant a default set of Linux capabilities (`CHOWN`, `DAC_OVERRIDE`,
`SETUID`, `NET_RAW`...) that most applications never need and that an attacker can use
after a compromise. Added capabilities such as `SYS_ADMIN` or `NET_ADMIN` come close to
root on the node. A namespace enforcing the restricted Pod Security Standard rejects pods
that keep or add them.

## Example
```yaml
agent:
  containerSecurityContext:
    capabilities:
      drop: [NET_RAW]     # keeps every other default capability
      add: [SYS_ADMIN]
```

## Use instead
```yaml
agent:
  containerSecurityContext:
    capabilities:
      drop: [ALL]
      add: [NET_BIND_SERVICE]   # only if it binds a port below 1024
```

## References
- https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
- https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, containers, own_security_setting, pod_spec
from chartgen.findings import Finding
from chartgen.manifests import Manifest

ADDABLE = {"NET_BIND_SERVICE"}  # the only capability the restricted standard lets a container add


@check(
    id="capabilities-not-dropped",
    code="SEC003",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container does not drop ALL capabilities or adds one other than NET_BIND_SERVICE.",
    remediation="Set capabilities.drop: [ALL] and add back at most NET_BIND_SERVICE.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    for container in containers(pod):
        setting = own_security_setting(container, "capabilities")
        capabilities = setting.value if isinstance(setting.value, dict) else {}
        path = setting.path
        if "ALL" not in (capabilities.get("drop") or []):
            yield Finding(
                f"{container.title} keeps the default capabilities: capabilities.drop does not contain ALL",
                path=f"{path}.drop",
            )
        for index, capability in enumerate(capabilities.get("add") or []):
            if capability not in ADDABLE:
                yield Finding(
                    f"{container.title} adds capability {capability}; only NET_BIND_SERVICE may be added",
                    path=f"{path}.add[{index}]",
                )
