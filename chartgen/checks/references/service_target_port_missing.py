"""
## What it does
Reports a Service port whose `targetPort` (a port name, or a number; `port` when unset) is
not a `containerPort` of any container in the pods the Service selects. Services that select
nothing are left to `service-selects-nothing`.

## Why is this bad?
A named `targetPort` that no container declares gives the Service no endpoints for that
port; a number nobody listens on gives connection refused. Both pass `helm lint` and
schema validation, and show up only as an unreachable Service.

## Example
```yaml
kind: Service
spec:
  ports: [{name: http, port: 80, targetPort: http}]
---
kind: Deployment
spec:
  template:
    spec:
      containers: [{name: web, ports: [{name: web, containerPort: 8080}]}]
```

## Use instead
```yaml
kind: Service
spec:
  ports: [{name: http, port: 80, targetPort: web}]
```

## References
- https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import containers, name_of, namespace_of, pod_spec
from chartgen.checks.objects.selectors import selected_workloads
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="service-target-port-missing",
    code="REF002",
    scope=Scope.OBJECT,
    kinds=("Service",),
    description="A Service targetPort is not a container port of the pods it selects.",
    remediation="Point targetPort at a name or number that the selected containers declare in ports.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    spec = manifest.obj.get("spec") or {}
    default = ctx.release_namespace
    workloads = selected_workloads(
        spec.get("selector"), (m.obj for m in ctx.objects), namespace_of(manifest.obj, default), default
    )
    if not workloads:
        return
    declared = [port for workload in workloads for port in _container_ports(workload)]
    names = {port.get("name") for port in declared}
    numbers = {port.get("containerPort") for port in declared}
    selected = ", ".join(f"{w['kind']}/{name_of(w)}" for w in workloads)
    for index, port in enumerate(spec.get("ports") or []):
        if not isinstance(port, dict):
            continue
        field = "targetPort" if port.get("targetPort") is not None else "port"
        target = port.get(field)
        path = f"spec.ports[{index}].{field}"
        if isinstance(target, str) and target not in names:
            yield Finding(f'no container of {selected} has a port named "{target}"', path=path)
        elif isinstance(target, int) and target not in numbers:
            yield Finding(f"no container of {selected} has containerPort {target}", path=path)


def _container_ports(workload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The ports of the containers that serve: regular containers and native sidecars."""
    pod = pod_spec(workload)
    if pod is None:
        return
    for container in containers(pod):
        if not container.init or container.container.get("restartPolicy") == "Always":
            yield from (port for port in container.container.get("ports") or [] if isinstance(port, dict))
