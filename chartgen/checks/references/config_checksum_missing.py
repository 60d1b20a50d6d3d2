"""
## What it does
Reports a Deployment, StatefulSet or DaemonSet whose pods read a ConfigMap or Secret that the
same render contains — through env `valueFrom`, `envFrom`, or a (projected) volume — while its
pod template carries no annotation starting with `checksum/`. Objects the chart does not
render (an operator's existing Secret, one cert-manager writes) are not counted. Which object
each checksum covers cannot be told from the rendered output, so one `checksum/` annotation
satisfies the check.

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

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import pod_annotations, pod_metadata, pod_metadata_path, pod_spec
from chartgen.checks.objects.references import config_references, find_object
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
    default = ctx.release_namespace
    namespace = ctx.namespace_of(manifest.obj)
    objects = ctx.object_dicts
    read = sorted(
        {
            f"{ref.kind}/{ref.name}"
            for ref in config_references(pod)
            if find_object(objects, ref.kind, ref.name, namespace, default) is not None
        }
    )
    if read:
        path = pod_metadata_path(manifest.obj)
        yield Finding(
            f"pods read {', '.join(read)}, which the chart renders, but the pod template has no checksum/ "
            "annotation: an upgrade that changes them does not restart the pods",
            path=f"{path}.annotations" if "annotations" in pod_metadata(manifest.obj) else path,
        )
