"""
## What it does
Reports containers, init containers included, that do not request both cpu and memory or
do not limit memory. With the option `require_cpu_limit: true` a missing cpu limit counts
too.

## Why is this bad?
The scheduler places pods by their requests: without them a node is overcommitted and the
pod is the first to be evicted under pressure (QoS class BestEffort). Without a memory
limit one leaking container can take the node's memory and get other pods killed. A cpu
limit is optional by default because throttling often hurts more than it protects.

## Example
```yaml
containers:
  - name: server
    image: ghcr.io/certctl-io/certctl-server:v2.0.71
    resources:
      requests: {cpu: 100m}           # no memory request, no memory limit
```

## Use instead
```yaml
containers:
  - name: server
    image: ghcr.io/certctl-io/certctl-server:v2.0.71
    resources:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {memory: 512Mi}
```

## Options
- `require_cpu_limit` (boolean, default false): also require `limits.cpu` (off by default: CPU limits throttle more than they protect).

## References
- https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
- https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, containers, pod_spec
from chartgen.findings import Finding, Level
from chartgen.manifests import Manifest


@dataclass(frozen=True)
class ResourcesNotSetOptions:
    require_cpu_limit: bool = False


@check(
    id="resources-not-set",
    code="SEC009",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    level=Level.WARNING,
    description="A container does not request cpu and memory or has no memory limit.",
    remediation="Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on every container.",
    options=ResourcesNotSetOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    wanted = [("requests", "cpu"), ("requests", "memory"), ("limits", "memory")]
    if ctx.options.require_cpu_limit:
        wanted.append(("limits", "cpu"))
    for container in containers(pod):
        resources = container.container.get("resources")
        missing = [
            f"{resource} {'request' if group == 'requests' else 'limit'}"
            for group, resource in wanted
            if not _is_set(resources, group, resource)
        ]
        if missing:
            where = f"{container.path}.resources" if "resources" in container.container else container.path
            yield Finding(f"{container.title} sets no {_and(missing)}", path=where)


def _is_set(resources: Any, group: str, resource: str) -> bool:
    amounts = resources.get(group) if isinstance(resources, dict) else None
    return isinstance(amounts, dict) and amounts.get(resource) not in (None, "")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
