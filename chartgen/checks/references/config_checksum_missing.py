"""
## What it does
Reports a Deployment, StatefulSet or DaemonSet whose pods read a ConfigMap or Secret that the
same render contains — through env `valueFrom`, `envFrom`, or a (projected) volume — while its
pod template carries no annotation starting with `checksum/`. Objects the chart does not
render (an operator's existing Secret, one cert-manager writes) are not counted. Which object
each checksum covers cannot be told from the rendered output, so one `checksum/` annotation
satisfies the check.

Objects that are reloaded without a restart are not counted either: those a config-reloader
sidecar mounts (a container whose name or image says `reload`, such as
`prometheus-config-reloader` or `configmap-reload`), and all of them when the workload asks
Stakater Reloader to restart it (`reloader.stakater.com/auto`, `…reloader.stakater.com/reload`).

## Why is this bad?
`helm upgrade` changes the ConfigMap or Secret but not the pod template, so nothing rolls:
running pods keep the old environment until they restart for another reason, and then pods
of one workload run with different configuration. A changed database password is the worst
case: pods that restart later fail to connect, long after the upgrade.

## Example
```yaml
spec:
  template:
    spec:
      containers:
        - envFrom: [{configMapRef: {name: app}}]
```

## Use instead
```yaml
spec:
  template:
    metadata:
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
```

## References
- https://helm.sh/docs/howto/charts_tips_and_tricks/#automatically-roll-deployments
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import (
    PodSpec,
    containers,
    pod_annotations,
    pod_metadata,
    pod_metadata_path,
    pod_spec,
)
from chartgen.checks.objects.references import config_references
from chartgen.findings import Finding, Level
from chartgen.manifests import Manifest


@check(
    id="config-checksum-missing",
    code="REF014",
    scope=Scope.OBJECT,
    level=Level.WARNING,
    kinds=("Deployment", "StatefulSet", "DaemonSet"),
    description="A workload reads a ConfigMap or Secret of the chart but its pods carry no checksum of it.",
    remediation="Annotate the pod template with checksum/<name>: the sha256sum of each ConfigMap and Secret it reads.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None or any(str(key).startswith("checksum/") for key in pod_annotations(manifest.obj)):
        return
    if any("reloader.stakater.com/" in str(key) for key in _annotations(manifest.obj)):
        return
    namespace = ctx.namespace_of(manifest.obj)
    reloaded = _reloaded_by_sidecar(pod)
    read = sorted(
        {
            f"{ref.kind}/{ref.name}"
            for ref in config_references(pod)
            if (ref.kind, ref.name) not in reloaded and ctx.find(ref.kind, ref.name, namespace) is not None
        }
    )
    if read:
        path = pod_metadata_path(manifest.obj)
        yield Finding(
            f"pods read {', '.join(read)}, which the chart renders, but the pod template has no checksum/ "
            "annotation: an upgrade that changes them does not restart the pods",
            path=f"{path}.annotations" if "annotations" in pod_metadata(manifest.obj) else path,
        )


def _annotations(obj: dict[str, Any]) -> dict[str, Any]:
    return {**((obj.get("metadata") or {}).get("annotations") or {}), **pod_annotations(obj)}


def _reloaded_by_sidecar(pod: PodSpec) -> set[tuple[str, str]]:
    """The (kind, name) of the ConfigMaps and Secrets in volumes a config-reloader container mounts."""
    mounted = {
        mount.get("name")
        for container in containers(pod)
        if "reload" in f"{container.name} {container.container.get('image', '')}".lower()
        for mount in container.container.get("volumeMounts") or []
        if isinstance(mount, dict)
    }
    volumes = [v for v in pod.spec.get("volumes") or [] if isinstance(v, dict) and v.get("name") in mounted]
    return {
        (reference.kind, reference.name)
        for reference in config_references(PodSpec({"volumes": volumes}, pod.path))
    }
