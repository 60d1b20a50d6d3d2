"""
## What it does
Reports containers, init containers included, whose effective seccomp profile (the
container's own `seccompProfile`, else the pod's) is not of type `RuntimeDefault` or
`Localhost`. An unset profile and `Unconfined` both count as missing. A pod-level
`Unconfined` is reported even when every container overrides it, because the restricted
Pod Security Standard rejects it.

## Why is this bad?
Without a seccomp profile a container may call every system call of the node's kernel,
including the rarely used ones where kernel exploits live. The runtime's default profile
blocks those at almost no cost. A namespace enforcing the restricted Pod Security Standard
rejects pods without one.

## Example
```yaml
server:
  podSecurityContext:
    runAsNonRoot: true    # no seccompProfile: the containers run Unconfined
```

## Use instead
```yaml
server:
  podSecurityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault   # covers every container that does not override it
```

## References
- https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
- https://kubernetes.io/docs/tutorials/security/seccomp/
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

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

CONFINED = {"RuntimeDefault", "Localhost"}


@check(
    id="seccomp-profile-missing",
    code="SEC004",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container runs without a RuntimeDefault or Localhost seccomp profile.",
    remediation="Set seccompProfile.type: RuntimeDefault in the pod securityContext (or in every container).",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    inherited = False  # some container takes over the pod's profile
    for container in containers(pod):
        profile = effective_security_setting(pod, container, "seccompProfile")
        kind = profile_type(profile.value)
        if profile.value is None:
            yield Finding(
                f"{container.title} has no seccomp profile: seccompProfile.type is set neither on it "
                "nor on its pod",
                path=f"{profile.path}.type",
            )
        elif kind not in CONFINED:
            yield Finding(
                f"{container.title} runs without a seccomp profile: {profile.setter} sets "
                f"seccompProfile.type to {json.dumps(kind)}",
                path=f"{profile.path}.type",
            )
        inherited |= profile.from_pod
    # The restricted standard rejects an Unconfined pod profile even when every container overrides it.
    pod_profile = pod_security_setting(pod, "seccompProfile")
    pod_type = profile_type(pod_profile.value)
    if pod_type is not None and pod_type not in CONFINED and not inherited:
        yield Finding(
            f"the pod sets seccompProfile.type to {json.dumps(pod_type)}: every container overrides it, "
            "but the restricted Pod Security Standard rejects the pod",
            path=f"{pod_profile.path}.type",
        )


def profile_type(profile: Any) -> Any:
    """The ``type`` of a seccompProfile, None when unset."""
    return profile.get("type") if isinstance(profile, dict) else None
