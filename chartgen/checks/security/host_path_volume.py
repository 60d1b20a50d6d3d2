"""
## What it does
Reports every `hostPath` volume of a pod.

## Why is this bad?
A `hostPath` volume mounts a directory of the node into the pod. Writable, it lets the pod
change the node (plant binaries, read other pods' secrets under `/var/lib/kubelet`); even
read-only it leaks the node's files, and it ties the pod's data to one node. Even the
baseline Pod Security Standard forbids it.

## Example
```yaml
spec:
  template:
    spec:
      volumes:
        - name: keys
          hostPath:
            path: /var/lib/certctl/keys
```

## Use instead
```yaml
spec:
  template:
    spec:
      volumes:
        - name: keys
          emptyDir: {}        # or a persistentVolumeClaim, a Secret, a CSI volume
```

## References
- https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
- https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, pod_spec
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="host-path-volume",
    code="SEC008",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A pod mounts a directory of the node through a hostPath volume.",
    remediation="Replace the hostPath volume with an emptyDir, a PersistentVolumeClaim, a Secret or a CSI volume.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    for index, volume in enumerate(pod.spec.get("volumes") or []):
        source = volume.get("hostPath") if isinstance(volume, dict) else None
        if source is not None:
            host_path = source.get("path") if isinstance(source, dict) else None
            yield Finding(
                f'volume "{volume.get("name", "")}" mounts {host_path or "a directory"} '
                "of the node (hostPath)",
                path=f"{pod.path}.volumes[{index}]",
            )
