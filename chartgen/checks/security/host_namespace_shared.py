"""
## What it does
Reports pods that share a namespace of the node (`hostNetwork`, `hostPID` or `hostIPC` set to
`true`, one finding each) and container ports, init containers included, that bind a port of
the node (`hostPort` other than 0).

## Why is this bad?
With the node's network namespace a pod sees and can bind every interface of the node and
bypasses NetworkPolicies; with its PID or IPC namespace it can inspect, signal and read the
memory of every process on the node. A `hostPort` ties the pod to one port per node, limits
scheduling and exposes the container outside of Services and NetworkPolicies. Even the
baseline Pod Security Standard forbids these.

## Example
```yaml
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: agent
          ports:
            - containerPort: 8080
              hostPort: 8080
```

## Use instead
```yaml
spec:
  template:
    spec:
      containers:
        - name: agent
          ports:
            - containerPort: 8080   # expose it with a Service
```

## References
- https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
- https://kubernetes.io/docs/concepts/configuration/overview/#services
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, containers, pod_spec
from chartgen.findings import Finding
from chartgen.manifests import Manifest

NAMESPACES = {"hostNetwork": "network", "hostPID": "process (PID)", "hostIPC": "IPC"}


@check(
    id="host-namespace-shared",
    code="SEC007",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A pod shares the node's network, PID or IPC namespace, or a container binds a host port.",
    remediation="Remove hostNetwork, hostPID, hostIPC and hostPort; expose ports through a Service.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    for field, namespace in NAMESPACES.items():
        if pod.spec.get(field) is True:
            yield Finding(
                f"the pod shares the node's {namespace} namespace: {field} is true",
                path=f"{pod.path}.{field}",
            )
    for container in containers(pod):
        for index, port in enumerate(container.container.get("ports") or []):
            if isinstance(port, dict) and port.get("hostPort") not in (None, 0):
                yield Finding(
                    f"{container.title} binds port {port['hostPort']} of the node (hostPort)",
                    path=f"{container.path}.ports[{index}].hostPort",
                )
