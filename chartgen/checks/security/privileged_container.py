"""
## What it does
Reports containers, init containers included, with `securityContext.privileged: true`.

## Why is this bad?
A privileged container has every capability, sees every device of the node and is not
confined by seccomp or AppArmor: it is root on the node in all but name. Even the baseline
Pod Security Standard forbids it.

## Example
```yaml
agent:
  containerSecurityContext:
    privileged: true
```

## Use instead
```yaml
agent:
  containerSecurityContext:
    privileged: false
    capabilities:
      drop: [ALL]       # add back only what the container needs
```

## References
- https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
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
    id="privileged-container",
    code="SEC006",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container runs privileged.",
    remediation="Remove privileged: true and grant only the capabilities the container needs.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    for container in containers(pod):
        setting = own_security_setting(container, "privileged")
        if setting.value is True:
            yield Finding(
                f"{container.title} is privileged: it has full access to the node", path=setting.path
            )
