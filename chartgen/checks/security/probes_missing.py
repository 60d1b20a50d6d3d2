"""
## What it does
Reports a long-running container without a `livenessProbe`, or without a `readinessProbe`
while it declares `ports` (so it receives traffic). Long-running means a container of a
Deployment, StatefulSet, DaemonSet or ReplicaSet, or of a Pod that restarts always. Not
reported: Jobs and CronJobs (they run to completion), init containers (native sidecars
included), and readiness of a container that declares no port (nothing is sent to it). A
`startupProbe` delays the others; it does not replace them.

## Why is this bad?
Without a liveness probe a process that hangs (a deadlock, an exhausted pool) keeps running
and is never restarted. Without a readiness probe a Service sends traffic to a pod from the
moment its process starts, and keeps sending it while the pod cannot answer: requests fail
during every rollout and overload.

## Example
```yaml
containers:
  - name: server
    image: example/server:1.4
    ports: [{name: http, containerPort: 8080}]
```

## Use instead
```yaml
containers:
  - name: server
    image: example/server:1.4
    ports: [{name: http, containerPort: 8080}]
    livenessProbe: {httpGet: {path: /healthz, port: http}}
    readinessProbe: {httpGet: {path: /ready, port: http}}
```

## Options
- `exempt` (mapping, default empty): names of containers that have nothing to probe, each
  with the reason (`{agent: "serves no endpoint and has no health command"}`).

## References
- https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
- https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import containers, pod_spec
from chartgen.findings import Finding, Level
from chartgen.manifests import Manifest

LONG_RUNNING_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod")


@dataclass(frozen=True)
class ProbesMissingOptions:
    exempt: dict[str, str] = field(default_factory=dict)  # container name -> why it has no probe


@check(
    id="probes-missing",
    code="SEC018",
    scope=Scope.OBJECT,
    level=Level.WARNING,
    kinds=LONG_RUNNING_KINDS,
    description="A long-running container has no liveness probe, or no readiness probe while it serves ports.",
    remediation="Add a livenessProbe, and a readinessProbe to containers that receive traffic.",
    options=ProbesMissingOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None or pod.spec.get("restartPolicy", "Always") != "Always":
        return  # a Pod that runs to completion
    options: ProbesMissingOptions = ctx.options
    exempt = options.exempt
    for container in containers(pod, include_init=False):
        if container.name in exempt:
            continue
        missing = [] if container.container.get("livenessProbe") else ["livenessProbe"]
        if container.container.get("ports") and not container.container.get("readinessProbe"):
            missing.append("readinessProbe")
        if missing:
            yield Finding(f"{container.title} has no {' and no '.join(missing)}", path=container.path)
