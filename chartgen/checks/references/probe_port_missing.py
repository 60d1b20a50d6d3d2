"""
## What it does
Reports a liveness, readiness or startup probe whose `httpGet` or `tcpSocket` port is a name
that the container does not declare in its `ports`, and a `grpc` probe whose port is not a
number (gRPC probes take no port names). A port name resolves only against the probed
container's own ports, never another container's.

## Why is this bad?
The kubelet cannot resolve the port, so the probe fails every time: a readiness probe keeps
the pod out of its Services forever, a liveness or startup probe restarts the container in a
loop. It happens when a port is renamed (`http` to `https`) or declared only under a condition.

## Example
```yaml
ports:
  - {name: https, containerPort: 8443}
readinessProbe:
  httpGet: {path: /ready, port: http, scheme: HTTPS}
```

## Use instead
```yaml
readinessProbe:
  httpGet: {path: /ready, port: https, scheme: HTTPS}
```

## References
- https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#use-a-named-port
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, Container, containers, pod_spec
from chartgen.findings import Finding
from chartgen.manifests import Manifest

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


@check(
    id="probe-port-missing",
    code="REF009",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A probe names a port that its container does not declare.",
    remediation="Name a port from the container's ports list, or give the port number.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    for container in containers(pod) if pod else ():
        ports = container.container.get("ports") or []
        declared = sorted({str(p["name"]) for p in ports if isinstance(p, dict) and p.get("name")})
        for probe_name in PROBES:
            probe = container.container.get(probe_name)
            if isinstance(probe, dict):
                yield from _check_probe(
                    probe, f"{container.path}.{probe_name}", probe_name, container, declared
                )


def _check_probe(
    probe: dict[str, Any], path: str, probe_name: str, container: Container, declared: list[str]
) -> Iterator[Finding]:
    for handler in ("httpGet", "tcpSocket", "grpc"):
        action = probe.get(handler)
        port = action.get("port") if isinstance(action, dict) else None
        if not isinstance(port, str) or port.isdigit():
            continue  # a number needs no declaration (the kubelet also reads "8080" as one)
        if handler == "grpc":
            yield Finding(
                f'{probe_name} of container "{container.name}" gives the gRPC port as the name "{port}"; '
                "gRPC probes take a port number",
                path=f"{path}.grpc.port",
            )
        elif port not in declared:
            ports = ", ".join(declared) or "none"
            yield Finding(
                f'{probe_name} of container "{container.name}" uses port "{port}", which the container '
                f"does not declare (named ports: {ports})",
                path=f"{path}.{handler}.port",
            )
